"""L-4: delete every child whose grace period is over (as the worker does daily)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from acorn.leaving.purge import compact_database, purge_expired
from acorn.leaving.services import leaving_apply_due


class Command(BaseCommand):
    help = "Delete permanently every child whose 30-day grace period is over (L-4)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="act as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, as_of=None, **options):
        on = None
        if as_of:
            try:
                on = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError("--as-of takes a date as YYYY-MM-DD.") from None
        leaving_apply_due(on=on)
        records = purge_expired(on=on)
        for record in records:
            # Counts and dates only: no name, no date of birth, no child id.
            counts = ", ".join(f"{name} {number}" for name, number in record.counts.items())
            self.stdout.write(
                f"Deleted a child of setting {record.setting_id} (left {record.left_on}): {counts}"
            )
        self.stdout.write(f"{len(records)} child(ren) deleted; database: {compact_database()}.")
