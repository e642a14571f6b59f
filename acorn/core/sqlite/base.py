"""Django's SQLite backend, with each query's placeholders rewritten once per process.

Django writes `%s` placeholders and Python's sqlite3 reads `?`, so Django's cursor rewrites
every query with a regular expression before running it: for a list's long media query
that took longer than SQLite took to answer it (issue 13). The same text always gives the
same rewrite, so the rewrites of the queries a process runs are kept (the most recent
few thousand). Everything else is Django's own backend."""

from functools import lru_cache

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)
