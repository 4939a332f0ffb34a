"""Asking customers to take part: outreach, timing, concerns, the customer's approval chain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = _("Recruitment")
