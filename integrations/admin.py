"""Staff register webhook endpoints, pick their events, read each
endpoint's delivery log and resend; rotate the signing secret; enable an
endpoint that was disabled after repeated failures. Every change goes
through :mod:`integrations.services`."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from core.errors import TransitionError
from core.ids import is_id
from integrations import embeds, services, tokens
from integrations.models import (
    CHAT_EVENTS,
    DeliveryAttempt,
    EmbedKey,
    EventType,
    IntegrationToken,
    TokenScope,
    WebhookDelivery,
    WebhookEndpoint,
)


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "format", "events", "audience", "language"]

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")

    def clean(self):
        cleaned = super().clean()
        chat = cleaned.get("format") not in (None, WebhookEndpoint.Format.STANDARD)
        if chat and set(cleaned.get("events") or []) - set(CHAT_EVENTS):
            self.add_error(
                "events",
                _("Chat messages exist for: %(types)s.")
                % {"types": ", ".join(str(EventType(t).label) for t in CHAT_EVENTS)},
            )
        return cleaned

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = services.url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "format", "is_active", "consecutive_failures", "owner"]
    list_filter = ["is_active", "format"]
    list_select_related = ["owner"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "owner",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "format", "events", "audience", "language"]
        return [*fields, *self.readonly_fields] if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.endpoint_create(
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            format=form.cleaned_data["format"],
            audience=form.cleaned_data["audience"],
            language=form.cleaned_data["language"],
            owner=request.user,
            source="admin",
        )
        obj.pk = created.pk
        obj.secret = created.secret

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, _("Copy the signing secret to the receiver."))
        return HttpResponseRedirect(self._url("secret", obj))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/secret/", wrap(self.secret_view), name=self._name("secret")),
            path("<path:object_id>/rotate/", wrap(self.rotate_view), name=self._name("rotate")),
            path("<path:object_id>/enable/", wrap(self.enable_view), name=self._name("enable")),
            path("<path:object_id>/log/", wrap(self.log_view), name=self._name("log")),
            path(
                "<path:object_id>/log/<int:delivery_id>/resend/",
                wrap(self.resend_view),
                name=self._name("resend"),
            ),
            *super().get_urls(),
        ]

    def _name(self, view: str) -> str:
        return f"integrations_webhookendpoint_{view}"

    def _url(self, view: str, endpoint, *args) -> str:
        return reverse(f"admin:{self._name(view)}", args=[endpoint.pk, *args])

    def _endpoint(self, request, object_id) -> WebhookEndpoint:
        """The one access helper: 404 when missing, 403 without the right to change."""
        object_id = unquote(object_id)
        endpoint = (
            WebhookEndpoint.objects.filter(pk=object_id).first() if is_id(object_id) else None
        )
        if endpoint is None:
            raise Http404
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        return endpoint

    def _context(self, request, endpoint, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "endpoint": endpoint,
            "title": title,
            "change_url": reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if is_id(unquote(object_id)):
            extra_context["endpoint_id"] = unquote(object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def secret_view(self, request, object_id):
        """The signing secrets (needed by the receiver): shown to whoever may
        change the endpoint, never cached."""
        endpoint = self._endpoint(request, object_id)
        response = TemplateResponse(
            request,
            "admin/integrations/webhookendpoint/secret.html",
            self._context(
                request, endpoint, _("Signing secret"), secrets=endpoint.signing_secrets()
            ),
        )
        response["Cache-Control"] = "no-store"
        return response

    def _confirm(self, request, endpoint, *, title, text, button):
        return TemplateResponse(
            request,
            "admin/integrations/webhookendpoint/confirm.html",
            self._context(request, endpoint, title, text=text, button=button),
        )

    def _run(self, request, func, success, **kwargs) -> bool:
        try:
            func(actor=request.user, source="admin", **kwargs)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return False
        messages.success(request, success)
        return True

    def rotate_view(self, request, object_id):
        endpoint = self._endpoint(request, object_id)
        if request.method == "POST":
            if self._run(
                request,
                services.endpoint_rotate_secret,
                _("A new secret signs from now on; the old one still signs during the overlap."),
                endpoint_id=endpoint.pk,
            ):
                return HttpResponseRedirect(self._url("secret", endpoint))
            return HttpResponseRedirect(self._url("change", endpoint))
        return self._confirm(
            request,
            endpoint,
            title=_("Rotate the signing secret"),
            text=_(
                "Messages are signed with both the old and the new secret until the overlap "
                "ends; switch the receiver to the new secret meanwhile."
            ),
            button=_("Rotate the secret"),
        )

    def enable_view(self, request, object_id):
        endpoint = self._endpoint(request, object_id)
        if request.method == "POST":
            self._run(
                request,
                services.endpoint_enable,
                _("The endpoint is active again."),
                endpoint_id=endpoint.pk,
            )
            return HttpResponseRedirect(self._url("change", endpoint))
        return self._confirm(
            request,
            endpoint,
            title=_("Enable the endpoint"),
            text=_("Deliveries that waited while it was disabled are sent now."),
            button=_("Enable"),
        )

    def log_view(self, request, object_id):
        """The endpoint's deliveries, newest first, each with its attempts."""
        endpoint = self._endpoint(request, object_id)
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .prefetch_related(
                Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
            )
            .order_by("-created_at", "-pk")
        )
        page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "admin/integrations/webhookendpoint/log.html",
            self._context(request, endpoint, _("Delivery log"), page=page),
        )

    def resend_view(self, request, object_id, delivery_id):
        endpoint = self._endpoint(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("log", endpoint))
        if not endpoint.deliveries.filter(pk=delivery_id).exists():
            raise Http404
        self._run(
            request,
            services.delivery_resend,
            _("The delivery is sent again."),
            delivery_id=delivery_id,
        )
        return HttpResponseRedirect(self._url("log", endpoint))


class EmbedKeyForm(forms.ModelForm):
    origins = forms.CharField(
        label=_("Allowed sites"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One origin a line, e.g. https://www.example.com. Other sites get nothing."),
    )

    class Meta:
        model = EmbedKey
        fields = ["name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["origins"].initial = "\n".join(self.instance.allowed_origins)

    def clean_origins(self):
        lines = [line.strip() for line in self.cleaned_data["origins"].splitlines() if line.strip()]
        origins = [embeds.normal_origin(line) for line in lines]
        bad = [line for line, origin in zip(lines, origins, strict=True) if not origin]
        if bad or not origins:
            raise forms.ValidationError(
                _("Give each site as https://www.example.com (not: %(bad)s).")
                % {"bad": ", ".join(bad) or "—"}
            )
        return sorted(set(origins))


@admin.register(EmbedKey)
class EmbedKeyAdmin(admin.ModelAdmin):
    """Embed keys: the snippet to paste, and the sites allowed to show it."""

    form = EmbedKeyForm
    list_display = ["name", "key", "is_active"]
    readonly_fields = ["key", "snippet"]

    def get_fields(self, request, obj=None):
        return ["name", "origins", "is_active", *(["key", "snippet"] if obj else [])]

    def save_model(self, request, obj, form, change):
        origins = form.cleaned_data["origins"]
        if change:
            obj.allowed_origins = origins
            super().save_model(request, obj, form, change)
            return
        created = embeds.embed_key_create(
            name=form.cleaned_data["name"],
            allowed_origins=origins,
            actor=request.user,
            source="admin",
        )
        obj.pk, obj.key = created.pk, created.key

    @admin.display(description=_("Snippet to paste"))
    def snippet(self, obj):
        return format_html("<pre>{}</pre>", embeds.snippet(obj))


class TokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=90)

    class Meta:
        model = IntegrationToken
        fields = ["name"]


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    """Tokens are shown once, when created; the list shows their prefix only."""

    form = TokenForm
    list_display = ["name", "prefix", "user", "scopes", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = [
        "name",
        "prefix",
        "user",
        "scopes",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = []
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["name", "scopes", "days"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        token, raw = tokens.token_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            days=form.cleaned_data["days"],
            user=request.user,
            actor=request.user,
            source="admin",
        )
        obj.pk = token.pk
        request._integration_token_raw = raw

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/integrations/token_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Copy the token now"),
                "token": obj,
                "raw": getattr(request, "_integration_token_raw", ""),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="integrations_integrationtoken_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id):
        object_id = unquote(object_id)
        token = IntegrationToken.objects.filter(pk=object_id).first() if is_id(object_id) else None
        if token is None:
            raise Http404
        if not self.has_view_permission(request, token) or not request.user.has_perm(
            "integrations.change_integrationtoken"
        ):
            raise PermissionDenied
        if request.method == "POST":
            try:
                tokens.token_revoke(token_id=token.pk, actor=request.user, source="admin")
                messages.success(request, _("The token is revoked: it no longer works."))
            except TransitionError as exc:
                messages.error(request, str(exc))
            return HttpResponseRedirect(
                reverse("admin:integrations_integrationtoken_change", args=[token.pk])
            )
        return TemplateResponse(
            request,
            "admin/integrations/token_revoke.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revoke the token"),
                "token": token,
            },
        )


# The story API's old tokens were listed here in clear; integration tokens
# (hashed, shown once) replace them, and a migration moved the old ones.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
