"""Forms of the drafting workspace: the story editor and internal review."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casestudies.models import (
    SECTIONS,
    Customer,
    InternalSignOff,
    Metric,
    internal_review_areas,
    review_area_label,
)
from core.uploads import LogoFormMixin, refuse_markup

# Generous for a 1000-1500-word story, small enough that nobody posts a novel.
SECTION_MAX_CHARS = 20_000


class StorySectionsForm(forms.Form):
    """The six framework sections; what the live checker receives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                strip=False,
                max_length=SECTION_MAX_CHARS,
                widget=forms.Textarea(
                    attrs={"rows": 12 if name != "summary" else 7, "data-section": name}
                ),
            )

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name, _label in SECTIONS}

    def section_fields(self):
        return [self[name] for name, _label in SECTIONS]


class StoryEditorForm(StorySectionsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("One line for the version list, e.g. “Tightened the results section”."),
    )
    # The newest version in this language when the editor was opened (0: none).
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    field_order = ["title", "language", "note", "base_version"]


def _area_choices():
    return [(area, review_area_label(area)) for area in internal_review_areas()]


class ReviewCommentForm(forms.Form):
    area = forms.ChoiceField(label=_("Your review area"), widget=forms.HiddenInput)
    section = forms.ChoiceField(
        label=_("Section"), required=False, choices=[("", _("The whole story")), *SECTIONS]
    )
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices()


class SignOffForm(forms.Form):
    area = forms.ChoiceField(label=_("Your review area"), widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (InternalSignOff.Decision.APPROVED, _("Approve this version")),
            (InternalSignOff.Decision.CHANGES_REQUESTED, _("Request changes")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        help_text=_("Required when you request changes."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices()


class CustomerAdminForm(LogoFormMixin, forms.ModelForm):
    """The customer's admin form: its logo checked and stored downscaled (core.uploads)."""

    class Meta:
        model = Customer
        # The admin adds the other fields from its fieldsets.
        fields = ("logo",)


class CRMImportForm(forms.Form):
    """The CRM import's upload: what the file holds, and the file."""

    KINDS = [
        ("customers", _("Customers (and their relationship signals)")),
        ("contacts", _("Contacts")),
    ]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(
        label=_("CRM export"), help_text=_("CSV (UTF-8) or Excel (.xlsx), first row = headers.")
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        refuse_markup(upload)  # never SVG, HTML or XML, whatever the name says
        return upload


LANGUAGE_CHOICES = settings.LANGUAGES


class MetricForm(forms.ModelForm):
    """A metric: which way is better is derived from its kind and unit
    unless the writer says otherwise (a time metric is never "higher is
    better" by default)."""

    DIRECTIONS = [
        ("", _("From the kind and unit")),
        ("higher", _("Higher is better")),
        ("lower", _("Lower is better")),
    ]
    higher_is_better = forms.ChoiceField(
        label=_("which way is better"),
        choices=DIRECTIONS,
        required=False,
        help_text=_("Durations, costs and error rates are better lower."),
    )

    class Meta:
        model = Metric
        fields = (
            "case_study",
            "kind",
            "label",
            "before",
            "after",
            "unit",
            "period",
            "source",
            "higher_is_better",
            "percentage_only",
            "position",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["higher_is_better"] = (
                "higher" if self.instance.higher_is_better else "lower"
            )
        else:
            self.initial["higher_is_better"] = ""

    def clean_higher_is_better(self):
        value = self.cleaned_data.get("higher_is_better") or ""
        if value in ("higher", "lower"):
            return value == "higher"
        return Metric.derive_higher_is_better(
            kind=self.data.get(self.add_prefix("kind"), "") or "",
            unit=self.data.get(self.add_prefix("unit"), "") or "",
        )
