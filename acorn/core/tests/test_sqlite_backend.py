"""Acorn's SQLite backend (acorn/core/sqlite): Django's own, with each query's placeholder
rewrite kept per process. The same answers as Django's, literal percent signs included."""

import pytest
from django.db import connection, connections

from acorn.children.models import Child
from acorn.core.sqlite.base import _qmark
from acorn.core.tests.factories import ChildFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend"),
]


def test_acorn_runs_on_its_own_sqlite_backend():
    assert type(connections["default"]).__module__ == "acorn.core.sqlite.base"


def test_placeholders_and_percent_signs_read_as_djangos_own():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%', %s", ["50", 2])
        assert cursor.fetchone() == ("50%", 2)
        cursor.execute("SELECT %(a)s || %(b)s", {"a": "x", "b": "y"})
        assert cursor.fetchone() == ("xy",)
        cursor.execute("SELECT '100%'")  # no parameters: the text as it is
        assert cursor.fetchone() == ("100%",)


def test_a_query_run_again_is_not_rewritten_again():
    child = ChildFactory(first_name="Ada")
    query = Child.objects.filter(pk=child.pk, first_name__startswith="A")
    assert list(query) == [child]
    before = _qmark.cache_info()
    assert list(query.all()) == [child]
    after = _qmark.cache_info()
    assert after.hits > before.hits and after.misses == before.misses


def test_sqlite_reads_through_a_memory_map():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        assert cursor.fetchone()[0] == 256 * 1024 * 1024
