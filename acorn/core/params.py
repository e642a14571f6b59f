"""Reading numbers and dates from query strings without trusting them: anything a client
can type must give a page, never a server error (an offset too big for the database, a
date whose next day doesn't exist)."""

from datetime import date

# Far beyond any real list; keeps OFFSET inside a 64-bit integer on every database.
MAX_OFFSET = 1_000_000
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)


def offset_param(request, name: str = "from") -> int:
    try:
        value = int(request.GET.get(name) or 0)
    except (TypeError, ValueError):
        return 0
    return min(max(value, 0), MAX_OFFSET)


def date_param(value) -> date | None:
    """A YYYY-MM-DD date, or None; kept within years any time zone can convert."""
    try:
        parsed = date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
    return date_clamped(parsed)


def date_clamped(value: date | None) -> date | None:
    if value is None:
        return None
    return min(max(value, EARLIEST), LATEST)
