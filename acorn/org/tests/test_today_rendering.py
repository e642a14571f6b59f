"""Issue 13: Today's list of supervised observations is written in Python. It must read
exactly as the template loop it replaced did, and escape every value."""

import pytest
from django.template import Context, Template

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.org.rendering import supervised_html
from acorn.org.selectors import observations_supervised_by

pytestmark = pytest.mark.django_db

# The loop as `org/dashboard.html` wrote it before it moved to Python.
TEMPLATE = (
    '{% load acorn_extras %}{% for obs in supervised %}<li><a href="{% id_url '
    '\'journal:observation\' obs.pk %}">{{ obs.observed_on|date:"j M" }}: '
    '{{ obs.text|truncatechars:80 }}</a> <span class="muted">by {{ obs.author.name }}'
    "</span></li>\n  {% endfor %}"
)


def test_supervised_rows_read_as_the_template_did(world):
    world.key_person.name = 'Kate <b>"Key"</b> & co'
    world.key_person.save(update_fields=["name"])
    texts = ["Short & <sweet>.", "x" * 80, "y" * 81, "Long " * 40, "Ünïcödé ‘quotes’ and “more”."]
    for text in texts:
        entry = f.observation(author=world.key_person, children=[world.child], text=text)
        Observation.objects.filter(pk=entry.pk).update(supervisor=world.manager)
    rows = list(observations_supervised_by(world.manager, world.setting_a))
    assert len(rows) == len(texts)
    expected = Template(TEMPLATE).render(Context({"supervised": rows}))
    assert supervised_html(rows) + "\n  " == expected
    assert "&lt;b&gt;" in expected and "&lt;sweet&gt;" in expected


def test_today_lists_what_the_leader_supervised(world, web):
    entry = f.observation(author=world.key_person, children=[world.child], text="Made soup.")
    Observation.objects.filter(pk=entry.pk).update(supervisor=world.manager)
    page = web(world.manager).get("/dashboard/").content.decode()
    assert f'<a href="/observations/{entry.pk}/">' in page and "Made soup.</a>" in page
    Observation.objects.filter(pk=entry.pk).update(supervisor=None)
    page = web(world.manager).get("/dashboard/").content.decode()
    assert "Made soup." not in page and "None yet." in page
