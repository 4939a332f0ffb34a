"""Importing customers, contacts and relationship signals from a CRM export
(CSV or XLSX) with django-import-export. Every import is first a dry run
whose row-level errors are shown; the confirmed import runs in one
transaction that rolls back on any error, so nothing is ever half-imported.

Columns (headers in the first row):

- customers: ``name``, ``slug`` (optional: made from the name; the key that
  updates an existing customer), ``website``, ``industry`` and ``region`` (by
  name), ``company_size`` (enterprise, mid-market, smb), ``well_known_brand``,
  and the signals ``renewal_date``, ``last_business_review_on``,
  ``last_business_review_sentiment`` (positive, neutral, negative),
  ``nps_score`` (0-10), ``nps_recorded_on``, ``open_support_issues``,
  ``last_support_issue_on``, ``implementation_status`` (not-started,
  implementing, live, churned), ``last_milestone``, ``last_milestone_on``.
- contacts: ``customer`` (the customer's slug), ``name``, ``email`` (with the
  customer, the key), ``title``, ``phone``, ``role``, ``may_contact``,
  ``agreed_to_participate``, ``may_be_named``, ``available_as_reference``,
  ``left_company``.
"""

import re

import tablib
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from casestudies.models import Contact, Customer, Industry, Region
from core import imports
from core.imports import CleanCellsMixin, SafeExportMixin


class NpsWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text and not re.fullmatch(r"\d+(\.0+)?", text):  # 9 or 9.0 (XLSX), not 5.5
            raise ValueError(_("An NPS score is a whole number between 0 and 10."))
        number = super().clean(value, row=row, **kwargs)
        if number is not None and not 0 <= number <= 10:
            raise ValueError(_("An NPS score is between 0 and 10."))
        return number


class NamedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A taxonomy term by its name (case-insensitive) or slug, with a clear
    error for an unknown one."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        term = (
            self.model.objects.filter(name__iexact=text).first()
            or self.model.objects.filter(slug=slugify(text)).first()
        )
        if term is None:
            raise ValueError(
                _("Unknown %(what)s “%(value)s”: add it to the taxonomy first.")
                % {"what": self.model._meta.verbose_name, "value": text}
            )
        return term


class CustomerResource(CleanCellsMixin, SafeExportMixin, resources.ModelResource):
    industry = fields.Field(
        attribute="industry", column_name="industry", widget=NamedForeignKeyWidget(Industry)
    )
    region = fields.Field(
        attribute="region", column_name="region", widget=NamedForeignKeyWidget(Region)
    )
    nps_score = fields.Field(attribute="nps_score", column_name="nps_score", widget=NpsWidget())

    class Meta:
        model = Customer
        import_id_fields = ("slug",)
        fields = (
            "name",
            "slug",
            "website",
            "industry",
            "company_size",
            "region",
            "well_known_brand",
            "renewal_date",
            "last_business_review_on",
            "last_business_review_sentiment",
            "nps_score",
            "nps_recorded_on",
            "open_support_issues",
            "last_support_issue_on",
            "implementation_status",
            "last_milestone",
            "last_milestone_on",
        )
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not (row.get("slug") or "").strip() and row.get("name"):
            row["slug"] = slugify(row["name"])[:200]


class ContactResource(CleanCellsMixin, SafeExportMixin, resources.ModelResource):
    customer = fields.Field(
        attribute="customer",
        column_name="customer",
        widget=widgets.ForeignKeyWidget(Customer, field="slug"),
    )

    class Meta:
        model = Contact
        import_id_fields = ("customer", "email")
        fields = (
            "customer",
            "name",
            "email",
            "title",
            "phone",
            "role",
            "may_contact",
            "agreed_to_participate",
            "may_be_named",
            "available_as_reference",
            "left_company",
        )
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True
        use_transactions = True


RESOURCES = {"customers": CustomerResource, "contacts": ContactResource}


# Reading files and running an import are shared with every import (core/imports.py).
ImportFileError = imports.ImportFileError
load_dataset = imports.load_dataset


def run_import(kind: str, dataset: tablib.Dataset, *, dry_run: bool, **kwargs) -> imports.Outcome:
    """Import (or try) ``dataset``; any problem rolls everything back."""
    return imports.run_resource_import(RESOURCES[kind](), dataset, dry_run=dry_run, **kwargs)
