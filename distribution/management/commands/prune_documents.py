from django.core.management.base import BaseCommand

from distribution.publication.services import documents_prune


class Command(BaseCommand):
    help = "Remove stored PDFs, one-pagers and slides of story versions that are no longer public."

    def handle(self, *args, **options):
        removed = documents_prune()
        self.stdout.write(f"Removed {removed} document{'' if removed == 1 else 's'}.")
