"""Keep the zh-Hans and en catalogues complete.

``guanxi i18n update`` extracts strings (no source locations, so moving code does not
churn the files), copies English msgids into the en catalogue and compiles both.
``guanxi i18n check`` fails when a string is untranslated or fuzzy, or a .mo file is
out of date with its .po.
"""

import gettext
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ("zh_Hans", "en")
DOMAINS = ("django",)


def catalogues():
    root = Path(settings.BASE_DIR) / "locale"
    for locale in LOCALES:
        for domain in DOMAINS:
            yield locale, root / locale / "LC_MESSAGES" / f"{domain}.po"


class Command(BaseCommand):
    help = "Update or check the translation catalogues (zh-Hans and en)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "check"])

    def handle(self, *args, action, **options):
        if action == "update":
            self.update()
        problems = self.check()
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("Catalogues complete: " + ", ".join(LOCALES))

    def update(self):
        import os

        cwd = os.getcwd()
        os.chdir(settings.BASE_DIR)
        try:
            call_command("makemessages", locale=list(LOCALES), no_location=True, no_obsolete=True, verbosity=0,
                         ignore_patterns=["testing/*", "*/tests/*"])
        finally:
            os.chdir(cwd)
        for locale, path in catalogues():
            po = polib.pofile(str(path))
            if locale == "en":
                for entry in po:
                    if entry.msgid_plural:
                        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                    else:
                        entry.msgstr = entry.msgid
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
                po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
                po.save()
            po.save_as_mofile(str(path.with_suffix(".mo")))

    def check(self):
        problems = []
        for locale, path in catalogues():
            po = polib.pofile(str(path))
            for entry in po.untranslated_entries():
                problems.append(f"{locale}: untranslated: {entry.msgid!r}")
            for entry in po.fuzzy_entries():
                problems.append(f"{locale}: fuzzy: {entry.msgid!r}")
            mo_path = path.with_suffix(".mo")
            if not mo_path.exists():
                problems.append(f"{locale}: {mo_path.name} is missing; run `guanxi i18n update`")
                continue
            with mo_path.open("rb") as handle:
                compiled = gettext.GNUTranslations(handle)
            for entry in po.translated_entries():
                if entry.msgid_plural:
                    continue
                key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
                if compiled._catalog.get(key) != entry.msgstr:
                    problems.append(f"{locale}: {mo_path.name} is out of date ({entry.msgid!r})")
                    break
        return problems
