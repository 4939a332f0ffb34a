from django.contrib import admin

from core.models import AuditEntry


class ReadOnlyAdminMixin:
    """For records that are evidence (audit log, history, frozen versions):
    they can be viewed, never added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteAdminMixin:
    """Records with history are archived or declined, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ("created_at", "action", "object_repr", "actor_name", "source")
    list_filter = ("action", "content_type")
    search_fields = ("action", "object_repr", "actor_name", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)
