"""Queries kept in the process, so a request doesn't build and compile them again (issue 13).

Building an access rule's expression tree and compiling its nested subqueries to SQL often
took longer than the database took to answer. The rules that run on every request are
therefore kept, built or compiled, under a key holding everything they are built from
(the person, the date, the settings they are cleared in…). Only the query is kept: the
database decides every row again on every request, so a consent withdrawn, a link ended
or an entry unpublished counts at once. A kept rule whose key misses an input would be a
leak; each use has a test comparing its kept and freshly built SQL.
"""

import uuid

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import BooleanField
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
