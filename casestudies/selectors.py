"""Reads of case studies that views and filters share."""

from django.db.models import Count, Prefetch, QuerySet

from casestudies.models import (
    PIPELINE,
    CaseStudy,
    CaseStudyState,
    Metric,
    Quote,
    StoryTranslation,
    StoryVersion,
)


def published_case_studies() -> QuerySet[CaseStudy]:
    """What the public may see: published, with a published version."""
    return CaseStudy.objects.published()


def gallery_case_studies() -> QuerySet[CaseStudy]:
    """Published stories for the gallery cards: everything a card shows in a
    fixed number of queries, featured first, newest first."""
    return (
        published_case_studies()
        .select_related("customer__industry", "customer__region", "published_version")
        .defer(
            "published_version__challenge",
            "published_version__solution",
            "published_version__implementation",
            "published_version__results",
            "published_version__future_plans",
        )
        .prefetch_related(
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
        )
        .order_by("-featured", "-published_at", "-pk")
    )


def case_study_public_detail(*, slug: str) -> CaseStudy:
    return (
        published_case_studies()
        .select_related("customer__industry", "customer__region", "published_version")
        .prefetch_related(
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED)
                .select_related("speaker")
                .order_by("position", "id"),
                to_attr="approved_quotes",
            ),
            "use_cases",
            "products",
        )
        .get(slug=slug)
    )


def pipeline_counts() -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in pipeline order then exits."""
    counts = dict(
        CaseStudy.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    order = [*PIPELINE, CaseStudyState.ARCHIVED, CaseStudyState.ON_HOLD, CaseStudyState.DECLINED]
    return [(s.value, s.label, counts.get(s.value, 0)) for s in order]


def waiting_longest(limit: int = 10) -> QuerySet[CaseStudy]:
    """Work in progress that has sat longest in its current stage."""
    return (
        CaseStudy.objects.active()
        .select_related("customer", "owner")
        .order_by("state_changed_at")[:limit]
    )


def public_version(case_study: CaseStudy, language: str | None = None) -> StoryVersion | None:
    """The version the public may read in ``language`` (default: the main one).

    Only a published case study (rights not expired) has public versions: its
    published version, and approved translations in other languages. Every
    public format (page, PDF, one-pager, slides) reads through this.
    """
    if case_study.state != CaseStudyState.PUBLISHED or case_study.published_version_id is None:
        return None
    if case_study.rights_expired:
        return None
    main = case_study.published_version
    if language is None or language == main.language:
        return main
    translation = (
        StoryTranslation.objects.filter(case_study=case_study, language=language)
        .select_related("version")
        .first()
    )
    return translation.version if translation else None


def public_languages(case_study: CaseStudy) -> list[str]:
    """Language codes the story can be read in, the main language first."""
    main = public_version(case_study)
    if main is None:
        return []
    others = StoryTranslation.objects.filter(case_study=case_study).exclude(language=main.language)
    return [main.language, *others.order_by("language").values_list("language", flat=True)]


def admin_index_context(request) -> dict:
    """The admin home (``STORYLINE_ADMIN_INDEX``): the pipeline at a glance
    and the stories waiting longest, for whoever may see case studies."""
    from core.roles import PROGRAM_MANAGERS, in_group

    context = {"impact_dashboard": in_group(request.user, PROGRAM_MANAGERS)}
    if request.user.has_perm("casestudies.view_casestudy"):
        context["pipeline"] = pipeline_counts()
        context["waiting"] = waiting_longest()
    return context
