"""Start Guanxi on one machine: migrate, (demo), a supervised Celery worker and scheduler, web."""

import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from guanxi.system.management.commands.demo import print_logins
from guanxi.system.services import database_optimize
from guanxi.system.supervisor import (
    AlreadyRunning,
    Supervisor,
    background_commands,
    single_instance,
)


class Command(BaseCommand):
    help = "Migrate, optionally load demo data, then serve Guanxi with a background worker and scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Build the demo company first.")
        parser.add_argument("--host", default=os.environ.get("GUANXI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GUANXI_PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Celery worker.")

    def handle(self, *args, **options):
        try:
            with single_instance(settings.DATA_DIR / "up.lock"):
                self.run(options)
        except AlreadyRunning as exc:
            raise CommandError(f"Guanxi is already running on this data directory ({settings.DATA_DIR}).") from exc

    def run(self, options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        database_optimize()
        if options["demo"]:
            call_command("demo", quiet=True)
        # The worker and the scheduler, restarted when they die, stopped with us.
        background = None if options["no_worker"] else Supervisor(
            background_commands(settings.DATA_DIR), log=self.stderr.write).start()
        # Stop them with us when a service manager sends SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Guanxi is running at {url}"))
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        if options["demo"]:
            print_logins(self.stdout)
        self.stdout.write("Press Ctrl+C to stop.")
        try:
            from waitress import serve

            # load: WhiteNoise indexes STATIC_ROOT when the WSGI app is built, so after collectstatic
            from guanxi.wsgi import application

            serve(application, host=options["host"], port=options["port"], threads=options["threads"],
                  ident="guanxi", _quiet=True)
        finally:
            if background is not None:
                background.stop()
