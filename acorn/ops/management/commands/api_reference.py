"""Print the API reference (Markdown, from the OpenAPI schema), or `--write` it to
docs/api.md."""

from django.core.management.base import BaseCommand

from acorn.ops.apidoc import REFERENCE, current_reference


class Command(BaseCommand):
    help = "Write the API reference (docs/api.md) from the OpenAPI schema."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Rewrite docs/api.md.")

    def handle(self, *args, write=False, **options):
        text = current_reference()
        if write:
            REFERENCE.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {REFERENCE}")
        else:
            self.stdout.write(text, ending="")
