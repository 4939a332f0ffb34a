"""The interview workspace, as admin pages: the interview with its
stakeholders, guide, ROI and files inline, and admin views (``get_urls``)
for every action. GET shows a page or a confirmation; POST calls a service.

Only program managers (``interviews.change_interview``) see any of it: the
interview is the program's internal work (consent, recordings, transcripts),
not sales material.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, override

from casestudies.models import Quote
from core.admin import NoDeleteAdminMixin
from core.admin_widgets import ProtectedFileWidget
from core.audit import audit_log
from core.errors import TransitionError
from core.files import private_file_response
from core.ids import is_id
from core.pdf import render_pdf
from interviews import drafting, guide, services
from interviews.forms import (
    AnswerForm,
    ConsentForm,
    FollowUpForm,
    QuoteCaptureForm,
    ReasonForm,
    SupplementaryFileForm,
    UploadForm,
)
from interviews.models import (
    SCHEDULABLE_STATES,
    ConsentRecord,
    FollowUpQuestion,
    GuideQuestion,
    GuideSection,
    Interview,
    RoiFigure,
    Stakeholder,
    SupplementaryFile,
    Transcript,
    TranscriptSegment,
)

MANAGE = "interviews.change_interview"


class ProgramManagersOnlyMixin:
    """Sales reps get ``view_`` on every model of our apps; interviews are
    internal: seeing them needs the right to change them."""

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE) and super().has_view_permission(request, obj)


class StakeholderInline(ProgramManagersOnlyMixin, admin.TabularInline):
    model = Stakeholder
    extra = 0
    fields = ("contact", "role", "consent_state", "invitation_sent_at")
    readonly_fields = ("consent_state", "invitation_sent_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("contact", "interview__case_study")
            .prefetch_related(
                Prefetch(
                    "consents",
                    queryset=ConsentRecord.objects.order_by("-recorded_at", "-id"),
                    to_attr="_consents",
                )
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contact":
            interview = getattr(request, "_interview", None)
            from casestudies.models import Contact

            qs = Contact.objects.filter(archived=False, left_company=False)
            kwargs["queryset"] = (
                qs.filter(customer_id=interview.case_study.customer_id) if interview else qs.none()
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # "Sari Wijaya — CFO (Executive sponsor)": whom to pick, at a glance.
            field.label_from_instance = lambda contact: " — ".join(
                part
                for part in (
                    contact.name,
                    f"{contact.title} ({contact.get_role_display()})"
                    if contact.title
                    else contact.get_role_display(),
                )
                if part
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("consent to record"))
    def consent_state(self, obj):
        if not obj.pk:
            return "—"
        latest = obj.consent()
        if latest is None:
            return _("not recorded")
        return _("given") if latest.given else _("withdrawn")


class GuideQuestionInline(ProgramManagersOnlyMixin, admin.TabularInline):
    """The guide as one compact table (a row per question, in the guide's
    order and so grouped by section), folded until opened: a generated guide
    of 22 questions no longer makes the interview page ten screens long."""

    model = GuideQuestion
    extra = 0
    fields = ("section", "position", "minutes", "for_role", "question", "probes", "answer")
    ordering = ("position", "id")
    classes = ("collapse",)
    verbose_name_plural = _("interview guide (edit, add, remove, reorder by position)")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("question", "probes", "answer"):
            field.widget.attrs.update(rows=2, cols=40 if db_field.name != "answer" else 50)
        return field


class RoiFigureInline(ProgramManagersOnlyMixin, admin.TabularInline):
    model = RoiFigure
    extra = 0
    fields = ("label", "investment", "benefit", "period", "currency", "source", "roi", "payback")
    readonly_fields = ("roi", "payback")

    @admin.display(description=_("ROI (first year)"))
    def roi(self, obj):
        return f"{obj.roi_percent} %" if obj.pk and obj.roi_percent is not None else "—"

    @admin.display(description=_("payback (months)"))
    def payback(self, obj):
        return obj.payback_months if obj.pk and obj.payback_months is not None else "—"


class SupplementaryFileInline(ProgramManagersOnlyMixin, admin.TabularInline):
    model = SupplementaryFile
    form = SupplementaryFileForm
    extra = 0
    fields = ("kind", "file", "caption")
    readonly_fields = ("download",)

    def get_fields(self, request, obj=None):
        # Read-only, the file is a link to the download view (a private file
        # has no address of its own for the admin's default display).
        if not self.has_change_permission(request, obj):
            return ("kind", "download", "caption")
        return super().get_fields(request, obj)

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:interviews_interview_file_download", args=[obj.interview_id, obj.pk]),
            obj.file.name.rsplit("/", 1)[-1],
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "file":
            # A private file: the current one links to the download view.
            kwargs["widget"] = ProtectedFileWidget(
                url_for=lambda f: reverse(
                    "admin:interviews_interview_file_download", args=[f.interview_id, f.pk]
                )
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Interview)
class InterviewAdmin(ProgramManagersOnlyMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = (
        "case_study",
        "customer",
        "date",
        "start_time",
        "time_zone",
        "status",
        "language",
        "stakeholder_count",
    )
    list_filter = ("status", "language", "case_study__state")
    search_fields = ("case_study__title", "case_study__customer__name")
    list_select_related = ("case_study__customer",)
    autocomplete_fields = ("case_study",)
    date_hierarchy = "date"
    readonly_fields = ("status", "ics_sequence", "recording_link", "recording_uploaded_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "case_study",
                    ("date", "start_time", "time_zone"),
                    "duration_minutes",
                    "meeting_link",
                    "language",
                    "notes",
                )
            },
        ),
        (
            _("Status"),
            {"fields": ("status", "ics_sequence", "recording_link", "recording_uploaded_at")},
        ),
    )
    change_form_template = "admin/interviews/interview/change_form.html"

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in ("case_study", "case_study__id__exact", "case_study__exact"):
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_stakeholders=Count("stakeholders"))

    @admin.display(description=_("customer"), ordering="case_study__customer__name")
    def customer(self, obj):
        return obj.case_study.customer.name

    @admin.display(description=_("stakeholders"), ordering="_stakeholders")
    def stakeholder_count(self, obj):
        return obj._stakeholders

    @admin.display(description=_("recording"))
    def recording_link(self, obj):
        if not obj.recording:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:interviews_interview_recording_download", args=[obj.pk]),
            obj.recording_mime or _("download"),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "case_study") if obj is not None else readonly

    def get_inlines(self, request, obj=None):
        # Stakeholders come from the story's customer: known once it is saved.
        if obj is None:
            return []
        return [StakeholderInline, GuideQuestionInline, RoiFigureInline, SupplementaryFileInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case_study":
            from casestudies.models import CaseStudy

            kwargs["queryset"] = CaseStudy.objects.filter(state__in=SCHEDULABLE_STATES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("duration_minutes", 60)
        return initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        interview = self.get_object(request, unquote(object_id))
        request._interview = interview
        extra_context = dict(extra_context or {})
        if interview is not None:
            extra_context.update(self._workspace(interview))
        return super().change_view(request, object_id, form_url, extra_context)

    def _workspace(self, interview):
        transcript = interview.transcripts.order_by("-uploaded_at", "-id").first()
        return {
            "interview": interview,
            "transcript": transcript,
            "guide_minutes": sum(interview.guide_questions.values_list("minutes", flat=True)),
            "guide_count": interview.guide_questions.count(),
            "pending_invitations": interview.stakeholders.filter(
                invitation_sent_at__isnull=True
            ).count(),
            "unsent_followups": interview.followups.filter(sent_at__isnull=True).count(),
            "quote_count": interview.quotes.count(),
            "metric_count": interview.case_study.metrics.count(),
        }

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            audit_log(
                action="interviews.interview.changed",
                obj=obj,
                actor=request.user,
                data={"fields": form.changed_data},
                source="admin",
            )
            if {"date", "start_time", "time_zone", "duration_minutes", "meeting_link"} & set(
                form.changed_data
            ) and obj.stakeholders.filter(invitation_sent_at__isnull=False).exists():
                messages.warning(
                    request,
                    _("The time or link changed: use “Send updated invitations” to tell everyone."),
                )
            return
        created = services.interview_schedule(
            case_study=obj.case_study,
            actor=request.user,
            date=obj.date,
            start_time=obj.start_time,
            time_zone=obj.time_zone,
            duration_minutes=obj.duration_minutes,
            meeting_link=obj.meeting_link,
            language=obj.language,
            notes=obj.notes,
            source="admin",
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        instances = formset.save()
        if formset.model is Stakeholder:
            for stakeholder in formset.new_objects:
                audit_log(
                    action="interviews.stakeholder.added",
                    obj=form.instance,
                    actor=request.user,
                    data={"contact": stakeholder.contact_id, "role": stakeholder.role},
                    source="admin",
                )
        return instances

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        # Straight on to the stakeholders: they are added on the change page.
        messages.success(request, _("Interview scheduled. Now add the stakeholders below."))
        return HttpResponseRedirect(self._url("change", obj))

    # --- the workspace's views ------------------------------------------

    def get_urls(self):
        def view(suffix, func, name):
            return path(
                f"<path:object_id>/{suffix}",
                self.admin_site.admin_view(func),
                name=f"interviews_interview_{name}",
            )

        return [
            view("status/<str:action>/", self.status_view, "status"),
            view("invitations/", self.invitations_view, "invitations"),
            view("guide/generate/", self.guide_generate_view, "guide_generate"),
            view("guide/pdf/", self.guide_pdf_view, "guide_pdf"),
            view("consent/", self.consent_view, "consent"),
            view("recording/", self.recording_view, "recording"),
            view("recording/download/", self.recording_download_view, "recording_download"),
            view(
                "transcripts/<int:transcript_id>/download/",
                self.transcript_download_view,
                "transcript_download",
            ),
            view("files/<int:file_id>/download/", self.file_download_view, "file_download"),
            view("transcript/upload/", self.transcript_upload_view, "transcript_upload"),
            view("transcript/", self.transcript_view, "transcript"),
            view(
                "quotes/<int:quote_id>/permission/", self.quote_permission_view, "quote_permission"
            ),
            view("followups/send/", self.followups_send_view, "followups_send"),
            view(
                "followups/<int:followup_id>/answer/", self.followup_answer_view, "followup_answer"
            ),
            view("draft/", self.draft_view, "draft"),
            *super().get_urls(),
        ]

    def _url(self, name, interview, *args):
        if name == "change":
            return reverse("admin:interviews_interview_change", args=[interview.pk])
        return reverse(f"admin:interviews_interview_{name}", args=[interview.pk, *args])

    def _interview(self, request, object_id) -> Interview:
        """The one access helper: 404 when missing, 403 without the right to manage."""
        interview = (
            Interview.objects.select_related("case_study__customer")
            .filter(pk=unquote(object_id))
            .first()
            if is_id(unquote(object_id))
            else None
        )
        if interview is None:
            raise Http404
        if not self.has_change_permission(request, interview):
            raise PermissionDenied
        return interview

    def _interview_for_download(self, request, object_id, model) -> Interview:
        """Private files (core.storage) go to program managers only: the
        right to manage interviews and to view ``model`` (Sales may view
        interview rows in general, not these files)."""
        interview = self._interview(request, object_id)
        if not request.user.has_perm(f"interviews.view_{model._meta.model_name}"):
            raise PermissionDenied
        return interview

    def recording_download_view(self, request, object_id):
        interview = self._interview_for_download(request, object_id, Interview)
        return private_file_response(interview.recording, content_type=interview.recording_mime)

    def transcript_download_view(self, request, object_id, transcript_id):
        interview = self._interview_for_download(request, object_id, Transcript)
        transcript = get_object_or_404(Transcript, pk=transcript_id, interview=interview)
        return private_file_response(transcript.file, content_type="text/plain")

    def file_download_view(self, request, object_id, file_id):
        interview = self._interview_for_download(request, object_id, SupplementaryFile)
        supplementary = get_object_or_404(SupplementaryFile, pk=file_id, interview=interview)
        return private_file_response(supplementary.file)

    def _context(self, request, interview, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": interview,
            "interview": interview,
            "title": title,
            "change_url": self._url("change", interview),
            **extra,
        }

    def _run(self, request, _target, func, success, **kwargs):
        """Call a service; its refusal becomes an error message."""
        try:
            result = func(actor=request.user, source="admin", **kwargs)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return None, False
        if success:
            messages.success(request, success)
        return result, True

    def _confirm(
        self, request, interview, *, title, text, button, form=None, danger=False, hidden=None
    ):
        return TemplateResponse(
            request,
            "admin/interviews/interview/confirm.html",
            self._context(
                request,
                interview,
                title,
                text=text,
                button=button,
                form=form,
                danger=danger,
                hidden=hidden or {},
            ),
        )

    def status_view(self, request, object_id, action):
        interview = self._interview(request, object_id)
        actions = {
            "held": (
                services.interview_mark_held,
                _("Mark as held"),
                _("The interview is marked as held."),
                False,
            ),
            "cancel": (
                services.interview_cancel,
                _("Cancel the interview"),
                _("The interview is cancelled."),
                True,
            ),
            "reopen": (
                services.interview_reopen,
                _("Back to scheduled"),
                _("The interview is scheduled again."),
                False,
            ),
        }
        if action not in actions:
            raise Http404
        func, label, done, needs_reason = actions[action]
        form = ReasonForm(request.POST or None) if needs_reason else None
        if request.method == "POST" and (form is None or form.is_valid()):
            kwargs = {"reason": form.cleaned_data["reason"]} if form else {}
            self._run(request, interview, func, done, interview=interview, **kwargs)
            return HttpResponseRedirect(self._url("change", interview))
        return self._confirm(
            request, interview, title=label, text="", button=label, form=form, danger=needs_reason
        )

    def invitations_view(self, request, object_id):
        interview = self._interview(request, object_id)
        update = request.GET.get("update") == "1" or request.POST.get("update") == "1"
        if request.method == "POST":
            count, ok = self._run(
                request,
                interview,
                services.invitations_send,
                None,
                interview=interview,
                update=update,
            )
            if ok:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d invitation queued; each stakeholder gets exactly one.",
                        "%(n)d invitations queued; each stakeholder gets exactly one.",
                        count,
                    )
                    % {"n": count},
                )
            return HttpResponseRedirect(self._url("change", interview))
        title = _("Send updated invitations") if update else _("Send invitations")
        text = (
            _("Everyone gets the updated event (same calendar entry, new revision).")
            if update
            else _(
                "Each stakeholder gets an email with the calendar file (.ics) and the guide's "
                "questions in advance, in the interview's language."
            )
        )
        return self._confirm(
            request,
            interview,
            title=title,
            text=text,
            button=title,
            hidden={"update": "1"} if update else {},
        )

    def guide_generate_view(self, request, object_id):
        interview = self._interview(request, object_id)
        replace = interview.guide_questions.exists()
        if request.method == "POST":
            self._run(
                request,
                interview,
                services.guide_generate,
                _("The interview guide is ready: edit it below."),
                interview=interview,
                replace=replace,
            )
            return HttpResponseRedirect(self._url("change", interview) + "#guide_questions-group")
        return self._confirm(
            request,
            interview,
            title=_("Regenerate the guide") if replace else _("Generate the guide"),
            text=_("This replaces the current guide: your edits and notes in it are lost.")
            if replace
            else _(
                "The guide's timed sections (65 minutes) with questions for these stakeholders' "
                "roles, in the interview's language."
            ),
            button=_("Regenerate") if replace else _("Generate"),
            danger=replace,
        )

    def guide_pdf_view(self, request, object_id):
        interview = self._interview(request, object_id)
        return HttpResponse(
            guide_pdf(interview),
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="interview-guide-{interview.pk}.pdf"'
            },
        )

    def consent_view(self, request, object_id):
        interview = self._interview(request, object_id)
        initial = {"wording": services.DEFAULT_CONSENT_WORDING.get(interview.language, "")}
        form = ConsentForm(request.POST or None, interview=interview, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            _result, ok = self._run(
                request,
                interview,
                services.consent_record,
                _("Consent recorded."),
                stakeholder=data["stakeholder"],
                given=data["given"],
                wording=data["wording"],
                method=data["method"],
                when=data["when"],
            )
            if ok:
                return HttpResponseRedirect(self._url("consent", interview))
        records = ConsentRecord.objects.filter(stakeholder__interview=interview).select_related(
            "stakeholder__contact"
        )
        return TemplateResponse(
            request,
            "admin/interviews/interview/consent.html",
            self._context(request, interview, _("Consent to record"), form=form, records=records),
        )

    def _upload_view(self, request, object_id, *, func, title, help_text, accept, done, redirect):
        interview = self._interview(request, object_id)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            _result, ok = self._run(
                request,
                interview,
                func,
                done,
                interview=interview,
                upload=form.cleaned_data["file"],
            )
            if ok:
                return HttpResponseRedirect(redirect(interview))
        return TemplateResponse(
            request,
            "admin/interviews/interview/upload.html",
            self._context(request, interview, title, form=form, help_text=help_text, accept=accept),
        )

    def recording_view(self, request, object_id):
        from django.conf import settings

        limit = settings.STORYLINE.get("INTERVIEW_RECORDING_MAX_MB", 500)
        return self._upload_view(
            request,
            object_id,
            func=services.recording_upload,
            title=_("Upload the recording"),
            help_text=_(
                "Audio or video, up to %(limit)s MB. Every stakeholder must have consented "
                "to the recording."
            )
            % {"limit": limit},
            accept="audio/*,video/*",
            done=_("Recording uploaded."),
            redirect=lambda i: self._url("change", i),
        )

    def transcript_upload_view(self, request, object_id):
        return self._upload_view(
            request,
            object_id,
            func=services.transcript_upload,
            title=_("Upload the transcript"),
            help_text=_(
                "A .vtt or .srt file from your recording tool, or .txt with lines like "
                "“Name: text” or “[00:01:02] Name: text”, saved as UTF-8."
            ),
            accept=".txt,.vtt,.srt,text/plain,text/vtt",
            done=_("Transcript uploaded."),
            redirect=lambda i: self._url("transcript", i),
        )

    def transcript_view(self, request, object_id):
        interview = self._interview(request, object_id)
        transcript = interview.transcripts.order_by("-uploaded_at", "-id").first()
        segments = (
            list(transcript.segments.select_related("contact").order_by("position"))
            if transcript
            else []
        )
        chosen = None
        if is_id(request.GET.get("segment", "")):
            chosen = next((s for s in segments if s.pk == int(request.GET["segment"])), None)
        quote_form = QuoteCaptureForm(
            interview=interview,
            initial={
                "text": chosen.text if chosen else "",
                "speaker": chosen.contact_id if chosen else None,
                "segment": chosen.pk if chosen else None,
            },
            prefix="quote",
        )
        followup_form = FollowUpForm(
            interview=interview,
            initial={
                "segment": chosen.pk if chosen else None,
                "contact": chosen.contact_id if chosen else None,
            },
            prefix="followup",
        )
        if request.method == "POST" and "quote-text" in request.POST:
            quote_form = QuoteCaptureForm(request.POST, interview=interview, prefix="quote")
            if quote_form.is_valid():
                data = quote_form.cleaned_data
                _quote, ok = self._run(
                    request,
                    interview,
                    services.quote_capture,
                    _("Quote captured."),
                    interview=interview,
                    text=data["text"],
                    speaker=data["speaker"],
                    segment=data["segment"],
                    kind=data["kind"],
                    permission=data["permission"],
                    section=data["section"],
                )
                if ok:
                    return HttpResponseRedirect(self._url("transcript", interview) + "#quotes")
        elif request.method == "POST" and "followup-question" in request.POST:
            followup_form = FollowUpForm(request.POST, interview=interview, prefix="followup")
            if followup_form.is_valid():
                data = followup_form.cleaned_data
                _followup, ok = self._run(
                    request,
                    interview,
                    services.followup_add,
                    _("Follow-up question added."),
                    interview=interview,
                    contact=data["contact"],
                    question=data["question"],
                    segment=data["segment"],
                    guide_question=data["guide_question"],
                )
                if ok:
                    return HttpResponseRedirect(self._url("transcript", interview) + "#followups")
        elif request.method == "POST":
            messages.error(request, _("Nothing to save: fill in the quote or the question."))
        quotes = (
            Quote.objects.filter(interview_source__interview=interview)
            .select_related("speaker", "interview_source__segment")
            .order_by("position", "id")
        )
        followups = list(
            interview.followups.select_related("contact", "segment", "guide_question").order_by(
                "contact__name", "created_at", "id"
            )
        )
        unsent_by_contact: dict = {}
        for followup in followups:
            if followup.sent_at is None:
                unsent_by_contact.setdefault(followup.contact, 0)
                unsent_by_contact[followup.contact] += 1
        return TemplateResponse(
            request,
            "admin/interviews/interview/transcript.html",
            self._context(
                request,
                interview,
                _("Transcript"),
                transcript=transcript,
                segments=segments,
                chosen=chosen,
                quote_form=quote_form,
                followup_form=followup_form,
                quotes=quotes,
                followups=followups,
                unsent_by_contact=list(unsent_by_contact.items()),
                permissions=Quote.Permission.choices,
                answer_form=AnswerForm(),
            ),
        )

    def quote_permission_view(self, request, object_id, quote_id):
        interview = self._interview(request, object_id)
        quote = get_object_or_404(Quote, pk=quote_id, interview_source__interview=interview)
        if request.method == "POST":
            self._run(
                request,
                interview,
                services.quote_permission_set,
                _("Permission updated."),
                quote=quote,
                permission=request.POST.get("permission", ""),
            )
        return HttpResponseRedirect(self._url("transcript", interview) + "#quotes")

    def followups_send_view(self, request, object_id):
        interview = self._interview(request, object_id)
        if request.method == "POST":
            contact = (
                interview.stakeholders.filter(
                    contact_id=request.POST.get("contact")
                    if is_id(request.POST.get("contact", ""))
                    else None
                )
                .select_related("contact")
                .first()
            )
            if contact is None:
                messages.error(request, _("Pick a stakeholder to send the questions to."))
            else:
                count, ok = self._run(
                    request,
                    interview,
                    services.followups_send,
                    None,
                    interview=interview,
                    contact=contact.contact,
                )
                if ok:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)d question queued for %(name)s, in one email.",
                            "%(n)d questions queued for %(name)s, in one email.",
                            count,
                        )
                        % {"n": count, "name": contact.contact.name},
                    )
        return HttpResponseRedirect(self._url("transcript", interview) + "#followups")

    def followup_answer_view(self, request, object_id, followup_id):
        interview = self._interview(request, object_id)
        followup = get_object_or_404(FollowUpQuestion, pk=followup_id, interview=interview)
        if request.method == "POST":
            form = AnswerForm(request.POST)
            if form.is_valid():
                self._run(
                    request,
                    interview,
                    services.followup_answer,
                    _("Answer recorded."),
                    followup=followup,
                    answer=form.cleaned_data["answer"],
                )
            else:
                messages.error(request, _("Write the answer you received."))
        return HttpResponseRedirect(self._url("transcript", interview) + "#followups")

    def draft_view(self, request, object_id):
        interview = self._interview(request, object_id)
        if request.method == "POST":
            version, ok = self._run(
                request, interview, services.draft_assemble, None, interview=interview
            )
            if ok:
                messages.success(
                    request,
                    _("Version %(n)d saved: the first draft. Rewrite it in the story editor.")
                    % {"n": version.number},
                )
                unused = len(drafting.build(interview).plan.unused)
                if unused:
                    messages.info(
                        request,
                        _(
                            "Transcript passages not used in the draft: %(n)d. The first "
                            "draft's page lists them."
                        )
                        % {"n": unused},
                    )
                editor = reverse(
                    "admin:casestudies_casestudy_story", args=[interview.case_study_id]
                )
                return HttpResponseRedirect(f"{editor}?language={version.language}")
            return HttpResponseRedirect(self._url("change", interview))
        draft = drafting.build(interview)
        with override(interview.language):
            titles = dict(GuideSection.choices)
            sections = [
                {
                    "title": str(titles[section]),
                    "passages": draft.plan.used(section),
                    "quotes": [
                        q for q, target in draft.quotes if target == drafting.STORY_SECTION[section]
                    ],
                }
                for section, _minutes in guide.SECTION_MINUTES
            ]
        return TemplateResponse(
            request,
            "admin/interviews/interview/draft.html",
            self._context(
                request,
                interview,
                _("Assemble the first draft"),
                transcript=draft.plan.transcript,
                sections=sections,
                unused=draft.plan.unused,
                metrics=list(interview.case_study.metrics.all()),
                transcript_url=self._url("transcript", interview),
            ),
        )


def guide_pdf(interview: Interview) -> bytes:
    """The printable guide (A4), in the interview's language."""
    questions = list(interview.guide_questions.order_by("position", "id"))
    sections = []
    with override(interview.language):
        labels = dict(GuideSection.choices)
        for section, _minutes in guide.SECTION_MINUTES:
            rows = [q for q in questions if q.section == section]
            if rows:
                sections.append(
                    {
                        "title": guide.SECTION_TITLES[section].get(interview.language),
                        "label": labels[section],
                        "minutes": sum(q.minutes for q in rows),
                        "questions": rows,
                    }
                )
        html = render_to_string(
            "interviews/guide_pdf.html",
            {
                "interview": interview,
                "case_study": interview.case_study,
                "stakeholders": interview.stakeholders.select_related("contact"),
                "sections": sections,
                "total_minutes": sum(q.minutes for q in questions),
                "LANGUAGE_CODE": interview.language,
            },
        )
    return render_pdf(html)


class FollowUpQuestionAdmin(ProgramManagersOnlyMixin, admin.ModelAdmin):
    list_display = ("question", "contact", "interview", "sent_at", "answered_at")
    list_filter = ("sent_at", "answered_at")
    search_fields = ("question", "contact__name", "interview__case_study__title")
    list_select_related = ("contact", "interview__case_study")
    readonly_fields = (
        "interview",
        "contact",
        "segment",
        "guide_question",
        "sent_at",
        "answer",
        "answered_at",
    )
    fields = (
        "interview",
        "contact",
        "question",
        "segment",
        "guide_question",
        "sent_at",
        "answer",
        "answered_at",
    )

    def has_add_permission(self, request):
        return False  # added from the transcript page

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(FollowUpQuestion, FollowUpQuestionAdmin)

__all__ = ["InterviewAdmin", "TranscriptSegment"]
