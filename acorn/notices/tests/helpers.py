from datetime import date

from acorn.journal import services as journal
from acorn.notices.models import Notice


def entry(world, *, author=None, children=None, text="Built a tall tower.", publish=True):
    return journal.observation_create(
        author=author or world.key_person,
        children=children or [world.child],
        text=text,
        observed_on=date.today(),
        publish=publish,
    )


def contribution(world, *, parent=None, child=None, text="Planted beans at home."):
    return journal.observation_create(
        author=parent or world.parent,
        children=[child or world.child],
        text=text,
        observed_on=date.today(),
    )


def kinds_for(person) -> list[str]:
    return sorted(Notice.objects.filter(recipient=person).values_list("kind", flat=True))


def shown_to(person) -> list[Notice]:
    from acorn.notices.selectors import notices_for

    return list(notices_for(_fresh(person)))


def _fresh(person):
    from acorn.core.tests.factories import fresh

    return fresh(person)
