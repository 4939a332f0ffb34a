"""Fill Indonesian translations from a JSON object {msgid: msgstr}.

Usage: .venv/bin/python scripts/po_fill.py translations.json
Only empty (or fuzzy) entries are filled; the .mo file is rebuilt.
Run `make messages` first so new msgids are in the .po file.
"""

import json
import sys

import polib

PO = "locale/id/LC_MESSAGES/django.po"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        table = json.load(fh)
    po = polib.pofile(PO)
    filled = 0
    for entry in po:
        if entry.msgid in table and (not entry.translated() or "fuzzy" in entry.flags):
            if entry.msgid_plural:  # Indonesian has one plural form
                entry.msgstr_plural = {0: table[entry.msgid]}
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.save()
    po.save_as_mofile(PO.replace(".po", ".mo"))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(sys.argv[1])
