"""Shared rules for every spreadsheet import and export (django-import-export,
the dashboard's CSV)."""

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


class SafeImportForm(ImportForm):
    """The import page's form: a spreadsheet, never an SVG, HTML or XML file
    (core.uploads), whatever its name says. (Imported files are parsed, never
    served back.)"""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        refuse_markup(upload)
        return upload
