"""Every read of notifications, decided by who is asking, at the moment they ask.

A notification is shown only while its recipient may still see what it points at,
through the journal's and the reports' own rules:

- staff notifications (replies, contributions, feedback) need the recipient cleared in
  the notification's setting (A-5, and the off-site rule of this request, A-6) and the
  entry within their reach as staff (`journal.selectors._staff_reach`);
- parent notifications need the child among the parent's active children (linked,
  onboarded, P-1) and the entry or report visible to a parent (published, or their own
  contribution; a shared report).

Either way the child must still be at the setting (not archived, not transferred): a
staff member who lost clearance or left, a parent whose link ended, a child who left,
all stop seeing them. Their words are made here, for the reader (`describe`).
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404

from acorn.children.selectors import active_child_ids, leader_setting_ids
from acorn.core.kept import Kept
from acorn.journal.models import Observation, ObservationChild
from acorn.notices.models import Notice
from acorn.reports.models import Report
from acorn.suitability.selectors import cleared_setting_ids

K = Notice.Kind


def _visible(user) -> Q:
    from acorn.journal.selectors import _parent_rule, _staff_reach, _staff_rule
    from acorn.leaving.rules import archived

    staff_entry = Observation.objects.filter(
        _staff_reach(user), _staff_rule(user), pk=OuterRef("observation_id")
    )
    as_staff = (
        Q(kind__in=Notice.STAFF_KINDS, setting_id__in=list(cleared_setting_ids(user)))
        & Q(observation__isnull=False)
        & Exists(staff_entry)
    )
    own_children = list(active_child_ids(user))
    parent_entry = Observation.objects.filter(
        _parent_rule(user),
        Exists(
            ObservationChild.objects.filter(
                observation=OuterRef("pk"), child_id=OuterRef(OuterRef("child_id"))
            )
        ),
        pk=OuterRef("observation_id"),
    )
    shared_report = Report.objects.filter(
        pk=OuterRef("report_id"), child_id=OuterRef("child_id"), status=Report.Status.SHARED
    )
    as_parent = (
        Q(kind__in=Notice.PARENT_KINDS, child_id__in=own_children)
        & (Q(observation__isnull=True) | Exists(parent_entry))
        & (Q(report__isnull=True) | Exists(shared_report))
        & (Q(observation__isnull=False) | Q(report__isnull=False))
    )
    # The child still belongs to the setting it was about, and hasn't left.
    still_here = Q(child__setting_id=F("setting_id")) & ~archived("child_id")
    return (as_staff | as_parent) & still_here


def notices_for(user):
    """This person's notifications that they may still see, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return (
        Notice.objects.filter(recipient=user)
        .filter(_visible(user))
        .select_related("child", "actor")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    """The badge: one query, worked out once per request."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = user.__dict__.get("_acorn_unread_notices")
    if cached is None:
        sql, params = _unread_count_sql(user)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cached = cursor.fetchone()[0]
        user.__dict__["_acorn_unread_notices"] = cached
    return cached


def _unread_rule(user):
    """The badge's queryset: this person's unread notifications they may still see."""
    return notices_for(user).filter(read_at=None).order_by()


def _unread_count_sql(user) -> tuple[str, tuple]:
    """The badge's count as SQL. Building and compiling its rule cost more than the
    database took to count (issue 13), and the badge is on every page: the SQL is kept in
    this process under everything `_visible` reads in Python (`_visible_inputs`), as the
    media rule is. Nothing decided is kept: the database counts again on every request."""
    key = (connection.alias, *_visible_inputs(user))
    return _UNREAD_COUNTS.get(key, lambda: _count_sql(_unread_rule(user)))


def _count_sql(queryset) -> tuple[str, tuple]:
    try:
        sql, params = queryset.values("pk").query.sql_with_params()
    except EmptyResultSet:  # nothing this person could ever be told
        return ("SELECT 0", ())
    return (f"SELECT COUNT(*) FROM ({sql}) unread", tuple(params))  # noqa: S608


_UNREAD_COUNTS = Kept()


def _visible_inputs(user) -> tuple:
    """Everything `_visible` reads in Python. Anything new it reads must be added here
    (`test_unread_rule_kept_per_process` compares kept and fresh rules)."""
    from acorn.leaving.rules import today

    return (
        user.pk,
        today(),
        frozenset(cleared_setting_ids(user)),
        frozenset(leader_setting_ids(user)),
        frozenset(active_child_ids(user)),
    )


def forget_unread_count(user) -> None:
    user.__dict__.pop("_acorn_unread_notices", None)


def notice_for(user, notice_id) -> Notice:
    """One of this person's notifications, if they may still see it; otherwise 404."""
    try:
        notice_id = uuid.UUID(str(notice_id))
    except ValueError:
        raise Http404("No such notification.") from None
    notice = notices_for(user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404("No such notification.")
    return notice


@dataclass(frozen=True)
class Described:
    text: str
    path: str
    object_type: str
    object_id: str


def describe(notice: Notice) -> Described:
    """What the notification says, made when it is read. A parent's notification names
    only their own child (by first name) and nobody else; staff read who did it."""
    child = notice.child.first_name
    actor = notice.actor.name if notice.actor_id and notice.actor else "Someone"
    entry = f"/observations/{notice.observation_id}/"
    texts = {
        K.REPLY: f"{actor} replied on an entry about {child}.",
        K.CONTRIBUTION: f"{child}'s family added something from home. It's waiting for approval.",
        K.FEEDBACK: f"{actor} left feedback on your entry about {child}.",
        K.ENTRY: f"There's something new in {child}'s journal.",
        K.CONTRIBUTION_ADDED: f"What you added from home is now in {child}'s journal.",
        K.CONTRIBUTION_NOT_ADDED: (
            f"What you added from home wasn't added to {child}'s journal. See why."
        ),
        K.REPORT: f"{child}'s report is ready to read.",
        K.STAFF_REPLY: f"{actor} replied to you on an entry about {child}.",
    }
    if notice.report_id:
        return Described(
            texts[notice.kind], f"/reports/{notice.report_id}/", "report", str(notice.report_id)
        )
    return Described(texts[notice.kind], entry, "observation", str(notice.observation_id))
