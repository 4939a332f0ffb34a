"""``/integrations/chat/``: each member of staff (Sales, program managers)
sends their notifications to Slack or Teams, for what concerns them or for a
team channel. Changes go through :mod:`integrations.services`."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import sales_required
from core.errors import TransitionError
from integrations import services
from integrations.forms import ChatEndpointForm
from integrations.models import WebhookEndpoint


@sales_required
@require_http_methods(["GET", "POST"])
def chat(request):
    form = ChatEndpointForm(
        request.POST or None, initial={"language": (get_language() or "en")[:2]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.endpoint_create(
                name=data["name"],
                url=data["url"],
                events=data["events"],
                format=data["network"],
                audience=data["audience"],
                language=data["language"],
                owner=request.user,
                source="chat settings",
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your chat notifications are on."))
            return HttpResponseRedirect(reverse("integrations:chat"))
    endpoints = WebhookEndpoint.objects.filter(
        owner=request.user,
        format__in=[WebhookEndpoint.Format.SLACK, WebhookEndpoint.Format.TEAMS],
    ).order_by("name", "pk")
    return render(
        request,
        "integrations/chat.html",
        {"form": form, "endpoints": endpoints, "section": "chat"},
        status=400 if request.method == "POST" else 200,
    )


def _own(request, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, owner=request.user).first()
    if endpoint is None or endpoint.format == WebhookEndpoint.Format.STANDARD:
        raise Http404
    return endpoint


@sales_required
@require_POST
def chat_toggle(request, endpoint_id: int):
    endpoint = _own(request, endpoint_id)
    try:
        if endpoint.is_active:
            services.endpoint_disable(
                endpoint_id=endpoint.pk,
                reason=_("Turned off by its owner."),
                actor=request.user,
                source="chat settings",
                notify=False,
            )
            messages.success(
                request, _("Notifications to “%(name)s” are off.") % {"name": endpoint.name}
            )
        else:
            services.endpoint_enable(
                endpoint_id=endpoint.pk, actor=request.user, source="chat settings", owner_only=True
            )
            messages.success(
                request, _("Notifications to “%(name)s” are on.") % {"name": endpoint.name}
            )
    except TransitionError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("integrations:chat"))
