"""Issue 13: Today's list of supervised observations and its staff suitability register are
written in Python. They must read exactly as the template loops they replaced did, and
escape every value."""

import re

import pytest
from django.template import Context, Template

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.org.rendering import register_rows_html, supervised_html
from acorn.org.selectors import observations_supervised_by
from acorn.suitability.selectors import SHORT_LABELS, clearance_register

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


# The register's rows as `org/dashboard.html` wrote them before they moved to Python.
REGISTER = """{% load acorn_extras %}{% for member, clearance in register %}
    <tr>
      <th scope="row" class="card-title">{{ member.user.name }}</th>
      <td data-label="Role">{{ member.get_role_display }}</td>
      <td data-label="Status">{% if clearance.cleared %}<span class="chip ok">Cleared</span>\
{% else %}<span class="chip bad">Checks incomplete</span>{% endif %}</td>
      <td data-label="Missing">{% for name in clearance.missing %}<span class="chip warn">\
{{ short_labels|get_label:name }}</span> {% empty %}—{% endfor %}</td>
      <td><a class="button small" href="{% id_url 'suitability:person' member.user_id %}">\
Checks<span class="visually-hidden"> for {{ member.user.name }}</span></a></td>
    </tr>
    {% endfor %}"""


def _spaced(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("\\\n", "")).strip()


def test_register_rows_read_as_the_template_did(world):
    """Cleared and uncleared staff, each role, and a name that needs escaping."""
    world.key_person.name = 'Pat <i>"P"</i> & sons'
    world.key_person.save(update_fields=["name"])
    uncleared = f.staff(world.setting_a, role="practitioner", cleared=False)
    register = clearance_register(world.setting_a)
    assert any(member.user_id == uncleared.pk for member, _ in register)
    assert any(not clearance.cleared for _, clearance in register)
    assert {member.role for member, _ in register} >= {"manager", "practitioner"}
    expected = Template(REGISTER.replace("\\\n", "")).render(
        Context({"register": register, "short_labels": SHORT_LABELS})
    )
    assert _spaced(register_rows_html(register)) == _spaced(expected)
    assert "Pat &lt;i&gt;&quot;P&quot;&lt;/i&gt; &amp; sons" in expected
    assert "Checks incomplete" in expected and "chip warn" in expected


def test_today_shows_each_member_of_staffs_clearance(world, web):
    uncleared = f.staff(world.setting_a, role="practitioner", cleared=False)
    page = web(world.manager).get("/dashboard/").content.decode()
    assert f'href="/staff/{uncleared.pk}/suitability"' in page
    assert "Checks incomplete" in page and world.manager.name in page


def test_today_reads_only_the_panels_with_something_in_them(world, web):
    """Today asks in one query whether its nearly-always-empty panels (attempts to open
    what isn't theirs, devices not back, children joining, subject access requests,
    reports waiting for review) have anything, and reads only those that do: a panel
    with something in it still shows it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = web(world.manager)

    def today():
        with CaptureQueriesContext(connection) as queries:
            page = leader.get("/dashboard/")
        assert page.status_code == 200
        return page.content.decode(), len(queries)

    today()  # the leader's clearance is cached from here on
    quiet, quiet_queries = today()
    assert "Waiting for your review" not in quiet
    key = web(world.key_person)
    made = key.post(f"/children/{world.child.pk}/reports/new", {"kind": "baseline"})
    assert made.status_code == 302
    assert key.post(made.url, {"summary": "Settling in well.", "then": "submit"}).status_code == 302
    page, queries = today()
    assert "Waiting for your review" in page and "Xander Young: Baseline" in page
    assert queries == quiet_queries + 1  # that panel's own rows, read once it has some
