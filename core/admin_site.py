from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class StorylineAdminSite(admin.AdminSite):
    """The staff side. Its index is the program's pipeline dashboard."""

    site_header = _("Storyline — case study program")
    site_title = _("Storyline")
    index_title = _("Pipeline")
    index_template = "admin/storyline_index.html"

    def index(self, request, extra_context=None):
        from casestudies import selectors
        from core.roles import PROGRAM_MANAGERS, in_group

        context = dict(extra_context or {})
        if request.user.has_perm("casestudies.view_casestudy"):
            context["pipeline"] = selectors.pipeline_counts()
            context["waiting"] = selectors.waiting_longest()
        context["impact_dashboard"] = in_group(request.user, PROGRAM_MANAGERS)
        return super().index(request, extra_context=context)
