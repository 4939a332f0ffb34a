"""Forms of the customer's review page. Each validates one action's input;
the view hands the cleaned data to ``approvals.services``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Decision, QuoteReview
from casestudies.models import SECTIONS, UsageChannel
from core.ids import is_id

SECTION_CHOICES = [("", _("The whole story")), *SECTIONS]


def _optional_id(value: str, message) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_id(value):
        raise forms.ValidationError(message)
    return int(value)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the email"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
    )


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=SECTION_CHOICES, required=False)
    body = forms.CharField(label=_("Comment"), required=False, max_length=5000)
    suggested_text = forms.CharField(
        label=_("Suggested replacement text"), required=False, max_length=20000
    )

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not (data.get("suggested_text") or "").strip():
            raise forms.ValidationError(_("Write a comment or suggest replacement text."))
        return data


class QuoteVerdictForm(forms.Form):
    quote = forms.CharField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("Your verdict"), choices=QuoteReview.Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000)

    def clean_quote(self) -> int:
        value = self.cleaned_data["quote"]
        if not is_id(value):
            raise forms.ValidationError(_("That quote is not part of this story."))
        return int(value)


class FlagForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=SECTION_CHOICES, required=False)
    phrase = forms.CharField(label=_("Figure or phrase"), required=False, max_length=300)
    metric = forms.CharField(label=_("Or one of the figures"), required=False)
    show_as_percentage = forms.BooleanField(
        label=_("Show it as a percentage instead"), required=False
    )
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000)

    def clean_metric(self) -> int | None:
        return _optional_id(self.cleaned_data.get("metric"), _("That figure is not in this story."))

    def clean(self):
        data = super().clean()
        if not (data.get("phrase") or "").strip() and data.get("metric") is None:
            raise forms.ValidationError(_("Name the figure or phrase to keep confidential."))
        return data


class RightsForm(forms.Form):
    """The usage rights, one box per channel (labels from the model)."""

    logo_allowed = forms.BooleanField(label=_("Our logo may be shown"), required=False)
    anonymised = forms.BooleanField(
        label=_("Anonymised: do not show our company name or logo"), required=False
    )
    percentage_only = forms.BooleanField(
        label=_("Percentages only: no absolute figures"), required=False
    )
    rights_expire_on = forms.DateField(
        label=_("The story may be used until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in UsageChannel:
            self.fields[f"channel_{channel.value}"] = forms.BooleanField(
                label=channel.label, required=False
            )

    def clean_rights_expire_on(self):
        value = self.cleaned_data.get("rights_expire_on")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return value

    def channels(self) -> dict[str, bool]:
        return {c.value: self.cleaned_data.get(f"channel_{c.value}", False) for c in UsageChannel}


class DecisionForm(forms.Form):
    """The final decision; approving asks for the guide's sign-off checks."""

    outcome = forms.ChoiceField(
        label=_("Your decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(label=_("Message"), required=False, max_length=10000)
    facts_checked = forms.BooleanField(label=_("I checked the facts and figures"), required=False)
    attribution_checked = forms.BooleanField(
        label=_("Names and job titles are correct"), required=False
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        message = (data.get("message") or "").strip()
        if outcome == Decision.Outcome.CHANGES_REQUESTED and not message:
            self.add_error("message", _("Say what should change: the message is required."))
        if outcome == Decision.Outcome.APPROVED and not (
            data.get("facts_checked") and data.get("attribution_checked")
        ):
            raise forms.ValidationError(
                _("To approve, confirm that the facts, names and job titles are correct.")
            )
        return data

    def checklist(self) -> dict[str, bool]:
        return {
            "facts_checked": bool(self.cleaned_data.get("facts_checked")),
            "attribution_checked": bool(self.cleaned_data.get("attribution_checked")),
        }


class ReviewForm(forms.Form):
    """The whole review page as one form: everything typed travels with every
    button, so no action loses another's text. Per section and per quote
    fields are added from the story; the view hands each part to its service."""

    ACTIONS = ("save", "code_send", "code_verify", "approve", "request_changes")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    story_body = forms.CharField(required=False, max_length=5000)
    naming = forms.ChoiceField(
        required=False, choices=[("", "—"), ("granted", "granted"), ("refused", "refused")]
    )
    flag_phrase = forms.CharField(required=False, max_length=300)
    flag_metric = forms.CharField(required=False)
    flag_section = forms.ChoiceField(choices=SECTION_CHOICES, required=False)
    flag_percentage = forms.BooleanField(required=False)
    flag_note = forms.CharField(required=False, max_length=2000)
    rights_shown = forms.BooleanField(required=False)
    logo_allowed = forms.BooleanField(required=False)
    anonymised = forms.BooleanField(required=False)
    percentage_only = forms.BooleanField(required=False)
    rights_expire_on = forms.DateField(required=False)
    message = forms.CharField(required=False, max_length=10000)
    facts_checked = forms.BooleanField(required=False)
    attribution_checked = forms.BooleanField(required=False)
    code = forms.CharField(required=False, max_length=12)

    def __init__(self, *args, quote_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quote_ids = list(quote_ids)
        for name, _label in SECTIONS:
            self.fields[f"c_{name}_body"] = forms.CharField(required=False, max_length=5000)
            self.fields[f"c_{name}_text"] = forms.CharField(required=False, max_length=20000)
        for pk in self.quote_ids:
            self.fields[f"q_{pk}_verdict"] = forms.ChoiceField(
                required=False, choices=[("", "—"), *QuoteReview.Verdict.choices]
            )
            self.fields[f"q_{pk}_comment"] = forms.CharField(required=False, max_length=2000)
        for channel in UsageChannel:
            self.fields[f"channel_{channel.value}"] = forms.BooleanField(required=False)

    def clean_flag_metric(self) -> int | None:
        return _optional_id(
            self.cleaned_data.get("flag_metric"), _("That figure is not in this story.")
        )

    def clean_rights_expire_on(self):
        value = self.cleaned_data.get("rights_expire_on")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return value

    def clean(self):
        from approvals.services import rights_contradiction

        data = super().clean()
        if self.rights_given():
            problem = rights_contradiction(
                anonymised=bool(data.get("anonymised")), logo_allowed=bool(data.get("logo_allowed"))
            )
            if problem:
                raise forms.ValidationError(problem)
        action = data.get("action")
        if action == "request_changes" and not (data.get("message") or "").strip():
            self.add_error("message", _("Say what should change: the message is required."))
        if action == "approve" and not (
            data.get("facts_checked") and data.get("attribution_checked")
        ):
            raise forms.ValidationError(
                _("To approve, confirm that the facts, names and job titles are correct.")
            )
        if action == "code_verify" and not (data.get("code") or "").strip():
            self.add_error("code", _("Type the code from the email."))
        return data

    # --- the parts, for the view ------------------------------------------

    def comments(self) -> list[tuple[str, str, str]]:
        """(section, body, suggested text) of each comment typed."""
        data = self.cleaned_data
        found = []
        for name, _label in SECTIONS:
            body = (data.get(f"c_{name}_body") or "").strip()
            text = (data.get(f"c_{name}_text") or "").strip()
            if body or text:
                found.append((name, body, text))
        if (data.get("story_body") or "").strip():
            found.append(("", data["story_body"].strip(), ""))
        return found

    def verdicts(self) -> list[tuple[int, str, str]]:
        data = self.cleaned_data
        return [
            (pk, data[f"q_{pk}_verdict"], (data.get(f"q_{pk}_comment") or "").strip())
            for pk in self.quote_ids
            if data.get(f"q_{pk}_verdict")
        ]

    def flag(self) -> dict | None:
        data = self.cleaned_data
        if not (data.get("flag_phrase") or "").strip() and data.get("flag_metric") is None:
            return None
        return {
            "section": data.get("flag_section") or "",
            "phrase": data.get("flag_phrase") or "",
            "metric_id": data.get("flag_metric"),
            "show_as_percentage": bool(data.get("flag_percentage")),
            "note": data.get("flag_note") or "",
        }

    def rights_given(self) -> bool:
        """The reviewer answered the usage rights: they ticked something, or
        they had confirmed them before (so unticking everything counts)."""
        data = getattr(self, "cleaned_data", {})
        names = ["logo_allowed", "anonymised", "percentage_only", "rights_shown"]
        names += [f"channel_{c.value}" for c in UsageChannel]
        return any(data.get(n) for n in names) or data.get("rights_expire_on") is not None

    def channels(self) -> dict[str, bool]:
        return {c.value: bool(self.cleaned_data.get(f"channel_{c.value}")) for c in UsageChannel}

    def checklist(self) -> dict[str, bool]:
        return {
            "facts_checked": bool(self.cleaned_data.get("facts_checked")),
            "attribution_checked": bool(self.cleaned_data.get("attribution_checked")),
        }
