"""Every string a person reads exists in Bahasa Indonesia."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_the_indonesian_catalogue_is_complete():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.percent_translated() == 100


def test_the_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
        for e in polib.pofile(str(PO)).translated_entries()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in polib.mofile(str(MO))
    }
    assert compiled == source, "run `make messages` to recompile django.mo"


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """Extract the strings afresh from a copy of the code: none may be missing."""
    if not shutil.which("xgettext"):
        if IN_CI:
            pytest.fail("CI=true requires gettext")
        pytest.skip("needs gettext (apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "media",
            "staticfiles",
            "node_modules",
            "*.pyc",
            "__pycache__",
            "db.sqlite3*",
        ),
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "id",
            "--no-obsolete",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
        },
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if not e.obsolete and not e.translated()]
    assert missing == [], "untranslated strings; run `make messages` and translate them"
