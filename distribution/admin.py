from django.contrib import admin

from distribution.models import Branding


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    list_display = ["company_name", "primary_colour", "accent_colour", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Branding.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
