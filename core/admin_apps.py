from django.contrib.admin.apps import AdminConfig


class StorylineAdminConfig(AdminConfig):
    """The admin, with the pipeline dashboard as its index."""

    default_site = "core.admin_site.StorylineAdminSite"
