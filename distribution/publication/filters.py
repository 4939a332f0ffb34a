from dataclasses import dataclass, field

import django_filters
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casestudies.models import CaseStudy, CompanySize, Industry, Product, Region, UseCase
from core import page_cache
from distribution.publication import facets, search

SORT_NEWEST = "newest"
SORT_RELEVANCE = "relevance"

# The SPEC's taxonomy parameters, in the form's (and the clean URL's) order.
FACETS = ["industry", "company_size", "use_case", "region", "product"]
# Every parameter the gallery understands, in the clean URL's order.
PARAMETERS = ["q", *FACETS, "sort", "page"]

# Where each facet's slug and name live, seen from a case study.
FACET_PATHS = {
    "industry": ("customer__industry__slug", "customer__industry__name"),
    "company_size": ("customer__company_size", None),
    "use_case": ("use_cases__slug", "use_cases__name"),
    "region": ("customer__region__slug", "customer__region__name"),
    "product": ("products__slug", "products__name"),
}
FACET_ARCHIVED = {
    "industry": "customer__industry__archived",
    "use_case": "use_cases__archived",
    "region": "customer__region__archived",
    "product": "products__archived",
}


class GalleryFilter(django_filters.FilterSet):
    """The public gallery's filters: taxonomy slugs as query parameters (the
    SPEC's stable URL). It only narrows the queryset a selector calls public."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"),
        field_name="customer__industry",
        to_field_name="slug",
        queryset=Industry.objects.filter(archived=False),
        empty_label=_("All industries"),
    )
    company_size = django_filters.ChoiceFilter(
        label=_("Company size"),
        field_name="customer__company_size",
        choices=CompanySize.choices,
        empty_label=_("All sizes"),
    )
    use_case = django_filters.ModelChoiceFilter(
        label=_("Use case"),
        field_name="use_cases",
        to_field_name="slug",
        queryset=UseCase.objects.filter(archived=False),
        empty_label=_("All use cases"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        field_name="customer__region",
        to_field_name="slug",
        queryset=Region.objects.filter(archived=False),
        empty_label=_("All regions"),
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"),
        field_name="products",
        to_field_name="slug",
        queryset=Product.objects.filter(archived=False),
        empty_label=_("All products"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(SORT_NEWEST, _("Newest first")), (SORT_RELEVANCE, _("Best match"))],
        method="filter_sort",
        empty_label=None,
    )

    def filter_search(self, queryset, name, value):
        # The matching ids, ranked, cached for the current generation: every
        # query of the page (count, cards, facets) reuses one search.
        if not search.clean_query(value):
            return queryset
        return search.among(queryset, self.ranked_ids(value))

    def ranked_ids(self, value: str) -> list[int]:
        """The ranked matches of ``value``, looked up once per request (the
        filter, the facet counts and the view share them, whatever the cache)."""
        value = search.clean_query(value)
        memo = self.__dict__.setdefault("_ranked", {})
        if value not in memo:
            memo[value] = search.cached_ranked_ids(value)
        return memo[value]

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is the view's job; this only validates

    # ------------------------------------------------------------------ facets

    def cleaned(self) -> dict:
        """The valid, non-empty values (invalid ones are ignored)."""
        self.is_valid()
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}

    def narrowed(self, queryset: QuerySet, *, without: str | None = None) -> QuerySet:
        """``queryset`` narrowed by every active filter except ``without``."""
        for name, value in self.cleaned().items():
            if name != without:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facet_counts(self, base: QuerySet) -> dict[str, list[tuple]]:
        """For each taxonomy filter, ``(slug, name, count)`` of every choice
        with stories behind it given the OTHER active filters, all five in
        one query (cached per generation and filter values)."""
        cleaned = self.cleaned()
        values = tuple(
            (name, getattr(cleaned[name], "pk", cleaned[name]))
            for name in ["q", *FACETS]
            if name in cleaned
        )
        return page_cache.derived("facets", values, lambda: self._count_facets(base, cleaned))

    def _count_facets(self, base: QuerySet, cleaned: dict) -> dict[str, list[tuple]]:
        if "q" not in cleaned and facets.enabled():
            # Sums over the derived cells: the same cost for 1 or 100,000
            # matching stories (distribution/publication/facets.py).
            return facets.counts(
                {
                    name: getattr(cleaned[name], "pk", cleaned[name])
                    for name in FACETS
                    if name in cleaned
                }
            )
        counts: dict[str, list[tuple]] = {name: [] for name in FACETS}
        if "q" in cleaned:
            base = self.filters["q"].filter(base, cleaned["q"])
        base = base.order_by().values(
            "pk", "customer__industry_id", "customer__company_size", "customer__region_id"
        )
        if base.query.is_empty():  # a search matching nothing
            return counts
        base_sql, params = base.query.sql_with_params()
        qn = connection.ops.quote_name
        m2m = {
            "use_case": (CaseStudy.use_cases.field, UseCase),
            "product": (CaseStudy.products.field, Product),
        }
        # Raw SQL (the ORM cannot share one derived table between grouped
        # counts): identifiers come from the models, every value is a parameter.
        # One condition per active filter, on a row ``b`` of the base stories.
        conditions: dict[str, tuple[str, list]] = {}
        for name in FACETS:
            if name not in cleaned:
                continue
            value = getattr(cleaned[name], "pk", cleaned[name])
            if name in m2m:
                field_, _model = m2m[name]
                through = field_.remote_field.through._meta.db_table
                conditions[name] = (
                    f"EXISTS (SELECT 1 FROM {qn(through)} t"  # noqa: S608
                    f" WHERE t.{qn(field_.m2m_column_name())} = b.id"
                    f" AND t.{qn(field_.m2m_reverse_name())} = %s)",
                    [value],
                )
            else:
                column = {"industry": "industry_id", "region": "region_id"}.get(name, name)
                conditions[name] = (f"b.{column} = %s", [value])

        arms, arm_params = [], []
        for name in FACETS:
            where = ["1 = 1"]
            where_params: list = []
            for other, (condition, condition_params) in conditions.items():
                if other != name:
                    where.append(condition)
                    where_params.extend(condition_params)
            if name == "company_size":
                source = "base b"
                where.append("b.company_size IS NOT NULL")
                slug, label = "b.company_size", "NULL"
            elif name in m2m:
                field_, model = m2m[name]
                through = field_.remote_field.through._meta.db_table
                source = (
                    f"base b JOIN {qn(through)} t2 ON t2.{qn(field_.m2m_column_name())} = b.id"
                    f" JOIN {qn(model._meta.db_table)} x"
                    f" ON x.id = t2.{qn(field_.m2m_reverse_name())}"
                )
                where.append("NOT x.archived")
                slug, label = "x.slug", "x.name"
            else:
                model = Industry if name == "industry" else Region
                source = f"base b JOIN {qn(model._meta.db_table)} x ON x.id = b.{name}_id"
                where.append("NOT x.archived")
                slug, label = "x.slug", "x.name"
            # Each (story, choice) pair is one row: COUNT(*) counts stories.
            arms.append(
                f"SELECT '{name}', {slug}, {label}, COUNT(*) FROM {source}"  # noqa: S608
                f" WHERE {' AND '.join(where)}"
                f" GROUP BY {slug}{'' if label == 'NULL' else ', ' + label}"
            )
            arm_params.extend(where_params)
        sql = (
            f"WITH base (id, industry_id, company_size, region_id) AS ({base_sql}) "
            + " UNION ALL ".join(arms)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *arm_params])
            for name, slug, label, n in cursor.fetchall():
                counts[name].append((slug, label, n))
        return counts

    def facets(self, base: QuerySet) -> list["Facet"]:
        """For each taxonomy filter, its choices with the number of stories
        behind each given the OTHER active filters (see :meth:`facet_counts`).
        Choices with no story are left out, unless selected."""
        cleaned = self.cleaned()
        counted = self.facet_counts(base)
        facets = []
        for name in FACETS:
            rows = counted[name]
            selected = cleaned.get(name)
            selected_slug = getattr(selected, "slug", selected)
            if name == "company_size":
                counts = {slug: n for slug, _label, n in rows}
                options = [
                    Option(value, label, counts.get(value, 0), value == selected_slug)
                    for value, label in CompanySize.choices
                ]
            else:
                options = sorted(
                    (Option(slug, label, n, slug == selected_slug) for slug, label, n in rows),
                    key=lambda o: str(o.label).lower(),
                )
                if selected is not None and not any(o.selected for o in options):
                    options.insert(0, Option(selected.slug, selected.name, 0, True))
            field_ = self.form[name]
            facets.append(
                Facet(
                    name=name,
                    label=field_.label,
                    empty_label=self.filters[name].extra.get("empty_label") or "",
                    options=[o for o in options if o.count or o.selected],
                )
            )
        return facets


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    empty_label: str
    options: list[Option] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"id_{self.name}"
