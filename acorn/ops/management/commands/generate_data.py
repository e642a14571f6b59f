"""Synthetic data at a chosen size, for benchmarks and load tests (never in production)."""

import time

from django.core.management.base import BaseCommand, CommandError

from acorn.ops.synthetic import PASSWORD, generate


class Command(BaseCommand):
    help = (
        "Generate settings, staff, children, parents, observations, replies and media "
        "records with bulk inserts: --entries 3000 (or 100000, 1000000)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=3_000)
        parser.add_argument("--children-per-setting", type=int, default=40)
        parser.add_argument("--entries-per-setting", type=int, default=25_000)
        parser.add_argument("--prefix", default="bench", help="names and email domain")

    def handle(self, *args, **options):
        from acorn.accounts.models import User

        if options["entries"] < 1:
            raise CommandError("--entries must be at least 1.")
        domain = f"{options['prefix']}.acorn.test"
        if User.objects.filter(email__endswith=f"@{domain}").exists():
            raise CommandError(
                f"This database already has {domain} data; use another --prefix or a fresh database."
            )
        started = time.monotonic()
        result = generate(
            entries=options["entries"],
            children_per_setting=options["children_per_setting"],
            entries_per_setting=options["entries_per_setting"],
            prefix=options["prefix"],
            log=lambda message: self.stderr.write(message),
        )
        sample = result.sample
        self.stdout.write(
            f"Made {len(result.settings)} settings, {result.entries} entries, "
            f"{result.media} media records and {result.replies} replies "
            f"in {time.monotonic() - started:.0f} s.\n"
            f"Sign in (password {PASSWORD}): manager {sample['manager'].email}, "
            f"key person {sample['key_person'].email}, parent {sample['parent'].email}."
        )
