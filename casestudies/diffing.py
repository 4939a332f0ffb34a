"""Word-level differences between two texts of a story, marked up for a
side-by-side view: removed words in ``<del>`` on the left, added words in
``<ins>`` on the right, each with a label screen readers announce."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from casestudies.models import SECTIONS

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class SectionDiff:
    name: str
    label: str
    old: SafeString
    new: SafeString
    changed: bool
    added: int  # words
    removed: int


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString, int, int]:
    """(old marked, new marked, words added, words removed)."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    removed_label, added_label = escape(_("Removed:")), escape(_("Added:"))
    end_label = escape(_("end of change"))
    left: list[str] = []
    right: list[str] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape("".join(a[i1:i2])))
            right.append(escape("".join(b[j1:j2])))
            continue
        if i2 > i1:
            removed += _words(a[i1:i2])
            left.append(
                f'<del><span class="sr-only">{removed_label} </span>{escape("".join(a[i1:i2]))}'
                f'<span class="sr-only"> ({end_label})</span></del>'
            )
        if j2 > j1:
            added += _words(b[j1:j2])
            right.append(
                f'<ins><span class="sr-only">{added_label} </span>{escape("".join(b[j1:j2]))}'
                f'<span class="sr-only"> ({end_label})</span></ins>'
            )
    return mark_safe("".join(left)), mark_safe("".join(right)), added, removed


def diff_sections(old: dict[str, str], new: dict[str, str]) -> list[SectionDiff]:
    """One :class:`SectionDiff` per framework section, in reading order."""
    diffs = []
    for name, label in SECTIONS:
        before, after = old.get(name) or "", new.get(name) or ""
        left, right, added, removed = word_diff(before, after)
        diffs.append(
            SectionDiff(
                name=name,
                label=str(label),
                old=left,
                new=right,
                changed=before != after,
                added=added,
                removed=removed,
            )
        )
    return diffs
