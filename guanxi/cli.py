"""The ``guanxi`` console command: Django's management commands with Guanxi's settings."""

import os
import sys

from django.core.management import execute_from_command_line


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings.base")

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "guanxi"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
