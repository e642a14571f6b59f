"""The demo's reports (seed_demo calls seed_reports): one shared summative report and one
draft two year check, however often it runs."""

from datetime import timedelta

from django.utils import timezone

from acorn.core.tests import factories as f
from acorn.eyfs.models import Term
from acorn.reports.demo import seed_reports
from acorn.reports.models import Report


def test_seed_reports_adds_a_shared_summative_and_a_draft_two_year_check_once(db):
    setting = f.SettingFactory(name="Oak Tree Pre-school (demo)")
    f.staff(setting, "manager", email="manager@demo.acorn.test")
    key_person = f.staff(setting, email="keyperson@demo.acorn.test")
    today = timezone.localdate()
    Term.objects.create(
        setting=setting,
        name="Last term",
        starts_on=today - timedelta(days=120),
        ends_on=today - timedelta(days=30),
    )
    f.ChildFactory(setting=setting, first_name="Amara", key_person=key_person)
    f.ChildFactory(
        setting=setting,
        first_name="Will",
        key_person=key_person,
        date_of_birth=today - timedelta(days=820),
    )
    seed_reports(setting)
    seed_reports(setting)
    shared = Report.objects.get(kind="summative")
    assert shared.status == "shared" and shared.child.first_name == "Amara"
    draft = Report.objects.get(kind="two_year_check")
    assert draft.status == "draft" and draft.child.first_name == "Will"
