"""Shared rules for every spreadsheet import (django-import-export)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
