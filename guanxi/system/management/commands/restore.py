"""``guanxi restore FILE``: restore a backup, then prove it against its manifest (SYS-1).

Without ``--sqlite``/``--database-url`` it replaces this installation's database and
uploaded files (stop the web server and the workers first). The whole file is checked
before anything is changed: a wrong key or a damaged file changes nothing.
"""

from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from guanxi.system.backups import BackupError, Target, media_root, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `guanxi backup` (key in GUANXI_BACKUP_KEY) and verify it."

    def add_arguments(self, parser):
        parser.add_argument("file")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--sqlite", help="Restore into this SQLite file instead of the current database.")
        target.add_argument("--database-url", help="Restore into this PostgreSQL database instead (an empty one).")
        parser.add_argument("--media-root", help="Put the uploaded files here instead of MEDIA_ROOT.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the current database.")

    def handle(self, *args, file, sqlite=None, database_url=None, media_root=None, yes=False, **options):
        target = self.target(sqlite, database_url, media_root)
        if not (sqlite or database_url) and not yes:
            answer = input(f"Replace the database {connection.settings_dict['NAME']} and the uploaded files "
                           f"with {file}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing was restored.")
        try:
            report = restore_backup(file, key=settings.GUANXI_BACKUP_KEY or None, target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report["problems"]:
            raise CommandError("Restored, but it does not match the backup's manifest:\n" +
                               "\n".join(report["problems"][:50]))
        self.stdout.write(f"Restored the backup of {report['created_at']} (version {report['version']}): "
                          f"{report['tables']} tables and {report['rows']} rows match their checksums, "
                          f"{report['media_files']} files.")
        if report["previous_media"]:
            self.stdout.write(f"The previous uploaded files were moved to {report['previous_media']}.")

    def target(self, sqlite, database_url, media):
        media = Path(media) if media else media_root()
        if sqlite:
            return Target("sqlite", sqlite_path=str(Path(sqlite).resolve()), media=media)
        if database_url:
            parsed = dj_database_url.parse(database_url)
            if not parsed["ENGINE"].endswith("postgresql"):
                raise CommandError("--database-url must be a postgres:// address.")
            merged = dict(connection.settings_dict, **{k: v for k, v in parsed.items() if k != "OPTIONS"})
            return Target("postgresql", pg_settings=merged, pg_name=merged["NAME"], media=media)
        current = Target.current()
        current.media = media
        return current
