"""Onboarding and image consent (P-1, P-7, C-1 to C-4), through the API and the pages."""

from datetime import date

import pytest

from acorn.audit.models import AuditEvent
from acorn.children.consent import wording_publish
from acorn.children.models import ImageConsent, ParentAgreement
from acorn.core.tests import factories as f
from acorn.journal.models import MediaAppearance, MediaItem


def _group_photo(world, *, children=None, appears=None):
    """A published entry for X (Xander) whose photo also shows Y (Yasmin)."""
    children = children or [world.child]
    obs = f.observation(author=world.key_person, children=children, text="Den building")
    item = MediaItem.objects.create(
        setting=world.setting_a, uploaded_by=world.key_person, observation=obs,
        kind="photo", mime="image/jpeg", status="ready", storage_prefix=f"media/{obs.pk.hex}",
        original_name="original.jpg", renditions={"thumb": "thumb.webp", "display": "display.jpg"},
    )  # fmt: skip
    for child in appears or [world.child, world.other_child]:
        MediaAppearance.objects.create(media=item, child=child)
    for name in ("thumb.webp", "display.jpg", "original.jpg"):
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        default_storage.save(f"{item.storage_prefix}/{name}", ContentFile(b"pixels"))
    return obs, item


def _media_ids(api_client, child):
    items = api_client.get(f"/children/{child.pk}/journal").json()["items"]
    return [m["id"] for entry in items for m in entry["media"]]


def _withdraw(api_client, child, signature_name="Olly Other"):
    return api_client.client.put(
        f"/api/v1/children/{child.pk}/consent",
        {"images_in_other_journals": False, "signature_name": signature_name},
        content_type="application/json",
        **api_client._headers(),
    )


def test_group_photo_hidden_from_other_journals_without_consent(world, api, web):
    # Yasmin's parent says no.
    assert _withdraw(api(world.other_parent), world.other_child).status_code == 200
    obs, item = _group_photo(world, children=[world.child, world.other_child])
    x_parent, y_parent = api(world.parent), api(world.other_parent)
    # In Yasmin's journal (her own) it is shown; in Xander's it is not.
    assert _media_ids(y_parent, world.other_child) == [str(item.pk)]
    assert _media_ids(x_parent, world.child) == []
    assert x_parent.get(f"/observations/{obs.pk}").json()["media"] == []
    for rendition in ("thumb", "display", "original"):
        assert x_parent.get(f"/media/{item.pk}/content", rendition=rendition).status_code == 404
    assert y_parent.get(f"/media/{item.pk}/content", rendition="thumb").status_code == 200
    # The same in pages.
    x_page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert str(item.pk) not in x_page and "Den building" in x_page
    assert (
        str(item.pk)
        in web(world.other_parent).get(f"/children/{world.other_child.pk}/journal").content.decode()
    )
    assert web(world.parent).get(f"/media/{item.pk}/thumb").status_code == 404
    # Staff see everything in their own setting.
    assert _media_ids(api(world.key_person), world.child) == [str(item.pk)]


def test_withdrawing_consent_hides_media_on_the_next_request(world, api):
    obs, item = _group_photo(world)
    x_parent = api(world.parent)
    assert _media_ids(x_parent, world.child) == [str(item.pk)]
    assert x_parent.get(f"/media/{item.pk}/content", rendition="display").status_code == 200
    _withdraw(api(world.other_parent), world.other_child)
    assert _media_ids(x_parent, world.child) == []
    assert x_parent.get(f"/media/{item.pk}/content", rendition="display").status_code == 404
    # Given again: back at once.
    api(world.other_parent).client.put(
        f"/api/v1/children/{world.other_child.pk}/consent",
        {"images_in_other_journals": True, "signature_name": "Olly Other"},
        content_type="application/json",
        **api(world.other_parent)._headers(),
    )
    assert _media_ids(x_parent, world.child) == [str(item.pk)]


def test_two_parents_disagree_means_no_consent(world, api):
    second = f.parent_of(world.other_child, name="Second Parent", consent=True)
    obs, item = _group_photo(world)
    assert _media_ids(api(world.parent), world.child) == [str(item.pk)]
    _withdraw(api(second), world.other_child, signature_name="Second Parent")
    world.other_child.refresh_from_db()
    assert world.other_child.image_consent is False
    assert _media_ids(api(world.parent), world.child) == []
    staff_view = api(world.manager).get(f"/children/{world.other_child.pk}/consent").json()
    assert staff_view["images_in_other_journals"] is False


def test_a_parent_who_has_not_answered_yet_means_no_consent(world, api):
    f.parent_of(world.other_child, name="New Parent", onboarded=False)
    world.other_child.refresh_from_db()
    assert world.other_child.image_consent is False
    _obs, item = _group_photo(world)
    assert _media_ids(api(world.parent), world.child) == []


def test_journal_is_403_agreement_required_until_onboarding_is_done(world, api, web):
    newcomer = f.parent_of(world.child, name="Nina New", onboarded=False)
    client = api(newcomer)
    assert client.get(f"/children/{world.child.pk}").status_code == 200
    response = client.get(f"/children/{world.child.pk}/journal")
    assert response.status_code == 403 and response.json()["code"] == "agreement_required"
    obs = f.observation(author=world.key_person, children=[world.child])
    assert client.get(f"/observations/{obs.pk}").json()["code"] == "agreement_required"
    # The web leads the parent through the missing steps.
    page = web(newcomer).get(f"/children/{world.child.pk}/journal")
    assert page.status_code == 302 and page.url.startswith("/children/welcome")
    assert client.post("/me/agreement", {"signature_name": "Nina New"}).status_code == 201
    assert client.get(f"/children/{world.child.pk}/journal").status_code == 403
    response = client.client.put(
        f"/api/v1/children/{world.child.pk}/consent",
        {"images_in_other_journals": True, "signature_name": "Nina New"},
        content_type="application/json",
        **client._headers(),
    )
    assert response.status_code == 200
    assert response.json()["signed_by"] == "Nina New"
    assert client.get(f"/children/{world.child.pk}/journal").status_code == 200
    record = ParentAgreement.objects.get(parent=newcomer)
    assert record.wording.version == 1 and record.ip == "127.0.0.1"


def test_a_new_wording_version_is_asked_again_and_old_signatures_stay(world, api, web):
    wording_publish(
        setting=world.setting_a,
        agreement_text="New words: please never share anything from Acorn anywhere at all.",
        consent_question="New question: may photos with your child appear in others' journals?",
        by=world.manager,
    )
    client = api(world.parent)
    response = client.get(f"/children/{world.child.pk}/journal")
    assert response.json()["code"] == "agreement_required"
    client.post("/me/agreement", {"signature_name": "Pat Parent"})
    assert client.get(f"/children/{world.child.pk}/journal").status_code == 200
    versions = sorted(
        ParentAgreement.objects.filter(parent=world.parent).values_list(
            "wording__version", flat=True
        )
    )
    assert versions == [1, 2]


def test_consent_api_three_people(world, api):
    path = f"/children/{world.child.pk}/consent"
    body = {"images_in_other_journals": False, "signature_name": "Someone"}
    for outsider in (world.other_parent, world.other_manager):
        client = api(outsider)
        response = client.client.put(
            f"/api/v1{path}", body, content_type="application/json", **client._headers()
        )
        assert response.status_code == 404
        assert client.get(path).status_code == 404
    staff = api(world.key_person)
    response = staff.client.put(
        f"/api/v1{path}", body, content_type="application/json", **staff._headers()
    )
    assert response.status_code == 403
    assert staff.get(path).json()["images_in_other_journals"] is True
    mine = api(world.parent).get(path).json()
    assert mine["images_in_other_journals"] is True and mine["signed_by"]
    response = api(world.parent).client.put(
        f"/api/v1{path}",
        {"images_in_other_journals": False, "signature_name": " "},
        content_type="application/json",
        **api(world.parent)._headers(),
    )
    assert response.status_code == 422


def test_consent_and_agreement_changes_are_audited(world, api):
    _withdraw(api(world.other_parent), world.other_child)
    api(world.parent).post("/me/agreement", {"signature_name": "Pat Parent"})
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"consent.refuse", "consent.give", "agreement.sign"} <= actions
    assert ImageConsent.objects.filter(child=world.other_child).count() == 2  # history kept


def test_other_childrens_names_reach_a_parent_only_as_initials(world, api, web):
    obs = f.observation(
        author=world.key_person, children=[world.child, world.other_child],
        text="Xander and Yasmin Zed built a den. YASMIN's idea!", next_steps="Xander: ask Yasmin.",
    )  # fmt: skip
    f.observation(author=world.key_person, children=[world.child], text="Played near Zoe Far.")
    body = api(world.parent).get(f"/observations/{obs.pk}").json()
    assert body["text"] == "Xander and Y.Z. built a den. Y.Z.'s idea!"
    assert body["next_steps"] == "Xander: ask Y.Z."
    other_view = api(world.other_parent).get(f"/observations/{obs.pk}").json()
    assert other_view["text"] == "X.Y. and Yasmin Zed built a den. YASMIN's idea!"
    assert "Yasmin Zed" in api(world.key_person).get(f"/observations/{obs.pk}").json()["text"]
    page = web(world.parent).get(f"/children/{world.child.pk}/journal").content.decode()
    assert "Yasmin" not in page and "YASMIN" not in page and "Y.Z." in page
    # Replies from staff are covered too.
    staff = api(world.key_person)
    staff.post(
        f"/observations/{obs.pk}/comments",
        {"text": "Yasmin loved it too", "child": str(world.child.pk)},
    )
    replies = api(world.parent).get(f"/observations/{obs.pk}/comments").json()["items"]
    assert replies[0]["text"] == "Y.Z. loved it too"
    detail = web(world.parent).get(f"/observations/{obs.pk}/").content.decode()
    assert "Yasmin" not in detail


def test_consent_pages_three_people(world, web):
    assert "Yasmin Zed" in web(world.key_person).get("/children/consents").content.decode()
    assert web(world.parent).get("/children/consents").status_code == 403
    assert "Yasmin" not in web(world.other_manager).get("/children/consents").content.decode()
    mine = web(world.parent).get("/children/my-consents").content.decode()
    assert "Xander" in mine and "Yasmin" not in mine
    response = web(world.parent).post(
        "/children/my-consents",
        {"child": str(world.child.pk), "answer": "no", "signature_name": "Pat Parent"},
    )
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.image_consent is False
    response = web(world.parent).post(
        "/children/my-consents",
        {"child": str(world.other_child.pk), "answer": "no", "signature_name": "Pat"},
    )
    assert response.status_code == 404
    assert web(world.key_person).get("/children/my-consents").status_code == 403


def test_wording_page_is_for_session_leaders(world, web):
    assert web(world.key_person).get("/children/wording").status_code == 403
    assert web(world.parent).get("/children/wording").status_code == 403
    response = web(world.manager).post(
        "/children/wording",
        {
            "agreement_text": "Please keep everything from Acorn private, always and everywhere.",
            "consent_question": "May photos with your child appear in other children's journals?",
        },
    )
    assert response.status_code == 302
    assert "Version 2" in web(world.manager).get("/children/wording").content.decode()
    assert "Version 1" in web(world.other_manager).get("/children/wording").content.decode()


def test_staff_are_told_where_a_photo_will_and_will_not_appear(world, web):
    _withdraw_page = web(world.other_parent).post(
        "/children/my-consents",
        {"child": str(world.other_child.pk), "answer": "no", "signature_name": "Olly Other"},
    )
    obs, item = _group_photo(world, children=[world.child, world.other_child])
    page = web(world.key_person).get(f"/observations/{obs.pk}/").content.decode()
    assert "Not shown in Xander's journal: Yasmin has no photo consent." in page
    assert "Parents see it in Yasmin's journal." in page
    capture = web(world.key_person).get("/observations/new").content.decode()
    assert 'data-name="Yasmin" data-consent="no"' in capture
    assert "No photo consent" in capture


def test_staff_change_who_appears(world, web, api):
    obs, item = _group_photo(world, appears=[world.child])
    response = web(world.key_person).post(
        f"/media/{item.pk}/appears", {"appears": [str(world.child.pk), str(world.other_child.pk)]}
    )
    assert response.status_code == 302
    assert set(item.appears.values_list("pk", flat=True)) == {world.child.pk, world.other_child.pk}
    assert web(world.parent).post(f"/media/{item.pk}/appears", {}).status_code == 403
    assert web(world.other_manager).post(f"/media/{item.pk}/appears", {}).status_code == 404


@pytest.mark.parametrize("viewer", ["parent", "other_parent"])
def test_consent_rule_keeps_journal_queries_fixed(world, web, viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    child = world.child if viewer == "parent" else world.other_child
    client = web(getattr(world, viewer))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/children/{child.pk}/journal").status_code == 200
        return len(ctx.captured_queries)

    _group_photo(world, children=[world.child, world.other_child])
    few = count()
    for _ in range(6):
        _group_photo(world, children=[world.child, world.other_child])
    assert count() == few


def test_parent_contribution_needs_onboarding(world, api):
    newcomer = f.parent_of(world.child, name="Nina", onboarded=False)
    response = api(newcomer).post(
        "/observations",
        {"children": [str(world.child.pk)], "text": "Hi", "observed_on": date.today().isoformat()},
    )
    assert response.status_code == 403 and response.json()["code"] == "agreement_required"


def test_uploads_wait_for_onboarding_too(world, api, web, tmp_path):
    from acorn.journal.tests.media_helpers import gps_jpeg, upload

    newcomer = f.parent_of(world.child, name="Nina", onboarded=False)
    response = upload(api(newcomer), gps_jpeg(tmp_path))
    assert response.status_code == 403 and response.json()["code"] == "agreement_required"
    assert MediaItem.objects.count() == 0
