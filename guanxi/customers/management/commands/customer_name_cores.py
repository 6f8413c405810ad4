from django.core.management.base import BaseCommand

from guanxi.customers.services import customers_recompute_name_cores


class Command(BaseCommand):
    help = ("Recompute the name core of every customer (the duplicate scan's and the import's "
            "similarity key) after its rules changed; safe to run again.")

    def handle(self, *args, **options):
        changed = customers_recompute_name_cores()
        self.stdout.write(f"{changed} customers updated.")
