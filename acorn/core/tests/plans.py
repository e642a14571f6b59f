"""What PostgreSQL plans for a statement it prepares: one plan for every run, whatever the
values (a generic plan), which is what a statement gets once a connection has run it a few
times. A partial index whose condition a value might not meet can't serve that plan."""

import re

from django.db import connection
from psycopg import sql


def generic_plan(queryset) -> str:
    """The generic plan of the queryset's SQL, as EXPLAIN writes it (PostgreSQL only)."""
    text, params = queryset.query.sql_with_params()
    numbers = iter(range(1, len(params) + 1))
    numbered = re.sub(r"%s", lambda _: f"${next(numbers)}", text)
    raw = connection.connection
    values = sql.SQL(", ").join(sql.Literal(value) for value in params).as_string(raw)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"PREPARE acorn_generic_plan AS {numbered}")
            cursor.execute(f"EXPLAIN EXECUTE acorn_generic_plan({values})")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE acorn_generic_plan")
            cursor.execute("RESET plan_cache_mode")
    return plan
