"""Demo reports (called by `manage.py seed_demo`; idempotent): Amara's summative report for
last term, shared with her mum, and a draft progress check at age two for Will."""

from django.utils import timezone

from acorn.accounts.models import User
from acorn.children.models import Child
from acorn.eyfs.models import Term
from acorn.reports import selectors, services
from acorn.reports.models import Report


def seed_reports(setting) -> None:
    manager = User.objects.get(email="manager@demo.acorn.test")
    children = {c.first_name: c for c in Child.objects.filter(setting=setting)}
    today = timezone.localdate()
    last_term = Term.objects.filter(setting=setting, ends_on__lt=today).order_by("-ends_on").first()
    amara = children.get("Amara")
    if (
        amara is not None
        and last_term is not None
        and not Report.objects.filter(child=amara, kind="summative").exists()
    ):
        report = services.report_create(
            child=amara, kind="summative", term=last_term, author=amara.key_person
        )
        photos = list(
            selectors.photo_candidates(amara, report.period_start, report.period_end).values_list(
                "pk", flat=True
            )[:3]
        )
        report = services.report_update(
            report=report,
            editor=amara.key_person,
            photo_ids=photos,
            summary=(
                "Amara has had a busy, happy term. She loves the garden and the role-play "
                "kitchen, and she has made firm friends in the Acorns room."
            ),
        )
        report = services.report_submit(report=report, person=amara.key_person)
        report = services.report_review(report=report, reviewer=manager, approve=True)
        services.report_share(report=report, person=manager)
    will = children.get("Will")
    if will is not None and not Report.objects.filter(child=will, kind="two_year_check").exists():
        services.report_create(child=will, kind="two_year_check", author=will.key_person)
