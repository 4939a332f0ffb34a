from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.roles import CHAIN_ROLE_CHOICES
from casestudies.models import Contact
from recruitment.models import Concern, OutreachTemplate, RaisedConcern


class ComposeForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("To"), queryset=Contact.objects.none())
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=OutreachTemplate.objects.filter(archived=False)
    )

    def __init__(self, *args, case_study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            customer_id=case_study.customer_id,
            archived=False,
            left_company=False,
            may_contact=True,
        )
        self.fields["contact"].label_from_instance = lambda c: (
            f"{c.name} — {c.title or c.get_role_display()} <{c.email}>"
        )


class EmailForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Email"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90}),
        help_text=_("Edit freely: this is exactly what will be sent."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ConcernForm(forms.Form):
    concern = forms.ModelChoiceField(label=_("Concern"), queryset=Concern.objects.all())
    customer_words = forms.CharField(
        label=_("What they said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    answer = forms.CharField(
        label=_("Our answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        help_text=_("“Insert the playbook answer” fills this in; adapt it before saving."),
    )
    status = forms.ChoiceField(
        label=_("Resolution"), choices=RaisedConcern.Status.choices, initial="open"
    )


class ChainForm(forms.Form):
    role = forms.ChoiceField(choices=CHAIN_ROLE_CHOICES, widget=forms.HiddenInput)
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    expected_review_days = forms.IntegerField(
        label=_("Expected review (days)"), min_value=1, max_value=120, required=False
    )
    completed_on = forms.DateField(
        label=_("Approved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contacts is not None:
            self.fields["contact"].queryset = contacts


# One form per customer role, never more or fewer, whatever a tampered
# management form says.
ChainFormSet = forms.formset_factory(
    ChainForm,
    extra=0,
    min_num=len(CHAIN_ROLE_CHOICES),
    max_num=len(CHAIN_ROLE_CHOICES),
    absolute_max=len(CHAIN_ROLE_CHOICES),
    validate_min=True,
    validate_max=True,
)
