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
import enum
import itertools
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from weakref import ref as weak_ref
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import BooleanField, CharField, DateField, DateTimeField
from django.db.models.expressions import Expression, RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    _get_from_db,
    get_related_populators,
)
from django.utils.dateparse import parse_datetime


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

    Values that change between runs (ids, dates, times) go in slots: the queryset is
    built with placeholders (`placeholders`, `placeholder_for`) where they go, and a run
    puts the real ones in their place. Everything else the SQL holds must be in the key
    the statement is kept under, as for `Kept`.

    A run gives a list or a number, never a queryset, so nothing can be chained onto SQL
    that would not change with it. Prefetches are the caller's (`prefetch_into`)."""

    def __init__(self, queryset, slots=()):
        queryset = queryset.prefetch_related(None)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = "", ()
        params = tuple(_plain_value(value) for value in params)
        self.queryset, self.compiler, self.sql, self.params = queryset, compiler, sql, params
        self.converters = None  # worked out at the first run (`_converters`)
        self.flat = None  # for values_list rows read by `_values`: whether flat
        self.models = None  # for model rows built by `_models`: how (`_ModelRows`)
        self.slots = []
        for slot in slots:
            prepared = _prepared(slot, compiler.connection)
            found = [i for i, value in enumerate(params) if value == prepared]
            if sql and not found:
                # Django changed the value on its way into the SQL (or the queryset left
                # it out): a run could not put the real one in its place.
                raise ValueError(f"The placeholder {slot!r} is not in the SQL as given.")
            self.slots.append(found)

    def _params(self, values) -> tuple:
        if len(values) != len(self.slots):
            raise ValueError("A statement takes as many values as it has placeholders.")
        connection = connections[self.queryset.db]
        params = list(self.params)
        for found, value in zip(self.slots, values, strict=True):
            for index in found:
                params[index] = _prepared(value, connection)
        return tuple(params)

    def rows(self, values=()) -> list:
        if not self.sql:
            return []
        sql, params = self.sql, self._params(values)
        connection = connections[self.queryset.db]  # this thread's own
        if self.converters is None:
            self._work_out(connection)
        if self.flat is not None:  # values_list rows, read by the statement itself
            return self._values(connection, sql, params, self.flat)
        if self.models is not None:  # model instances, built by the statement itself
            return self._models(connection, sql, params)
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        if self.converters is not False:
            compiler.get_converters = lambda expressions: self.converters
        run = self.queryset._chain()
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(run)

    def _work_out(self, connection) -> None:
        """At the first run: the converters, and whether the statement reads its rows
        itself (values_list tuples, or model instances) or through Django's iterable."""
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        self.converters = _converters(compiler)
        if self.converters is False or compiler.has_extra_select:
            return
        shape = self.queryset._iterable_class
        self.flat = _VALUES_SHAPES.get(shape)
        if shape is ModelIterable and not self.queryset._known_related_objects:
            self.models = _ModelRows(compiler)

    def _fetched(self, connection, sql, params) -> list:
        """The rows of a run, each a list of its values converted as Django converts them
        (its converters worked out once), read through Django's own cursor, so query
        logs and wrappers still see each query."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        converters = list(self.converters.items())
        out = []
        for row in fetched:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            out.append(row)
        return out

    def _models(self, connection, sql, params) -> list:
        """Model instances built from the rows as Django's ModelIterable builds them (the
        model's `from_db`, related rows read with `select_related` set on each,
        annotations as attributes, peers for FETCH_PEERS), without a queryset and a
        compiler made again for every run: for a list of fifty entries those cost a
        tenth of reading it (issue 13)."""
        plan = self.models
        db = self.queryset.db
        fetch_mode = self.queryset._fetch_mode
        from_db, related = plan.readers(db, fetch_mode)
        start, end, names, annotations = plan.start, plan.end, plan.names, plan.annotations
        peers = [] if fetch_mode.track_peers else None
        out = []
        for row in self._fetched(connection, sql, params):
            instance = from_db(db, names, row[start:end])
            if peers is not None:
                peers.append(weak_ref(instance))
                instance._state.peers = peers
            for populator in related:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            out.append(instance)
        return out

    def _values(self, connection, sql, params, flat: bool) -> list:
        """`values_list` rows read straight from the cursor (`_fetched`): its queryset and
        iterable cost more than a small query itself (issue 13)."""
        rows = self._fetched(connection, sql, params)
        return [row[0] for row in rows] if flat else [tuple(row) for row in rows]

    def first(self, values=()):
        """The first of `rows`, or None."""
        found = self.rows(values)
        return found[0] if found else None

    def count(self, values=()) -> int:
        """How many rows `rows` would give, counted by the database."""
        return _counts([(self, values)])[0]


class _ModelRows:
    """Where a statement's rows hold its model's values (as ModelIterable reads them)."""

    def __init__(self, compiler):
        klass_info, select = compiler.klass_info, compiler.select
        columns = klass_info["select_fields"]
        self.model, self.klass_info, self.select = klass_info["model"], klass_info, select
        self.start, self.end = columns[0], columns[-1] + 1
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        self.annotations = list(compiler.annotation_col_map.items())
        self._readers = {}

    def readers(self, db, fetch_mode):
        """The model's `from_db` for the fetch mode, and the populators of related rows.
        Working them out costs more than reading a short list (Django looks at `from_db`'s
        signature each time), so they are kept, except populators that gather peers: those
        hold one run's instances and are made again for every run."""
        key = (db, fetch_mode)
        found = self._readers.get(key)
        if found is None:
            found = (
                _get_from_db(self.model, fetch_mode),
                get_related_populators(self.klass_info, self.select, db, fetch_mode),
            )
            if not fetch_mode.track_peers:
                self._readers[key] = found
        return found


# The iterables of `values_list` a statement reads itself (`Statement._values`): flat or not.
_VALUES_SHAPES = {ValuesListIterable: False, FlatValuesListIterable: True}


def _converters(compiler):
    """The compiler's converters for its columns, worked out once for a statement (Django
    works them out on every run), each replaced by a quicker one where there is one. False
    for columns of a composite key, where Django works them out its own way."""
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return False
    connection = compiler.connection

    def quicker(converter):
        make = _QUICKER.get(_named(converter))
        return (make(connection, converter) if make else None) or converter

    return {
        position: ([quicker(c) for c in converters], expression)
        for position, (converters, expression) in compiler.get_converters(fields).items()
    }


def _named(converter) -> str:
    function = getattr(converter, "__func__", converter)
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', '')}"


def _uuid_from_text(value, expression, connection):
    """SQLite's UUID converter (its columns hold the hex), with the ids already read kept:
    a list reads the same setting, authors and children on every row, and building a UUID
    from its text was a tenth of a list's time (issue 13). A UUID can't be changed, so one
    object serves every row and request that reads that id."""
    if value is None:
        return None
    found = _UUIDS.get(value)
    if found is None:
        found = uuid.UUID(value)
        if len(_UUIDS) >= 50_000:
            _UUIDS.clear()
        _UUIDS[value] = found
    return found


_UUIDS: dict[str, uuid.UUID] = {}


def _utc_time_from_text(value, expression, connection):
    """SQLite's time converter where its times are UTC (USE_TZ, no TIME_ZONE of its own),
    without reading the settings again for every value (a tenth of its cost)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc_times(connection):
    if settings.USE_TZ and connection.timezone in (UTC, ZoneInfo("UTC")):
        return _utc_time_from_text
    return None  # Django's own, which knows the database's time zone


def _json_from_text(connection, original):
    """JSONField's converter (`original`, bound to its field), with the values of texts
    already read kept: a list reads the same few short lists and dictionaries (areas of
    learning, a photo's files) on every row, and decoding them was a twentieth of a
    list's time (issue 13). Only flat lists and dictionaries of plain values are kept,
    and each row gets its own copy, so changing one changes no other."""
    field = getattr(original, "__self__", None)
    if field is None or field.decoder is not None:
        return None

    def convert(value, expression, connection):
        if type(value) is not str or len(value) > 1000 or isinstance(expression, KeyTransform):
            return original(value, expression, connection)
        found = _JSON.get(value, _JSON)
        if found is _JSON:
            found = original(value, expression, connection)
            if not _plain_json(found):
                return found
            if len(_JSON) >= 20_000:
                _JSON.clear()
            _JSON[value] = found
        return found.copy() if isinstance(found, list | dict) else found

    return convert


_JSON: dict = {}
_PLAIN = (str, int, float, bool, type(None))


def _plain_json(value) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, _PLAIN) for item in value)
    if isinstance(value, dict):
        return all(isinstance(item, _PLAIN) for item in value.values())
    return isinstance(value, _PLAIN)


_SQLITE_OPERATIONS = "django.db.backends.sqlite3.operations.DatabaseOperations"
# Quicker converters for Django's, by the name of Django's: each is given the connection
# and Django's converter, and gives its own, or None where Django's must stay.
_QUICKER = {
    f"{_SQLITE_OPERATIONS}.convert_uuidfield_value": lambda connection, _: _uuid_from_text,
    f"{_SQLITE_OPERATIONS}.convert_datetimefield_value": lambda connection, _: _utc_times(
        connection
    ),
    "django.db.models.fields.json.JSONField.from_db_value": _json_from_text,
}


def placeholders(count: int) -> list[uuid.UUID]:
    """Ids that stand for the real ones while a `Statement` is compiled."""
    return [uuid.uuid4() for _ in range(count)]


def placeholder_for(value):
    """A value of the same kind as `value` (an id, a date or an aware time) that no real
    row holds, to stand for it while a `Statement` is compiled."""
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, Text):
        return Text(f"acorn-stand-in-{uuid.uuid4()}")
    if isinstance(value, datetime):  # a microsecond of 1901 nobody else uses
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(microseconds=next(_STAND_INS))
    if isinstance(value, date):  # a day of the eleventh century
        return date(1001, 1, 1) + timedelta(days=next(_STAND_INS) % 36_000)
    raise TypeError(f"No placeholder for {type(value).__name__}.")


_STAND_INS = itertools.count()


class Constant(Expression):
    """A word or a boolean of Acorn's own code (a status, an action, never anything a
    person typed) written into a statement's SQL as a literal rather than sent as a value.
    PostgreSQL plans a prepared statement once for any values: given `status <> $3` it
    guessed one row in a thousand would do and chose a plan that read every row and sorted
    them; given `'draft'` it knows. Nor can that one plan use a partial index whose
    condition a value might not meet: given `action = $1`, Today's probing flags left their
    index unused and read the setting's whole audit trail (issue 13)."""

    def __init__(self, word):
        if isinstance(word, bool):
            super().__init__(output_field=BooleanField())
        elif re.fullmatch(r"[a-z_][a-z_.]{0,39}", str(word)):
            super().__init__(output_field=CharField())
            word = str(word)
        else:
            raise ValueError("A constant is a boolean or a plain lower-case word of the code.")
        self.word = word

    def as_sql(self, compiler, connection):
        if isinstance(self.word, bool):
            if connection.vendor == "postgresql":
                return ("true" if self.word else "false"), []
            return ("1" if self.word else "0"), []  # as SQLite's partial indexes say it
        return f"'{self.word}'", []


class Text(str):
    """Text to go in a statement's slot, for an exact match (`field=Text(value)`): other
    text is part of a statement's key, since Django may change it on its way into the SQL
    (`icontains` wraps it in wildcards)."""


def _plain_value(value):
    """A choice (a `TextChoices` member, say) as the plain value it stands for. Django hands
    the member itself to the driver, and both drivers look for a way to adapt a subclass
    of str on every run: four statuses were an eighth of Today's panel query (issue 13)."""
    return value.value if isinstance(value, enum.Enum) else value


def _prepared(value, connection):
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, uuid.UUID):
        # UUIDField's own preparation of a UUID, without its checks on every id of a list.
        return value if connection.features.has_native_uuid_field else value.hex
    if isinstance(value, datetime):
        field = _DATETIME_FIELD
    elif isinstance(value, date):
        field = _DATE_FIELD
    else:
        raise TypeError(f"A slot holds an id, a date, a time or Text, not {type(value).__name__}.")
    return field.get_db_prep_value(value, connection)


_DATETIME_FIELD, _DATE_FIELD = DateTimeField(), DateField()


def statement(build):
    """Keep `build`'s queryset as `Statement`s: `build.rows(*args)`, `.first(*args)`, `.count(*args)`.

    `build(*args)` must give its queryset from its arguments alone. Ids, dates, times and
    `Text` (and lists of ids) are slots, so one statement serves every value: `build` must pass
    them into the queryset as they are and never decide anything by them. Any other
    argument (a flag, a number, a word) is part of the key, one statement for each."""
    kept = Kept()

    def shape(args):
        key, values = [], []
        for arg in args:
            if isinstance(arg, uuid.UUID | date | Text):
                key.append(type(arg))
                values.append(arg)
            elif isinstance(arg, list | tuple):
                if not all(isinstance(item, uuid.UUID) for item in arg):
                    raise TypeError("A list argument holds ids only.")
                key.append(("ids", len(arg)))
                values.extend(arg)
            else:
                hash(arg)
                key.append(("value", arg))
        return tuple(key), values

    def compile_for(args):
        stand_ins = [
            placeholders(len(arg)) if isinstance(arg, list | tuple)
            else placeholder_for(arg) if isinstance(arg, uuid.UUID | date | Text)
            else arg
            for arg in args
        ]  # fmt: skip
        slots = []
        for arg, stand_in in zip(args, stand_ins, strict=True):
            if isinstance(arg, list | tuple):
                slots.extend(stand_in)
            elif isinstance(arg, uuid.UUID | date | Text):
                slots.append(stand_in)
        return Statement(build(*stand_ins), slots)

    def prepared(args):
        key, values = shape(args)
        return kept.get(key, lambda: compile_for(args)), values

    def rows(*args) -> list:
        found, values = prepared(args)
        return found.rows(values)

    def first(*args):
        found, values = prepared(args)
        return found.first(values)

    def count(*args) -> int:
        found, values = prepared(args)
        return found.count(values)

    build.rows, build.first, build.count, build.kept = rows, first, count, kept
    build.prepared = lambda *args: prepared(args)
    return build


def counted_together(*asked) -> list[int]:
    """`build.count(*args)` for several statements (`(build, args)` pairs) in one query
    (a page showing a few counts made a round trip for each). On one database."""
    return _counts([build.prepared(*args) for build, args in asked])


def found_together(*asked) -> list[bool]:
    """Whether `build.rows(*args)` would give any row, for several statements (`(build,
    args)` pairs) in one query, on one database. A page of panels that are nearly always
    empty asks this first and reads only those with something in them: the same SQL, so
    a panel found empty would have shown nothing (issue 13)."""
    runs = [build.prepared(*args) for build, args in asked]
    return [bool(found) for found in _together(runs, lambda sql, index: f"EXISTS({sql})")]


def _counts(runs) -> list[int]:
    """How many rows each `(Statement, values)` run would give, in one query."""

    def counted(sql, index):
        return f"(SELECT COUNT(*) FROM ({sql}) counted_{index})"  # noqa: S608 - Django's SQL

    return _together(runs, counted)


def _together(runs, asked) -> list:
    """One query answering `asked(sql, index)` (an SQL expression of a statement's SQL)
    for each `(Statement, values)` run; 0 for a statement that can match nothing."""
    if all(not found.sql for found, _ in runs):  # nothing, or only what can match nothing
        return [0 for _ in runs]
    parts, params, alias = [], [], None
    for index, (found, values) in enumerate(runs):
        if alias not in (None, found.queryset.db):
            raise ValueError("Statements asked together must be on one database.")
        alias = found.queryset.db
        if not found.sql:  # a statement that can match nothing
            parts.append("0")
            continue
        parts.append(asked(found.sql, index))
        params.extend(found._params(values))
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608 - Django's SQL
        return list(cursor.fetchone())


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
