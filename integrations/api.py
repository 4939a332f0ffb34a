"""The CRM endpoints, for integration tokens (``integrations/tokens.py``).

- ``GET /api/match/?industry=&company_size=&region=&product=&competitor=&objections=``
  (scope ``matches:read``): the best stories for a deal, ranked as proposal
  packs rank them (``distribution.sales.packs.rank``: only stories whose
  rights allow sales use), each with the reasons it matched, its approved
  quotes and whether its customer takes reference calls.
- ``POST /api/deals/`` (scope ``deals:write``): a CRM pushes a deal (created
  or updated by its ``external_id``) and the stories used in it; the impact
  figures then need no CSV.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import services as analytics_services
from analytics.models import Deal, DealOutcome, DealStory
from casestudies.models import CaseStudy, CompanySize, Industry, Quote
from distribution.sales import packs
from integrations.models import TokenScope
from integrations.tokens import HasScope, IntegrationTokenAuthentication

MAX_RESULTS = 10


class MatchQuery(serializers.Serializer):
    industry = serializers.CharField(required=False, allow_blank=True, max_length=100)
    company_size = serializers.ChoiceField(
        choices=CompanySize.choices, required=False, allow_blank=True
    )
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    product = serializers.CharField(required=False, allow_blank=True, max_length=100)
    competitor = serializers.CharField(required=False, allow_blank=True, max_length=100)
    objections = serializers.CharField(required=False, allow_blank=True, max_length=500)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS)


class QuoteOut(serializers.Serializer):
    text = serializers.CharField()
    by = serializers.CharField()


class MatchResult(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    customer = serializers.CharField()
    url = serializers.URLField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    quotes = QuoteOut(many=True)
    reference_available = serializers.BooleanField()


class MatchOut(serializers.Serializer):
    results = MatchResult(many=True)
    left_out_by_rights = serializers.IntegerField()


class DealOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    created = serializers.BooleanField()
    linked = serializers.IntegerField()


class Match(APIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [HasScope]
    required_scope = TokenScope.READ_MATCHES

    @extend_schema(parameters=[MatchQuery], responses=MatchOut)
    def get(self, request):
        query = MatchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        profile = packs.Profile(
            industry=q.get("industry", ""),
            company_size=q.get("company_size", ""),
            region=q.get("region", ""),
            competitor=q.get("competitor", ""),
            objections=frozenset(s for s in q.get("objections", "").split(",") if s.strip()),
        )
        suggestions, excluded = packs.rank(profile)
        product = q.get("product", "")
        if product:
            with_product = set(
                CaseStudy.objects.filter(products__slug=product).values_list("pk", flat=True)
            )
            suggestions = [s for s in suggestions if s.case_study.pk in with_product]
        suggestions = suggestions[: q.get("limit", 5)]
        ids = [s.case_study.pk for s in suggestions]
        extras = (
            CaseStudy.objects.filter(pk__in=ids)
            .annotate(
                references=Count(
                    "customer__contacts",
                    filter=Q(
                        customer__contacts__available_as_reference=True,
                        customer__contacts__archived=False,
                        customer__contacts__left_company=False,
                    ),
                    distinct=True,
                )
            )
            .prefetch_related(
                Prefetch(
                    "quotes",
                    queryset=Quote.objects.filter(permission=Quote.Permission.APPROVED)
                    .select_related("speaker")
                    .order_by("position", "id"),
                    to_attr="approved_quotes",
                )
            )
        )
        extra = {cs.pk: cs for cs in extras}
        base = settings.SITE_URL.rstrip("/")
        results = []
        for s in suggestions:
            cs = s.case_study
            more = extra[cs.pk]
            version = cs.published_version
            results.append(
                {
                    "id": cs.pk,
                    "slug": cs.slug,
                    "title": cs.anonymise_text(version.title if version else cs.title),
                    "customer": cs.public_customer_name,
                    "url": base + cs.get_absolute_url(),
                    "score": s.score,
                    "reasons": s.reasons + ([f"Product: {product}"] if product else []),
                    "quotes": [
                        {"text": cs.anonymise_text(quote.text), "by": cs.quote_attribution(quote)}
                        for quote in more.approved_quotes[:3]
                    ],
                    "reference_available": more.references > 0 and not cs.anonymised,
                }
            )
        return Response(
            {
                "results": results,
                "left_out_by_rights": len(excluded),
            }
        )


class DealIn(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=0)
    currency = serializers.CharField(max_length=3, required=False, default="USD")
    stage = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=DealOutcome.choices, default=DealOutcome.OPEN)
    industry = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    company_size = serializers.ChoiceField(
        choices=CompanySize.choices, required=False, allow_blank=True, default=""
    )
    stories = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, max_length=50
    )


class Deals(APIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [HasScope]
    required_scope = TokenScope.WRITE_DEALS

    @extend_schema(request=DealIn, responses={200: DealOut, 201: DealOut})
    def post(self, request):
        data = DealIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        industry = None
        if d["industry"]:
            industry = Industry.objects.filter(slug=d["industry"]).first()
            if industry is None:
                raise serializers.ValidationError({"industry": ["Unknown industry."]})
        stories = list(CaseStudy.objects.filter(slug__in=d["stories"]))
        unknown = sorted(set(d["stories"]) - {cs.slug for cs in stories})
        if unknown:
            raise serializers.ValidationError(
                {"stories": [f"Unknown stories: {', '.join(unknown)}"]}
            )
        fields = {
            "name": d["name"],
            "amount": d["amount"],
            "currency": d["currency"].upper(),
            "stage": d["stage"],
            "opened_on": d["opened_on"],
            "closed_on": d["closed_on"],
            "outcome": d["outcome"],
            "industry": industry,
            "company_size": d["company_size"],
        }
        with transaction.atomic():
            deal = Deal.objects.select_for_update().filter(external_id=d["external_id"]).first()
            created = deal is None
            deal = deal or Deal(external_id=d["external_id"])
            for name, value in fields.items():
                setattr(deal, name, value)
            try:
                deal.full_clean()
            except ValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from exc
            deal.save()
            linked = sum(
                analytics_services.deal_story_link(
                    deal=deal, case_study=cs, source=DealStory.Source.IMPORT, actor=request.user
                )[1]
                for cs in stories
            )
        return Response(
            {"id": deal.pk, "external_id": deal.external_id, "created": created, "linked": linked},
            status=201 if created else 200,
        )
