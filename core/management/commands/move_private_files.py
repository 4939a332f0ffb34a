from django.core.management.base import BaseCommand

from core.private_files import move_to_private


class Command(BaseCommand):
    help = (
        "Move interview recordings, transcripts, supplementary files, proposal packs and "
        "rendered documents from the public media storage to the private one (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be moved.")

    def handle(self, *args, dry_run=False, **options):
        report = move_to_private(dry_run=dry_run)
        verb = "Would move" if dry_run else "Moved"
        for name in report.moved:
            self.stdout.write(f"{verb}: {name}")
        for name in report.missing:
            self.stderr.write(f"Missing in both storages: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(report.moved)} file(s); {len(report.already_private)} already "
                f"private; {len(report.missing)} missing."
            )
        )
