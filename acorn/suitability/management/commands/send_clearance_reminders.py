from datetime import date

from django.core.management.base import BaseCommand

from acorn.suitability.services import clearance_reminders_send


class Command(BaseCommand):
    help = (
        "Email staff and session leaders before suitability checks lapse. Run daily (cron); "
        "running it again the same day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (testing)")

    def handle(self, *args, as_of=None, **options):
        sent = clearance_reminders_send(today=as_of)
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
