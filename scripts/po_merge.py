"""Fill the Indonesian catalogue's untranslated entries from other .po files
(e.g. both sides of a merge): ``python scripts/po_merge.py other.po [...]``.
Only empty or fuzzy entries are filled; the .mo file is rebuilt."""

import sys

import polib

PO = "locale/id/LC_MESSAGES/django.po"


def main(paths: list[str]) -> None:
    po = polib.pofile(PO)
    known: dict[tuple[str, str | None], polib.POEntry] = {}
    for path in paths:
        for entry in polib.pofile(path):
            if entry.translated() and "fuzzy" not in entry.flags:
                known.setdefault((entry.msgid, entry.msgctxt), entry)
    filled = 0
    for entry in po:
        if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        source = known.get((entry.msgid, entry.msgctxt))
        if source is None:
            continue
        entry.msgstr = source.msgstr
        entry.msgstr_plural = dict(source.msgstr_plural)
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
    main(sys.argv[1:])
