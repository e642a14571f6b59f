"""Issue 13: the children list's cards are written in Python (`children/rendering.py`).
They must read exactly as the template loop they replace did, escape every value, and
keep the page's query count fixed however many children there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acorn.children import rendering, selectors
from acorn.core.tests import factories as f
from acorn.journal.tests.helpers import stored_photo

pytestmark = pytest.mark.django_db

# The loop `children/list.html` had before (with `children/_avatar.html` inlined).
TEMPLATE_LOOP = (
    "{% load acorn_extras %}{% for child in children %}"
    '<li class="card"><a class="card-link" href="{% id_url \'journal:child\' child.pk %}">'
    '{% if child.photo_id and child.photo.status == "ready" %}<img class="avatar avatar-photo" '
    'src="{% id_url \'journal:media\' child.photo_id \'thumb\' %}" alt="" width="44" '
    'height="44" loading="lazy">{% else %}<span class="avatar" aria-hidden="true">'
    "{{ child.first_name|first }}</span>{% endif %}"
    "<span><strong>{{ child.full_name }}</strong>{% if not child.image_consent %} "
    '<span class="chip warn">No photo consent</span>{% endif %}<br><span class="muted">'
    "Key person: {{ child.key_person.name }}</span><br>{% if child.last_observed %}"
    '<span class="muted">Last observed {{ child.last_observed|date:"j M" }}</span>'
    '{% if child.last_observed < quiet_after %} <span class="chip warn">Nothing for '
    '{{ quiet_days }}+ days</span>{% endif %}{% else %}<span class="chip warn">No '
    "observations yet</span>{% endif %}</span></a>"
    '<a class="card-action" href="{% id_url \'children:detail\' child.pk %}">Profile'
    '<span class="visually-hidden"> for {{ child.full_name }}</span></a></li>'
    "{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


@pytest.fixture
def setting_with_children(world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    setting, key_person = world.setting_a, world.key_person
    today = timezone.localdate()
    f.observation(author=key_person, children=[world.child], observed_on=today)
    f.observation(
        author=key_person, children=[world.other_child], observed_on=today - timedelta(days=30)
    )
    odd = f.ChildFactory(
        setting=setting, first_name="<b>Zak</b>", last_name="O'Neil & Co", key_person=key_person
    )
    odd.image_consent = False
    odd.save()
    world.child.photo = stored_photo(setting=setting, uploaded_by=key_person)
    world.child.save()
    return setting


def _cards(setting):
    children = selectors.with_last_observation(selectors.children_of_setting(setting))
    return list(children)


def test_cards_read_as_the_template_did(setting_with_children):
    children = _cards(setting_with_children)
    quiet_after = timezone.localdate() - timedelta(days=14)
    expected = Template(TEMPLATE_LOOP).render(
        Context({"children": children, "quiet_after": quiet_after, "quiet_days": 14})
    )
    html = rendering.cards_html(children, quiet_after=quiet_after, quiet_days=14)
    assert html == expected
    assert "&lt;b&gt;Zak&lt;/b&gt; O&#x27;Neil &amp; Co" in html and "<b>Zak" not in html
    assert 'class="avatar avatar-photo"' in html and "Nothing for 14+ days" in html
    assert "No observations yet" in html and "No photo consent" in html


def test_the_children_page_shows_the_cards_with_fixed_queries(setting_with_children, web):
    key_person = setting_with_children.memberships.get(user__email="key@a.test").user
    client = web(key_person)
    client.get("/children/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/children/").content.decode()
    assert page.count('<li class="card">') == 3
    for n in range(20):
        f.ChildFactory(setting=setting_with_children, first_name=f"Extra{n}")
    client.get("/children/")  # as before: the second visit
    with CaptureQueriesContext(connection) as many:
        page = client.get("/children/").content.decode()
    assert page.count('<li class="card">') == 23
    assert len(many) == len(few)
    assert "No children match" in client.get("/children/?q=nobody").content.decode()


def test_the_kept_list_reads_what_the_queryset_reads(setting_with_children, world):
    """The list's rows come from a statement compiled once per process (issue 13): for
    every status, for "my key children" and for a search, the same children with the same
    last-observed dates as the queryset built afresh."""
    from acorn.children.models import Child
    from acorn.leaving.models import Leaving

    setting = setting_with_children
    Leaving.objects.create(
        child=world.other_child,
        leaving_on=timezone.localdate() - timedelta(days=1),
        recorded_by=world.manager,
    )
    asked = [
        {"status": status, "key_person": key_person, "search": search}
        for status in (Child.Status.ACTIVE, Child.Status.LEFT, None)
        for key_person in (None, world.key_person, world.manager)
        for search in ("", "zak")
    ]
    for ask in asked:
        fresh = selectors.with_last_observation(selectors.children_of_setting(setting, **ask)).only(
            *selectors.CARD_FIELDS
        )
        for _ in range(2):  # compiled, then kept
            kept = selectors.children_list_cards(setting, **ask)
            assert [(c.pk, c.last_observed) for c in kept] == [
                (c.pk, c.last_observed) for c in fresh
            ], ask
    active = selectors.children_list_cards(setting, status=Child.Status.ACTIVE)
    assert world.child in active and world.other_child not in active  # left yesterday
