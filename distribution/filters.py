import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casestudies.models import CompanySize, Industry, Product, Region, UseCase


class GalleryFilter(django_filters.FilterSet):
    """The public gallery's filters: taxonomy slugs as query parameters (the
    SPEC's stable URL). It only narrows the queryset a selector calls public."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
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

    def search(self, queryset, name, value):
        value = value.strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(published_version__title__icontains=value)
            | Q(published_version__summary__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(title__icontains=value)
        )
