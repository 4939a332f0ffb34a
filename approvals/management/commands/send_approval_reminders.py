"""``manage.py send_approval_reminders``: what the beat tasks do, on demand
(cron, or by hand). Safe to run at any time and as often as you like: every
reminder, escalation and digest goes out once."""

from django.core.management.base import BaseCommand

from approvals import reminders


class Command(BaseCommand):
    help = (
        "Send due approval reminders and escalations, then today's digest of overdue "
        "approvals to program managers (each at most once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-digest",
            action="store_true",
            help="Only reminders and escalations; skip the daily digest.",
        )

    def handle(self, *args, **options):
        result = reminders.reminders_sweep()
        self.stdout.write(f"Reminders and escalations: {result}.")
        if not options["no_digest"]:
            sent = reminders.digests_send()
            self.stdout.write(f"Digests: {sent} sent.")
