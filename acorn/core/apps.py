from django.apps import AppConfig


class Config(AppConfig):
    name = "acorn.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        _psycopg_keeps_long_queries()


# psycopg turns each query's %s placeholders into PostgreSQL's $1, $2… and keeps the result
# only for queries of up to 4,096 characters and 50 values. A journal list's query (its
# access rules) is longer, and its photos' query names each of fifty entries: psycopg
# converted them again on every run, a millisecond of a list page (issue 13). Acorn's
# statements are the same SQL every time (`acorn.core.kept`), so keeping them pays.
LONGEST_KEPT_QUERY = 32_768
MOST_VALUES_IN_KEPT_QUERY = 256


def _psycopg_keeps_long_queries() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only: psycopg isn't installed
        return
    if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH"):
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(
            _queries.MAX_CACHED_STATEMENT_LENGTH, LONGEST_KEPT_QUERY
        )
    if hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS"):
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(
            _queries.MAX_CACHED_STATEMENT_PARAMS, MOST_VALUES_IN_KEPT_QUERY
        )
