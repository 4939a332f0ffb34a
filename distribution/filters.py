from dataclasses import dataclass, field

import django_filters
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from casestudies.models import CompanySize, Industry, Product, Region, UseCase
from distribution import search

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
        return search.search(queryset, value)

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

    def facets(self, base: QuerySet) -> list["Facet"]:
        """For each taxonomy filter, its choices with the number of stories
        behind each given the OTHER active filters (one query per facet).
        Choices with no story are left out, unless selected."""
        cleaned = self.cleaned()
        base = base.order_by()
        facets = []
        for name in FACETS:
            slug_path, name_path = FACET_PATHS[name]
            qs = self.narrowed(base, without=name).filter(**{f"{slug_path}__isnull": False})
            if name in FACET_ARCHIVED:
                qs = qs.filter(**{FACET_ARCHIVED[name]: False})
            columns = [slug_path, name_path] if name_path else [slug_path]
            # Every active filter is single-valued and search is a subquery, so
            # each (story, choice) pair is one row: no DISTINCT needed.
            rows = qs.values(*columns).annotate(n=Count("pk"))
            selected = cleaned.get(name)
            selected_slug = getattr(selected, "slug", selected)
            if name == "company_size":
                counts = {row[slug_path]: row["n"] for row in rows}
                options = [
                    Option(value, label, counts.get(value, 0), value == selected_slug)
                    for value, label in CompanySize.choices
                ]
            else:
                options = sorted(
                    (
                        Option(
                            row[slug_path],
                            row[name_path],
                            row["n"],
                            row[slug_path] == selected_slug,
                        )
                        for row in rows
                    ),
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
