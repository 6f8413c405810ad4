"""Keep the zh-Hans and en catalogues complete.

``guanxi i18n update`` extracts strings (no source locations, so moving code does not
churn the files), copies English msgids into the en catalogue and compiles both.
``guanxi i18n check`` first extracts the strings into a temporary copy of the sources
and fails when the source holds a string the catalogue does not have yet; then it fails
when a catalogue string is untranslated or fuzzy, or a .mo file is out of date with its
.po. The real catalogues are never written by ``check``.
"""

import gettext
import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

LOCALES = ("zh_Hans", "en")
DOMAINS = ("django",)
IGNORE = ["testing/*", "*/tests/*"]


def catalogues(root=None):
    root = Path(root) if root is not None else Path(settings.BASE_DIR) / "locale"
    for locale in LOCALES:
        for domain in DOMAINS:
            yield locale, root / locale / "LC_MESSAGES" / f"{domain}.po"


def extract(source_root):
    """Run makemessages over ``source_root`` into its own ``locale`` folder."""

    cwd = os.getcwd()
    os.chdir(source_root)
    try:
        with override_settings(LOCALE_PATHS=[str(Path(source_root) / "locale")]):
            call_command("makemessages", locale=list(LOCALES), no_location=True, no_obsolete=True, verbosity=0,
                         ignore_patterns=IGNORE)
    finally:
        os.chdir(cwd)


def extraction_problems(source_root=None):
    """Extract the sources into a temporary copy of the catalogues and return the strings
    the source uses that the catalogue lacks (or only guesses: fuzzy)."""
    source_root = Path(source_root or settings.BASE_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(source_root, copy, ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", "*.mo", "static", "tests", "testing", "node_modules"))
        extract(copy)
        problems = []
        for locale, path in catalogues(copy / "locale"):
            po = polib.pofile(str(path))
            for entry in po.untranslated_entries() + po.fuzzy_entries():
                problems.append(f"{locale}: new in the source, not in the catalogue "
                                f"(run `guanxi i18n update` and translate it): "
                                f"{entry.msgid!r}{f' (context {entry.msgctxt!r})' if entry.msgctxt else ''}")
        return problems


class Command(BaseCommand):
    help = "Update or check the translation catalogues (zh-Hans and en)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "check"])

    def handle(self, *args, action, **options):
        if action == "update":
            self.update()
        problems = self.check() if action == "update" else extraction_problems() + self.check()
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("Catalogues complete: " + ", ".join(LOCALES))

    def update(self):
        extract(settings.BASE_DIR)
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
