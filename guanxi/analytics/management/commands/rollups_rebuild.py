from django.core.management.base import BaseCommand

from guanxi.analytics.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the daily sales and receipts rollups the dashboard's money figures read (nightly in Celery)."

    def handle(self, *args, **options):
        run = rollups_rebuild(lambda step, done: self.stdout.write(f"  {step}: {done:,}"))
        self.stdout.write(f"{run.rows:,} rows in {run.seconds} s")
