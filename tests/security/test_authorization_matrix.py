"""The authorization matrix (issue 8): every route of the URLconf and every operation of
the OpenAPI schema, probed as every persona of tests/security/personas.py, against the
expectation written in EXPECTED below. A new route, method or persona without an
expectation fails `test_every_route_has_an_expectation` with what to add.

Outcomes: OK (2xx, or a redirect other than to sign-in), LOGIN (401, or the sign-in
page), NOT_FOUND (404: existence not leaked), refused("code") (403 with that code: the
API's `code`, or the page's audited refusal). `Known(outcome, finding=N)` is the right
answer that main doesn't give yet because of issue 8's finding N: the case is a strict
xfail, so the fix turns it into an XPASS failure and the mark must then be removed.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.security import matrix as m
from tests.security import personas as p
from tests.security.matrix import LOGIN, NOT_ALLOWED, NOT_FOUND, OK, refused


@dataclass(frozen=True)
class Known:
    outcome: str
    finding: int


# Request bodies for the API's writes: valid, so a refusal comes from a rule, not from
# validation. Functions of the world, or of the world and the person sending it (`me`,
# None for an anonymous visitor) where the body is theirs: a typed signature must be
# the account holder's own name, and the person taking a device signs for themselves.
BODIES = {
    "POST /api/v1/auth/token": lambda w: {"email": w.parent.email, "password": "wrong"},
    "POST /api/v1/me/mfa/totp/confirm": lambda w: {"code": "000000"},
    "POST /api/v1/invitations/{token}/accept": lambda w: {
        "name": "Gran",
        "password": "a long new password 2026",
    },
    "POST /api/v1/settings/{setting_id}/staff": lambda w: {
        "email": "new.starter@example.test",
        "name": "New Starter",
        "role": "practitioner",
    },
    "PATCH /api/v1/settings/{setting_id}": lambda w: {"trusted_proxies": ["10.9.9.9/32"]},
    "POST /api/v1/settings/{setting_id}/duty": lambda w: {"leader_id": str(w.manager.pk)},
    "POST /api/v1/staff/{person_id}/checks": lambda w: {
        "kind": "status_check",
        "checked_on": p.today().isoformat(),
        "result": "no_new_information",
    },
    "POST /api/v1/me/declarations": lambda w, me: {
        "kind": "online_safety",
        "signature_name": _name(me),
        "setting_id": str(w.setting_a.pk),
    },
    "POST /api/v1/settings/{setting_id}/children": lambda w: {
        "first_name": "Newby",
        "last_name": "Arrival",
        "date_of_birth": "2023-05-01",
        "start_date": "2026-04-01",
        "key_person_id": str(w.key_person.pk),
    },
    "PATCH /api/v1/children/{child_id}": lambda w: {"last_name": "Changed"},
    "POST /api/v1/children/{child_id}/parents": lambda w: {
        "email": "aunt@example.test",
        "name": "Aunt",
    },
    "POST /api/v1/me/agreement": lambda w, me: {"signature_name": _name(me)},
    "PUT /api/v1/children/{child_id}/consent": lambda w, me: {
        "images_in_other_journals": False,
        "signature_name": _name(me),
    },
    "POST /api/v1/media": lambda w: m.Multipart({"file": p.png_upload()}),
    "POST /api/v1/observations": lambda w: {
        "children": [str(w.child.pk)],
        "text": "Climbed the frame.",
        "observed_on": p.today().isoformat(),
        "areas": ["PD"],
        "publish": True,
    },
    "PATCH /api/v1/observations/{observation_id}": lambda w: {
        "text": "Rewritten.",
        "children": [str(w.child.pk), str(w.other_child.pk)],
    },
    "POST /api/v1/observations/{observation_id}/reject": lambda w: {"reason": "Not today."},
    "POST /api/v1/observations/{observation_id}/comments": lambda w: {
        "text": "Thank you!",
        "child": str(w.child.pk),
    },
    "POST /api/v1/settings/{setting_id}/devices": lambda w: {
        "name": "Room 3 iPad",
        "kind": "tablet",
    },
    "POST /api/v1/devices/{device_id}/signouts": lambda w, me: {
        "person_id": str(me.pk if me else w.key_person.pk),
        "reason": "Writing up at home.",
        "expected_back": (p.WORLD_TIME + timedelta(days=1)).isoformat(),
        "signature_name": _name(me),
    },
    "POST /api/v1/signouts/{signout_id}/authorise": lambda w, me: {
        "signature_name": _name(me),
    },
    "POST /api/v1/devices/{device_id}/missing": lambda w: {"note": "Not on the shelf."},
    "POST /api/v1/settings/{setting_id}/terms": lambda w: {
        "name": "Summer 2026",
        "starts_on": "2026-04-20",
        "ends_on": "2026-07-22",
    },
    "PUT /api/v1/children/{child_id}/assessments/{term_id}": lambda w: {
        "judgements": [{"area": "PSED", "judgement": "on_track"}],
    },
    # Reports (issue 10): the report probed is a shared two year check of the child.
    "POST /api/v1/children/{child_id}/reports": lambda w: {"kind": "final"},
    "PATCH /api/v1/reports/{report_id}": lambda w: {"summary": "Changed."},
    "POST /api/v1/reports/{report_id}/review": lambda w: {"approve": True, "comment": ""},
    "POST /api/v1/reports/{report_id}/parent-comment": lambda w: {"text": "Lovely."},
    "PUT /api/v1/media/{media_id}/faces": lambda w: [
        {"box": [0.1, 0.1, 0.2, 0.2], "child_id": str(w.other_child.pk)}
    ],
}


def _name(me) -> str:
    return me.name if me is not None else "Nobody"


def _body(route_key, world, persona):
    make = BODIES.get(route_key)
    if make is None:
        return None
    if make.__code__.co_argcount == 2:
        me = getattr(world, persona.user) if persona.user else None
        return make(world, me)
    return make(world)


# Which objects a route acts on, where it isn't the default of matrix.PARAMETERS.
TARGETS = {
    "GET /observations/<str:observation_id>/publish": {"observation_id": lambda w: w.draft.pk},
    "GET /observations/<str:observation_id>/decide": {
        "observation_id": lambda w: w.contribution.pk
    },
    "POST /api/v1/observations/{observation_id}/approve": {
        "observation_id": lambda w: w.contribution.pk
    },
    "POST /api/v1/observations/{observation_id}/reject": {
        "observation_id": lambda w: w.contribution.pk
    },
    # A sign-out waits for a leader's signature before it can be authorised.
    "GET /signouts/<uuid:signout_id>/authorise": {"signout_id": lambda w: w.signout_waiting.pk},
    "POST /api/v1/signouts/{signout_id}/authorise": {"signout_id": lambda w: w.signout_waiting.pk},
}

# The expectation table: route → {space-separated persona names: outcome}; "*" stands
# for every persona not named. A tuple lists outcomes that are all right.
# What the personas are: tests/security/personas.py. The off-site rule is decided per
# setting: dual_staff is off site for A (and allowed in Alder, where they work), so A's
# children, entries and photos are 404 (or 403 off_site) to them, and A's administration
# 403 off_site (or forbidden where they would have to lead A anyway).
# What the personas are: tests/security/personas.py.
# Reports (issue 10): rows shared by several report routes.
STAFF_FORM = {
    "anonymous": LOGIN,
    "practitioner_off_site": refused("off_site"),
    "parent other_parent": refused("forbidden"),
    "parent_uncleared_staff": refused("checks_incomplete"),
    "*": NOT_ALLOWED,
}
LEADER_FORM = {
    "anonymous": LOGIN,
    "manager deputy staff_other_setting inviter": NOT_ALLOWED,
    "practitioner_off_site": refused("off_site"),
    "parent_uncleared_staff": refused("forbidden"),
    "*": refused("forbidden"),
}
REPORT_WRITE = {
    "anonymous": LOGIN,
    "manager deputy key_person": "409",
    "practitioner_off_site": refused("off_site"),
    "parent_uncleared_staff": refused("checks_incomplete"),
    "other_parent staff_other_setting inviter": NOT_FOUND,
    "dual_staff": refused("off_site"),
    "*": refused("forbidden"),
}
REPORT_LEADER_WRITE = {
    **{k: v for k, v in REPORT_WRITE.items() if k != "manager deputy key_person"},
    "manager deputy": "409",
}

EXPECTED: dict[str, dict[str, object]] = {
    "GET /": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /help/": {
        "*": OK,
    },
    "GET /sign-in/": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /sign-in/code/": {
        "practitioner_off_site": refused("off_site"),
        "*": LOGIN,
    },
    "GET /account/two-step/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /account/two-step/recovery-codes.txt": {  # only once, right after set-up
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_FOUND,
    },
    "GET /confirm-it-is-you/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /sign-out/": {
        "anonymous": LOGIN,
        "*": NOT_ALLOWED,
    },
    "GET /sign-out-everywhere/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_ALLOWED,
    },
    "GET /account/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /invite/<str:token>": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /password-reset/": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /password-reset/sent/": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /password-reset/<uidb64>/<token>/": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /password-reset/done/": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /children/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /children/new": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /children/consents": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /children/wording": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /children/my-consents": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent parent_uncleared_staff": OK,
        "*": refused("forbidden"),
    },
    "GET /children/welcome": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent parent_uncleared_staff": OK,
        "*": refused("forbidden"),
    },
    "GET /children/<str:child_id>/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /children/<str:child_id>/edit": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /children/<str:child_id>/photo": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    "GET /children/<str:child_id>/parents/invite": {
        "anonymous": LOGIN,
        "manager deputy key_person": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /children/<str:child_id>/journal": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /children/<str:child_id>/photos": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /children/<str:child_id>/contribute": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff": OK,
        "other_parent": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /observations/new": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /observations/drafts": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /observations/waiting": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /observations/feedback": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /observations/<str:observation_id>/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent_uncleared_staff": OK,
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /observations/<str:observation_id>/edit": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner practitioner_after_hours parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    # J-5: every cleared member of the entry's setting may read its history; parents,
    # even a parent who is uncleared staff, never see earlier versions.
    "GET /observations/<str:observation_id>/history": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /observations/<str:observation_id>/delete": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner practitioner_after_hours parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /observations/<str:observation_id>/publish": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    "GET /observations/<str:observation_id>/decide": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    "GET /observations/<str:observation_id>/replies": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_ALLOWED,
    },
    "GET /observations/<str:observation_id>/review": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /observations/<str:observation_id>/discussed": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /review/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /review/agenda": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /media/upload": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_ALLOWED,
    },
    "GET /media/<str:media_id>/": {  # a photo's page: the group photo's consent decides
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,
        "*": OK,
    },
    "GET /media/<str:media_id>/status": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,
        "*": OK,
    },
    "GET /media/<str:media_id>/appears": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    "GET /media/<str:media_id>/<str:rendition>": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,
        "*": OK,
    },
    "GET /account/notifications": {  # goes to the setting on the account page
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /staff/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /staff/<uuid:membership_id>/role": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /staff/<uuid:membership_id>/two-step-reset": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /dashboard/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /dashboard/duty": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /setting/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /switch-setting/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    "GET /staff/<uuid:person_id>/suitability": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "staff_other_setting": NOT_FOUND,
        "inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /account/declarations/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "*": OK,
    },
    "GET /audit/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    # For load balancers and monitoring: no personal data. Signed-in people are under the
    # off-site rule like every other page outside the always-open ones.
    "GET /healthz": {
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    # The capture page's autosave and its Discard are forms (POST) for anyone signed in;
    # each person reaches only their own drafts.
    "GET /observations/unsent": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_ALLOWED,
    },
    "GET /observations/unsent/<str:draft_id>/discard": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": NOT_ALLOWED,
    },
    # The device register and sign-out sheet (D-1, D-2): the session leaders of the
    # setting being worked in (each sees their own setting's register).
    "GET /devices/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /devices/sheet/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    # Taking a device out: cleared key workers of the setting being worked in (manager_b
    # is key person in Birch, dual_staff in Alder); other staff are told why not.
    "GET /devices/take/": {
        "anonymous": LOGIN,
        "key_person staff_other_setting dual_staff": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": refused("key_workers_only"),
    },
    "GET /devices/<uuid:device_id>/": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /devices/<uuid:device_id>/enrol": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /devices/<uuid:device_id>/missing": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /devices/<uuid:device_id>/retire": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /signouts/<uuid:signout_id>/authorise": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /signouts/<uuid:signout_id>/return": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": NOT_ALLOWED,
    },
    # Terms: the session leaders of the setting being worked in.
    "GET /terms/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /terms/<str:term_id>/delete": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": NOT_ALLOWED,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    # The assessment grid: cleared staff, their own setting's children.
    "GET /assessment/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    # Monitoring: cleared session leaders.
    "GET /monitoring/": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": OK,
        "practitioner_off_site": refused("off_site"),
        "*": refused("forbidden"),
    },
    "POST /api/v1/auth/token": {
        "*": LOGIN,
    },
    "DELETE /api/v1/auth/token": {
        "anonymous": LOGIN,
        "*": OK,
    },
    "POST /api/v1/me/mfa/totp": {
        "anonymous": LOGIN,
        "manager deputy staff_other_setting inviter": "409",
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/me/mfa/totp/confirm": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": "422",
    },
    "POST /api/v1/staff/{person_id}/mfa/reset": {
        "anonymous": LOGIN,
        "manager": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent staff_other_setting": NOT_FOUND,
        "inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/me": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/invitations/{token}/accept": {
        "*": OK,
    },
    "POST /api/v1/settings/{setting_id}/staff": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/settings/{setting_id}/staff": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/settings/{setting_id}": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "PATCH /api/v1/settings/{setting_id}": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/settings/{setting_id}/duty": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "DELETE /api/v1/settings/{setting_id}/duty": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/staff/{person_id}/checks": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent staff_other_setting": NOT_FOUND,
        "inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/staff/{person_id}/clearance": {
        "anonymous": LOGIN,
        "manager deputy key_person": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent staff_other_setting": NOT_FOUND,
        "inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/me/declarations": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "POST /api/v1/settings/{setting_id}/children": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/children": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "dual_staff": OK,
        "*": OK,
    },
    "GET /api/v1/children/{child_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "PATCH /api/v1/children/{child_id}": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/children/{child_id}/parents": {
        "anonymous": LOGIN,
        "manager deputy key_person": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/me/agreement": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent parent_uncleared_staff": OK,
        "*": "422",
    },
    "PUT /api/v1/children/{child_id}/consent": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent parent_uncleared_staff": OK,
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/children/{child_id}/consent": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/media": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "*": OK,
    },
    "GET /api/v1/media/{media_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,
        "*": OK,
    },
    "GET /api/v1/media/{media_id}/content": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,
        "*": OK,
    },
    "POST /api/v1/observations": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "other_parent staff_other_setting inviter": "422",
        "dual_staff": "422",
        "*": OK,
    },
    "GET /api/v1/observations/{observation_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "PATCH /api/v1/observations/{observation_id}": {
        "anonymous": LOGIN,
        "practitioner": refused("forbidden"),
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": (refused("outside_session_times"), refused("forbidden")),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": (refused("checks_incomplete"), refused("forbidden")),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "DELETE /api/v1/observations/{observation_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": (refused("outside_session_times"), refused("forbidden")),
        "practitioner parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/observations/{observation_id}/approve": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "parent": refused("forbidden"),
        "other_parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/observations/{observation_id}/reject": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "parent": refused("forbidden"),
        "other_parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/children/{child_id}/journal": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "POST /api/v1/observations/{observation_id}/comments": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/observations/{observation_id}/comments": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/settings/{setting_id}/audit": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # Devices (D-1 to D-3). Setting A's register is for A's staff; A's leaders change it.
    # dual_staff is off site for A (and allowed in Alder): A's devices are out of reach.
    "POST /api/v1/settings/{setting_id}/devices": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "GET /api/v1/settings/{setting_id}/devices": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "POST /api/v1/devices/{device_id}/enrol": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # The person taking the device asks and signs for themselves; only key workers may.
    "POST /api/v1/devices/{device_id}/signouts": {
        "anonymous": LOGIN,
        "key_person": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("key_workers_only"),
    },
    "POST /api/v1/signouts/{signout_id}/authorise": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # The person who has it out (the key person) or a session leader records the return.
    "POST /api/v1/signouts/{signout_id}/return": {
        "anonymous": LOGIN,
        "manager deputy key_person": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    "POST /api/v1/devices/{device_id}/missing": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # EYFS. The framework itself holds no one's data.
    "GET /api/v1/eyfs": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/settings/{setting_id}/judgement-scale": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "GET /api/v1/settings/{setting_id}/terms": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "POST /api/v1/settings/{setting_id}/terms": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # Assessments are for the child's setting's cleared staff; parents don't see them.
    "PUT /api/v1/children/{child_id}/assessments/{term_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent parent_uncleared_staff other_parent staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "GET /api/v1/children/{child_id}/assessments": {
        "anonymous": LOGIN,
        "practitioner_off_site dual_staff": refused("off_site"),
        "parent parent_uncleared_staff other_parent staff_other_setting inviter": NOT_FOUND,
        "*": OK,
    },
    "GET /api/v1/settings/{setting_id}/monitoring": {
        "anonymous": LOGIN,
        "manager deputy": OK,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent staff_other_setting inviter": NOT_FOUND,
        "*": refused("forbidden"),
    },
    # --- Reports (issue 10). The report is shared, so staff edits answer 409. ---------
    "GET /children/<str:child_id>/reports/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /children/<str:child_id>/reports/new": STAFF_FORM,
    "GET /reports/<str:report_id>/": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /reports/<str:report_id>/pdf": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /reports/<str:report_id>/submit": STAFF_FORM,
    "GET /reports/<str:report_id>/revise": STAFF_FORM,
    "GET /reports/<str:report_id>/review": LEADER_FORM,
    "GET /reports/<str:report_id>/share": LEADER_FORM,
    "GET /reports/<str:report_id>/comment": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent parent_uncleared_staff": NOT_ALLOWED,
        "*": refused("forbidden"),
    },
    "POST /api/v1/children/{child_id}/reports": {
        "anonymous": LOGIN,
        "manager deputy key_person": OK,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /api/v1/children/{child_id}/reports": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/reports/{report_id}": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "GET /api/v1/reports/{report_id}/pdf": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": OK,
    },
    "PATCH /api/v1/reports/{report_id}": REPORT_WRITE,
    "POST /api/v1/reports/{report_id}/submit": REPORT_WRITE,
    "POST /api/v1/reports/{report_id}/review": REPORT_LEADER_WRITE,
    "POST /api/v1/reports/{report_id}/share": REPORT_LEADER_WRITE,
    "POST /api/v1/reports/{report_id}/revise": {
        **REPORT_WRITE,
        "manager deputy key_person": OK,
    },
    "POST /api/v1/reports/{report_id}/parent-comment": {
        "anonymous": LOGIN,
        "parent parent_uncleared_staff": OK,
        "practitioner_off_site": refused("off_site"),
        "other_parent staff_other_setting inviter": NOT_FOUND,
        "dual_staff": refused("off_site"),
        "*": refused("forbidden"),
    },
    "GET /api/v1/settings/{setting_id}/reports/due": {
        "anonymous": LOGIN,
        "manager deputy key_person practitioner practitioner_after_hours": OK,
        "practitioner_off_site": refused("off_site"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "dual_staff": refused("off_site"),
        "*": NOT_FOUND,
    },
    # Faces in group photos (issue 16): staff of the photo's setting only.
    "GET /media/<str:media_id>/faces": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent": refused("forbidden"),
        "parent_uncleared_staff": refused("checks_incomplete"),
        "staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,  # off site for A: A's photos are out of reach
        "*": OK,
    },
    "GET /api/v1/media/{media_id}/faces": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "parent other_parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,  # off site for A: A's photos are out of reach
        "*": OK,
    },
    "PUT /api/v1/media/{media_id}/faces": {
        "anonymous": LOGIN,
        "practitioner_off_site": refused("off_site"),
        "practitioner_after_hours": refused("outside_session_times"),
        "parent other_parent parent_uncleared_staff staff_other_setting inviter": NOT_FOUND,
        "dual_staff": NOT_FOUND,  # off site for A: A's photos are out of reach
        "*": OK,
    },
}


# Leaving, transfer, export and deletion (issue 11, L-1 to L-5).
BODIES.update(
    {
        "POST /api/v1/children/{child_id}/leaving": lambda w: {
            "leaving_on": (p.today() + timedelta(days=14)).isoformat(),
            "destination_name": "Oak Primary",
        },
    }
)
EXPECTED.update(
    {
        "GET /api/v1/directory/settings": {
            "anonymous": LOGIN,
            "practitioner_off_site": refused("off_site"),
            "parent other_parent": refused("forbidden"),
            "*": OK,
        },
        "POST /api/v1/children/{child_id}/leaving": {
            "anonymous": LOGIN,
            "manager deputy": OK,
            "practitioner_off_site dual_staff": refused("off_site"),
            "other_parent staff_other_setting inviter": NOT_FOUND,
            "*": refused("forbidden"),
        },
        "GET /api/v1/settings/{setting_id}/deletions": {
            "anonymous": LOGIN,
            "manager deputy": OK,
            "practitioner_off_site dual_staff": refused("off_site"),
            "parent other_parent staff_other_setting inviter": NOT_FOUND,
            "*": refused("forbidden"),
        },
    }
)


def _keepsake(world):
    """A ready keepsake export the child's parent asked for (a tiny stored zip)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from acorn.leaving.models import KeepsakeExport

    export = KeepsakeExport.objects.filter(requested_by=world.parent).first()
    if export is None:
        name = default_storage.save("exports/matrix.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
        export = KeepsakeExport.objects.create(
            child=world.child,
            requested_by=world.parent,
            status=KeepsakeExport.Status.READY,
            storage_name=name,
            size=22,
        )
    return export


# The keepsake export (issue 11 item 3): for the child's parents and session leaders;
# an export itself only for the person who asked for it.
KEEPSAKE_START = {
    "anonymous": LOGIN,
    "manager deputy parent parent_uncleared_staff": OK,
    "practitioner_off_site dual_staff": refused("off_site"),
    "other_parent staff_other_setting inviter": NOT_FOUND,
    "*": refused("forbidden"),
}
KEEPSAKE_OWN = {
    "anonymous": LOGIN,
    "parent": OK,
    "practitioner_off_site": refused("off_site"),
    "*": NOT_FOUND,
}
for _route in (
    "GET /keepsakes/<str:export_id>/",
    "GET /keepsakes/<str:export_id>/download",
    "GET /api/v1/exports/{export_id}",
    "GET /api/v1/exports/{export_id}/content",
):
    TARGETS[_route] = {"export_id": lambda w: _keepsake(w).pk}
EXPECTED.update(
    {
        "GET /children/<str:child_id>/keepsake": {
            "anonymous": LOGIN,
            "practitioner_off_site": refused("off_site"),
            "*": NOT_ALLOWED,
        },
        "POST /api/v1/children/{child_id}/exports": KEEPSAKE_START,
        "GET /keepsakes/<str:export_id>/": KEEPSAKE_OWN,
        "GET /keepsakes/<str:export_id>/download": KEEPSAKE_OWN,
        "GET /api/v1/exports/{export_id}": KEEPSAKE_OWN,
        "GET /api/v1/exports/{export_id}/content": KEEPSAKE_OWN,
    }
)


# Notifications (issue 14): everyone's own list; one notification only for its recipient
# (the key person's, of the parent's reply).
OWN_LIST = {
    "anonymous": LOGIN,
    "practitioner_off_site": refused("off_site"),
    "*": OK,
}
EXPECTED.update(
    {
        "GET /notifications/": OWN_LIST,
        "GET /notifications/read": {**OWN_LIST, "*": NOT_ALLOWED},
        "GET /notifications/<str:notice_id>/": {
            "anonymous": LOGIN,
            "key_person": OK,
            "practitioner_off_site": refused("off_site"),
            "*": NOT_FOUND,
        },
        "GET /api/v1/notifications": OWN_LIST,
        "POST /api/v1/notifications/read": OWN_LIST,
    }
)


def _transfer(world):
    """Birch Pre-school's Zoe is leaving for setting A in two weeks: a transfer offered."""
    from acorn.leaving.models import Leaving, Transfer

    transfer = Transfer.objects.filter(child=world.far_child).first()
    if transfer is None:
        leaving_on = p.today() + timedelta(days=14)
        Leaving.objects.create(
            child=world.far_child,
            leaving_on=leaving_on,
            destination_setting=world.setting_a,
            destination_name=world.setting_a.name,
            recorded_by=world.manager_b,
        )
        transfer = Transfer.objects.create(
            child=world.far_child,
            from_setting=world.setting_b,
            to_setting=world.setting_a,
            leaving_on=leaving_on,
            offered_by=world.manager_b,
        )
    return transfer


# Leaving on the web (L-1) and transfers (L-2, issue 11 items 1 and 2): for the session
# leaders of the child's setting, and of the setting the child is joining.
BODIES.update(
    {
        "POST /api/v1/transfers/{transfer_id}/accept": lambda w: {
            "key_person_id": str(w.key_person.pk)
        },
        "POST /api/v1/transfers/{transfer_id}/decline": lambda w: {"reason": "No places."},
    }
)
for _route in (
    "GET /transfers/<str:transfer_id>/",
    "GET /transfers/<str:transfer_id>/accept",
    "GET /transfers/<str:transfer_id>/decline",
    "POST /api/v1/transfers/{transfer_id}/accept",
    "POST /api/v1/transfers/{transfer_id}/decline",
):
    TARGETS[_route] = {"transfer_id": lambda w: _transfer(w).pk}
LEADER_POST_ONLY = {
    "anonymous": LOGIN,
    "manager deputy staff_other_setting inviter": NOT_ALLOWED,
    "practitioner_off_site": refused("off_site"),
    "*": refused("forbidden"),
}
TRANSFER_ANSWER = {
    "anonymous": LOGIN,
    "manager deputy": OK,
    "practitioner_off_site dual_staff": refused("off_site"),
    "parent other_parent staff_other_setting inviter": NOT_FOUND,
    "*": refused("forbidden"),
}
EXPECTED.update(
    {
        "GET /children/<str:child_id>/leaving": {
            "anonymous": LOGIN,
            "manager deputy": OK,
            "practitioner_off_site": refused("off_site"),
            "staff_other_setting inviter": NOT_FOUND,
            "*": refused("forbidden"),
        },
        "GET /children/<str:child_id>/leaving/cancel": LEADER_POST_ONLY,
        "GET /transfers/": {
            "anonymous": LOGIN,
            "manager deputy staff_other_setting inviter": OK,
            "practitioner_off_site": refused("off_site"),
            "*": refused("forbidden"),
        },
        "GET /transfers/<str:transfer_id>/": {
            "anonymous": LOGIN,
            "manager deputy": OK,
            "practitioner_off_site": refused("off_site"),
            # Birch's manager sent the child: answering is for the receiving setting.
            "staff_other_setting inviter": NOT_FOUND,
            "*": refused("forbidden"),
        },
        "GET /transfers/<str:transfer_id>/accept": LEADER_POST_ONLY,
        "GET /transfers/<str:transfer_id>/decline": LEADER_POST_ONLY,
        "GET /api/v1/settings/{setting_id}/transfers": TRANSFER_ANSWER,
        "POST /api/v1/transfers/{transfer_id}/accept": TRANSFER_ANSWER,
        "POST /api/v1/transfers/{transfer_id}/decline": TRANSFER_ANSWER,
    }
)


# --- The matrix -----------------------------------------------------------------------


def _expectations(route_key) -> dict[str, object]:
    table = EXPECTED.get(route_key)
    if table is None:
        return {}
    by_persona = {}
    for names, outcome in table.items():
        if names == "*":
            continue
        for name in names.split():
            assert name not in by_persona, f"{route_key}: {name} is listed twice"
            by_persona[name] = outcome
    if "*" in table:
        for name in p.PERSONAS:
            by_persona.setdefault(name, table["*"])
    return by_persona


def _cases():
    for route in m.all_routes():
        expected = _expectations(route.key)
        for persona in p.PERSONAS.values():
            outcome = expected.get(persona.name)
            marks = []
            if isinstance(outcome, Known):
                marks = [
                    pytest.mark.xfail(strict=True, reason=f"issue 8 finding {outcome.finding}")
                ]
            yield pytest.param(
                route, persona, outcome, id=f"{route.key}-{persona.name}", marks=marks
            )


def test_every_route_has_an_expectation():
    missing = []
    for route in m.all_routes():
        expected = _expectations(route.key)
        if not expected:
            missing.append(f"  {route.key!r}: {{...}} (every persona)")
            continue
        unknown = set(expected) - set(p.PERSONAS)
        assert not unknown, f"{route.key}: unknown personas {sorted(unknown)}"
        lacking = [name for name in p.PERSONAS if name not in expected]
        if lacking:
            missing.append(f"  {route.key!r}: add {' '.join(lacking)}")
    assert not missing, (
        "These routes have no expected outcome in the authorization matrix. Add them to "
        "EXPECTED in tests/security/test_authorization_matrix.py (who may use the route, "
        "and what everyone else gets: NOT_FOUND for other families' and settings' "
        "objects, refused(code) for a rule, LOGIN for anonymous visitors):\n" + "\n".join(missing)
    )


def test_stale_expectations_name_real_routes():
    keys = {route.key for route in m.all_routes()}
    assert set(EXPECTED) - keys == set()
    assert set(TARGETS) - keys == set()


def test_schema_and_routers_list_the_same_api_operations():
    assert {r.key for r in m.api_routes()} == m.api_router_operations()


@pytest.mark.parametrize(("route", "persona", "expected"), list(_cases()))
def test_authorization_matrix(world, db, route, persona, expected):
    if expected is None:
        pytest.fail(
            f"No expectation for {route.key} as {persona.name}: add one to EXPECTED in "
            "tests/security/test_authorization_matrix.py."
        )
    url = m.fill(route, world, TARGETS.get(route.key))
    is_write = route.method != "GET"
    before = m.snapshot(world) if is_write else None
    probe = m.request(route, persona, world, url=url, body=_body(route.key, world, persona))
    wanted = expected.outcome if isinstance(expected, Known) else expected
    wanted = wanted if isinstance(wanted, tuple) else (wanted,)
    assert probe.outcome in wanted, (
        f"{route.key} as {persona.name}: {probe.status} ({probe.outcome}), expected {wanted}"
    )
    assert m.leaks(probe, world) == [], f"{route.key} as {persona.name} shows too much"
    if is_write and probe.outcome != OK:
        changed = m.changes(before, m.snapshot(world))
        assert changed == [], f"{route.key} as {persona.name} was refused but changed {changed}"
