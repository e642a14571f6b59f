"""Issue 13: rules asked on every request are kept in the process, built or compiled
(`acorn.core.kept`). What a person may see must still follow the database at once, and be
the same as the rule built afresh, for every kind of person, including people who belong
to two places at once."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Exists, OuterRef
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from acorn.children import selectors as children
from acorn.children.models import Child, ParentLink
from acorn.core.kept import (
    Kept,
    Statement,
    Text,
    compiled,
    placeholder_for,
    placeholders,
    prefetch_into,
    statement,
)
from acorn.core.tests import factories as f
from acorn.core.tests.factories import fresh
from acorn.leaving.models import Leaving
from acorn.org.models import Membership

pytestmark = pytest.mark.django_db


def test_kept_gives_back_what_it_built_and_lets_the_oldest_go_when_full():
    kept = Kept(size=2)
    built = []

    def build(value):
        built.append(value)
        return value

    assert kept.get("a", lambda: build(1)) == 1
    assert kept.get("a", lambda: build(2)) == 1
    kept.get("b", lambda: build(3))
    kept.get("c", lambda: build(4))  # "a" goes
    assert kept.get("a", lambda: build(5)) == 5
    assert built == [1, 3, 4, 5]


def test_compiled_reads_the_same_rows_and_values_as_the_queryset(world):
    leaving = Exists(Leaving.objects.filter(child_id=OuterRef("pk")))
    rule = Child.objects.filter(setting=world.setting_a).annotate(is_leaving=leaving)
    fast = compiled(rule)
    assert sorted((c.pk, c.is_leaving) for c in fast) == sorted((c.pk, c.is_leaving) for c in rule)
    assert {c.pk for c in fast} == {world.child.pk, world.other_child.pk}
    # Kept, it still reads the database: a new leaving record shows at once.
    Leaving.objects.create(
        child=world.child, leaving_on=timezone.localdate(), recorded_by=world.manager
    )
    assert {c.pk: c.is_leaving for c in fast.all()}[world.child.pk] is True
    # A condition that can match nothing, and one that matches everything.
    assert list(compiled(Child.objects.filter(pk__in=[]))) == []
    assert compiled(Child.objects.all()).count() == Child.objects.count()


def test_compiled_refuses_a_condition_on_another_table(world):
    with pytest.raises(ValueError):
        compiled(Child.objects.filter(setting__name="Acorn Tree Nursery"))


def _can_open(user, child) -> bool:
    try:
        children.child_for(fresh(user), child.pk)
    except Exception:  # 404, or a refusal saying what is missing
        return False
    return True


def _rule_says(user, child) -> bool:
    return children.children_visible_to(fresh(user)).filter(pk=child.pk).exists()


def test_kept_child_lookups_follow_the_rule_for_everyone_and_every_change(world):
    # A parent who is also uncleared staff of the same setting, and staff of two settings.
    parent_staff = f.parent_of(world.child, email="both@a.test")
    Membership.objects.create(user=parent_staff, setting=world.setting_a, role="practitioner")
    dual = f.staff(world.setting_a, email="dual@a.test")
    Membership.objects.create(user=dual, setting=world.setting_b, role="practitioner")
    people = [
        world.manager,
        world.key_person,
        world.parent,
        world.other_parent,
        world.other_manager,
        world.far_parent,
        parent_staff,
        dual,
    ]
    kids = [world.child, world.other_child, world.far_child]

    def check():
        seen = {}
        for person in people:
            for child in kids:
                assert _can_open(person, child) == _rule_says(person, child), (person, child)
                seen[(person.email, child.first_name)] = _can_open(person, child)
        return seen

    before = check()
    assert before[("parent@a.test", "Xander")] and not before[("parent@a.test", "Yasmin")]
    assert before[("both@a.test", "Xander")] and not before[("both@a.test", "Yasmin")]
    assert not before[("dual@a.test", "Zoe")]  # not cleared at Birch
    # The link ends: the parent's kept lookups follow on the next request.
    ParentLink.objects.filter(parent=world.parent).delete()
    assert not _can_open(world.parent, world.child)
    assert children.active_child_ids(fresh(world.parent)) == set()
    # Xander leaves: practitioners lose him on the day, his parents after the grace period.
    Leaving.objects.create(
        child=world.child, leaving_on=timezone.localdate(), recorded_by=world.manager
    )
    after = check()
    assert not after[("key@a.test", "Xander")] and after[("manager@a.test", "Xander")]
    assert after[("both@a.test", "Xander")]
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert children.linked_child_ids(fresh(parent_staff)) == set()
        assert not _can_open(parent_staff, world.child)


def test_a_statement_reads_what_its_queryset_reads_with_new_ids_each_run(world):
    slot = placeholders(1)
    lookup = Child.objects.select_related("setting", "key_person").filter(pk=slot[0])
    statement = Statement(lookup, slot)
    for child in (world.child, world.other_child, world.far_child):
        [row] = statement.rows([child.pk])
        assert row.pk == child.pk and row.first_name == child.first_name
        assert row.setting.name == child.setting.name  # related rows read with it
        assert row.key_person.email == child.key_person.email
    assert statement.rows([uuid.uuid4()]) == []
    # Still the database each run: a change shows at once.
    Child.objects.filter(pk=world.child.pk).update(first_name="Renamed")
    assert statement.rows([world.child.pk])[0].first_name == "Renamed"
    with pytest.raises(ValueError):
        statement.rows([])
    # A placeholder the SQL doesn't hold is refused when it is compiled.
    with pytest.raises(ValueError):
        Statement(Child.objects.all(), placeholders(1))
    # A queryset that can match nothing reads nothing.
    assert Statement(Child.objects.none()).rows() == []


def test_a_run_is_a_list_so_nothing_is_chained_onto_its_sql(world):
    statement = Statement(Child.objects.filter(setting=world.setting_a).order_by("first_name"))
    rows = statement.rows()
    assert isinstance(rows, list)
    assert [c.pk for c in rows] == list(
        Child.objects.filter(setting=world.setting_a)
        .order_by("first_name")
        .values_list("pk", flat=True)
    )
    # The kept queryset itself is untouched by a run.
    assert "get_compiler" not in statement.queryset.query.__dict__


@pytest.mark.django_db(transaction=True)
def test_a_statement_compiled_in_one_thread_runs_on_another_threads_connection(world):
    import threading

    from django.db import connections

    ours = connections["default"]
    statement = Statement(Child.objects.filter(setting=world.setting_a).order_by("pk"))
    expected = [c.pk for c in statement.rows()]
    found, failed = [], []

    def other_thread():
        theirs = connections["default"]
        try:
            # Django refuses a connection used from a thread other than its own.
            found.extend(c.pk for c in statement.rows())
            failed.append(theirs is ours)
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append(exc)
        finally:
            theirs.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert failed == [False]
    assert found == expected


def test_prefetch_into_fills_each_instance_in_order_and_sets_the_owner(world):
    kept = Kept()
    parents = list(Child.objects.filter(setting=world.setting_a).order_by("pk"))

    def links(ids):
        return ParentLink.objects.filter(child_id__in=ids).order_by("parent__email")

    prefetch_into(parents, kept, "links", links, field="child", to_attr="listed")
    for child in parents:
        assert [link.pk for link in child.listed] == list(
            ParentLink.objects.filter(child=child)
            .order_by("parent__email")
            .values_list("pk", flat=True)
        )
        assert all(link.child is child for link in child.listed)
    assert any(child.listed for child in parents)
    # One statement per number of instances, kept.
    prefetch_into(parents[:1], kept, "links", links, field="child", to_attr="listed")
    assert len(kept.items) == 2
    prefetch_into([], kept, "links", links, field="child", to_attr="listed")
    assert len(kept.items) == 2


def test_a_kept_statement_takes_ids_times_and_lists_as_slots_and_the_rest_as_key(world):
    from acorn.journal.models import Observation

    calls = []

    @statement
    def entries(setting_id, since, child_ids, status):
        calls.append((setting_id, since, child_ids, status))
        return Observation.objects.filter(
            setting_id=setting_id,
            created_at__gte=since,
            links__child_id__in=child_ids,
            status=status,
        ).order_by("pk")

    made = f.observation(author=world.key_person, children=[world.child])
    other = f.observation(author=world.other_manager, children=[world.far_child])
    long_ago = timezone.now() - timedelta(days=1)
    asked = [
        (world.setting_a.pk, long_ago, [world.child.pk, world.other_child.pk], "published"),
        (world.setting_b.pk, long_ago, [world.far_child.pk, world.child.pk], "published"),
        (world.setting_a.pk, timezone.now() + timedelta(days=1), [world.child.pk, world.far_child.pk], "published"),
        (world.setting_a.pk, long_ago, [world.child.pk, world.far_child.pk], "draft"),
        (world.setting_a.pk, long_ago, [world.child.pk], "published"),
    ]  # fmt: skip
    for args in asked:
        expected = [o.pk for o in entries(*args)]
        assert [o.pk for o in entries.rows(*args)] == expected, args
        assert entries.count(*args) == len(expected), args
    assert [o.pk for o in entries.rows(*asked[0])] == [made.pk]
    assert [o.pk for o in entries.rows(*asked[1])] == [other.pk]
    # One statement per status and per number of ids; the ids and times are slots.
    assert len(entries.kept.items) == 3
    # The builder was only asked for the comparisons above and the three compilations.
    assert len(calls) == len(asked) + 3
    with pytest.raises(TypeError):
        entries.rows(world.setting_a.pk, long_ago, ["not an id"], "published")


def test_a_placeholder_django_changes_on_its_way_into_the_sql_is_refused(world):
    @statement
    def named(setting_id, word):
        return Child.objects.filter(setting_id=setting_id, first_name__icontains=word)

    # A word is key, not slot: each word its own statement.
    assert {c.pk for c in named.rows(world.setting_a.pk, "xan")} == {world.child.pk}
    # A date inside a LIKE pattern can't be put back: refused when compiled.
    slot = placeholder_for(timezone.localdate())
    with pytest.raises(ValueError):
        Statement(Child.objects.filter(first_name__contains=slot), [slot])


def test_text_in_a_slot_matches_exactly_and_each_value_is_its_own(world):
    from acorn.accounts.models import ApiToken, hash_token
    from acorn.accounts.services import _token_by_hash, token_find_usable
    from acorn.core.kept import Text

    later = timezone.now() + timedelta(days=1)
    for person, secret in ((world.parent, "first-secret"), (world.far_parent, "second-secret")):
        ApiToken.objects.create(user=person, token_hash=hash_token(secret), expires_at=later)
    assert token_find_usable("first-secret").user == world.parent
    assert token_find_usable("second-secret").user == world.far_parent
    assert token_find_usable("first-secre") is None
    assert token_find_usable("%") is None and token_find_usable("' OR 1=1 --") is None
    assert len(_token_by_hash.kept.items) == 1  # one statement for every token
    with pytest.raises(ValueError):  # a pattern can't be put back in its place
        Statement(Child.objects.filter(first_name__icontains=Text("x")), [Text("x")])


def test_postgresql_prepares_a_statement_a_connection_runs_again(world):
    """On PostgreSQL values are bound on the server and a query run the fifth time on a
    connection is prepared, so it is planned once per connection (issue 13)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    statement = Statement(Child.objects.filter(setting=world.setting_a).order_by("pk"))
    for _ in range(6):
        assert len(statement.rows()) == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "children_child"%'],
        )
        assert cursor.fetchone()[0] >= 1


def test_a_value_the_sql_holds_twice_is_put_in_both_places(world):
    from django.db.models import Exists, OuterRef

    @statement
    def led_here(setting_id):
        members = Membership.objects.filter(setting_id=setting_id, user=OuterRef("key_person"))
        return Child.objects.filter(setting_id=setting_id).filter(Exists(members)).order_by("pk")

    for setting in (world.setting_a, world.setting_b):
        assert [c.pk for c in led_here.rows(setting.pk)] == [c.pk for c in led_here(setting.pk)]
    assert {c.setting_id for c in led_here.rows(world.setting_b.pk)} == {world.setting_b.pk}
    assert led_here.rows(world.setting_b.pk)


def test_a_statement_converts_every_column_as_django_does(world):
    """Its converters are worked out once, the UUID one swapped for one that keeps the
    ids already read: each value must still be what Django's own converters give."""
    from acorn.journal.models import Observation

    f.observation(author=world.key_person, children=[world.child])
    f.observation(author=world.manager, children=[world.other_child], status="draft")
    queryset = Observation.objects.select_related("author", "setting").order_by("created_at")
    expected = list(queryset)
    statement = Statement(queryset)
    for _ in range(2):  # the first run works the converters out, the second reuses them
        rows = statement.rows()
        assert len(rows) == len(expected)
        for row, want in zip(rows, expected, strict=True):
            for field in Observation._meta.concrete_fields:
                got, wanted = getattr(row, field.attname), getattr(want, field.attname)
                assert got == wanted and type(got) is type(wanted), field.name
                if hasattr(got, "utcoffset"):  # times aware, and in the same zone
                    assert got.utcoffset() == wanted.utcoffset() is not None, field.name
            assert row.author.pk == want.author.pk and row.setting.pk == want.setting.pk
    assert [row.supervisor_id for row in rows] == [None, None]  # a null id stays None
    if statement.compiler.connection.vendor == "sqlite":  # ids kept: one object per id
        again = statement.rows()
        assert again[0].setting_id is rows[0].setting_id


def test_a_statement_of_values_reads_them_as_django_does_and_each_query_is_seen(world):
    """`values_list` statements read their rows from the cursor themselves: flat or not,
    with and without columns to convert, each value as Django's own iterable gives it,
    and each query still through Django's cursor (query logs and counts see it)."""
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from acorn.journal.models import Observation

    f.observation(author=world.key_person, children=[world.child], text="One")
    f.observation(author=world.manager, children=[world.other_child], text="Two")
    ordered = Observation.objects.order_by("created_at")
    shapes = [
        ordered.values_list("pk", "author_id", "created_at", "observed_on", "areas", "text"),
        ordered.values_list("created_at", flat=True),
        ordered.values_list("text", flat=True),  # nothing to convert
        ordered.values_list("text", "status"),
        ordered.annotate(who=F("author__name")).values_list("who", "pk"),
    ]

    def _types(rows):
        return [type(v) for row in rows for v in (row if isinstance(row, tuple) else [row])]

    for queryset in shapes:
        expected = list(queryset)
        statement = Statement(queryset)
        for _ in range(2):  # the first run works the shape out, the second reuses it
            with CaptureQueriesContext(connection) as seen:
                rows = statement.rows()
            assert rows == expected and len(seen) == 1
            assert _types(rows) == _types(expected)
    assert statement.flat is False


def test_counts_asked_together_are_each_statements_own(world):
    """`counted_together` asks several counts in one query: each must be the count its
    statement gives alone, with its own values, and a query that can match nothing is 0."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acorn.core.kept import counted_together

    @statement
    def of_setting(setting_id):
        return Child.objects.filter(setting_id=setting_id)

    @statement
    def named(setting_id, first_name):
        return Child.objects.filter(setting_id=setting_id, first_name=first_name)

    @statement
    def nothing(setting_id):
        return Child.objects.none()

    asked = [
        (of_setting, (world.setting_a.pk,)),
        (of_setting, (world.setting_b.pk,)),
        (named, (world.setting_a.pk, Text("Xander"))),
        (nothing, (world.setting_a.pk,)),
    ]
    with CaptureQueriesContext(connection) as queries:
        together = counted_together(*asked)
    assert len(queries) == 1
    assert together == [build.count(*args) for build, args in asked] == [2, 1, 1, 0]
    assert counted_together() == []


def test_whether_statements_find_anything_is_asked_together(world):
    """`found_together` asks in one query whether each statement gives any row: each
    answer is its statement's own, with its own values, slices and order included, and a
    query that can match nothing finds nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acorn.core.kept import found_together

    @statement
    def named(setting_id, first_name):
        return Child.objects.filter(setting_id=setting_id, first_name=first_name)

    @statement
    def first_two(setting_id):
        return Child.objects.filter(setting_id=setting_id).order_by("-first_name")[:2]

    @statement
    def nothing(setting_id):
        return Child.objects.none()

    asked = [
        (named, (world.setting_a.pk, Text("Xander"))),
        (named, (world.setting_b.pk, Text("Xander"))),
        (first_two, (world.setting_b.pk,)),
        (named, (world.setting_a.pk, Text("Nobody"))),
        (nothing, (world.setting_a.pk,)),
    ]
    with CaptureQueriesContext(connection) as queries:
        found = found_together(*asked)
    assert len(queries) == 1
    assert found == [bool(build.rows(*args)) for build, args in asked]
    assert found == [True, False, True, False, False]
    assert found_together() == [] and found_together((nothing, (world.setting_a.pk,))) == [False]


def test_psycopg_keeps_a_long_statement_converted(world):
    """A list's query is longer than psycopg keeps by default: Acorn raises its limits, so
    a statement run again is not converted to PostgreSQL's placeholders again."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from psycopg import _queries

    ids = placeholders(60)  # more values than psycopg keeps by default (50)
    statement = Statement(Child.objects.filter(pk__in=ids).extra(where=["1 = 1" + " " * 5000]), ids)
    assert len(statement.sql) > 4096
    statement.rows([world.child.pk, *placeholders(59)])
    before = _queries._query2pg.cache_info().hits
    assert [row.pk for row in statement.rows([world.child.pk, *placeholders(59)])] == [
        world.child.pk
    ]
    assert _queries._query2pg.cache_info().hits > before


def test_a_slots_id_is_prepared_as_uuidfield_prepares_it(db):
    from django.db import connection
    from django.db.models import UUIDField

    from acorn.core.kept import _prepared

    value = uuid.uuid4()
    assert _prepared(value, connection) == UUIDField().get_db_prep_value(value, connection)


def test_a_constant_is_written_into_the_sql_and_selects_as_a_value_would(world):
    """`Constant` puts a word of the code into the SQL itself, so PostgreSQL plans a
    prepared statement knowing it: the rows are those the value would select, and
    nothing but a plain word is accepted."""
    from django.db import connection

    from acorn.core.kept import Constant
    from acorn.journal.models import Observation

    f.observation(author=world.key_person, children=[world.child])
    f.observation(author=world.key_person, children=[world.child], status="draft")
    as_value = Observation.objects.exclude(status="draft").order_by("pk")
    as_constant = Observation.objects.exclude(status=Constant("draft")).order_by("pk")
    sql, params = as_constant.query.sql_with_params()
    assert "'draft'" in sql and "draft" not in params
    assert list(as_constant) == list(as_value) and len(as_value) == 1
    for word in ("draft'; DROP TABLE x; --", "Draft", "", "a b", ".draft", 1, None):
        with pytest.raises(ValueError):
            Constant(word)
    # Booleans, and words with dots (an audit action), select as their values would.
    for value in (True, False):
        as_constant = Observation.objects.filter(by_parent=Constant(value))
        assert list(as_constant) == list(Observation.objects.filter(by_parent=value))
        assert not as_constant.query.sql_with_params()[1]
    assert str(Constant("probing.noticed").as_sql(None, connection)[0]) == "'probing.noticed'"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_read_by_a_statement_is_what_django_reads_and_each_row_its_own(value):
    """Statements keep the values of short JSON texts they have read (`_json_from_text`):
    each must equal Django's own reading, whatever the JSON, and a row's list or
    dictionary is its own, so changing it changes nothing another row reads."""
    import json

    from django.db import connection

    from acorn.core.kept import _json_from_text
    from acorn.journal.models import Observation

    field = Observation._meta.get_field("areas")
    quick = _json_from_text(connection, field.from_db_value)
    text = json.dumps(value)
    for _ in range(2):  # read, then read again from what was kept
        got = quick(text, field.get_col("journal_observation"), connection)
        assert got == field.from_db_value(text, None, connection)
        if isinstance(got, list):
            got.append("changed")
        elif isinstance(got, dict):
            got["changed"] = True
    assert quick(text, None, connection) == value
    assert quick(None, None, connection) is None
    assert quick("not json", None, connection) == "not json"


def test_a_statement_builds_instances_as_djangos_iterable_does(world):
    """Statements build model instances themselves: with related rows (and a missing
    one), annotations, deferred fields and peers fetched together, each instance is what
    Django's own iterable gives."""
    from django.db import connection
    from django.db.models import FETCH_PEERS, F
    from django.test.utils import CaptureQueriesContext

    from acorn.journal.models import Observation

    f.observation(author=world.key_person, children=[world.child], text="One")
    f.observation(author=world.manager, children=[world.other_child], text="Two")
    Observation.objects.filter(text="Two").update(author=None, author_label="Imported")
    queryset = (
        Observation.objects.select_related("author")
        .annotate(where=F("setting__name"))
        .defer("text", "author__email")
        .fetch_mode(FETCH_PEERS)
        .order_by("created_at")
    )
    expected = list(queryset)
    statement = Statement(queryset)
    for _ in range(2):
        rows = statement.rows()
        assert statement.models is not None
        assert [(r.pk, r.where, r.author_id, r.get_deferred_fields()) for r in rows] == [
            (e.pk, e.where, e.author_id, e.get_deferred_fields()) for e in expected
        ]
        assert [r.author and (r.author.pk, r.author.get_deferred_fields()) for r in rows] == [
            e.author and (e.author.pk, e.author.get_deferred_fields()) for e in expected
        ]
        assert all(not r._state.adding and r._state.db == "default" for r in rows)
        with CaptureQueriesContext(connection) as queries:
            assert [r.text for r in rows] == ["One", "Two"]
        assert len(queries) == 1  # the deferred text of both, read together


def test_related_rows_gather_peers_of_their_own_run_only(world):
    """A statement keeps how it builds related rows between runs, except where related
    rows gather their peers (FETCH_PEERS): each run's authors are peers of that run's
    authors alone, not of an earlier request's."""
    from django.db.models import FETCH_ONE, FETCH_PEERS

    from acorn.journal.models import Observation

    f.observation(author=world.key_person, children=[world.child], text="One")
    f.observation(author=world.manager, children=[world.other_child], text="Two")
    statement = Statement(
        Observation.objects.select_related("author").fetch_mode(FETCH_PEERS).order_by("text")
    )
    statement.rows()
    second = statement.rows()
    authors = [row.author for row in second]
    peers = [ref() for ref in authors[0]._state.peers]
    assert len(peers) == len(authors)
    assert all(any(peer is author for author in authors) for peer in peers)

    plain = Statement(Observation.objects.select_related("author"))
    plain.rows()
    assert plain.models.readers("default", FETCH_ONE) is plain.models.readers("default", FETCH_ONE)


def test_a_choice_in_a_statement_is_passed_as_its_plain_value(world):
    """Django hands a TextChoices member to the driver as it is; a statement hands over
    the plain value it stands for (the driver adapts a subclass of str on every run), and
    reads the same rows as the queryset."""
    attending = Child.objects.filter(status=Child.Status.ACTIVE, setting=world.child.setting)
    statement = Statement(attending)
    assert any(value is Child.Status.ACTIVE for value in attending.query.sql_with_params()[1])
    assert Child.Status.ACTIVE.value in statement.params
    assert all(type(value) is not Child.Status for value in statement.params)
    assert sorted(c.pk for c in statement.rows()) == sorted(c.pk for c in attending)
