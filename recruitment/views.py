"""The customer's answer to a request, through the link in its email: GET
shows the question, POST records the answer (never a GET that changes
anything). The token is looked up by its SHA-256; a wrong, used or answered
link is a plain page, never a 500."""

from django import forms
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from core.decorators import secret_page
from core.errors import TransitionError
from core.tokens import hash_token
from recruitment import services
from recruitment.models import Outreach


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


@secret_page
# The 256-bit token in the address is the authorisation (a forged cross-site
# POST would need it: it is the CSRF secret), and under "Referrer-Policy:
# no-referrer" browsers send "Origin: null" with the form, which Django's
# CSRF check refuses. No cookie or session grants anything here.
@csrf_exempt
def respond(request: HttpRequest, token: str):
    outreach = None
    if token and len(token) <= 100:
        outreach = (
            Outreach.objects.select_related("case_study__customer", "contact")
            .filter(response_token_hash=hash_token(token))
            .exclude(response_token_hash="")
            .first()
        )
    if outreach is None:
        return render(request, "recruitment/respond.html", {"invalid": True}, status=404)
    form = DeclineForm(request.POST or None)
    done = None
    if request.method == "POST" and outreach.is_open:
        try:
            if request.POST.get("answer") == "yes":
                services.outreach_accept(
                    outreach=outreach, actor=None, note="", source="response-link"
                )
                done = "yes"
            elif request.POST.get("answer") == "no" and form.is_valid():
                reason = form.cleaned_data["reason"].strip() or _("Declined through the email link")
                services.outreach_decline(
                    outreach=outreach, reason=str(reason), actor=None, source="response-link"
                )
                done = "no"
        except TransitionError:
            done = None
        outreach.refresh_from_db()
    return render(
        request,
        "recruitment/respond.html",
        {"outreach": outreach, "form": form, "done": done},
    )
