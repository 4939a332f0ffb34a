from django.contrib import admin

from core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ("created_at", "action", "object_repr", "actor_name", "source")
    list_filter = ("action", "content_type")
    search_fields = ("action", "object_repr", "actor_name", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
