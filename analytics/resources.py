"""CRM import of deals (CSV / XLSX) with django-import-export.

Columns: external_id, name, amount, currency, stage, opened_on, closed_on,
outcome (open / won / lost; "closed won" and "closed lost" are understood),
industry (slug), company_size (enterprise / mid-market / smb), owner
(username), stories (story slugs separated by commas or spaces). A row with
an unknown story, industry or owner, a bad date or an impossible outcome is
reported with its row number and nothing of the file is imported.
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from analytics.models import Backlink, Deal, DealOutcome, DealStory
from casestudies.models import CaseStudy, Industry
from core.imports import CleanCellsMixin, SafeExportMixin

OUTCOMES = {
    "open": DealOutcome.OPEN,
    "": DealOutcome.OPEN,
    "won": DealOutcome.WON,
    "closed won": DealOutcome.WON,
    "closed-won": DealOutcome.WON,
    "lost": DealOutcome.LOST,
    "closed lost": DealOutcome.LOST,
    "closed-lost": DealOutcome.LOST,
}


class OutcomeWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if text not in OUTCOMES:
            raise ValueError(
                _("Unknown outcome “%(value)s”: use open, won or lost.") % {"value": value}
            )
        return OUTCOMES[text]


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a readable key; an unknown value is a validation
    error of its row (not a crash of the import)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("Unknown %(what)s “%(value)s”.")
                % {"what": self.model._meta.verbose_name, "value": value}
            ) from None


class DealResource(CleanCellsMixin, SafeExportMixin, resources.ModelResource):
    industry = fields.Field(
        attribute="industry",
        column_name="industry",
        widget=LookupWidget(Industry, field="slug"),
    )
    owner = fields.Field(
        attribute="owner",
        column_name="owner",
        widget=LookupWidget(get_user_model(), field="username"),
    )
    outcome = fields.Field(attribute="outcome", column_name="outcome", widget=OutcomeWidget())
    stories = fields.Field(column_name="stories", readonly=False)

    class Meta:
        model = Deal
        import_id_fields = ("external_id",)
        fields = (
            "external_id",
            "name",
            "amount",
            "currency",
            "stage",
            "opened_on",
            "closed_on",
            "outcome",
            "industry",
            "company_size",
            "owner",
            "stories",
        )
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    def dehydrate_stories(self, deal):
        return " ".join(sorted(deal.stories.values_list("slug", flat=True)))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "stories":
            return
        return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "currency" in row and row.get("currency"):
            instance.currency = str(row["currency"]).strip().upper()[:3]
        slugs = [s for s in re.split(r"[\s,;]+", str(row.get("stories") or "")) if s]
        found = dict(CaseStudy.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = [s for s in slugs if s not in found]
        if unknown:
            errors["stories"] = [
                ValidationError(
                    _("No story with the slug: %(slugs)s.") % {"slugs": ", ".join(unknown)}
                )
            ]
        instance._story_ids = [found[s] for s in slugs if s in found]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        existing = set(instance.deal_stories.values_list("case_study_id", flat=True))
        DealStory.objects.bulk_create(
            [
                DealStory(deal=instance, case_study_id=pk, source=DealStory.Source.IMPORT)
                for pk in dict.fromkeys(getattr(instance, "_story_ids", []))
                if pk not in existing
            ]
        )


class BacklinkResource(CleanCellsMixin, SafeExportMixin, resources.ModelResource):
    case_study = fields.Field(
        attribute="case_study",
        column_name="story",
        widget=LookupWidget(CaseStudy, field="slug"),
    )

    class Meta:
        model = Backlink
        import_id_fields = ("case_study", "url")
        fields = ("case_study", "url", "domain", "found_on", "note")
        clean_model_instances = True
        use_transactions = True
