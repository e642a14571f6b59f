"""J-6: the review list a page at a time (as many as a journal page), newest first, with
its filters kept from page to page and the same queries on every page."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acorn.core.tests import factories as f
from acorn.journal.models import Observation
from acorn.journal.tests.helpers import stored_photo
from acorn.journal.views import REVIEW_PAGE_SIZE

FORM = re.compile(r'<form method="post" action="/observations/([^/"]+)/review"')


def _entries(world, count, *, author=None, children=None, photos=False):
    """`count` entries published a minute apart, the first written the oldest."""
    start = timezone.now() - timedelta(days=1)
    made = []
    for n in range(count):
        entry = f.observation(
            author=author or world.key_person,
            children=children or [world.child],
            text=f"Tower number {n}.",
        )
        Observation.objects.filter(pk=entry.pk).update(published_at=start + timedelta(minutes=n))
        if photos:
            stored_photo(setting=world.setting_a, uploaded_by=world.key_person, observation=entry)
        made.append(entry)
    return made


def _shown(page: str) -> list[str]:
    return FORM.findall(page)


def test_the_review_list_shows_a_page_at_a_time_newest_first(world, web):
    entries = _entries(world, REVIEW_PAGE_SIZE + 3)
    newest_first = [str(e.pk) for e in reversed(entries)]
    leader = web(world.manager)

    first = leader.get("/review/").content.decode()
    assert _shown(first) == newest_first[:REVIEW_PAGE_SIZE]
    assert f'href="?show=unreviewed&amp;from={REVIEW_PAGE_SIZE}">Older entries</a>' in first

    second = leader.get(f"/review/?show=unreviewed&from={REVIEW_PAGE_SIZE}").content.decode()
    assert _shown(second) == newest_first[REVIEW_PAGE_SIZE:]
    assert "Older entries" not in second
    # Each form brings the leader back to the page it is on.
    assert f'name="next" value="/review/?show=unreviewed&amp;from={REVIEW_PAGE_SIZE}"' in second


def test_reviewing_on_a_later_page_comes_back_to_it_and_the_rest_move_up(world, web):
    entries = _entries(world, REVIEW_PAGE_SIZE + 2)
    leader = web(world.manager)
    here = f"/review/?show=unreviewed&from={REVIEW_PAGE_SIZE}"
    oldest = entries[0]
    answer = leader.post(f"/observations/{oldest.pk}/review", {"feedback": "", "next": here})
    assert answer.status_code == 302 and answer.url == here
    page = leader.get(here).content.decode()
    assert _shown(page) == [str(entries[1].pk)]

    # Past the end (everything there reviewed): a way back, not "everything is reviewed".
    leader.post(f"/observations/{entries[1].pk}/review", {"feedback": "", "next": here})
    page = leader.get(here).content.decode()
    assert _shown(page) == []
    assert "There are no more entries here." in page
    assert "Everything has been reviewed" not in page
    assert 'href="?show=unreviewed">Back to the newest</a>' in page


def test_the_older_link_keeps_the_filters(world, web):
    deputy = f.staff(world.setting_a, "deputy")
    _entries(world, REVIEW_PAGE_SIZE + 1, author=deputy)
    _entries(world, 2)  # by someone else: filtered out
    leader = web(world.manager)
    query = f"show=all&author={deputy.pk}&child={world.child.pk}"
    page = leader.get(f"/review/?{query}").content.decode()
    assert len(_shown(page)) == REVIEW_PAGE_SIZE
    assert f'href="?{query.replace("&", "&amp;")}&amp;from={REVIEW_PAGE_SIZE}"' in page
    later = leader.get(f"/review/?{query}&from={REVIEW_PAGE_SIZE}").content.decode()
    assert len(_shown(later)) == 1


def test_the_empty_list_says_why(world, web):
    leader = web(world.manager)
    assert "Everything has been reviewed" in leader.get("/review/").content.decode()
    page = leader.get("/review/?show=all").content.decode()
    assert "No published entries yet." in page
    page = leader.get(f"/review/?show=all&author={world.key_person.pk}").content.decode()
    assert "No published entries match these choices." in page


def test_every_page_of_the_review_list_costs_the_same_queries(world, web):
    leader = web(world.manager)
    _entries(world, 3, photos=True)
    leader.get("/review/")  # warm: per-process statements and caches

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert leader.get(path).status_code == 200
        return len(captured)

    few = queries("/review/")
    other = f.ChildFactory(setting=world.setting_a, key_person=world.key_person)
    _entries(world, 2 * REVIEW_PAGE_SIZE + 5, children=[world.child, other], photos=True)
    leader.get(f"/review/?from={REVIEW_PAGE_SIZE}")  # its own statement, made once
    assert queries("/review/") == few
    assert queries(f"/review/?from={REVIEW_PAGE_SIZE}") == few


def test_an_offset_that_is_not_a_number_is_the_first_page(world, web):
    _entries(world, 2)
    page = web(world.manager).get("/review/?from=lots").content.decode()
    assert len(_shown(page)) == 2


def test_a_review_goes_back_only_to_a_page_of_acorn(world, web):
    entry, other = _entries(world, 2)
    leader = web(world.manager)
    answer = leader.post(
        f"/observations/{entry.pk}/review", {"feedback": "", "next": "https://elsewhere.test/"}
    )
    assert answer.status_code == 302 and answer.url == "/review/"
    answer = leader.post(f"/observations/{other.pk}/review", {"feedback": "", "next": "//x.test"})
    assert answer.status_code == 302 and answer.url == "/review/"
    assert Observation.objects.filter(reviewed_by=world.manager).count() == 2
