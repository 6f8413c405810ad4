import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from guanxi.org.demo import DEMO_PASSWORD, logins
from guanxi.system.demo import DEMO_BUILDERS


class Command(BaseCommand):
    help = "Build the demo company with Chinese names (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the login table.")

    def handle(self, *args, **options):
        for path in DEMO_BUILDERS:
            with transaction.atomic():
                importlib.import_module(path).build(stdout=self.stdout)
        if not options["quiet"]:
            print_logins(self.stdout)


def print_logins(out):
    out.write("")
    out.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
    for username, name, branch, title in logins():
        out.write(f"  {username:<14} {name}  {branch} {title}")
