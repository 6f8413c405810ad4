"""``guanxi backup``: back up the database and the uploaded files now (SYS-1)."""

import shutil

from django.core.management.base import BaseCommand, CommandError

from guanxi.system.backups import backup_create, backup_file
from guanxi.system.models import Backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into GUANXI_BACKUP_DIR (encrypted with GUANXI_BACKUP_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("--copy-to", help="Also copy the backup file here (a folder or a file name).")

    def handle(self, *args, copy_to=None, **options):
        backup = backup_create(Backup.Trigger.COMMAND)
        if backup.status != Backup.Status.DONE:
            raise CommandError(f"Backup failed: {backup.error}")
        path = backup_file(backup)
        if copy_to:
            path = shutil.copy2(path, copy_to)
        summary = backup.summary
        self.stdout.write(f"{path}\n{backup.size} bytes, {'encrypted' if backup.encrypted else 'NOT encrypted'}, "
                          f"{summary['tables']} tables, {summary['rows']} rows, {summary['media_files']} files")
