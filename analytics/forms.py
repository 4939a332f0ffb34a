import secrets
import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from analytics.capture import conf

TIMESTAMP_SALT = "analytics.leadform"
# A rendered form is good for a day, and for one submission (analytics/views.py).
MAX_AGE_SECONDS = 24 * 3600


def sign_render_time(when: float) -> str:
    """The form's hidden ``rendered`` value: its render time and a random
    nonce, signed. The nonce makes each rendered form unique (two readers
    opening the form in the same second must not share one), since each is
    accepted once."""
    return signing.TimestampSigner(salt=TIMESTAMP_SALT).sign(f"{int(when)}.{secrets.token_hex(8)}")


class LeadForm(forms.Form):
    """Name, work email, company, role. Spam protection: a honeypot field
    people never see ("website") and a signed render time (too fast → a bot;
    older than a day → reload the page; each signed time is accepted once,
    see ``analytics.views.lead_form``)."""

    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Work email"), max_length=254)
    company = forms.CharField(label=_("Company"), max_length=160)
    role = forms.CharField(label=_("Role"), max_length=120)
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    rendered = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["rendered"] = sign_render_time(time.time())
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["company"].widget.attrs.update(autocomplete="organization")
        self.fields["role"].widget.attrs.update(autocomplete="organization-title")
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        domain = email.rsplit("@", 1)[-1]
        if domain in conf("FREE_MAIL_DOMAINS"):
            raise forms.ValidationError(
                _("Please use your work email address: %(domain)s is a personal mail service."),
                params={"domain": domain},
                code="free_mail",
            )
        return email

    def clean_name(self):
        return _no_controls(self.cleaned_data["name"])

    def clean_company(self):
        return _no_controls(self.cleaned_data["company"])

    def clean_role(self):
        return _no_controls(self.cleaned_data["role"])

    def clean(self):
        data = super().clean()
        self.spam = bool(data.get("website"))
        try:
            signed = signing.TimestampSigner(salt=TIMESTAMP_SALT).unsign(
                data.get("rendered", ""), max_age=MAX_AGE_SECONDS
            )
            rendered = int(signed.split(".", 1)[0])
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError(
                _("This form has expired. Please fill it in again."), code="expired"
            ) from None
        if time.time() - rendered < conf("LEAD_FORM_MIN_SECONDS"):
            raise forms.ValidationError(
                _("That was very quick. Please check your details and send the form again."),
                code="too_fast",
            )
        return data


def _no_controls(value: str) -> str:
    value = value.strip()
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError(_("Please use plain text."), code="control")
    if not value:
        raise forms.ValidationError(_("This field is required."), code="required")
    return value
