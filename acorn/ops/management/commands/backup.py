from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from acorn.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database and every stored file together, with a manifest of "
        "checksums. Safe while Acorn is running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=None,
            help="Folder to write the backup in (default: $ACORN_DATA_DIR/backups).",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="Also remove backups in that folder older than this many days.",
        )

    def handle(self, *args, to=None, keep_days=None, **options):
        destination = Path(to or Path(settings.DATA_DIR) / "backups")
        destination.mkdir(parents=True, exist_ok=True)
        try:
            folder = backup.backup(destination)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {folder}")
        if keep_days is not None:
            for old in backup.expire(destination, keep_days=keep_days):
                self.stdout.write(f"Removed expired backup {old.name}")
