from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casestudies.models import Contact
from distribution.models import ReferencePreference, SocialPost, StoryUse


class ReferenceRequestForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Reference contact"),
        queryset=Contact.objects.none(),
        empty_label=None,
        help_text=_("Only contacts who agreed to take reference calls are listed."),
    )
    prospect_company = forms.CharField(label=_("Prospect company"), max_length=200)
    purpose = forms.CharField(
        label=_("What the prospect wants to hear about"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(pk__in=[c.pk for c in contacts])


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the rep"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("Call date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class PreferenceForm(forms.ModelForm):
    available = forms.TypedChoiceField(
        label=_("Are you open to reference calls with prospects?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    paused_until = forms.DateField(
        label=_("Pause reference calls until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for no pause."),
    )

    class Meta:
        model = ReferencePreference
        fields = ["available", "max_calls_per_quarter", "preferred_days", "notes", "paused_until"]
        labels = {
            "max_calls_per_quarter": _("At most this many calls per quarter"),
            "preferred_days": _("Preferred days and times"),
            "notes": _("Anything else we should know"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_calls_per_quarter"].min_value = 0
        self.fields["max_calls_per_quarter"].max_value = 20
        self.fields["max_calls_per_quarter"].widget.attrs.update({"min": 0, "max": 20})
        if self.instance and self.instance.pk:
            self.initial["available"] = "yes" if self.instance.available else "no"

    def clean_paused_until(self):
        value = self.cleaned_data.get("paused_until")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return value


class ShareLinkForm(forms.Form):
    prospect_name = forms.CharField(label=_("Prospect name"), max_length=200)
    prospect_company = forms.CharField(label=_("Prospect company"), max_length=200)
    prospect_email = forms.EmailField(label=_("Prospect email (optional)"), required=False)


class SocialPostForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=SocialPost.Network.choices)
    url = forms.URLField(label=_("Post URL"), max_length=500, assume_scheme="https")
    reach = forms.IntegerField(label=_("Reach (optional)"), required=False, min_value=0)


class StoryUseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StoryUse.Kind.choices)
    name = forms.CharField(label=_("Event or meeting"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    audience_size = forms.IntegerField(label=_("Audience size"), required=False, min_value=0)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
