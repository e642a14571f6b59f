from datetime import date

from acorn.core.tests import factories as f
from acorn.journal.models import Comment, Observation


def _published(world, children=None):
    return f.observation(author=world.key_person, children=children or [world.child])


def test_parent_replies_and_staff_reply_back(world, api):
    obs = _published(world)
    parent = api(world.parent)
    response = parent.post(f"/observations/{obs.pk}/comments", {"text": "He loved it!"})
    assert response.status_code == 201
    assert response.json()["author_id"] == str(world.parent.pk)
    staff = api(world.key_person)
    assert staff.post(f"/observations/{obs.pk}/comments", {"text": "So did we."}).status_code == 201
    texts = [c["text"] for c in parent.get(f"/observations/{obs.pk}/comments").json()["items"]]
    assert texts == ["He loved it!", "So did we."]


def test_replies_on_a_group_entry_stay_within_each_family(world, api):
    obs = _published(world, [world.child, world.other_child])
    api(world.parent).post(f"/observations/{obs.pk}/comments", {"text": "From Xander's home"})
    api(world.other_parent).post(f"/observations/{obs.pk}/comments", {"text": "From Yasmin's"})
    mine = api(world.parent).get(f"/observations/{obs.pk}/comments").json()["items"]
    assert [c["text"] for c in mine] == ["From Xander's home"]
    staff_view = api(world.manager).get(f"/observations/{obs.pk}/comments").json()["items"]
    assert len(staff_view) == 2
    # Staff must say which family they are answering on a group entry.
    response = api(world.manager).post(f"/observations/{obs.pk}/comments", {"text": "Hello"})
    assert response.status_code == 422
    response = api(world.manager).post(
        f"/observations/{obs.pk}/comments", {"text": "Hello", "child": str(world.other_child.pk)}
    )
    assert response.status_code == 201
    assert [
        c["text"] for c in api(world.parent).get(f"/observations/{obs.pk}/comments").json()["items"]
    ] == ["From Xander's home"]


def test_replies_three_people(world, api):
    obs = _published(world)
    path = f"/observations/{obs.pk}/comments"
    for outsider in (world.other_parent, world.other_manager):
        assert api(outsider).post(path, {"text": "Hi"}).status_code == 404
        assert api(outsider).get(path).status_code == 404
    assert Comment.objects.count() == 0


def test_no_replies_on_drafts_or_pending(world, api):
    draft = f.observation(author=world.key_person, children=[world.child], status="draft")
    response = api(world.key_person).post(f"/observations/{draft.pk}/comments", {"text": "x"})
    assert response.status_code == 422


def test_contribution_waits_then_is_approved(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    parent = api(world.parent)
    oid = parent.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": "Rode a bike!",
            "observed_on": date.today().isoformat(),
        },
    ).json()["id"]
    assert api(world.other_parent).get(f"/observations/{oid}").status_code == 404
    assert api(world.parent).post(f"/observations/{oid}/approve").status_code == 403
    assert api(world.other_manager).post(f"/observations/{oid}/approve").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.key_person).post(f"/observations/{oid}/approve")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert api(world.key_person).post(f"/observations/{oid}/approve").status_code == 409
    assert [m.to for m in mailoutbox] == [["parent@a.test"]]
    assert "Xander" not in mailoutbox[0].body and "bike" not in mailoutbox[0].body
    assert (
        api(world.parent).get(f"/children/{world.child.pk}/journal").json()["items"][0]["id"] == oid
    )


def test_contribution_rejected_with_a_reason_the_parent_sees(world, api):
    parent = api(world.parent)
    oid = parent.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "text": "A photo of the party",
            "observed_on": date.today().isoformat(),
        },
    ).json()["id"]
    assert (
        api(world.key_person).post(f"/observations/{oid}/reject", {"reason": " "}).status_code
        == 422
    )
    response = api(world.key_person).post(
        f"/observations/{oid}/reject", {"reason": "It shows other children from the party."}
    )
    assert response.status_code == 200
    body = parent.get(f"/observations/{oid}").json()
    assert body["status"] == "rejected"
    assert body["rejection_reason"] == "It shows other children from the party."
    assert api(world.other_parent).get(f"/observations/{oid}").status_code == 404
    items = parent.get(f"/children/{world.child.pk}/journal").json()["items"]
    assert [i["status"] for i in items] == ["rejected"]
    # Another parent of the same child (none here) or other families never see it.
    assert (
        api(world.other_parent).get(f"/children/{world.other_child.pk}/journal").json()["items"]
        == []
    )


def test_publishing_emails_parents_without_child_data(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    from acorn.journal.models import NotificationPreference

    NotificationPreference.objects.create(user=world.other_parent, email="none")
    with django_capture_on_commit_callbacks(execute=True):
        api(world.key_person).post(
            "/observations",
            {
                "children": [str(world.child.pk), str(world.other_child.pk)],
                "text": "Xander and Yasmin baked bread",
                "observed_on": date.today().isoformat(),
                "publish": True,
            },
        )
    assert [m.to for m in mailoutbox] == [["parent@a.test"]]
    body = mailoutbox[0].body
    assert "/observations/" in body
    for secret in ("Xander", "Yasmin", "bread"):
        assert secret not in body and secret not in mailoutbox[0].subject


def test_drafts_send_no_email(world, api, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api(world.key_person).post(
            "/observations",
            {
                "children": [str(world.child.pk)],
                "text": "Draft",
                "observed_on": date.today().isoformat(),
            },
        )
    assert mailoutbox == []


def test_edit_keeps_history_and_only_staff_edit(world, api):
    obs = _published(world)
    path = f"/observations/{obs.pk}"
    assert api(world.parent).patch(path, {"text": "Changed"}).status_code == 403
    assert api(world.other_manager).patch(path, {"text": "Changed"}).status_code == 404
    response = api(world.manager).patch(path, {"text": "Built a taller tower.", "areas": ["M"]})
    assert response.status_code == 200 and response.json()["text"] == "Built a taller tower."
    revision = Observation.objects.get(pk=obs.pk).revisions.get()
    assert revision.text == "Built a tower." and revision.edited_by == world.manager


def test_review_list_feedback_and_agenda(world, web):
    obs = _published(world)
    leader = web(world.manager)
    assert "Built a tower." in leader.get("/review/").content.decode()
    response = leader.post(
        f"/observations/{obs.pk}/review", {"feedback": "Lovely detail!", "discuss": "on"}
    )
    assert response.status_code == 302
    obs.refresh_from_db()
    assert obs.reviewed_by == world.manager and obs.discuss_at_meeting
    assert "Built a tower." not in leader.get("/review/").content.decode()
    assert "Built a tower." in leader.get("/review/?show=all").content.decode()
    assert "Built a tower." in leader.get("/review/agenda").content.decode()
    assert "Lovely detail!" in web(world.key_person).get("/observations/feedback").content.decode()
    leader.post(f"/observations/{obs.pk}/discussed")
    assert "Built a tower." not in leader.get("/review/agenda").content.decode()
    # Not for practitioners, parents or other settings.
    assert web(world.key_person).get("/review/").status_code == 403
    assert web(world.parent).get("/review/").status_code == 403
    assert web(world.other_manager).post(f"/observations/{obs.pk}/review", {}).status_code == 404
    assert "Built a tower." not in web(world.other_manager).get("/review/").content.decode()


def test_review_list_filters_by_author_and_child(world, web):
    f.observation(author=world.key_person, children=[world.child], text="By Kate")
    deputy = f.staff(world.setting_a, "deputy", name="Mia Deputy", email="deputy@a.test")
    f.observation(author=deputy, children=[world.other_child], text="By Mia")
    leader = web(world.manager)
    page = leader.get(f"/review/?author={deputy.pk}").content.decode()
    assert "By Mia" in page and "By Kate" not in page
    page = leader.get(f"/review/?child={world.child.pk}").content.decode()
    assert "By Kate" in page and "By Mia" not in page


def test_today_page_counts_what_is_waiting(world, web):
    f.observation(author=world.parent, children=[world.child], status="pending", by_parent=True)
    f.observation(author=world.key_person, children=[world.child])
    page = web(world.manager).get("/dashboard/").content.decode()
    assert "<strong>1</strong> contribution from home to approve" in page
    assert "<strong>1</strong> observation to review" in page
    other = web(world.other_manager).get("/dashboard/").content.decode()
    assert "<strong>0</strong> contributions from home" in other
