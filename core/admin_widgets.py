"""Admin widgets: a guard for Django's autocomplete widget, and the file
input of private files.

The guard:
``AutocompleteSelect.optgroups`` looks the submitted values up in the
database to redisplay them; a value that is not a valid key of the target
("abc", a 40-digit number) raises ValueError or OverflowError there, and a
staff member who typed it gets a 500 instead of the form's own "Select a valid
choice" error. Values that cannot be keys are dropped before the lookup (the
form's validation still reports them)."""

from django.contrib.admin.widgets import AdminFileWidget, AutocompleteMixin
from django.db import models

from core.ids import is_id

_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField)


def _usable(widget, values):
    remote = widget.field.remote_field
    opts = remote.model._meta
    target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
    if not isinstance(target, _INTEGER_KEYS):
        return values
    return [v for v in values if v in (None, "") or is_id(str(v))]


def guard_autocomplete() -> None:
    if getattr(AutocompleteMixin.optgroups, "storyline_guarded", False):
        return
    original = AutocompleteMixin.optgroups

    def optgroups(self, name, value, attr=None):
        return original(self, name, _usable(self, value), attr)

    optgroups.storyline_guarded = True
    AutocompleteMixin.optgroups = optgroups


class ProtectedFileWidget(AdminFileWidget):
    """The admin's file input for a private file (core.storage): the current
    file links to the permission-checked view ``url_for(instance)`` returns,
    since a private file has no public address."""

    template_name = "admin/widgets/protected_file_input.html"

    def __init__(self, url_for, attrs=None):
        super().__init__(attrs)
        self.url_for = url_for

    def is_initial(self, value):
        return bool(value and getattr(value, "name", "") and getattr(value, "instance", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        context["widget"]["download_url"] = (
            self.url_for(instance)
            if self.is_initial(value) and getattr(instance, "pk", None)
            else ""
        )
        return context
