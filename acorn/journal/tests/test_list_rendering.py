"""Issue 13's rendering hot spots: lists put their per-item URLs together from parts
reversed once per page, and the review list renders one CSRF token for all its forms.
Each page's reverse() count stays the same however many items it shows."""

import re
from unittest import mock

from django.urls.resolvers import URLResolver
from hypothesis import given, settings
from hypothesis import strategies as st

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.journal.tests.helpers import stored_photo


def _reverses(client, path) -> int:
    real = URLResolver._reverse_with_prefix
    with mock.patch.object(
        URLResolver, "_reverse_with_prefix", autospec=True, side_effect=real
    ) as spy:
        response = client.get(path)
    assert response.status_code == 200
    return spy.call_count


def _entries(world, count, *, photos=True):
    for n in range(count):
        entry = f.observation(
            author=world.key_person, children=[world.child], text=f"Built tower {n}."
        )
        if photos:
            stored_photo(setting=world.setting_a, uploaded_by=world.key_person, observation=entry)


def test_review_list_reverses_no_url_per_entry(world, web):
    leader = web(world.manager)
    _entries(world, 2)
    leader.get("/review/")  # warm
    few = _reverses(leader, "/review/")
    _entries(world, 4)
    assert _reverses(leader, "/review/") == few


def test_child_journal_reverses_no_url_per_entry(world, web):
    parent = web(world.parent)
    path = f"/children/{world.child.pk}/journal"
    _entries(world, 2)
    parent.get(path)
    few = _reverses(parent, path)
    _entries(world, 4)
    assert _reverses(parent, path) == few


def test_children_list_reverses_no_url_per_child(world, web):
    key_person = web(world.key_person)
    key_person.get("/children/")
    few = _reverses(key_person, "/children/")
    for n in range(4):
        f.ChildFactory(setting=world.setting_a, first_name=f"Child{n}", key_person=world.key_person)
    assert _reverses(key_person, "/children/") == few


def test_review_forms_share_one_csrf_token_and_it_is_still_checked(world, web):
    _entries(world, 3, photos=False)
    leader = web(world.manager)
    leader.handler.enforce_csrf_checks = True
    page = leader.get("/review/?show=unreviewed").content.decode()
    forms = re.findall(r'<form method="post" action="([^"]+/review)".*?</form>', page, re.S)
    assert len(forms) == 3
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert len(tokens) == 1
    token = tokens.pop()
    assert page.count('name="next" value="/review/?show=unreviewed"') == 3
    assert leader.post(forms[0], {"feedback": "Lovely"}).status_code == 403
    assert Observation.objects.filter(reviewed_by__isnull=False).count() == 0
    answer = leader.post(forms[0], {"feedback": "Lovely", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and answer.url == "/review/"
    assert Observation.objects.filter(reviewed_by=world.manager).count() == 1


def test_journal_list_loads_only_what_it_shows_of_children_and_photos(world):
    from acorn.journal import selectors

    _entries(world, 2)
    entries = list(selectors.journal_for(world.parent, world.child))
    assert len(entries) == 2
    for entry in entries:
        child = selectors.entry_links(entry)[0].child
        assert child.first_name == "Xander"
        assert "key_person_id" in child.get_deferred_fields()
        assert "last_name" not in child.get_deferred_fields()  # "About Xander Y."
        (photo,) = entry.visible_media
        assert photo.width == 10 and photo.status == "ready"
        assert {"faces", "renditions", "storage_prefix"} <= photo.get_deferred_fields()


# The review form as `journal/review.html` wrote it before it moved to Python (issue 13).
REVIEW_FORM_TEMPLATE = (
    "{% load acorn_extras %}"
    '<form method="post" action="{% id_url \'journal:review_submit\' observation.pk %}" '
    'class="panel stack review-form"><input type="hidden" name="csrfmiddlewaretoken" '
    'value="{{ csrf_token }}">\n'
    '    <input type="hidden" name="next" value="{{ next }}">\n'
    '    <label for="feedback-{{ observation.pk }}">Feedback for '
    '{{ observation.author.name|default:"the author" }} (optional)</label>\n'
    '    <textarea name="feedback" id="feedback-{{ observation.pk }}" rows="2">'
    "{{ observation.review_feedback }}</textarea>\n"
    '    <label class="check"><input type="checkbox" name="discuss"'
    "{% if observation.discuss_at_meeting %} checked{% endif %}> Discuss at the next staff "
    "meeting</label>\n"
    '    <button type="submit" class="button">Mark as reviewed</button>\n'
    "  </form>"
)


def test_review_form_reads_as_the_template_did(world):
    from django.template import Context, Template

    from acorn.core.templatetags.acorn_extras import link
    from acorn.journal.rendering import review_form_html

    _entries(world, 1, photos=False)
    entry = Observation.objects.select_related("author").get()
    entry.review_feedback = 'Lovely <b>"counting"</b> & more'
    entry.discuss_at_meeting = True
    for author_name in ("Kate <Key>", ""):
        entry.author.name = author_name
        context = {"observation": entry, "csrf_token": "tok123", "next": "/review/?a=1&b=2"}
        expected = Template(REVIEW_FORM_TEMPLATE).render(Context(context))
        html = review_form_html(
            entry,
            action=link("journal:review_submit", entry.pk),
            csrf_token="tok123",
            next_url="/review/?a=1&b=2",
        )
        assert html == expected
    assert "&lt;b&gt;" in html and "Feedback for the author" in html


def test_entries_escape_every_value_as_django_does(world, web):
    """Entries are written in Python with the standard library's escaping, as Django's
    `escape` does it: names, texts and feedback with markup in them read as text."""
    from django.utils.html import escape as django_escape

    from acorn.journal.rendering import escape

    for text in ('<script>alert("x")</script>', "Tom & Jerry's", "plain", 42, ""):
        assert escape(text) == django_escape(text)
    world.key_person.name = 'Kate <b>"Key"</b>'
    world.key_person.save(update_fields=["name"])
    entry = f.observation(
        author=world.key_person, children=[world.child], text='Said <hello> & "bye".'
    )
    Observation.objects.filter(pk=entry.pk).update(review_feedback="<i>Lovely</i>")
    page = web(world.manager).get("/review/?show=all").content.decode()
    assert "Kate &lt;b&gt;&quot;Key&quot;&lt;/b&gt;" in page
    assert "Said &lt;hello&gt; &amp; &quot;bye&quot;." in page
    assert "<b>" not in page and "<hello>" not in page and "<i>Lovely" not in page


def test_review_filters_are_listed_and_the_chosen_one_kept(world, web):
    leader = web(world.manager)
    page = leader.get(f"/review/?author={world.key_person.pk}&child={world.child.pk}")
    html = page.content.decode()
    assert (
        f'<option value="{world.key_person.pk}" selected>{world.key_person.name}</option>' in html
    )
    assert f'<option value="{world.child.pk}" selected>{world.child.full_name}</option>' in html
    assert f'<option value="{world.other_child.pk}">' in html
    assert html.count(" selected>") == 3  # with "Not yet reviewed"
    html = leader.get("/review/?author=not-an-id").content.decode()
    assert html.count(" selected>") == 1  # "Not yet reviewed" only


def test_options_escape_and_choose_by_text():
    from acorn.core.templatetags.acorn_extras import options

    html = options([(1, "A <b>"), ("2", 'B "two"')], 2)
    assert html == (
        '<option value="1">A &lt;b&gt;</option>'
        '<option value="2" selected>B &quot;two&quot;</option>'
    )
    assert " selected" not in options([(1, "A")], None)


def test_what_a_list_leaves_unread_is_read_once_for_the_whole_page_if_asked(world):
    """A journal page leaves fields it never shows in the database (issue 13). Should
    something ask for one anyway, one query reads it for every entry of the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acorn.journal import selectors
    from acorn.journal.selectors import LIST_ENTRY_DEFERRED

    _entries(world, 4, photos=False)
    page = selectors.journal_page(
        world.parent, world.child, selectors.JournalFilter(), offset=0, size=21
    )
    assert len(page) == 4
    assert {"supervisor_id", "decided_at", "client_ref"} <= page[0].get_deferred_fields()
    assert {"email", "password"} <= page[0].author.get_deferred_fields()
    assert page[0].author.name == world.key_person.name
    with CaptureQueriesContext(connection) as queries:
        assert {entry.decided_at for entry in page} == {None}
    assert len(queries) == 1
    assert all(field.split("__")[-1] for field in LIST_ENTRY_DEFERRED)


def test_review_list_queries_stay_fixed_with_one_child_entries_naming_the_child(world, web):
    """The review list names an entry's one child as "About Xander X.": the initial is read
    with the page's children, not once per entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = web(world.manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page = leader.get("/review/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    _entries(world, 1)
    count()
    few, _ = count()
    for n in range(5):
        child = world.child if n % 2 else world.other_child
        f.observation(author=world.key_person, children=[child], text=f"Alone {n}.")
    many, page = count()
    assert "About Xander Y." in page and "About Yasmin Z." in page
    assert many == few


@given(
    st.text(alphabet=st.sampled_from(list("ab <>&\"'\r\n\t é")), max_size=40) | st.text(max_size=40)
)
@settings(max_examples=300, deadline=None)
def test_paragraphs_write_what_the_linebreaks_filter_writes(text):
    """Entries' text is written without the filter's lazy-text layers (issue 13): the HTML
    must be the filter's, character for character, for any text at all."""
    from django.template.defaultfilters import linebreaks_filter
    from django.utils.safestring import mark_safe

    from acorn.journal.rendering import paragraphs

    assert paragraphs(text) == linebreaks_filter(text)
    assert paragraphs(mark_safe(text)) == linebreaks_filter(mark_safe(text))  # noqa: S308


def test_journal_entries_read_as_the_template_loop_did(world):
    """The journal page writes its entries with one tag (issue 13): the same HTML as the
    loop of `journal_entry` tags it replaced, for a parent and for staff."""
    from django.template import Context, Template

    from acorn.core.tests.factories import fresh
    from acorn.journal import selectors
    from acorn.journal.views import _entries_for_display

    _entries(world, 3)
    f.observation(author=world.key_person, children=[world.child, world.other_child], text="Both")
    loop = Template(
        "{% load journal_tags %}{% for observation, shown in entries %}\n"
        "  {% journal_entry observation shown link=True %}\n{% endfor %}"
    )
    one_tag = Template("{% load journal_tags %}{% journal_entries entries %}")
    for person in (world.parent, world.key_person):
        reader = fresh(person)
        page = selectors.journal_page(
            reader, world.child, selectors.JournalFilter(), offset=0, size=20
        )
        entries = _entries_for_display(reader, page)
        assert len(entries) == 4
        html = one_tag.render(Context({"entries": entries}))
        assert html == loop.render(Context({"entries": entries}))
        assert ("Yasmin" in html) is (person == world.key_person)  # only staff see her named


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'é/")), max_size=30) | st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_escape_writes_what_djangos_escape_writes(text):
    """HTML written in Python escapes with `acorn_extras.escape`, which gives text without
    any of the five characters back as it is: the same as Django's for any text."""
    from django.utils.html import escape as django_escape

    from acorn.core.templatetags.acorn_extras import escape

    assert escape(text) == django_escape(text)
    assert escape(len(text)) == django_escape(len(text))
