import time

from django.core.management.base import BaseCommand

from core.page_cache import bump_generation
from distribution.publication import facets
from distribution.publication.search import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the gallery's full-text index from the published stories "
        "(after bulk loads, which send no signals)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = search_index_rebuild()
        facets.mark_changed()  # the facet cells are recounted by the next reader
        bump_generation()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} public story versions in {time.monotonic() - started:.1f}s."
            )
        )
