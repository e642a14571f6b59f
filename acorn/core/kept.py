"""Queries kept in the process, so a request doesn't build and compile them again (issue 13).

Building an access rule's expression tree and compiling its nested subqueries to SQL often
took longer than the database took to answer. The rules that run on every request are
therefore kept, built or compiled, under a key holding everything they are built from
(the person, the date, the settings they are cleared in…). Only the query is kept: the
database decides every row again on every request, so a consent withdrawn, a link ended
or an entry unpublished counts at once. A kept rule whose key misses an input would be a
leak; each use has a test comparing its kept and freshly built SQL.
"""

import copy
import uuid

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import BooleanField, UUIDField
from django.db.models.expressions import RawSQL


class Kept:
    """A bounded memo for one kind of query: the oldest entry goes first when full."""

    def __init__(self, size: int = 1000):
        self.items: dict = {}
        self.size = size

    def get(self, key, build):
        if key in self.items:
            return self.items[key]
        value = build()
        if len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)), None)
        self.items[key] = value
        return value

    def clear(self) -> None:
        self.items.clear()


def compiled(queryset):
    """The queryset's condition and annotations as SQL compiled once, on a fresh queryset
    of the same model (ordering, `only` and related reads are the caller's to add).

    The SQL names the model's table by its own name, so the result must only be used as
    the outermost query, never inside another (where that name would point at another
    row). The queryset given must read no other table except inside subqueries."""
    query = queryset.query
    joined = [alias for alias, count in query.alias_refcount.items() if count]
    if any(alias != query.base_table for alias in joined):
        raise ValueError("Only a condition on the model's own table can be compiled.")
    model = queryset.model
    compiler = query.get_compiler(using=queryset.db)
    try:
        try:
            where_sql, where_params = compiler.compile(query.where)
        except FullResultSet:  # a condition that matches everything
            where_sql, where_params = "", ()
        annotations = {}
        for name, expression in query.annotations.items():
            sql, params = expression.select_format(compiler, *compiler.compile(expression))
            # Django's own SQL, its values kept apart as parameters.
            annotations[name] = RawSQL(sql, params, output_field=expression.output_field)  # noqa: S611
    except EmptyResultSet:  # a condition that can match nothing
        return model._default_manager.none()
    result = model._default_manager.all()
    if where_sql:
        condition = RawSQL(where_sql, where_params, output_field=BooleanField())  # noqa: S611
        result = result.filter(condition)
    return result.annotate(**annotations) if annotations else result


def as_uuid(value) -> uuid.UUID:
    """A UUID column read with a plain cursor: PostgreSQL gives a UUID, SQLite its hex."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


class Statement:
    """A queryset's whole SQL (joins, order and slice included), compiled once and run
    again (issue 13). Compiling a list's SQL took longer than the database took to answer
    it; a statement compiles it once and keeps the compiler's reading of the columns, so a
    run only sends the SQL and builds the rows.

    Values that change between runs are ids in slots: the queryset is built with
    `placeholders(n)` where the ids go, and `rows(ids)` puts the real ones in their place.
    Everything else the SQL holds must be in the key it is kept under, as for `Kept`.

    A run gives a list, never a queryset, so nothing can be chained onto SQL that would
    not change with it. Prefetches are the caller's (`prefetch_into`)."""

    def __init__(self, queryset, slots=()):
        queryset = queryset.prefetch_related(None)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = "", ()
        self.queryset, self.compiler, self.sql, self.params = queryset, compiler, sql, params
        self.slots = []
        for slot in slots:
            prepared = _prepared_id(slot, compiler.connection)
            found = [i for i, value in enumerate(params) if value == prepared]
            if sql and len(found) != 1:
                raise ValueError("Each placeholder must be in the SQL exactly once.")
            self.slots.append(found[0] if found else None)

    def rows(self, ids=()) -> list:
        if not self.sql:
            return []
        if len(ids) != len(self.slots):
            raise ValueError("A statement takes as many ids as it has placeholders.")
        connection = connections[self.queryset.db]
        params = list(self.params)
        for index, value in zip(self.slots, ids, strict=True):
            params[index] = _prepared_id(value, connection)
        compiler = copy.copy(self.compiler)
        compiler.connection = connection  # this thread's, not the one it was compiled in
        sql, params = self.sql, tuple(params)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        run = self.queryset._chain()
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(run)


def placeholders(count: int) -> list[uuid.UUID]:
    """Ids that stand for the real ones while a `Statement` is compiled."""
    return [uuid.uuid4() for _ in range(count)]


def _prepared_id(value, connection):
    return _UUID_FIELD.get_db_prep_value(value, connection)


_UUID_FIELD = UUIDField()


def prefetch_into(instances, statements: Kept, key, build, *, field: str, to_attr: str):
    """A reverse foreign key's rows for `instances`, into a list on each, as Django's
    `Prefetch(..., to_attr=...)` does, by a `Statement` kept in `statements` under `key`
    and the number of instances. `build(ids)` gives the rows' queryset, in order, narrowed
    to those whose `field` is in `ids`; `key` must hold everything else it is built from."""
    owners = {instance.pk: instance for instance in instances}
    for instance in instances:
        setattr(instance, to_attr, [])
    if not owners:
        return

    def compile_statement():
        slots = placeholders(len(owners))
        return Statement(build(slots), slots)

    statement = statements.get((key, len(owners)), compile_statement)
    foreign_key = statement.queryset.model._meta.get_field(field)
    for row in statement.rows(list(owners)):
        owner = owners[getattr(row, foreign_key.attname)]
        foreign_key.set_cached_value(row, owner)  # the row's entry, as a prefetch sets it
        getattr(owner, to_attr).append(row)
