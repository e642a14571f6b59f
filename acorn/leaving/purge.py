"""L-4: the permanent, provable deletion of a child after the grace period.

`child_purge` deletes every row, stored file and rendition of the child, exports
included. Group entries stay in the other children's journals, but nothing of the purged
child remains in them: photos and videos in which the child appears are deleted, the
child's replies go, and the child's names in the entry's text (and its edit history)
become "a friend". What remains is a DeletionRecord with counts and dates only.

Safe to interrupt: stored files are deleted first (deleting a missing file is a no-op),
then every row in one transaction, the deletion record last. A run that stops part way
leaves the child's rows, so the next run finds the child again and completes it.

The embedded database must not keep the deleted bytes: the purging connection turns on
SQLite's secure_delete (freed pages are overwritten with zeros), then VACUUMs and
checkpoints the write-ahead log with TRUNCATE. PostgreSQL operators: see the README.
"""

import logging
import re
import uuid
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.eyfs.models import Assessment
from acorn.journal.models import (
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from acorn.leaving.models import (
    GRACE_DAYS,
    CarriedAppearance,
    DeletionRecord,
    KeepsakeExport,
    Leaving,
)
from acorn.leaving.rules import today
from acorn.ops.backup import record_deletions

logger = logging.getLogger("acorn.leaving")

REDACTED = "a friend"


def purge_due(on=None):
    """Leavings whose grace period ended before `on` (day GRACE_DAYS + 1 or later)."""
    on = on or today()
    return Leaving.objects.filter(
        leaving_on__lte=on - timedelta(days=GRACE_DAYS + 1), transferred_at__isnull=True
    ).select_related("child")


def purge_expired(*, on=None) -> list[DeletionRecord]:
    """Purge every child whose grace period is over; the deletion records made."""
    _secure_delete_on()
    records = [child_purge(child=leaving.child) for leaving in purge_due(on)]
    compact_database()
    return records


def name_redactor(child):
    """Replaces the child's names (whole words, any case) with words that identify no one."""
    names = {child.full_name, child.first_name, child.last_name} - {""}
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text or "")


class _Plan:
    """Everything of one child, found before anything is deleted."""

    def __init__(self, child: Child):
        self.child = child
        linked = ObservationChild.objects.filter(child=child).values("observation_id")
        others = ObservationChild.objects.filter(observation_id__in=linked).exclude(child=child)
        self.shared_ids = set(others.values_list("observation_id", flat=True))
        self.own_ids = set(linked.values_list("observation_id", flat=True)) - self.shared_ids
        # Unsent work about the child: a contribution on their page, or the capture page
        # with them chosen (ids in a JSON list, compared in Python for every database).
        self.drafts = [
            draft
            for draft in CaptureDraft.objects.filter(setting_id=child.setting_id)
            if draft.child_id == child.pk or str(child.pk) in (draft.child_ids or [])
        ]
        draft_media = {mid for draft in self.drafts for mid in (draft.media_ids or [])}
        media = MediaItem.objects.filter(
            Q(observation_id__in=self.own_ids)
            | Q(appearances__child=child)
            # Copies that travelled with a transferred child and show this one (L-2).
            | Q(pk__in=CarriedAppearance.objects.filter(child=child).values("media_id"))
            | Q(pk__in=[child.photo_id] if child.photo_id else [])
            | Q(pk__in=_uuids(draft_media), observation__isnull=True)
        ).distinct()
        self.media = list(media)
        self.exports = list(KeepsakeExport.objects.filter(child=child))

    def files(self) -> list[str]:
        found = []
        for item in self.media:
            try:
                _dirs, names = default_storage.listdir(item.storage_prefix)
            except FileNotFoundError:
                names = []
            found += [f"{item.storage_prefix}/{name}" for name in names]
        found += [export.storage_name for export in self.exports if export.storage_name]
        return found


def _uuids(values):
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return result


def delete_stored_files(plan: _Plan) -> int:
    deleted = 0
    for name in plan.files():
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted


@transaction.atomic
def _delete_rows(plan: _Plan, files_deleted: int) -> DeletionRecord:
    child = Child.objects.select_for_update().get(pk=plan.child.pk)
    leaving = Leaving.objects.filter(child=child).first()
    redact = name_redactor(child)
    counts = {
        "entries": len(plan.own_ids),
        "group_entries_changed": len(plan.shared_ids),
        "photos_and_videos": len(plan.media),
        "files": files_deleted,
        "replies": Comment.objects.filter(child=child).count(),
        "assessments": Assessment.objects.filter(child=child).count(),
        "unsent_drafts": len(plan.drafts),
        "exports": len(plan.exports),
        "parent_links": child.parent_links.count(),
    }
    Child.objects.filter(pk=child.pk).update(photo=None)
    MediaItem.objects.filter(pk__in=[item.pk for item in plan.media]).delete()
    Comment.objects.filter(child=child).delete()
    # Group entries stay whole for the other children, without this child in them.
    for observation in Observation.objects.filter(pk__in=plan.shared_ids):
        for field in ("text", "next_steps", "rejection_reason", "review_feedback"):
            setattr(observation, field, redact(getattr(observation, field)))
        observation.save(
            update_fields=["text", "next_steps", "rejection_reason", "review_feedback"]
        )
    for revision in ObservationRevision.objects.filter(observation_id__in=plan.shared_ids):
        revision.text = redact(revision.text)
        revision.next_steps = redact(revision.next_steps)
        revision.child_ids = [cid for cid in revision.child_ids if cid != str(child.pk)]
        purged_media = {str(item.pk) for item in plan.media}
        revision.media = (
            [
                {**kept, "appears": [cid for cid in kept["appears"] if cid != str(child.pk)]}
                for kept in revision.media or []
                if kept["id"] not in purged_media
            ]
            if revision.media is not None
            else None
        )
        revision.save(update_fields=["text", "next_steps", "child_ids", "media"])
    ObservationChild.objects.filter(child=child).delete()
    MediaAppearance.objects.filter(child=child).delete()
    Observation.objects.filter(pk__in=plan.own_ids).delete()
    CaptureDraft.objects.filter(pk__in=[draft.pk for draft in plan.drafts]).delete()
    KeepsakeExport.objects.filter(child=child).delete()
    setting_id = child.setting_id
    left_on = leaving.leaving_on if leaving else today()
    # So that restoring an older backup purges the child again (acorn.ops.backup).
    record_deletions("child", [child.pk])
    child.delete()  # parent links, consents, assessments, invitations, the leaving record
    record = DeletionRecord.objects.create(setting_id=setting_id, left_on=left_on, counts=counts)
    audit_record(
        action="child.purge",
        setting_id=setting_id,
        object_type="deletion",
        object_id=record.pk,
        detail={"counts": counts},
    )
    return record


def child_purge(*, child: Child) -> DeletionRecord:
    """Delete everything of this child (files first, then rows); see the module docstring."""
    _secure_delete_on()
    plan = _Plan(child)
    files_deleted = delete_stored_files(plan)
    return _delete_rows(plan, files_deleted)


def _secure_delete_on() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


def compact_database() -> str:
    """Leave no deleted bytes in the SQLite file's free pages or its write-ahead log.
    Inside a transaction (tests) VACUUM can't run; secure_delete has zeroed the pages."""
    if connection.vendor != "sqlite":
        return "not sqlite: see the README (VACUUM, backup retention)"
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _log, _done = cursor.fetchone()
            if busy:
                logger.warning("The WAL checkpoint was busy; it completes on the next run.")
                return "vacuumed; checkpoint busy"
            return "vacuumed and checkpointed"
    return "secure delete only (inside a transaction)"
