"""The read-only JSON API for CRM and website embedding (``/api/``).

Published, in-rights stories whose customer allows the web channel, with the
gallery's filters (taxonomy slugs) and ``q`` search, paginated. The
serializer shows a story exactly as the public page does: anonymised stories
carry no customer name, logo or named speaker; percentage-only stories and
metrics no absolute figure.

Anyone may read (website embedding) under a low rate; staff integrations
authenticate with a token (``Authorization: Token …``) for a higher rate.
The OpenAPI 3 schema is at ``/api/schema/`` (drf-spectacular).
"""

from django.conf import settings
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from casestudies import selectors
from casestudies.models import (
    CaseStudy,
    CompanySize,
    Industry,
    Metric,
    Product,
    Quote,
    Region,
    UseCase,
)
from core.http import client_network
from core.page_cache import derived
from distribution.publication import search
from distribution.publication.filters import SORT_NEWEST, GalleryFilter


class StoryFilter(GalleryFilter):
    """The gallery's filters (industry, company_size, use_case, region,
    product, q, sort) for the API."""


class StoryPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ClientAddressThrottleMixin:
    """Count anonymous requests by core.http.client_network: the address the
    outermost trusted proxy saw (``TRUSTED_PROXIES``), never whatever the
    client wrote into X-Forwarded-For."""

    def get_ident(self, request):
        return client_network(request) or "unknown"


class AnonThrottle(ClientAddressThrottleMixin, AnonRateThrottle):
    """Anonymous readers (website embedding): ``REST_FRAMEWORK`` rate "anon"."""


class StaffThrottle(ClientAddressThrottleMixin, UserRateThrottle):
    """Token-authenticated integrations: the higher rate "user"."""


class TermSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class MetricSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="What was measured.")
    kind = serializers.CharField()
    improvement = serializers.CharField(help_text='For example "67% reduction".')
    improvement_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    before = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        allow_null=True,
        help_text="Null when the customer shares percentages only.",
    )
    after = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    period = serializers.CharField(allow_blank=True)

    def to_representation(self, metric: Metric) -> dict:
        cs = self.context["case_studies"][metric.case_study_id]
        metric.case_study = cs  # shows_absolute reads the story's mode
        absolute = metric.shows_absolute
        return {
            "label": cs.anonymise_text(metric.label),
            "kind": metric.kind,
            "improvement": str(metric.improvement_display),
            "improvement_percent": (
                str(metric.improvement_percent) if metric.improvement_percent is not None else None
            ),
            "before": str(metric.before) if absolute else None,
            "after": str(metric.after) if absolute else None,
            "unit": metric.unit if absolute else "",
            "period": metric.period,
        }


class QuoteSerializer(serializers.Serializer):
    text = serializers.CharField()
    attribution = serializers.CharField(
        help_text="Who said it, as the public sees it (no name when anonymised)."
    )
    kind = serializers.CharField()


class StorySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField(
        help_text='The customer as the public sees it ("A mid-market retail company" '
        "when anonymised)."
    )
    customer_logo = serializers.SerializerMethodField()
    industry = serializers.SerializerMethodField()
    company_size = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    use_cases = TermSerializer(many=True)
    products = TermSerializer(many=True)
    language = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()
    quotes = serializers.SerializerMethodField()

    class Meta:
        model = CaseStudy
        fields = [
            "slug",
            "url",
            "title",
            "customer",
            "customer_logo",
            "anonymised",
            "percentage_only",
            "industry",
            "company_size",
            "region",
            "use_cases",
            "products",
            "language",
            "summary",
            "metrics",
            "quotes",
            "featured",
            "published_at",
        ]

    def get_url(self, cs) -> str:
        return f"{settings.SITE_URL}{cs.get_absolute_url()}"

    def get_title(self, cs) -> str:
        return cs.anonymise_text(cs.published_version.title)

    def get_customer(self, cs) -> str:
        return cs.public_customer_name

    @extend_schema_field(OpenApiTypes.URI)
    def get_customer_logo(self, cs) -> str | None:
        logo = cs.public_logo
        return f"{settings.SITE_URL}{logo.url}" if logo else None

    @extend_schema_field(TermSerializer)
    def get_industry(self, cs) -> dict:
        return {"slug": cs.customer.industry.slug, "name": cs.customer.industry.name}

    @extend_schema_field(TermSerializer)
    def get_company_size(self, cs) -> dict:
        size = cs.customer.company_size
        return {"slug": size, "name": str(dict(CompanySize.choices).get(size, size))}

    @extend_schema_field(TermSerializer)
    def get_region(self, cs) -> dict:
        return {"slug": cs.customer.region.slug, "name": cs.customer.region.name}

    def get_language(self, cs) -> str:
        return cs.published_version.language

    def get_summary(self, cs) -> str:
        return cs.anonymise_text(cs.published_version.summary)

    @extend_schema_field(MetricSerializer(many=True))
    def get_metrics(self, cs) -> list:
        return MetricSerializer(
            cs.metrics.all(), many=True, context={"case_studies": {cs.pk: cs}}
        ).data

    @extend_schema_field(QuoteSerializer(many=True))
    def get_quotes(self, cs) -> list:
        return [
            {
                "text": cs.anonymise_text(q.text),
                "attribution": cs.quote_attribution(q),
                "kind": q.kind,
            }
            for q in cs.approved_quotes
        ]


def stories_queryset():
    """What the API may show: published, in rights, web channel allowed."""
    return (
        selectors.published_case_studies()
        .filter(channel_web=True)
        .select_related("customer__industry", "customer__region", "published_version")
        .defer(
            *(
                f"published_version__{name}"
                for name in ("challenge", "solution", "implementation", "results", "future_plans")
            )
        )
        .prefetch_related(
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "id")),
            Prefetch(
                "quotes",
                queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED)
                .select_related("speaker")
                .order_by("position", "id"),
                to_attr="approved_quotes",
            ),
            Prefetch("use_cases", queryset=UseCase.objects.order_by("name")),
            Prefetch("products", queryset=Product.objects.order_by("name")),
        )
    )


class ReadOnlyAPI:
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, StaffThrottle]


@extend_schema(
    summary="Published customer stories",
    description=(
        "Filters take taxonomy slugs (see /api/taxonomy/); `q` searches the stories' "
        "text (PostgreSQL full-text search). With `q` the best matches come first "
        "unless `sort=newest`. Invalid filter values answer 400 with the reason."
    ),
)
class StoryList(ReadOnlyAPI, generics.ListAPIView):
    serializer_class = StorySerializer
    pagination_class = StoryPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = StoryFilter

    def get_queryset(self):
        return stories_queryset().order_by("-featured", "-published_at", "-pk")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        query = search.clean_query(request.query_params.get("q", ""))
        if not query or request.query_params.get("sort") == SORT_NEWEST:
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # Best match first, as the gallery: the search's ranked ids (cached
        # per publication) are the order; the page's stories are then
        # fetched by id (no rank computed per row).
        filters = sorted(
            (k, v) for k, v in request.query_params.items() if k not in ("page", "page_size")
        )

        def ranked_and_kept() -> list[int]:
            kept = set(queryset.order_by().values_list("pk", flat=True))
            return [pk for pk in search.cached_ranked_ids(query) if pk in kept]

        # Shared by every page of one search and filters until a public story changes.
        ranked = derived("api-search", filters, ranked_and_kept)
        page_ids = self.paginate_queryset(ranked)
        found = self.get_queryset().filter(pk__in=page_ids).in_bulk()
        stories = [found[pk] for pk in page_ids if pk in found]
        return self.get_paginated_response(self.get_serializer(stories, many=True).data)


@extend_schema(summary="One published customer story")
class StoryDetail(ReadOnlyAPI, generics.RetrieveAPIView):
    serializer_class = StorySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return stories_queryset()


class TaxonomySerializer(serializers.Serializer):
    industries = TermSerializer(many=True)
    company_sizes = TermSerializer(many=True)
    use_cases = TermSerializer(many=True)
    regions = TermSerializer(many=True)
    products = TermSerializer(many=True)


class Taxonomy(ReadOnlyAPI, APIView):
    """The filter values: every term's slug and name."""

    @extend_schema(summary="Filter values (taxonomy)", responses=TaxonomySerializer)
    def get(self, request):
        def terms(model):
            return [
                {"slug": slug, "name": name}
                for slug, name in model.objects.filter(archived=False)
                .order_by("name")
                .values_list("slug", "name")
            ]

        return Response(
            {
                "industries": terms(Industry),
                "company_sizes": [
                    {"slug": value, "name": str(label)} for value, label in CompanySize.choices
                ],
                "use_cases": terms(UseCase),
                "regions": terms(Region),
                "products": terms(Product),
            }
        )
