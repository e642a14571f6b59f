"""Issue 14: a child's photos (gallery), a page of its own for each photo, and the
journal's filters and search, all read through the journal's selectors so that nobody
sees anything new: other families and other settings get "not found", consent (C-2) and
initials (C-4) apply as they do on the journal."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acorn.children.consent import consent_record
from acorn.conftest import ApiClient
from acorn.core.tests import factories as f
from acorn.journal.models import MediaAppearance, ObscuredFace, SharedRendition
from acorn.journal.tests.helpers import stored_photo


def _say_no(world):
    """Yasmin's parents say no to photos in other children's journals."""
    consent_record(
        parent=world.other_parent,
        child=world.other_child,
        given=False,
        signature_name=world.other_parent.name,
    )


def _entry(world, children=None, *, text="Built a tower.", days_ago=0, photos=0, **kwargs):
    entry = f.observation(
        author=world.key_person,
        children=children or [world.child],
        text=text,
        observed_on=date.today() - timedelta(days=days_ago),
        **kwargs,
    )
    items = [
        stored_photo(
            setting=entry.setting,
            uploaded_by=world.key_person,
            observation=entry,
            appears=children or [world.child],
        )
        for _ in range(photos)
    ]
    return entry, items


def _group_photo(world):
    """Xander and Yasmin in one photo; Yasmin's parents have said no."""
    _say_no(world)
    return _entry(
        world,
        [world.child, world.other_child],
        text="Xander and Yasmin built a den together.",
        photos=1,
    )


def _obscure(item, child):
    """What the worker leaves once a child's face is marked: a shared copy with that
    child's face obscured, and a row saying so."""
    for name in ("shared_display.jpg", "shared_thumb.webp"):
        default_storage.save(f"{item.storage_prefix}/{name}", ContentFile(b"obscured copy"))
    copy = SharedRendition.objects.create(
        media=item, renditions={"display": "shared_display.jpg", "thumb": "shared_thumb.webp"}
    )
    ObscuredFace.objects.create(media=item, rendition=copy, child=child)


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _gallery(client, child, **params):
    return client.get(f"/children/{child.pk}/photos", params)


def _shown_media(html) -> list[str]:
    return re.findall(r'class="photo-tile" href="/media/([0-9a-f-]+)/"', html)


# --- The gallery ----------------------------------------------------------------------


def test_parent_sees_their_childs_photos_and_videos_newest_first(world, web):
    _, older = _entry(world, days_ago=3, photos=1)
    _, newer = _entry(world, days_ago=1, photos=2)
    page = _gallery(web(world.parent), world.child)
    assert page.status_code == 200
    html = page.content.decode()
    assert _shown_media(html) == [str(m.pk) for m in newer + older]
    # Each tile opens the viewer over the page, and without JavaScript its own page.
    assert f'data-src="/media/{older[0].pk}/display"' in html
    assert f'src="/media/{older[0].pk}/thumb"' in html
    assert re.search(r'data-srcset="[^"]*/thumb \d+w, [^"]*/display \d+w"', html)


@pytest.mark.parametrize("who", ["other_parent", "far_parent", "other_manager"])
def test_another_family_and_another_setting_get_not_found(world, web, who):
    _entry(world, photos=1)
    assert _gallery(web(getattr(world, who)), world.child).status_code == 404


def test_staff_of_the_setting_see_every_photo(world, web):
    _, items = _entry(world, photos=1)
    _, group = _group_photo(world)
    html = _gallery(web(world.key_person), world.child).content.decode()
    assert _shown_media(html) == [str(m.pk) for m in group + items]


def test_a_group_photo_without_consent_stays_out_of_another_childs_gallery(world, web):
    _, group = _group_photo(world)
    _, own = _entry(world, days_ago=2, photos=1)
    # Xander's family: not the photo with Yasmin in it.
    assert _shown_media(_gallery(web(world.parent), world.child).content.decode()) == [
        str(own[0].pk)
    ]
    # Yasmin's own family sees it in her gallery.
    yasmin = _gallery(web(world.other_parent), world.other_child).content.decode()
    assert _shown_media(yasmin) == [str(group[0].pk)]


def test_an_obscured_group_photo_reaches_other_families_only_as_the_obscured_copy(world, web):
    _, (item,) = _group_photo(world)
    _obscure(item, world.other_child)
    parent = web(world.parent)
    html = _gallery(parent, world.child).content.decode()
    assert _shown_media(html) == [str(item.pk)]
    # Every address on the page serves the obscured copy to this family.
    for rendition in ("thumb", "display"):
        assert f"/media/{item.pk}/{rendition}" in html
        assert _bytes(parent.get(f"/media/{item.pk}/{rendition}")) == b"obscured copy"
    assert parent.get(f"/media/{item.pk}/original").status_code == 404


def test_gallery_alt_text_names_other_children_by_initials_for_a_parent(world, web):
    _say_no(world)
    _, (item,) = _group_photo(world)
    _obscure(item, world.other_child)
    html = _gallery(web(world.parent), world.child).content.decode()
    assert "Xander and Y.Z. built a den" in html
    assert "Yasmin" not in html
    staff_html = _gallery(web(world.key_person), world.child).content.decode()
    assert "Xander and Yasmin built a den" in staff_html


def test_gallery_leaves_out_drafts_and_photos_still_processing(world, web):
    _entry(world, photos=1, status="draft")
    _, (item,) = _entry(world, photos=1)
    item.status = "processing"
    item.save(update_fields=["status"])
    html = _gallery(web(world.parent), world.child).content.decode()
    assert _shown_media(html) == []
    assert "No photos or videos" in html


def test_gallery_pages_by_a_fixed_size_with_a_fixed_number_of_queries(world, web):
    from acorn.journal.views import GALLERY_PAGE_SIZE

    parent = web(world.parent)
    _entry(world, photos=3)
    _gallery(parent, world.child)
    with CaptureQueriesContext(connection) as few:
        assert _gallery(parent, world.child).status_code == 200
    for day in range(1, GALLERY_PAGE_SIZE + 5):
        _entry(world, days_ago=day, photos=1, text=f"Day {day}")
    with CaptureQueriesContext(connection) as many:
        first = _gallery(parent, world.child).content.decode()
    assert len(many) == len(few)
    assert len(_shown_media(first)) == GALLERY_PAGE_SIZE
    assert f'href="?from={GALLERY_PAGE_SIZE}">Older photos' in first
    second = _gallery(parent, world.child, **{"from": GALLERY_PAGE_SIZE}).content.decode()
    assert len(_shown_media(second)) == GALLERY_PAGE_SIZE + 3 + 4 - GALLERY_PAGE_SIZE
    assert not set(_shown_media(first)) & set(_shown_media(second))
    assert "Newer photos" in second and "Older photos" not in second


def test_the_journal_and_the_profile_link_to_the_gallery(world, web):
    gallery = f'href="/children/{world.child.pk}/photos"'
    assert gallery in web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert gallery in web(world.key_person).get(f"/children/{world.child.pk}/").content.decode()


# --- A photo's own page ---------------------------------------------------------------


def test_a_photo_in_the_journal_leads_to_a_page_inside_acorn_not_the_file(world, web):
    entry, items = _entry(world, photos=2)
    html = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert f'<a class="media-photo" href="/media/{items[0].pk}/"' in html
    assert f'href="/media/{items[0].pk}/display"' not in html
    assert re.search(r'<script src="/static/journal/viewer\.js" nonce="[^"]+"', html)
    page = web(world.parent).get(f"/media/{items[1].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Photo 2 of 2" in html
    assert f'href="/observations/{entry.pk}/">Back to the entry' in html
    assert f'href="/media/{items[0].pk}/">Previous' in html
    assert f'src="/media/{items[1].pk}/display"' in html
    assert 'alt="Photo: Built a tower."' in html


@pytest.mark.parametrize("who", ["other_parent", "far_parent", "other_manager"])
def test_a_photos_page_is_not_found_for_another_family_or_setting(world, web, who):
    _, (item,) = _entry(world, photos=1)
    assert web(getattr(world, who)).get(f"/media/{item.pk}/").status_code == 404


def test_a_photos_page_follows_consent(world, web):
    _, (item,) = _group_photo(world)
    assert web(world.parent).get(f"/media/{item.pk}/").status_code == 404
    assert web(world.other_parent).get(f"/media/{item.pk}/").status_code == 200
    assert web(world.key_person).get(f"/media/{item.pk}/").status_code == 200
    _obscure(item, world.other_child)
    html = web(world.parent).get(f"/media/{item.pk}/").content.decode()
    assert f'src="/media/{item.pk}/display"' in html
    assert "Y.Z." in html and "Yasmin" not in html


def test_a_photo_not_in_an_entry_has_no_page(world, web):
    item = stored_photo(setting=world.setting_a, uploaded_by=world.key_person)
    assert web(world.key_person).get(f"/media/{item.pk}/").status_code == 404
    assert web(world.key_person).get("/media/not-an-id/").status_code == 404


# --- Filters and search ---------------------------------------------------------------


def _journal(client, child, **params):
    return client.get(f"/children/{child.pk}/journal", params)


def _texts(html) -> list[str]:
    return re.findall(r'<div class="entry-text"><p>(.*?)</p>', html)


def test_filter_by_area_and_dates(world, web):
    _entry(world, text="Counted ducks.", areas=["M"], days_ago=10)
    _entry(world, text="Told a story.", areas=["CL", "L"], days_ago=5)
    _entry(world, text="Wrote a name.", areas=["L"], days_ago=1)
    parent = web(world.parent)
    assert _texts(_journal(parent, world.child, area="L").content.decode()) == [
        "Wrote a name.",
        "Told a story.",
    ]
    # "L" is not part of "CL".
    assert _texts(_journal(parent, world.child, area="CL").content.decode()) == ["Told a story."]
    since = (date.today() - timedelta(days=6)).isoformat()
    until = (date.today() - timedelta(days=2)).isoformat()
    assert _texts(_journal(parent, world.child, since=since, until=until).content.decode()) == [
        "Told a story."
    ]
    assert _texts(_journal(parent, world.child, until=until).content.decode()) == [
        "Told a story.",
        "Counted ducks.",
    ]


def test_a_mistyped_filter_is_said_and_the_journal_still_shows(world, web):
    _entry(world, text="Counted ducks.")
    html = _journal(web(world.parent), world.child, since="soon", area="nope").content.decode()
    assert "Enter a valid date." in html
    assert _texts(html) == ["Counted ducks."]
    late, early = date.today().isoformat(), (date.today() - timedelta(days=3)).isoformat()
    html = _journal(web(world.parent), world.child, since=late, until=early).content.decode()
    assert "Choose a date on or after the first one." in html
    # The empty filter boxes are written once per process (issue 13): a mistake, and
    # what was typed, stay with the page they were typed on.
    html = _journal(web(world.parent), world.child).content.decode()
    assert "Choose a date on or after" not in html and "Enter a valid date." not in html
    assert 'name="since"' in html and f'value="{late}"' not in html
    assert 'id="id_q"' in html and '<option value="CL">' in html
    html = _journal(web(world.parent), world.child, q="ducks").content.decode()
    assert 'value="ducks"' in html


def test_with_photos_counts_only_photos_this_reader_may_see(world, web):
    _entry(world, text="Painted a rainbow.", photos=1, days_ago=1)
    _entry(world, text="Sang a song.")
    _group_photo(world)  # its only photo shows Yasmin, whose parents said no
    parent = _journal(web(world.parent), world.child, photos="on").content.decode()
    assert _texts(parent) == ["Painted a rainbow."]
    staff = _journal(web(world.key_person), world.child, photos="on").content.decode()
    assert _texts(staff) == ["Xander and Yasmin built a den together.", "Painted a rainbow."]


def test_search_finds_words_in_the_text_and_next_steps(world, web):
    _entry(world, text="Climbed the big frame.", next_steps="Try the rope ladder.", days_ago=1)
    _entry(world, text="Played in the sand.")
    parent = web(world.parent)
    assert _texts(_journal(parent, world.child, q="ROPE frame").content.decode()) == [
        "Climbed the big frame."
    ]
    assert _texts(_journal(parent, world.child, q="sand").content.decode()) == [
        "Played in the sand."
    ]
    html = _journal(parent, world.child, q="giraffe").content.decode()
    assert _texts(html) == [] and "No entries match these filters." in html


@pytest.mark.parametrize("query", ["Yasmin", "yasmin", "Yas", "Zed", "smin"])
def test_a_parents_search_never_matches_another_childs_name(world, web, query):
    _entry(world, [world.child, world.other_child], text="Xander gave Yasmin Zed a hug.")
    _entry(world, text="Xander sang.", days_ago=1)
    # Xander's family reads "Y.Z.": searching the name finds nothing, so it tells nothing.
    assert _texts(_journal(web(world.parent), world.child, q=query).content.decode()) == []
    # Staff read the entry as written, and find it.
    staff = _journal(web(world.key_person), world.child, q=query).content.decode()
    assert _texts(staff) == ["Xander gave Yasmin Zed a hug."]
    # Yasmin's own family reads her name, and finds it in her journal.
    own = _journal(web(world.other_parent), world.other_child, q=query).content.decode()
    assert _texts(own) == ["X.Y. gave Yasmin Zed a hug."]


def test_a_parent_finds_another_child_by_the_initials_they_read(world, web):
    _entry(world, [world.child, world.other_child], text="Xander gave Yasmin Zed a hug.")
    _entry(world, text="Xander sang.", days_ago=1)
    found = _journal(web(world.parent), world.child, q="y.z. hug").content.decode()
    assert _texts(found) == ["Xander gave Y.Z. a hug."]


def test_a_parent_who_is_uncleared_staff_searches_as_a_parent(world, web):
    f.MembershipFactory(user=world.parent, setting=world.setting_a)
    _entry(world, [world.child, world.other_child], text="Xander gave Yasmin a hug.")
    html = _journal(web(world.parent), world.child, q="Yasmin").content.decode()
    assert _texts(html) == []
    assert _texts(_journal(web(world.parent), world.child, q="hug").content.decode()) == [
        "Xander gave Y.Z. a hug."
    ]


@pytest.mark.parametrize("who", ["other_parent", "far_parent", "other_manager"])
def test_filters_give_another_family_or_setting_nothing(world, web, who):
    _entry(world, text="Xander sang.", areas=["CL"], photos=1)
    client = web(getattr(world, who))
    assert _journal(client, world.child, q="sang", area="CL", photos="on").status_code == 404


def test_filters_stay_on_the_next_page_and_cost_a_fixed_number_of_queries(world, web):
    from acorn.journal.views import PAGE_SIZE

    parent = web(world.parent)
    params = {"q": "tower", "area": "PD", "photos": "on"}
    _entry(world, text="A tower.", areas=["PD"], photos=1)
    _journal(parent, world.child, **params)
    with CaptureQueriesContext(connection) as few:
        _journal(parent, world.child, **params)
    for day in range(1, PAGE_SIZE + 5):
        _entry(world, text=f"Tower {day}.", areas=["PD"], photos=1, days_ago=day)
        _entry(world, text=f"Sand {day}.", areas=["PD"], photos=1, days_ago=day)
    with CaptureQueriesContext(connection) as many:
        first = _journal(parent, world.child, **params).content.decode()
    assert len(many) == len(few)
    assert len(_texts(first)) == PAGE_SIZE
    link = re.search(r'href="\?([^"]+)">Older entries', first).group(1).replace("&amp;", "&")
    assert link == f"q=tower&area=PD&photos=on&from={PAGE_SIZE}"
    second = parent.get(f"/children/{world.child.pk}/journal?{link}").content.decode()
    assert len(_texts(second)) == 5
    assert all("ower" in text for text in _texts(first) + _texts(second))


# --- The API --------------------------------------------------------------------------


def _api_texts(client, child, **params):
    answer = client.get(f"/children/{child.pk}/journal", **params)
    assert answer.status_code == 200, answer.content
    return [item["text"] for item in answer.json()["items"]]


def test_api_takes_the_same_filters(world):
    _entry(world, text="Counted ducks.", areas=["M"], days_ago=10)
    _entry(world, text="Told a story.", areas=["CL"], days_ago=5, photos=1)
    _entry(world, [world.child, world.other_child], text="Xander and Yasmin hid.", days_ago=1)
    parent = ApiClient(world.parent)
    assert _api_texts(parent, world.child, area="M") == ["Counted ducks."]
    assert _api_texts(parent, world.child, has_photos="true") == ["Told a story."]
    since = (date.today() - timedelta(days=6)).isoformat()
    assert _api_texts(parent, world.child, since=since) == ["Xander and Y.Z. hid.", "Told a story."]
    assert _api_texts(parent, world.child, q="Yasmin") == []
    assert _api_texts(ApiClient(world.key_person), world.child, q="Yasmin") == [
        "Xander and Yasmin hid."
    ]
    assert parent.get(f"/children/{world.child.pk}/journal", area="XX").status_code == 422
    assert parent.get(f"/children/{world.child.pk}/journal", q="x" * 201).status_code == 422
    other = ApiClient(world.other_manager)
    assert other.get(f"/children/{world.child.pk}/journal", q="ducks").status_code == 404


def test_api_keyset_paging_works_with_filters(world):
    for day in range(60):
        _entry(world, text=f"Tower {day}.", areas=["PD"], days_ago=day)
        _entry(world, text=f"Sand {day}.", areas=["M"], days_ago=day)
    parent = ApiClient(world.parent)
    seen, cursor = [], None
    while True:
        params = {"q": "tower", "area": "PD", **({"cursor": cursor} if cursor else {})}
        body = parent.get(f"/children/{world.child.pk}/journal", **params).json()
        seen += [item["text"] for item in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert seen == [f"Tower {day}." for day in range(60)]


def test_group_photo_appearance_decides_the_gallery_not_the_entry_alone(world, web):
    """A photo of an entry about Xander in which Yasmin can also be seen (added by staff)
    follows Yasmin's parents' "no" in Xander's gallery."""
    _say_no(world)
    _, (item,) = _entry(world, photos=1)
    MediaAppearance.objects.create(media=item, child=world.other_child)
    assert _shown_media(_gallery(web(world.parent), world.child).content.decode()) == []


def test_a_parent_who_is_uncleared_staff_sees_the_gallery_as_a_parent(world, web):
    f.MembershipFactory(user=world.parent, setting=world.setting_a)
    _, group = _group_photo(world)
    _, own = _entry(world, days_ago=1, photos=1)
    html = _gallery(web(world.parent), world.child).content.decode()
    assert _shown_media(html) == [str(own[0].pk)]
    assert web(world.parent).get(f"/media/{group[0].pk}/").status_code == 404


def test_staff_of_two_settings_see_each_childs_photos_by_that_settings_rules(world, web):
    both = f.staff(world.setting_a, "practitioner", email="both@a.test")
    f.MembershipFactory(user=both, setting=world.setting_b)
    f.clear(both, world.setting_b)
    _, far = _entry(world, [world.far_child], photos=1)
    _, near = _entry(world, photos=1)
    client = web(both)
    assert _shown_media(_gallery(client, world.far_child).content.decode()) == [str(far[0].pk)]
    assert _shown_media(_gallery(client, world.child).content.decode()) == [str(near[0].pk)]
    # Staff of setting B alone still see nothing of setting A's child.
    assert _gallery(web(world.other_manager), world.child).status_code == 404


def test_a_video_in_the_gallery_opens_with_its_poster(world, web):
    _, (item,) = _entry(world, photos=1)
    item.kind = "video"
    item.renditions = {**item.renditions, "poster": "display.jpg"}
    item.save(update_fields=["kind", "renditions"])
    html = _gallery(web(world.parent), world.child).content.decode()
    assert f'data-kind="video" data-src="/media/{item.pk}/display"' in html
    assert f'data-poster="/media/{item.pk}/poster"' in html
    assert "▶ Video" in html
    page = web(world.parent).get(f"/media/{item.pk}/").content.decode()
    assert "<video controls" in page and "Video 1 of 1" in page


def test_the_journal_api_answers_exactly_what_its_schema_gives(world):
    """The journal list is rendered without validating it again (issue 13): its answer must
    be byte for byte the one its response schema gives, for every kind of entry."""
    from acorn.core.api import api
    from acorn.journal.api import ObservationPage
    from acorn.journal.models import MediaItem, Observation

    plain, _ = _entry(world, text="Sang.", days_ago=1)
    rich, _ = _entry(world, [world.child, world.other_child], text="Built <a> & den.", photos=2)
    Observation.objects.filter(pk=rich.pk).update(
        areas=["CL", "PD"], aspects=["PD-M"], next_steps="Try a bigger one.",
    )  # fmt: skip
    MediaItem.objects.filter(observation=rich).update(duration=3, width=640, height=480)
    item = MediaItem.objects.filter(observation=rich).first()
    MediaItem.objects.filter(pk=item.pk).update(
        status=MediaItem.Status.FAILED, failure_message="Couldn't read it."
    )
    from_home = f.observation(
        author=world.parent, children=[world.child], text="At the park.", status="pending",
        by_parent=True,
    )  # fmt: skip
    Observation.objects.filter(pk=from_home.pk).update(author=None)
    for person in (world.parent, world.key_person):
        answer = ApiClient(person).get(f"/children/{world.child.pk}/journal")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        validated = ObservationPage.model_validate(answer.json()).model_dump()
        assert answer.content.decode() == api.renderer.render(None, validated, response_status=200)
        ids = {item["id"] for item in answer.json()["items"]}
        assert {str(plain.pk), str(rich.pk)} <= ids
    media = [i for i in answer.json()["items"] if i["id"] == str(rich.pk)][0]["media"]
    assert sorted(m["duration"] for m in media) == [3.0, 3.0]
