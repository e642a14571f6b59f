"""L-5: bring a keepsake exported by another Acorn installation into a setting here."""

from django.core.management.base import BaseCommand, CommandError

from acorn.leaving.importer import ImportRefused, keepsake_import


class Command(BaseCommand):
    help = (
        "Import a keepsake (the zip a family downloaded from another Acorn) as a child "
        "transferred into a setting here; prints the new child's id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--setting", required=True, help="the receiving setting's id")
        parser.add_argument(
            "--key-person", required=True, help="email of the child's key person (cleared staff)"
        )
        parser.add_argument("file", help="the keepsake zip")

    def handle(self, *args, setting, key_person, file, **options):
        import uuid

        try:
            setting_id = uuid.UUID(setting)
        except ValueError:
            raise CommandError(f"{setting!r} isn't a setting id.") from None
        try:
            imported = keepsake_import(
                path=file, setting_id=setting_id, key_person_email=key_person
            )
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None
        child, counts = imported.child, imported.counts
        self.stderr.write(
            f"Imported {child.full_name} into {child.setting.name}: "
            f"{counts['entries']} entries, {counts['from_home']} from home, "
            f"{counts['replies']} replies, {counts['photos']} photos, {counts['videos']} videos, "
            f"{counts['reports']} shared reports (read-only)."
        )
        if counts["not_imported"]:
            self.stderr.write(
                f"{counts['not_imported']} contribution(s) from home that were never added to "
                "the journal were left out."
            )
        for note in imported.notes:
            self.stderr.write(note)
        self.stderr.write(
            "Parents are not linked automatically: invite them from the child's profile as "
            "usual. Their photo consent is asked for again."
        )
        self.stdout.write(str(child.pk))
