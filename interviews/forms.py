"""Forms of the interview workspace (admin views). They validate input;
the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casestudies.models import Contact, Quote
from core.errors import TransitionError
from interviews.models import (
    ConsentRecord,
    GuideQuestion,
    GuideSection,
    Interview,
    Stakeholder,
    SupplementaryFile,
    TranscriptSegment,
)
from interviews.services import supplementary_file_check


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    stakeholder = forms.ModelChoiceField(
        label=_("Stakeholder"), queryset=Stakeholder.objects.none()
    )
    given = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("1", _("Consent given")), ("0", _("Consent withdrawn"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    wording = forms.CharField(
        label=_("Wording agreed to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored as written: the exact words the person agreed to."),
    )
    method = forms.ChoiceField(label=_("How"), choices=ConsentRecord.Method.choices)
    when = forms.DateTimeField(label=_("When"), initial=timezone.now)

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = interview.stakeholders.select_related("contact")
        self.fields["stakeholder"].label_from_instance = lambda s: s.contact.name

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when > timezone.now() + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("Consent cannot be recorded in the future."))
        return when


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class QuoteCaptureForm(forms.Form):
    text = forms.CharField(label=_("Quote"), widget=forms.Textarea(attrs={"rows": 4}))
    speaker = forms.ModelChoiceField(
        label=_("Speaker"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("Empty: the transcript's speaker, if it matches a stakeholder."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Quote.Kind.choices, initial=Quote.Kind.INLINE)
    permission = forms.ChoiceField(
        label=_("Permission"), choices=Quote.Permission.choices, initial=Quote.Permission.NOT_ASKED
    )
    section = forms.ChoiceField(
        label=_("Use in section"),
        choices=[("", _("By its kind")), *GuideSection.choices],
        required=False,
    )
    segment = forms.ModelChoiceField(
        queryset=TranscriptSegment.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = Contact.objects.filter(
            pk__in=interview.stakeholders.values("contact_id")
        )
        self.fields["segment"].queryset = TranscriptSegment.objects.filter(
            transcript__interview=interview
        ).select_related("transcript")


class FollowUpForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Ask"), queryset=Contact.objects.none())
    question = forms.CharField(
        label=_("Follow-up question"), widget=forms.Textarea(attrs={"rows": 3})
    )
    guide_question = forms.ModelChoiceField(
        label=_("About guide question"), queryset=GuideQuestion.objects.none(), required=False
    )
    segment = forms.ModelChoiceField(
        queryset=TranscriptSegment.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            pk__in=interview.stakeholders.values("contact_id")
        )
        self.fields["guide_question"].queryset = interview.guide_questions.all()
        self.fields["segment"].queryset = TranscriptSegment.objects.filter(
            transcript__interview=interview
        ).select_related("transcript")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer received"), widget=forms.Textarea(attrs={"rows": 3}))


class SupplementaryFileForm(forms.ModelForm):
    class Meta:
        model = SupplementaryFile
        fields = ("kind", "file", "caption")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload
            try:
                supplementary_file_check(upload, kind=cleaned.get("kind"))
            except TransitionError as exc:
                self.add_error("file", str(exc))
        return cleaned
