import time

from django.core.management import call_command
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
        # The sales portal's index too (issue 18): every caller after a bulk load.
        call_command("reindex_sales_search", stdout=self.stdout)
        facets.mark_changed()  # the facet cells are recounted by the next reader
        bump_generation()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} public story versions in {time.monotonic() - started:.1f}s."
            )
        )
