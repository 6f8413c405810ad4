"""Fill zh_Hans msgstr entries from a JSON object {msgid: translation} (a dev helper).

Usage: .venv/bin/python scripts/translate.py translations.json
       .venv/bin/python scripts/translate.py --todo      # list what is missing
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "guanxi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(argv):
    po = polib.pofile(str(PO))
    todo = po.untranslated_entries() + po.fuzzy_entries()
    if argv[1:] == ["--todo"]:
        print(json.dumps({e.msgid: "" for e in todo}, ensure_ascii=False, indent=1))
        return 0
    translations = json.loads(Path(argv[1]).read_text())
    for entry in todo:
        text = translations.get(entry.msgid)
        if not text:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    po.save()
    left = len(po.untranslated_entries()) + len(po.fuzzy_entries())
    print(f"left untranslated: {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
