from django.core.management.base import BaseCommand

from acorn.journal.media import media_requeue_stale


class Command(BaseCommand):
    help = (
        "Retry photos and videos whose processing was interrupted (a worker that died "
        "mid-job). Safe to run at any time; run it when workers start and every few minutes."
    )

    def handle(self, *args, **options):
        outcome = media_requeue_stale()
        self.stdout.write(
            f"Requeued {outcome['requeued']} item(s); {outcome['failed']} out of attempts."
        )
