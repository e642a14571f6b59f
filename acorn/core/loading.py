"""Rows read into model instances without `Model.__init__` (issue 13).

A list page reads a few hundred rows into model instances. Django's `Model.from_db` calls
`Model.__init__`, which sends two signals and sets each field through its descriptor; that
was a fifth of a journal list's time. For a row just read, all it does is put each
column's value in the instance's `__dict__` under its attribute name, which is what
`QuickLoad.from_db` does directly. Deferred fields stay deferred (absent from `__dict__`),
as Django expects.

Django's own path is taken whenever something listens to `pre_init` or `post_init`, so a
library that needs those signals still gets them."""

from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class QuickLoad:
    """A mixin for models read in lists (put it before `models.Model`)."""

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        if pre_init.receivers or post_init.receivers or len(field_names) != len(values):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        attributes = new.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return new
