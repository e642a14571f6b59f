"""The garbage collector, tuned for a web process (issue 13).

Python's cycle collector looks at young objects every 700 allocations and, every so
often, at every object the process holds. A list page makes tens of thousands of short-
lived objects, nearly all freed as soon as the page is written; collecting every 700
meant dozens of passes a page, and the full passes walked everything Django and Acorn had
loaded at start-up (a tenth of the review list's time, and its slowest pages).

`settle()` is called once a web process has loaded Acorn (`acorn/wsgi.py`, for each of
gunicorn's workers; the bench measures pages the same way): what start-up loaded is
frozen out of the collector's sight (it lives as long as the process anyway), and young
objects are looked at every `YOUNG` allocations. Memory freed by reference counting,
which is nearly all of it, is freed as before; only cycles wait a little longer."""

import gc

YOUNG = 20_000  # allocations between looks at young objects (Python's default is 700)
OLDER = 20  # looks at young objects between looks at older ones (default 10)


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, OLDER, OLDER)
