"""The drafting workspace, as admin views of the case study (``get_urls``):
the story editor with live word counts and the checker, the version list and
side-by-side comparison, internal review, and the writing advice the
checker's findings link to. Thin views: every write goes through
``casestudies.services``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from casestudies import checker, services
from casestudies.diffing import diff_sections
from casestudies.forms import ReviewCommentForm, SignOffForm, StoryEditorForm, StorySectionsForm
from casestudies.models import (
    SECTION_FIELDS,
    SECTIONS,
    InternalReviewComment,
    InternalSignOff,
    StoryVersion,
    internal_review_areas,
    review_area_label,
)
from core.errors import TransitionError
from core.ids import is_id
from core.markdown import render_markdown

SIGN_OFF_PERMISSION = "casestudies.add_internalsignoff"


def _advice_url() -> str:
    return reverse("admin:casestudies_writing_advice")


def _editor_strings() -> dict[str, str]:
    """What the live editor script says, in the page's language."""
    return {
        "word_one": ngettext("%(n)s word", "%(n)s words", 1),
        "word_other": ngettext("%(n)s word", "%(n)s words", 2),
        "target": _("%(n)s words (target %(min)s–%(max)s)"),  # noqa: RUF001
        "total": _("%(n)s words in all (target %(min)s–%(max)s)"),  # noqa: RUF001
        "checking": _("Checking…"),
        "summary": _("Checker: %(e)s errors, %(w)s warnings."),
        "failed": _("The checker could not be reached; use “Check without saving”."),
        "error": _("Error"),
        "warning": _("Warning"),
        "fix": _("How to fix it"),
        "place": _("paragraph %(p)s, characters %(s)s–%(e)s"),  # noqa: RUF001
    }


def _by_section(findings) -> dict[str, list]:
    by_section: dict[str, list] = {name: [] for name in ["", *SECTION_FIELDS]}
    for finding in findings:
        by_section[finding.section].append(finding)
    return by_section


def _figures_context(sections: dict[str, str], sources) -> dict:
    """Where each figure of the story came from (metric, transcript line…)."""
    traces = checker.trace_figures(sections, sources)
    return {
        "figure_traces": traces,
        "unsourced_count": sum(1 for t in traces if t.source is None),
    }


def _findings_context(findings, advice_url: str) -> dict:
    return {
        "findings": findings,
        "story_findings": _by_section(findings)[""],
        "finding_totals": checker.summarise(findings),
        "advice_url": advice_url,
    }


class DraftingAdminMixin:
    """Mixed into ``CaseStudyAdmin``."""

    def get_drafting_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "writing-advice/",
                view(self.writing_advice_view),
                name="casestudies_writing_advice",
            ),
            path(
                "<path:object_id>/story/check/",
                view(require_POST(self.story_check_view)),
                name="casestudies_casestudy_story_check",
            ),
            path(
                "<path:object_id>/story/",
                view(self.story_editor_view),
                name="casestudies_casestudy_story",
            ),
            path(
                "<path:object_id>/versions/compare/",
                view(self.version_compare_view),
                name="casestudies_casestudy_compare",
            ),
            path(
                "<path:object_id>/versions/",
                view(self.version_list_view),
                name="casestudies_casestudy_versions",
            ),
            path(
                "<path:object_id>/internal-review/",
                view(self.internal_review_view),
                name="casestudies_casestudy_internal_review",
            ),
        ]

    # --- access ------------------------------------------------------------

    def _case_study_for(self, request, object_id, *, need: str):
        case_study = self.get_object(request, unquote(object_id))
        if case_study is None:
            raise Http404
        allowed = {
            "change": lambda: self.has_change_permission(request, case_study),
            "view": lambda: self.has_view_permission(request, case_study),
            "review": lambda: (
                request.user.has_perm(SIGN_OFF_PERMISSION)
                and self.has_view_permission(request, case_study)
            ),
        }[need]()
        if not allowed:
            raise PermissionDenied
        return case_study

    def _drafting_context(self, request, case_study, title) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": case_study,
            "case_study": case_study,
            "title": title,
            "can_edit_story": self.has_change_permission(request, case_study),
            "can_review": request.user.has_perm(SIGN_OFF_PERMISSION),
        }

    # --- the editor --------------------------------------------------------

    def story_editor_view(self, request, object_id):
        case_study = self._case_study_for(request, object_id, need="change")
        languages = dict(settings.LANGUAGES)
        versions = case_study.versions.order_by("-number")
        latest_any = versions.first()
        conflict = None

        if request.method == "POST":
            form = StoryEditorForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                unchanged = latest_any is not None and (
                    latest_any.content_hash
                    == StoryVersion.compute_hash(
                        language=data["language"],
                        title=data["title"].strip(),
                        sections={k: (v or "").strip() for k, v in form.sections().items()},
                    )
                )
                if request.POST.get("action") == "save" and unchanged:
                    # A second click or a reload must not copy the newest version:
                    # the copy would make its sign-offs and approvals stale.
                    messages.info(
                        request,
                        _("Nothing changed since version %(n)s, so no new version was saved.")
                        % {"n": latest_any.number},
                    )
                elif request.POST.get("action") == "save":
                    try:
                        version = services.story_version_create(
                            case_study=case_study,
                            actor=request.user,
                            title=data["title"],
                            sections=form.sections(),
                            language=data["language"],
                            note=data["note"],
                            base_number=data["base_version"],
                            source="admin:editor",
                        )
                    except services.VersionConflict as exc:
                        conflict = exc.latest
                        messages.error(
                            request,
                            _(
                                "%(error)s Your text is kept below, with what changed in "
                                "version %(n)s marked. Save again to make your text the newest "
                                "version."
                            )
                            % {"error": exc, "n": conflict.number},
                        )
                        # A second save is deliberate: it builds on the newer version.
                        post = request.POST.copy()
                        post["base_version"] = str(conflict.number)
                        form = StoryEditorForm(post)
                        form.is_valid()
                    except TransitionError as exc:
                        messages.error(request, str(exc))
                    else:
                        messages.success(
                            request,
                            _("Version %(n)s saved.") % {"n": version.number},
                        )
                        url = reverse("admin:casestudies_casestudy_story", args=[case_study.pk])
                        return HttpResponseRedirect(
                            f"{url}?{urlencode({'language': version.language})}"
                        )
            language = request.POST.get("language", "")
            sections = {name: request.POST.get(name, "") for name in SECTION_FIELDS}
        else:
            language = request.GET.get("language", "")
            if language not in languages:
                language = latest_any.language if latest_any else settings.LANGUAGE_CODE[:2]
                language = language if language in languages else next(iter(languages))
                if not services.story_editable(case_study, language):
                    # An approved story: open on a language it can be translated into.
                    language = next(
                        (c for c in languages if services.story_editable(case_study, c)),
                        language,
                    )
            base = versions.filter(language=language).first()
            start = base or latest_any
            sections = start.sections() if start else dict.fromkeys(SECTION_FIELDS, "")
            form = StoryEditorForm(
                initial={
                    "title": start.title if start else case_study.title,
                    "language": language,
                    "base_version": base.number if base else 0,
                    **sections,
                }
            )

        base_number = form["base_version"].value()
        sources = checker.case_study_figure_sources(case_study)
        findings = checker.check_case_study_story(case_study, sections, figure_sources=sources)
        counts = checker.word_counts(sections)
        by_section = _by_section(findings)
        section_rows = [
            {
                "field": form[name],
                "words": counts["sections"][name],
                "preview": render_markdown(sections.get(name, "")),
                "findings": by_section[name],
            }
            for name in SECTION_FIELDS
        ]
        context = {
            **self._drafting_context(
                request, case_study, _("Edit the story: %(title)s") % {"title": case_study.title}
            ),
            "form": form,
            "counts": counts,
            "section_rows": section_rows,
            "editor_strings": _editor_strings(),
            "editable": services.story_editable(case_study, language),
            "latest": latest_any,
            "language": language,
            "languages": settings.LANGUAGES,
            "base_number": base_number,
            "conflict": conflict,
            "conflict_diff": (
                diff_sections(conflict.sections(), sections) if conflict is not None else None
            ),
            **_findings_context(findings, _advice_url()),
            **_figures_context(sections, sources),
        }
        return TemplateResponse(request, "admin/casestudies/casestudy/story_editor.html", context)

    def story_check_view(self, request, object_id):
        """The live checker: the same checks as the page, as JSON."""
        case_study = self._case_study_for(request, object_id, need="change")
        form = StorySectionsForm(request.POST)
        if not form.is_valid():
            return JsonResponse(
                {"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400
            )
        sections = form.sections()
        findings = checker.check_case_study_story(case_study, sections)
        advice = _advice_url()
        return JsonResponse(
            {
                "counts": checker.word_counts(sections),
                "totals": checker.summarise(findings),
                "findings": [{**f.as_dict(), "advice_url": f"{advice}#{f.code}"} for f in findings],
                "previews": {name: str(render_markdown(text)) for name, text in sections.items()},
            }
        )

    # --- versions ----------------------------------------------------------

    def version_list_view(self, request, object_id):
        case_study = self._case_study_for(request, object_id, need="view")
        versions = list(case_study.versions.order_by("-number").prefetch_related("sign_offs"))
        areas = internal_review_areas()
        rows = []
        for version in versions:
            decided = {s.area: s for s in version.sign_offs.all()}
            rows.append(
                {
                    "version": version,
                    "words": version.total_words,
                    "intact": version.verify_hash(),
                    "sign_offs": [(review_area_label(a), decided.get(a)) for a in areas],
                }
            )
        context = {
            **self._drafting_context(
                request, case_study, _("Versions of %(title)s") % {"title": case_study.title}
            ),
            "rows": rows,
            "versions": versions,
            "default_a": versions[1].number if len(versions) > 1 else None,
            "default_b": versions[0].number if versions else None,
        }
        return TemplateResponse(request, "admin/casestudies/casestudy/versions.html", context)

    def version_compare_view(self, request, object_id):
        case_study = self._case_study_for(request, object_id, need="view")
        list_url = reverse("admin:casestudies_casestudy_versions", args=[case_study.pk])
        raw_a, raw_b = request.GET.get("a", ""), request.GET.get("b", "")
        if not (is_id(raw_a) and is_id(raw_b)):
            messages.error(request, _("Choose two versions to compare."))
            return HttpResponseRedirect(list_url)
        a_number, b_number = int(raw_a), int(raw_b)
        found = {v.number: v for v in case_study.versions.filter(number__in=[a_number, b_number])}
        missing = [n for n in (a_number, b_number) if n not in found]
        if missing:
            messages.error(
                request,
                _("There is no version %(n)s of this story.") % {"n": missing[0]},
            )
            return HttpResponseRedirect(list_url)
        old, new = found[a_number], found[b_number]
        diffs = diff_sections(old.sections(), new.sections())
        title_diff = diff_sections({"summary": old.title}, {"summary": new.title})[0]
        context = {
            **self._drafting_context(
                request,
                case_study,
                _("Version %(a)s compared with version %(b)s") % {"a": old.number, "b": new.number},
            ),
            "old": old,
            "new": new,
            "diffs": diffs,
            "title_diff": title_diff,
            "changed_count": sum(1 for d in diffs if d.changed),
            "list_url": list_url,
        }
        return TemplateResponse(request, "admin/casestudies/casestudy/compare.html", context)

    # --- internal review ---------------------------------------------------

    def internal_review_view(self, request, object_id):
        case_study = self._case_study_for(request, object_id, need="review")
        areas = internal_review_areas()
        latest = case_study.versions.order_by("-number").first()
        area = request.POST.get("area") or request.GET.get("area") or ""
        sign_offs = list(
            InternalSignOff.objects.filter(version__case_study=case_study)
            .select_related("version")
            .order_by("-version__number", "area")
        )
        current = {s.area: s for s in sign_offs if latest and s.version_id == latest.pk}
        if area not in areas:
            area = next((a for a in areas if a not in current), areas[0] if areas else "")
        comment_form = ReviewCommentForm(initial={"area": area})
        sign_off_form = SignOffForm(initial={"area": area})
        review_url = reverse("admin:casestudies_casestudy_internal_review", args=[case_study.pk])

        if request.method == "POST" and latest is not None:
            action = request.POST.get("action")
            form = (
                ReviewCommentForm(request.POST)
                if action == "comment"
                else SignOffForm(request.POST)
            )
            version_id = request.POST.get("version", "")
            version = (
                StoryVersion.objects.filter(case_study=case_study, pk=version_id).first()
                if is_id(version_id)
                else None
            )
            if version is None:
                messages.error(request, _("That version no longer exists; reload the page."))
            elif form.is_valid():
                data = form.cleaned_data
                try:
                    if action == "comment":
                        services.internal_review_comment_add(
                            version=version,
                            area=data["area"],
                            section=data["section"],
                            body=data["body"],
                            actor=request.user,
                            source="admin:internal-review",
                        )
                        messages.success(request, _("Comment added."))
                    else:
                        services.internal_sign_off_record(
                            version=version,
                            area=data["area"],
                            decision=data["decision"],
                            comment=data["comment"],
                            actor=request.user,
                            source="admin:internal-review",
                        )
                        messages.success(
                            request,
                            _("%(area)s signed off version %(n)s.")
                            % {"area": review_area_label(data["area"]), "n": version.number},
                        )
                except TransitionError as exc:
                    messages.error(request, str(exc))
                else:
                    return HttpResponseRedirect(f"{review_url}?{urlencode({'area': area})}")
            if action == "comment":
                comment_form = form
            else:
                sign_off_form = form

        comments = list(
            InternalReviewComment.objects.filter(version__case_study=case_study)
            .select_related("version")
            .order_by("version__number", "created_at", "id")
        )
        current_comments = {name: [] for name in ["", *SECTION_FIELDS]}
        earlier_comments = []
        for comment in comments:
            if latest and comment.version_id == latest.pk:
                current_comments[comment.section].append(comment)
            else:
                earlier_comments.append(comment)
        sources = checker.case_study_figure_sources(case_study) if latest else []
        findings = (
            checker.check_case_study_story(case_study, latest.sections(), figure_sources=sources)
            if latest
            else []
        )
        by_section = _by_section(findings)
        sections = (
            [
                {
                    "name": name,
                    "label": label,
                    "html": render_markdown(getattr(latest, name)),
                    "comments": current_comments[name],
                    "findings": by_section[name],
                }
                for name, label in SECTIONS
            ]
            if latest
            else []
        )
        context = {
            **self._drafting_context(
                request,
                case_study,
                _("Internal review: %(title)s") % {"title": case_study.title},
            ),
            "latest": latest,
            "area": area,
            "area_label": review_area_label(area) if area else "",
            "areas": [(a, review_area_label(a)) for a in areas],
            "status": [(a, review_area_label(a), current.get(a)) for a in areas],
            "missing": [
                review_area_label(a) for a in areas if not (current.get(a) and current[a].approved)
            ],
            "stale_sign_offs": [s for s in sign_offs if not latest or s.version_id != latest.pk],
            "story_comments": current_comments[""],
            "earlier_comments": earlier_comments,
            "sections": sections,
            "comment_form": comment_form,
            "sign_off_form": sign_off_form,
            "my_sign_off": current.get(area),
            **_findings_context(findings, _advice_url()),
            **(_figures_context(latest.sections(), sources) if latest else {}),
        }
        return TemplateResponse(
            request, "admin/casestudies/casestudy/internal_review.html", context
        )

    # --- advice --------------------------------------------------------------

    def writing_advice_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Writing advice: weak → strong"),
            "codes": checker.CODES,
            "summary_words": settings.STORYLINE["SUMMARY_WORDS"],
            "story_words": settings.STORYLINE["STORY_WORDS"],
        }
        return TemplateResponse(request, "admin/casestudies/writing_advice.html", context)
