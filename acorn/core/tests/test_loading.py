"""Issue 13: models read in lists load rows without `Model.__init__` (QuickLoad). An
instance must be the same as Django would make it: every value, deferred fields still
deferred, saved and related as usual; and Django's own path whenever a signal listens."""

import pytest
from django.db.models import Model
from django.db.models.signals import post_init

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.journal.models import Observation

pytestmark = pytest.mark.django_db


def _django_made(model, pk, only=()):
    """The same row through Django's own from_db."""
    queryset = model.objects.filter(pk=pk)
    if only:
        queryset = queryset.only(*only)
    original = model.from_db
    try:
        model.from_db = classmethod(Model.from_db.__func__)
        return queryset.get()
    finally:
        model.from_db = original


def _values(instance) -> dict:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def test_a_quick_instance_is_the_instance_django_makes(world):
    entry = f.observation(author=world.key_person, children=[world.child], text="Built a den.")
    for model, pk, only in (
        (Observation, entry.pk, ()),
        (Observation, entry.pk, ("id", "text", "author_id")),
        (Child, world.child.pk, ()),
        (Child, world.child.pk, ("id", "first_name")),
    ):
        queryset = model.objects.filter(pk=pk)
        quick = (queryset.only(*only) if only else queryset).get()
        django = _django_made(model, pk, only)
        assert type(quick.__dict__.get("_state")).__name__ == "ModelState"
        assert _values(quick) == _values(django)
        assert quick.get_deferred_fields() == django.get_deferred_fields()
        assert quick._state.adding is False and quick._state.db == "default"
    # Related, changed and saved as usual; a deferred field is read when asked for.
    quick = Observation.objects.only("id", "author_id").get(pk=entry.pk)
    assert quick.author == world.key_person
    assert quick.text == "Built a den."
    quick.text = "Built a bigger den."
    quick.save(update_fields=["text"])
    assert Observation.objects.get(pk=entry.pk).text == "Built a bigger den."
    assert len(Observation.objects.filter(pk=entry.pk).select_related("author")[0].author.name)


def test_a_listening_signal_gets_djangos_own_path(world):
    seen = []

    def heard(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(heard, sender=Child)
    try:
        child = Child.objects.get(pk=world.child.pk)
    finally:
        post_init.disconnect(heard, sender=Child)
    assert seen == [child]
    Child.objects.get(pk=world.child.pk)
    assert seen == [child]
