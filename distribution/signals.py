"""Keep derived public data fresh: the page cache generation and the search
index. This is bookkeeping of derived data, not business logic: whatever
changes a story (services, the admin, a shell) must invalidate the pages that
show it, so it is hooked on the models rather than on each code path.

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals: callers
run ``rebuild_search_index`` (``seed_demo`` does after its bulk path).

One signal comes from outside: django-anymail's ``tracking``, sent by the
email services' webhooks (``distribution/esp_webhooks.py``). Its receiver only
hands the event to the suppression service.
"""

from anymail.signals import tracking
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from casestudies.models import (
    CaseStudy,
    CaseStudyState,
    Competitor,
    Contact,
    Customer,
    Industry,
    Metric,
    Objection,
    Product,
    Quote,
    Region,
    StoryTranslation,
    UseCase,
)
from core.page_cache import bump_generation
from distribution.models import Branding, SalesSearchEntry, StorySearchEntry
from distribution.outreach import campaigns
from distribution.publication import facets
from distribution.publication.search import search_index_refresh
from distribution.sales.index import sales_index_refresh

# Changes to these show on public pages: any of them invalidates the cache.
SHOWN = [Metric, Quote, Contact, Product, UseCase, Branding]


def _invalidate(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    bump_generation()


def _facets_changed(sender, **kwargs) -> None:
    """A story's use cases or products, or a term itself: the facet cells
    are recounted by the next reader."""
    if kwargs.get("raw"):
        return
    facets.mark_changed()


def _case_study_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if instance.state == CaseStudyState.PUBLISHED:
        search_index_refresh([instance.pk])
    elif not StorySearchEntry.objects.filter(case_study_id=instance.pk).delete()[0]:
        return  # never public, still not: no page shows it
    facets.mark_changed()
    bump_generation()


def _translation_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    search_index_refresh([instance.case_study_id])
    bump_generation()


def _customer_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    search_index_refresh(instance.case_studies.values_list("pk", flat=True))
    facets.mark_changed()
    bump_generation()


def _term_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    search_index_refresh(
        CaseStudy.objects.filter(**{f"customer__{sender._meta.model_name}": instance})
        .published()
        .values_list("pk", flat=True)
    )
    facets.mark_changed()
    bump_generation()


# The sales portal's index (distribution/sales/index.py) also reads quotes,
# metrics, objections and competitors, and holds sales-only stories.


def _sales_story_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if instance.state != CaseStudyState.PUBLISHED:
        # Only published stories have an entry: drop one it may still have
        # (withdrawn, archived), without rebuilding anything. A story saves
        # several times on its way to publication.
        SalesSearchEntry.objects.filter(case_study_id=instance.pk).delete()
        return
    sales_index_refresh([instance.pk])


def _sales_part_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        sales_index_refresh([instance.case_study_id])


def _sales_customer_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        sales_index_refresh(instance.case_studies.values_list("pk", flat=True))


def _sales_term_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        sales_index_refresh(instance.casestudy_set.values_list("pk", flat=True))


def _sales_links_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "pre_clear" and reverse:  # remember the term's stories before they go
        instance._sales_cleared = list(instance.casestudy_set.values_list("pk", flat=True))
    if not action.startswith("post_"):
        return
    if not reverse:
        sales_index_refresh([instance.pk])
    else:
        sales_index_refresh(pk_set or getattr(instance, "_sales_cleared", []))


def _esp_tracking_event(sender, event, esp_name, **kwargs) -> None:
    campaigns.suppression_from_esp_event(event=event, esp_name=esp_name)


def connect() -> None:
    tracking.connect(_esp_tracking_event, dispatch_uid="dist-esp-tracking")
    post_save.connect(_case_study_changed, sender=CaseStudy, dispatch_uid="dist-cs")
    post_save.connect(_translation_changed, sender=StoryTranslation, dispatch_uid="dist-tr")
    post_delete.connect(_translation_changed, sender=StoryTranslation, dispatch_uid="dist-tr-d")
    post_save.connect(_customer_changed, sender=Customer, dispatch_uid="dist-customer")
    for model in (Industry, Region):
        post_save.connect(_term_changed, sender=model, dispatch_uid=f"dist-{model.__name__}")
    for model in SHOWN:
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"dist-save-{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"dist-del-{model.__name__}")
    # The sales portal searches and counts stories by objection and competitor.
    for model in (Objection, Competitor):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"dist-save-{model.__name__}")
    post_save.connect(_sales_story_changed, sender=CaseStudy, dispatch_uid="sales-cs")
    for model in (StoryTranslation, Metric, Quote):
        name = model.__name__
        post_save.connect(_sales_part_changed, sender=model, dispatch_uid=f"sales-{name}")
        post_delete.connect(_sales_part_changed, sender=model, dispatch_uid=f"sales-d-{name}")
    post_save.connect(_sales_customer_changed, sender=Customer, dispatch_uid="sales-customer")
    for model in (Objection, Competitor):
        name = model.__name__
        post_save.connect(_sales_term_changed, sender=model, dispatch_uid=f"sales-{name}")
        m2m_changed.connect(
            _sales_links_changed,
            sender=getattr(CaseStudy, f"{name.lower()}s").through,
            dispatch_uid=f"sales-m2m-{name}",
        )
    post_delete.connect(_facets_changed, sender=CaseStudy, dispatch_uid="dist-facets-cs-d")
    post_migrate.connect(facets.after_migrate, dispatch_uid="dist-facets-migrate")
    for model in (Product, UseCase):
        uid = f"dist-facets-{model.__name__}"
        post_save.connect(_facets_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_facets_changed, sender=model, dispatch_uid=f"{uid}-d")
    for through in (CaseStudy.use_cases.through, CaseStudy.products.through):
        m2m_changed.connect(
            _facets_changed, sender=through, dispatch_uid=f"dist-facets-{through.__name__}"
        )
    for through in (
        CaseStudy.use_cases.through,
        CaseStudy.products.through,
        CaseStudy.objections.through,
        CaseStudy.competitors.through,
    ):
        m2m_changed.connect(
            _invalidate, sender=through, dispatch_uid=f"dist-m2m-{through.__name__}"
        )
