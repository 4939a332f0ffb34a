from django.core.management.base import BaseCommand

from distribution.publication.services import usage_rights_expire


class Command(BaseCommand):
    help = "Archive published case studies whose usage rights have expired (runs daily)."

    def handle(self, *args, **options):
        archived = usage_rights_expire()
        noun = "case study" if len(archived) == 1 else "case studies"
        self.stdout.write(f"Archived {len(archived)} {noun}.")
