"""Issue 13: `media_visible_to` keeps the queryset it builds in the process, under
everything it is built from. Kept or fresh, the SQL is the same for every kind of person,
and what a person sees still follows the database at each request."""

import pytest
from django.core.exceptions import EmptyResultSet

from acorn.children.models import ParentLink
from acorn.core.tests.factories import (
    ChildFactory,
    SettingFactory,
    fresh,
    observation,
    parent_of,
    staff,
)
from acorn.journal import selectors
from acorn.journal.tests.helpers import stored_photo
from acorn.org.models import Membership

pytestmark = pytest.mark.django_db


def _sql(queryset) -> str:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a rule that can match nothing (originals for a parent)
        return "nothing"
    return f"{sql} {params!r}"


@pytest.fixture
def world(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    setting, other = SettingFactory(), SettingFactory()
    child, friend = ChildFactory(setting=setting), ChildFactory(setting=setting)
    key_person = child.key_person
    leader = staff(setting, "manager")
    parent = parent_of(child)
    friend_parent = parent_of(friend)
    # A parent of the child who is also staff of the setting, not yet cleared.
    parent_staff = parent_of(child)
    Membership.objects.create(user=parent_staff, setting=setting, role="practitioner")
    dual = staff(setting)
    Membership.objects.create(user=dual, setting=other, role="practitioner")
    entry = observation(author=key_person, children=[child, friend])
    photo = stored_photo(
        setting=setting, uploaded_by=key_person, observation=entry, appears=[child, friend]
    )
    return locals()


def test_kept_and_fresh_rules_are_the_same_sql_for_everyone(world):
    people = ("key_person", "leader", "parent", "friend_parent", "parent_staff", "dual")
    for name in people:
        for originals in (False, True):
            user = fresh(world[name])
            kept = selectors.media_visible_to(user, originals=originals)
            again = selectors.media_visible_to(fresh(world[name]), originals=originals)
            built = selectors._media_rule(fresh(world[name]), originals=originals)
            assert _sql(kept) == _sql(again) == _sql(built), name
    # Different people never share a kept rule.
    assert _sql(selectors.media_visible_to(fresh(world["parent"]))) != _sql(
        selectors.media_visible_to(fresh(world["friend_parent"]))
    )


def test_what_is_seen_follows_the_database_on_the_next_request(world):
    photo, friend = world["photo"], world["friend"]
    parent = fresh(world["parent"])
    assert photo in selectors.media_visible_to(parent)
    # The friend's parent withdraws consent: the photo leaves the other family's view at once
    # (nothing about consent is kept).
    friend.image_consent = False
    friend.save(update_fields=["image_consent"])
    assert photo not in selectors.media_visible_to(fresh(world["parent"]))
    assert photo in selectors.media_visible_to(fresh(world["key_person"]))
    # A link removed changes the inputs: the parent no longer reaches the entry at all.
    friend.image_consent = True
    friend.save(update_fields=["image_consent"])
    ParentLink.objects.filter(parent=world["parent"]).delete()
    assert photo not in selectors.media_visible_to(fresh(world["parent"]))


def test_a_kept_rule_is_never_handed_out_itself(world):
    user = fresh(world["parent"])
    first = selectors.media_visible_to(user)
    list(first)
    second = selectors.media_visible_to(user)
    assert second is not first and second._result_cache is None


def _friend_without_consent_in_a_copy(friend, photo):
    """The friend's parents say no, and the worker leaves a copy of the photo with the
    friend's face obscured: the copy."""
    from acorn.journal.models import ObscuredFace, SharedRendition

    friend.image_consent = False
    friend.save(update_fields=["image_consent"])
    copy = SharedRendition.objects.create(
        media=photo, renditions={"display": "shared_display.jpg", "thumb": "shared_thumb.webp"}
    )
    ObscuredFace.objects.create(media=photo, rendition=copy, child=friend)
    return copy


def _as_read(items) -> list:
    """Each item, with the copy it is served as; an item read for a list (`listed_only`)
    is never served from there, so it says only that."""
    return sorted(
        (str(item.pk), "listed")
        if getattr(item, "listed_only", False)
        else (str(item.pk), bool(item.serve_shared), item.shared_files or None)
        for item in items
    )


def _ids(items) -> list:
    return sorted(str(item.pk) for item in items)


def test_the_compiled_prefetch_reads_what_the_rule_reads_for_everyone(world):
    """Journal lists prefetch media through the rule compiled once to SQL
    (`media_of_entries`): for every kind of person it finds the same items, with the same
    copy to serve, as `media_visible_to` itself, and follows the database afterwards."""
    from acorn.journal.models import Observation

    friend, photo, entry = world["friend"], world["photo"], world["entry"]
    # The friend's parents say no, and the worker leaves a copy with the friend's face
    # obscured: the child's family is served that copy, the friend's family the original.
    copy = _friend_without_consent_in_a_copy(friend, photo)
    people = ("key_person", "leader", "parent", "friend_parent", "parent_staff", "dual")
    seen = {}
    for name in people:
        for listing in (False, True):
            prefetch = selectors.media_of_entries(fresh(world[name]), listing=listing)
            entries = Observation.objects.filter(pk=entry.pk).prefetch_related(prefetch)
            compiled = [item for e in entries for item in e.visible_media]
            ruled = selectors.media_visible_to(fresh(world[name])).filter(observation=entry)
            if listing:  # the same items, each marked never to be served from the list
                assert _ids(compiled) == _ids(ruled), (name, listing)
                assert all(item.listed_only for item in compiled), name
            else:
                assert _as_read(compiled) == _as_read(ruled), (name, listing)
                seen[name] = _as_read(compiled)
    assert seen["parent"] == [(str(photo.pk), True, copy.renditions)]
    assert seen["friend_parent"] == [(str(photo.pk), False, None)]
    assert seen["key_person"] == [(str(photo.pk), False, None)]
    # The copy goes (the marks changed): the compiled rule, kept, hides the photo from the
    # child's family at once, as the database now says.
    copy.delete()
    prefetch = selectors.media_of_entries(fresh(world["parent"]))
    assert not Observation.objects.filter(pk=entry.pk).prefetch_related(prefetch)[0].visible_media


def test_a_kept_journal_is_the_same_sql_as_a_fresh_one_and_still_decides_each_time(world):
    """A child's journal queryset is kept per process too (`journal_for`): kept or built,
    the SQL is the same for every kind of person, who may read it is decided again on
    every request, and what is in it follows the database."""
    from django.http import Http404

    child, entry = world["child"], world["entry"]
    for name in ("key_person", "leader", "parent", "parent_staff", "dual"):
        selectors.journal_for(fresh(world[name]), child)  # kept
        kept = selectors.journal_for(fresh(world[name]), child)
        as_staff = selectors.is_staff_for(fresh(world[name]), child)
        built = selectors._journal_query(fresh(world[name]), child, as_staff)
        assert _sql(kept) == _sql(built), name
        assert list(kept) == [entry], name
    # The parent's link ends: the kept journal is never reached, the request is refused.
    ParentLink.objects.filter(parent=world["parent"]).delete()
    with pytest.raises(Http404):
        selectors.journal_for(fresh(world["parent"]), child)
    # The entry goes back to draft: it leaves the friend's parent's kept journal at once.
    friend_parent, friend = world["friend_parent"], world["friend"]
    assert list(selectors.journal_for(fresh(friend_parent), friend)) == [entry]
    entry.status = "draft"
    entry.save(update_fields=["status"])
    assert list(selectors.journal_for(fresh(friend_parent), friend)) == []


def _listed(entries) -> list:
    """What a list shows of each entry: its children's first names in order, and its
    media with the copy to serve."""
    return [
        (
            entry.pk,
            [(link.child_id, link.child.first_name) for link in selectors.entry_links(entry)],
            _as_read(entry.visible_media),
            [item.observation is entry for item in entry.visible_media],
        )
        for entry in entries
    ]


def test_a_listed_journal_page_reads_what_the_queryset_reads_for_everyone(world):
    """The unfiltered journal page is read by statements compiled once per process
    (`selectors.listed`): for every kind of person it gives the same entries, children and
    media, with the same copy to serve, as the journal's queryset with its prefetches, and
    it follows the database afterwards."""

    child, friend, entry, photo = world["child"], world["friend"], world["entry"], world["photo"]
    older = observation(author=world["key_person"], children=[child])
    copy = _friend_without_consent_in_a_copy(friend, photo)
    everything = selectors.JournalFilter()
    for name in ("key_person", "leader", "parent", "parent_staff", "dual"):
        for offset, size in ((0, 21), (1, 5)):
            for authors in (True, False):
                read = selectors.journal_page(
                    fresh(world[name]), child, everything, offset=offset, size=size,
                    authors=authors,
                )  # fmt: skip
                again = selectors.journal_page(
                    fresh(world[name]), child, everything, offset=offset, size=size,
                    authors=authors,
                )  # fmt: skip
                queried = list(selectors.journal_for(fresh(world[name]), child)[offset:][:size])
                assert _listed(read) == _listed(again) == _listed(queried), name
    parent_page = selectors.journal_page(
        fresh(world["parent"]), child, everything, offset=0, size=21
    )
    assert [e.pk for e in parent_page] == [entry.pk, older.pk] or [e.pk for e in parent_page] == [
        older.pk,
        entry.pk,
    ]
    shown = {e.pk: _as_read(e.visible_media) for e in parent_page}
    assert shown[entry.pk] == [(str(photo.pk), "listed")]
    # Opened from the list, the photo is served to the family as the copy.
    served = selectors.media_for(fresh(world["parent"]), photo.pk)
    assert served.serve_shared and served.shared_files == copy.renditions
    assert parent_page[0].author.name  # the page names authors
    # The copy goes: the photo leaves the family's page at once; the entry stays.
    copy.delete()
    again = selectors.journal_page(fresh(world["parent"]), child, everything, offset=0, size=21)
    assert {e.pk: _as_read(e.visible_media) for e in again}[entry.pk] == []
    # The entry goes back to draft: it leaves the family's page at once.
    entry.status = "draft"
    entry.save(update_fields=["status"])
    again = selectors.journal_page(fresh(world["parent"]), child, everything, offset=0, size=21)
    assert [e.pk for e in again] == [older.pk]


def test_the_listed_review_page_reads_what_the_review_list_reads_with_every_filter(world):
    """The review list's first page is read by `listed` too, kept under each filter as
    the list reads it: an id, nothing, or something that isn't an id."""
    from acorn.journal.models import Observation

    setting, child, friend = world["entry"].setting, world["child"], world["friend"]
    mine = observation(author=world["key_person"], children=[child])
    Observation.objects.filter(pk=world["entry"].pk).update(published_at=mine.published_at)
    leader = world["leader"]
    filters = [
        {},
        {"author_id": str(world["key_person"].pk)},
        {"author_id": str(leader.pk)},
        {"child_id": str(friend.pk)},
        {"child_id": "not-an-id"},
        {"author_id": "", "child_id": str(child.pk)},
        {"unreviewed": False},
    ]
    for wanted in filters:
        for size in (50, 1):
            read = selectors.review_page(fresh(leader), setting, size=size, **wanted)
            queried = list(selectors.review_list(fresh(leader), setting, **wanted)[:size])
            assert _listed(read) == _listed(queried), wanted
    both = selectors.review_page(fresh(leader), setting, size=50)
    assert {e.pk for e in both} == {world["entry"].pk, mine.pk}
    only_friend = selectors.review_page(fresh(leader), setting, size=50, child_id=str(friend.pk))
    assert [e.pk for e in only_friend] == [world["entry"].pk]
    # Reviewed meanwhile: it leaves the kept list at once.
    Observation.objects.filter(pk=mine.pk).update(reviewed_at=mine.published_at)
    assert [e.pk for e in selectors.review_page(fresh(leader), setting, size=50)] == [
        world["entry"].pk
    ]


def test_every_page_of_a_list_shows_what_the_media_rule_shows_through_consent_changes(world):
    """The first page of a journal (a statement) and a filtered page (its queryset, as the
    API's later pages are read) read their media the same way (`read_listed`): whatever
    mix of consent, copies and carried photos, each shows each person exactly what
    `media_visible_to` shows them, on every request."""
    from acorn.leaving.models import CarriedAppearance

    setting, child, friend = world["entry"].setting, world["child"], world["friend"]
    key_person, entry, photo = world["key_person"], world["entry"], world["photo"]
    stranger = ChildFactory(setting=setting, image_consent=False)
    other_setting_child = ChildFactory(image_consent=False)  # carried from elsewhere
    # A second entry: one photo with a child without consent and no copy, one carried
    # with a transferred child's copy showing a child of the old setting.
    second = observation(author=key_person, children=[child])
    blocked = stored_photo(
        setting=setting, uploaded_by=key_person, observation=second, appears=[child, stranger]
    )
    carried = stored_photo(setting=setting, uploaded_by=key_person, observation=second)
    CarriedAppearance.objects.create(media=carried, child=other_setting_child)
    _friend_without_consent_in_a_copy(friend, photo)
    everything = selectors.JournalFilter()
    entries = [entry.pk, second.pk]

    def check(name):
        page = selectors.journal_page(fresh(world[name]), child, everything, offset=0, size=21)
        ruled = selectors.media_visible_to(fresh(world[name])).filter(observation__in=entries)
        listed = [item for e in page for item in e.visible_media]
        assert _ids(listed) == _ids(ruled), name
        assert all(item.listed_only for item in listed), name
        return {item.pk for item in listed}

    for name in ("key_person", "leader", "parent", "parent_staff", "dual"):
        check(name)
    assert check("parent") == {photo.pk}  # the copy of the friend's photo only
    # The carried child's parents consent again: the carried copy comes back at once.
    other_setting_child.image_consent = True
    other_setting_child.save(update_fields=["image_consent"])
    assert check("parent") == {photo.pk, carried.pk}
    # The stranger's parents consent: that photo comes back too, and the friend's
    # family's original (not the copy) is still only for the friend's own family.
    stranger.image_consent = True
    stranger.save(update_fields=["image_consent"])
    assert check("parent") == {photo.pk, carried.pk, blocked.pk}
    # Consent withdrawn again: gone on the next request.
    stranger.image_consent = False
    stranger.save(update_fields=["image_consent"])
    assert check("parent") == {photo.pk, carried.pk}
    # Filtered pages (read by their queryset) decide the same.
    with_photos = selectors.JournalFilter(with_media=True)
    page = selectors.journal_page(fresh(world["parent"]), child, with_photos, offset=0, size=21)
    assert {item.pk for e in page for item in e.visible_media} == {photo.pk, carried.pk}


def test_a_photo_read_for_a_list_is_never_served_from_there(world):
    """A list reads its photos without which copy each person is served (a third of its
    media query): delivery refuses such an item rather than fall back to the original."""
    from acorn.journal import delivery

    child, photo, friend = world["child"], world["photo"], world["friend"]
    _friend_without_consent_in_a_copy(friend, photo)
    page = selectors.journal_page(
        fresh(world["parent"]), child, selectors.JournalFilter(), offset=0, size=21
    )
    [listed] = [item for entry in page for item in entry.visible_media]
    with pytest.raises(ValueError, match="never served"):
        delivery.storage_name(listed, "display")
    served = selectors.media_for(fresh(world["parent"]), photo.pk)
    assert delivery.storage_name(served, "display").endswith("shared_display.jpg")
