from django.core.management.base import BaseCommand, CommandError

from acorn.ops import backup


class Command(BaseCommand):
    help = (
        "Restore the database and stored files from a backup folder, then delete again "
        "whatever was deleted since the backup was taken. Stop Acorn and its workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="An acorn-backup-… folder made by `backup`.")
        parser.add_argument(
            "--yes", action="store_true", help="Don't ask: this replaces the current data."
        )

    def handle(self, *args, folder, yes=False, **options):
        try:
            backup.verify(folder)
            if not yes and input("This replaces all current data. Type 'restore': ") != "restore":
                raise CommandError("Nothing was restored.")
            outcome = backup.restore(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {outcome['files']} file(s); removed {outcome['removed']} made since; "
            f"re-applied {outcome['deletions']} deletion(s) made since the backup."
        )
