from django.core.management.base import BaseCommand, CommandError

from guanxi.analytics.forecast import ForecastReport
from guanxi.org.models import User


class Command(BaseCommand):
    help = "Back-test the sales forecast (SAL-11) as a user sees it and print each method's error."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="chenzhiqiang", help="Whose view (scope) to forecast.")
        parser.add_argument("--months", type=int, default=9, help="How many past months to back-test.")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        result = ForecastReport(user, backtest_months=options["months"]).run()
        self.stdout.write(f"{'month':<8} {'won':>14} {'weighted':>14} {'history':>14} {'forecast':>14}")
        for row in result.backtest:
            self.stdout.write(f"{row.month:%Y-%m}  {row.actual:>14,.0f} {row.weighted:>14,.0f} "
                              f"{row.projection:>14,.0f} {row.blend:>14,.0f}")
        errors = result.errors
        self.stdout.write(f"WAPE: weighted pipeline {errors['weighted']}%, history projection "
                          f"{errors['projection']}%, forecast (pipeline weight {result.weight}) {errors['blend']}%")
