import time

from django.core.management.base import BaseCommand

from core.page_cache import bump_generation
from distribution.sales.index import sales_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the sales portal's full-text index (quotes, metrics, objections, "
        "competitors and text of every usable story, English and Indonesian "
        "configurations): after bulk loads, which send no signals, or after a "
        "change of text search configuration."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = sales_index_rebuild()
        bump_generation()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} stories for sales search in {time.monotonic() - started:.1f}s."
            )
        )
