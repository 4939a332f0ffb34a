"""The form a rep or a program manager fills to get chat notifications."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from integrations import services
from integrations.models import CHAT_EVENTS, EventType, WebhookEndpoint


class ChatEndpointForm(forms.Form):
    network = forms.ChoiceField(
        label=_("Chat network"),
        choices=[
            (WebhookEndpoint.Format.SLACK, _("Slack (incoming webhook)")),
            (WebhookEndpoint.Format.TEAMS, _("Microsoft Teams (incoming webhook or workflow)")),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=120, initial=_("My notifications"))
    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_("Paste the incoming webhook address the chat app gave you."),
        assume_scheme="https",
    )
    audience = forms.ChoiceField(
        label=_("Send"),
        choices=WebhookEndpoint.Audience.choices,
        widget=forms.RadioSelect,
        initial=WebhookEndpoint.Audience.MINE,
    )
    events = forms.MultipleChoiceField(
        label=_("Notify me when"),
        choices=[(t.value, t.label) for t in CHAT_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        initial=[t.value for t in CHAT_EVENTS],
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = services.url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_events(self):
        events = self.cleaned_data["events"]
        return [e for e in events if e in EventType.values]
