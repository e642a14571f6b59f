from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from acorn.org.services import setting_create


class Command(BaseCommand):
    help = "Create a setting and invite its first manager; prints the invitation URL."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--manager-email", required=True)
        parser.add_argument("--manager-name", required=True)
        parser.add_argument("--timezone", default="Europe/London")

    def handle(self, *args, name, manager_email, manager_name, timezone, **options):
        try:
            validate_email(manager_email)
        except ValidationError:
            raise CommandError(f"{manager_email!r} is not a valid email address.") from None
        if not name.strip() or not manager_name.strip():
            raise CommandError("The setting's name and the manager's name can't be empty.")
        setting, _invitation, raw = setting_create(
            name=name, manager_email=manager_email, manager_name=manager_name, timezone=timezone
        )
        self.stderr.write(f"Created setting {setting.name} ({setting.pk}).")
        self.stdout.write(f"{settings.ACORN_BASE_URL}/invite/{raw}")
