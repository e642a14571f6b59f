"""Issue 13: a child's journal is read through the per-child index in its own order, so a
page costs the same at 2,000 entries as at 20, with a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acorn.conftest import ApiClient
from acorn.core.api import _ordering
from acorn.core.tests.factories import ChildFactory, SettingFactory, observation, parent_of, staff
from acorn.journal import selectors
from acorn.journal.models import Observation, ObservationChild

pytestmark = pytest.mark.django_db

ENTRIES = 2_100


def _many_entries(child, author, count=ENTRIES):
    """`count` published entries about the child, several on each day (ties included)."""
    now = timezone.now()
    entries = [
        Observation(
            setting=child.setting,
            author=author,
            text=f"Entry {n}",
            observed_on=date(2025, 1, 1) + timedelta(days=n // 3),
            status=Observation.Status.PUBLISHED,
            created_at=now - timedelta(minutes=n % 2),
            updated_at=now,
            published_at=now,
        )
        for n in range(count)
    ]
    Observation.objects.bulk_create(entries, batch_size=500)
    ObservationChild.objects.bulk_create(
        [
            ObservationChild(
                observation=entry,
                child=child,
                observed_on=entry.observed_on,
                created_at=entry.created_at,
            )
            for entry in entries
        ],
        batch_size=500,
    )
    return entries


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("ANALYZE")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def big_journal():
    setting = SettingFactory()
    keyperson = staff(setting)
    child = ChildFactory(setting=setting, key_person=keyperson)
    other = ChildFactory(setting=setting, key_person=keyperson)
    _many_entries(child, keyperson)
    _many_entries(other, keyperson, count=300)
    return setting, keyperson, child


@pytest.mark.parametrize("reader", ["staff", "parent"])
def test_journal_page_uses_the_per_child_index_order_without_sorting(big_journal, reader):
    setting, keyperson, child = big_journal
    user = keyperson if reader == "staff" else parent_of(child)
    journal = selectors.journal_for(user, child)
    # As the API pages it: in the list's total order, one page at a time.
    plan = _plan(journal.order_by(*_ordering(journal))[:51])
    assert "journal_child_newest" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan, plan


def test_journal_order_is_newest_first_with_ties_broken_by_entry(big_journal):
    setting, keyperson, child = big_journal
    rows = list(selectors.journal_for(keyperson, child))
    assert len(rows) == ENTRIES
    keys = [(o.observed_on, o.created_at, o.pk) for o in rows]
    assert keys == sorted(keys, reverse=True)


def test_journal_api_pages_by_cursor_through_every_entry_once(big_journal):
    setting, keyperson, child = big_journal
    client = ApiClient(parent_of(child))
    seen = []
    url = f"/children/{child.pk}/journal"
    cursor = None
    # A new entry published while paging neither shifts nor repeats a page.
    for round_ in range(60):
        answer = client.get(url, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200
        body = answer.json()
        seen += [item["id"] for item in body["items"]]
        if round_ == 1:
            observation(author=keyperson, children=[child], text="Just now")
        cursor = body["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == ENTRIES


def test_journal_api_query_count_does_not_grow_with_entries(big_journal):
    setting, keyperson, child = big_journal
    client = ApiClient(parent_of(child))
    url = f"/children/{child.pk}/journal"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        body = client.get(url).json()
    with CaptureQueriesContext(connection) as later:
        client.get(url, cursor=body["next"])
    assert len(first) == len(later)


def test_supervised_entries_are_found_by_index_not_by_scanning_the_setting(big_journal):
    from acorn.org.selectors import observations_supervised_by

    setting, keyperson, child = big_journal
    leader = staff(setting, "manager")
    plan = _plan(observations_supervised_by(leader, setting)[:50])
    assert "obs_supervisor" in plan, plan


def test_the_review_list_reads_the_unreviewed_index_in_its_order(big_journal):
    """J-6 at any size: the newest unreviewed entries come in the index's order (no sort of
    the setting's entries); Today's count reads the same rows."""
    setting, keyperson, child = big_journal
    leader = staff(setting, "manager")
    if connection.vendor == "postgresql":
        # A table this small is cheaper to scan whole; at bench sizes the planner picks the
        # index by itself. Here: can the index give the order, with nothing sorted?
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
    plan = _plan(selectors.review_list(leader, setting)[:50])
    assert "obs_unreviewed" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan, plan
    waiting = selectors.waiting_counts(setting, leader)
    assert waiting["unreviewed"] == selectors.UNREVIEWED_SHOWN and waiting["unreviewed_more"]


def test_today_counts_a_small_backlog_exactly(big_journal):
    setting, keyperson, child = big_journal
    Observation.objects.filter(setting=setting).exclude(
        pk__in=Observation.objects.filter(setting=setting).values("pk")[:7]
    ).update(reviewed_at=timezone.now())
    waiting = selectors.waiting_counts(setting, staff(setting, "manager"))
    assert waiting["unreviewed"] == 7 and not waiting["unreviewed_more"]


def test_today_reads_what_a_leader_supervised_in_the_index_order(big_journal):
    """A-7 at any size: the newest entries a leader supervised in this setting come in
    the index's order, not from every entry they ever supervised, sorted."""
    from acorn.org.selectors import observations_supervised_by

    setting, keyperson, child = big_journal
    leader = staff(setting, "manager")
    Observation.objects.filter(setting=setting).update(supervisor=leader)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
    plan = _plan(observations_supervised_by(leader, setting)[:20])
    assert "obs_supervisor_setting" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan, plan


def test_the_staff_meeting_agenda_reads_its_own_index_in_its_order(big_journal):
    """Today counts the agenda on every visit, and the agenda lists it oldest reviewed
    first: both read the agenda's own index (a one-setting table was read whole)."""
    setting, keyperson, child = big_journal
    waiting = Observation.objects.filter(setting=setting).order_by("created_at")[:5]
    Observation.objects.filter(pk__in=[o.pk for o in waiting]).update(
        discuss_at_meeting=True, reviewed_at=timezone.now()
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
    leader = staff(setting, "manager")
    plan = _plan(selectors.agenda(leader, setting))
    assert "obs_agenda_waiting" in plan, plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan and "SCAN journal_observation" not in plan, plan
    else:
        assert "Sort" not in plan, plan
    assert selectors.waiting_counts(setting, leader)["agenda"] == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_consent_check_on_each_photo_reads_only_children_without_consent(big_journal):
    """C-2 asks, for each photo of a list, whether a child without photo consent appears
    in it: that is answered from the partial index of such children, not by reading the
    children of every setting for each photo."""
    setting, keyperson, child = big_journal
    parent = parent_of(child)
    ids = list(selectors.journal_for(parent, child).values_list("pk", flat=True)[:50])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a test's tables are small enough to read
    plan = _plan(selectors.media_visible_to(parent).filter(observation_id__in=ids))
    assert "child_without_consent" in plan, plan
    assert "Seq Scan on children_child" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_postgresql_costs_random_reads_as_for_memory():
    """Acorn's connections tell the planner its data is in memory (ACORN_DB_RANDOM_PAGE_COST,
    1.1 unless set): at the server's default of 4 it read small tables whole instead of
    the per-child index."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == pytest.approx(1.1)
