"""Shared rules for every spreadsheet import and export (django-import-export,
the dashboard's CSV): cells that are safe to export, rows that are safe to
import, the row cap (``IMPORT_MAX_ROWS``), reading a CSV / XLSX file and
running an all-or-nothing import whose problems are listed by row.

Where an uploaded file waits between the check and the confirmation:
``core/import_files.py``; imports too large for one request:
``core/import_jobs.py``."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.forms import ImportForm

from core.uploads import refuse_markup


class CleanCellsMixin:
    """Refuse a row with a NUL character in any cell (a broken export, or
    an attack: PostgreSQL cannot store it and SQLite would keep it silently),
    as a row error the import page shows with the row number and column."""

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                raise ValidationError(
                    _("The column “%(column)s” contains a NUL character.") % {"column": column}
                )
        return super().before_import_row(row, **kwargs)


# OWASP's CSV injection advice: a cell starting with one of these is a formula
# to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or
    CR gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SafeExportMixin:
    """Exported cells never start a spreadsheet formula (names, notes and
    addresses are other people's text)."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return csv_safe(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------
# Reading a file, the row cap
# --------------------------------------------------------------------------

IMPORT_EXTENSIONS = ("csv", "xlsx")


class ImportFileError(Exception):
    pass


def load_dataset(content: bytes, extension: str) -> tablib.Dataset:
    """The file as a dataset, or :class:`ImportFileError` with a message."""
    try:
        if extension == "xlsx":
            return tablib.Dataset().load(content, format="xlsx")
        text = content.decode("utf-8-sig")
        return tablib.Dataset().load(text, format="csv")
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 text.")) from None
    except Exception:  # tablib/openpyxl raise many kinds for a broken file
        message = _("The file could not be read as %(ext)s.") % {"ext": extension}
        raise ImportFileError(message) from None


def count_rows(content: bytes, extension: str, *, limit: int) -> int:
    """Non-empty data rows (the header row excluded) of a CSV or XLSX file,
    counted no further than ``limit + 1``: a huge file is refused without
    being read to its end. An unreadable file counts 0 (its reader says why)."""
    try:
        if extension == "xlsx":
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            rows = book.active.iter_rows(values_only=True)
        else:
            rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        counted = sum(
            1 for row in islice(rows, limit + 2) if any(cell not in (None, "") for cell in row)
        )
    except Exception:  # broken file: load_dataset reports it
        return 0
    return max(counted - 1, 0)


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def too_many_rows(content: bytes, extension: str) -> str:
    """The refusal of a file above ``IMPORT_MAX_ROWS`` ("" when it fits)."""
    limit = max_rows()
    if count_rows(content, extension, limit=limit) <= limit:
        return ""
    return _(
        "This file has more than %(max)s rows, the most one import takes. "
        "Split it into smaller files and import them one after the other."
    ) % {"max": f"{limit:,}"}


# --------------------------------------------------------------------------
# Running an import: all or nothing, problems by row
# --------------------------------------------------------------------------


@dataclass
class RowProblem:
    row: int  # 1-based data row (the header is row 0)
    messages: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    new: int
    updated: int
    unchanged: int
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_resource_import(
    resource,
    dataset: tablib.Dataset,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    **kwargs,
) -> Outcome:
    """Import (or try) ``dataset`` with a django-import-export resource in
    one transaction; any problem rolls everything back. ``progress(n)`` is
    called after each row (n = rows done so far) — inside the transaction,
    so it must report somewhere the transaction does not hold (the cache)."""
    if progress is not None:
        import_row = resource.import_row

        def import_row_and_report(row, instance_loader, **row_kwargs):
            try:
                return import_row(row, instance_loader, **row_kwargs)
            finally:
                progress(row_kwargs.get("row_number", 0))

        resource.import_row = import_row_and_report
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        collect_failed_rows=False,
        **kwargs,
    )
    problems: dict[int, RowProblem] = {}
    for number, errors in result.row_errors():
        problem = problems.setdefault(number, RowProblem(number))
        problem.messages += [str(error.error) for error in errors]
    for invalid in result.invalid_rows:
        problem = problems.setdefault(invalid.number, RowProblem(invalid.number))
        for name, messages in invalid.error_dict.items():
            label = "" if name == "__all__" else f"{name}: "
            problem.messages += [f"{label}{message}" for message in messages]
    for error in result.base_errors:
        problems.setdefault(0, RowProblem(0)).messages.append(str(error.error))
    totals = result.totals
    return Outcome(
        new=totals.get("new", 0),
        updated=totals.get("update", 0),
        unchanged=totals.get("skip", 0),
        problems=sorted(problems.values(), key=lambda p: p.row),
    )


class SafeImportForm(ImportForm):
    """The import page's form: a spreadsheet, never an SVG, HTML or XML file
    (core.uploads), whatever its name says. (Imported files are parsed, never
    served back.)"""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        refuse_markup(upload)
        return upload
