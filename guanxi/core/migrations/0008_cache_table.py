"""Create the database cache table(s) so that ``migrate`` alone leaves a working system.

Without Redis the settings use Django's DatabaseCache; sign-in (lock-outs, rate limits)
needs its table. ``createcachetable`` skips tables that exist and caches that are not
database caches, so this is harmless on every database and with Redis.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_notification_preferences")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]
