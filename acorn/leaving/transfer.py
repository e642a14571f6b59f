"""L-2: moving a child, and everything of theirs, to another setting on this installation.

`transfer_move` runs once a transfer is accepted and the leaving date has come, in one
transaction. What the receiving setting gets is the child's own journal as the child's
family sees it, and nothing of any other child:

- the child's row (setting, key person chosen on acceptance; back-up and room cleared),
  parent links, consent records, invitations, assessments and reports move as they are;
- entries about this child alone move, with their replies, revisions and contributions;
  unsent staff drafts about the child alone are deleted (their authors stay behind);
- group entries (about several children) stay whole at the sending setting for the other
  children. The child's link and their family's replies leave them; the receiving setting
  gets a copy of each published one with the child alone in it;
- every text that travels names other children by initials (C-4: the sending setting's
  NameRedactor, with this child's own names kept);
- a photo or video travels only as the family may see it (C-1, C-2): whole when every
  other child in it has photo consent; a photo whose shared rendition obscures the faces
  of those without consent travels as that rendition alone; anything else stays out. Group
  entries' files are copied byte for byte, so a purge on either side never breaks the
  other. Marks of other children's faces never travel.

What the sending setting keeps of the child: its audit trail, and in the other children's
group photos the record that the child can be seen (so the child's photo consent still
decides who sees those photos). Which other children can be seen in what travelled is
kept out of sight (CarriedAppearance): a later withdrawal of their photo consent hides
it (journal.selectors.media_visible_to), and purging any of them (L-4) deletes it.
"""

import logging
import secrets

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from acorn.audit.services import audit_record
from acorn.children.models import Child, ParentAgreement, ParentLink
from acorn.children.names import NameRedactor, redactor_keeping
from acorn.journal.faces import drop_shared_copies
from acorn.journal.models import (
    CaptureDraft,
    Comment,
    MediaAppearance,
    MediaItem,
    ObscuredFace,
    Observation,
    ObservationChild,
    ObservationRevision,
    SharedRendition,
)

logger = logging.getLogger("acorn.leaving")

WHOLE = "whole"
OBSCURED = "obscured"


def redactor_for_transfer(child: Child) -> NameRedactor:
    """Every other child of the child's (sending) setting becomes initials; the child's own
    names stay as written."""
    return redactor_keeping(child.setting_id, {child.pk})


def family_view(item: MediaItem, child: Child) -> str | None:
    """How this photo or video may reach the child's family (C-1, C-2): WHOLE, OBSCURED
    (the family's shared rendition, with other children's faces obscured) or None (not
    at all)."""
    if not _blocked(item, child):
        return WHOLE
    if family_copy_files(item, child) is not None:
        return OBSCURED
    return None


def _blocked(item: MediaItem, child: Child) -> set:
    return {
        a.child_id
        for a in item.appearances.all()
        if a.child_id != child.pk and not a.child.image_consent
    }


def family_copy_files(item: MediaItem, child: Child) -> dict | None:
    """The stored files of the shared rendition the child's family is served (issue 16):
    one in which every other child without consent is obscured, leaving most faces as
    they are; None while there is none (then the photo doesn't travel)."""
    if item.kind != MediaItem.Kind.PHOTO or item.status != MediaItem.Status.READY:
        return None
    blocked = _blocked(item, child)
    for copy in SharedRendition.objects.filter(media=item).order_by("-kept_count", "pk"):
        hidden = set(ObscuredFace.objects.filter(rendition=copy).values_list("child_id", flat=True))
        if blocked <= hidden and {"display", "thumb"} <= set(copy.renditions):
            return dict(copy.renditions)
    return None


def _own_faces(item: MediaItem, child: Child, *, others_unnamed: bool) -> list:
    """The face marks that travel: the child's own; other faces lose whose they are (or,
    in an obscured copy, are left out: they are blurred in it)."""
    faces = []
    for face in item.faces or []:
        if face.get("child") == str(child.pk):
            faces.append(face)
        elif others_unnamed:
            faces.append({**face, "child": None})
    return faces


class _Files:
    """Files copied for the receiving setting, removed again if the move fails."""

    def __init__(self):
        self.prefixes: list[str] = []

    def new_prefix(self) -> str:
        prefix = f"media/{secrets.token_hex(16)}"
        self.prefixes.append(prefix)
        return prefix

    def copy(self, source: str, prefix: str, name: str) -> str:
        with default_storage.open(source, "rb") as stored:
            saved = default_storage.save(f"{prefix}/{name}", File(stored))
        return saved.rsplit("/", 1)[1]

    def discard(self) -> None:
        for prefix in self.prefixes:
            try:
                _dirs, names = default_storage.listdir(prefix)
            except FileNotFoundError:
                continue
            for name in names:
                default_storage.delete(f"{prefix}/{name}")


def copy_media(item, child, *, view, setting, observation, files: _Files) -> MediaItem:
    """A copy of a ready photo or video for another setting, with its own files: whole, or
    (OBSCURED) the shared rendition alone, which becomes the copy's original too."""
    prefix = files.new_prefix()
    source = item.storage_prefix
    if view == OBSCURED:
        shared = family_copy_files(item, child)
        display = files.copy(f"{source}/{shared['display']}", prefix, "display.jpg")
        thumb = files.copy(f"{source}/{shared['thumb']}", prefix, "thumb.webp")
        original = files.copy(f"{source}/{shared['display']}", prefix, "original.jpg")
        renditions = {"display": display, "thumb": thumb}
        mime = "image/jpeg"
        size = default_storage.size(f"{prefix}/{original}")
    else:
        original = files.copy(item.original_path(), prefix, item.original_name)
        renditions = {
            name: files.copy(f"{source}/{stored}", prefix, stored)
            for name, stored in item.renditions.items()
            if not name.startswith("shared_")
        }
        mime = item.mime
        size = item.size_bytes
    copy = MediaItem.objects.create(
        setting=setting,
        uploaded_by=item.uploaded_by,
        observation=observation,
        position=item.position,
        kind=item.kind,
        mime=mime,
        status=MediaItem.Status.READY,
        storage_prefix=prefix,
        original_name=original,
        renditions=renditions,
        size_bytes=size,
        width=item.width,
        height=item.height,
        duration=item.duration,
        created_at=item.created_at,
        ready_at=item.ready_at,
        faces=_own_faces(item, child, others_unnamed=view == WHOLE),
    )
    MediaAppearance.objects.create(media=copy, child=child)
    _carry_others(item, copy, child, obscured=view == OBSCURED)
    return copy


def _carry_others(item, carried, child, *, obscured=False) -> None:
    """Remember, out of sight, who else is in it: a withdrawal of their photo consent hides
    it, and the purge of any of them deletes it. In an obscured copy, those without
    consent are the ones whose faces are blurred."""
    from acorn.leaving.models import CarriedAppearance

    others = {a.child: False for a in item.appearances.all() if a.child_id != child.pk}
    if obscured:
        others = {other: not other.image_consent for other in others}
    earlier = CarriedAppearance.objects.filter(media=item).exclude(child=child)
    for row in earlier.select_related("child"):
        others.setdefault(row.child, row.obscured)
    CarriedAppearance.objects.bulk_create(
        [
            CarriedAppearance(media=carried, child=other, obscured=hidden)
            for other, hidden in others.items()
        ],
        ignore_conflicts=True,
    )


class _Move:
    def __init__(self, transfer, files: _Files):
        self.transfer = transfer
        self.child = (
            Child.objects.select_for_update().select_related("setting").get(pk=transfer.child_id)
        )
        self.source = self.child.setting_id
        self.target = transfer.to_setting
        self.files = files
        self.redact = redactor_for_transfer(self.child)
        self.media_map: dict = {}  # old media id -> the id it has at the receiving setting
        self.left_out: list[MediaItem] = []
        self.counts = {
            "entries_moved": 0,
            "group_entries_copied": 0,
            "photos_and_videos_moved": 0,
            "photos_and_videos_copied": 0,
            "photos_obscured": 0,
            "photos_and_videos_left_out": 0,
            "replies": 0,
            "staff_drafts_deleted": 0,
            "assessments": 0,
            "reports": 0,
            "parent_links": 0,
        }

    # Entries -------------------------------------------------------------------------

    def entries(self):
        linked = set(
            ObservationChild.objects.filter(child=self.child).values_list(
                "observation_id", flat=True
            )
        )
        shared = set(
            ObservationChild.objects.filter(observation_id__in=linked)
            .exclude(child=self.child)
            .values_list("observation_id", flat=True)
        )
        for observation in Observation.objects.filter(pk__in=linked - shared):
            self.move_entry(observation)
        for observation in Observation.objects.filter(pk__in=shared):
            self.leave_group_entry(observation)

    def move_entry(self, observation):
        if observation.status == Observation.Status.DRAFT and not observation.by_parent:
            # A staff member's unsent draft: its author stays behind, so it goes.
            self.left_out += list(observation.media.all())
            observation.delete()
            self.counts["staff_drafts_deleted"] += 1
            return
        for field in ("text", "next_steps", "rejection_reason"):
            setattr(observation, field, self.redact(getattr(observation, field)))
        # Review feedback was for the author, who stays behind.
        observation.review_feedback = ""
        observation.setting = self.target
        observation.discuss_at_meeting = False
        observation.discussed_at = None
        observation.save()
        for revision in ObservationRevision.objects.filter(observation=observation):
            revision.text = self.redact(revision.text)
            revision.next_steps = self.redact(revision.next_steps)
            revision.child_ids = [str(self.child.pk)]
            revision.save(update_fields=["text", "next_steps", "child_ids"])
        self.counts["replies"] += self._move_replies(
            Comment.objects.filter(observation=observation), observation
        )
        for item in MediaItem.objects.filter(observation=observation).prefetch_related(
            "appearances__child"
        ):
            self.move_media(item)
        self.counts["entries_moved"] += 1

    def move_media(self, item):
        view = family_view(item, self.child)
        if view == WHOLE:
            _carry_others(item, item, self.child)
            MediaAppearance.objects.filter(media=item).exclude(child=self.child).delete()
            # Other families' blurred copies stay behind: nobody there is served it now.
            drop_shared_copies(item)
            item.setting = self.target
            item.faces = _own_faces(item, self.child, others_unnamed=True)
            item.save(update_fields=["setting", "faces"])
            MediaAppearance.objects.get_or_create(media=item, child=self.child)
            self.media_map[item.pk] = item.pk
            self.counts["photos_and_videos_moved"] += 1
        elif view == OBSCURED:
            # The child's own entry, but another child without consent is in it: only the
            # obscured copy travels; the original (another child's face) is deleted.
            copy = copy_media(
                item,
                self.child,
                view=view,
                setting=self.target,
                observation=item.observation,
                files=self.files,
            )
            self.media_map[item.pk] = copy.pk
            self.left_out.append(item)
            self.counts["photos_obscured"] += 1
        else:
            self.left_out.append(item)
            self.counts["photos_and_videos_left_out"] += 1

    def leave_group_entry(self, observation):
        if observation.status == Observation.Status.PUBLISHED:
            copy = Observation.objects.create(
                setting=self.target,
                author=observation.author,
                text=self.redact(observation.text),
                observed_on=observation.observed_on,
                areas=list(observation.areas),
                aspects=list(observation.aspects),
                characteristics=list(observation.characteristics),
                next_steps=self.redact(observation.next_steps),
                status=Observation.Status.PUBLISHED,
                supervisor=observation.supervisor,
                created_at=observation.created_at,
                updated_at=observation.updated_at,
                published_at=observation.published_at,
                # Reviewed where it was written: it doesn't join the new setting's list.
                reviewed_by=observation.reviewed_by,
                reviewed_at=observation.reviewed_at or timezone.now(),
            )
            ObservationChild.objects.create(
                observation=copy,
                child=self.child,
                observed_on=copy.observed_on,
                created_at=copy.created_at,
            )
            for item in MediaItem.objects.filter(
                observation=observation, status=MediaItem.Status.READY
            ).prefetch_related("appearances__child"):
                view = family_view(item, self.child)
                if view is None:
                    self.counts["photos_and_videos_left_out"] += 1
                    continue
                new = copy_media(
                    item,
                    self.child,
                    view=view,
                    setting=self.target,
                    observation=copy,
                    files=self.files,
                )
                self.media_map[item.pk] = new.pk
                self.counts[
                    "photos_obscured" if view == OBSCURED else "photos_and_videos_copied"
                ] += 1
            # The family's own thread goes with the copy; other families' stay.
            self.counts["replies"] += self._move_replies(
                Comment.objects.filter(observation=observation, child=self.child), copy
            )
            self.counts["group_entries_copied"] += 1
        else:
            Comment.objects.filter(observation=observation, child=self.child).delete()
        ObservationChild.objects.filter(observation=observation, child=self.child).delete()

    def _move_replies(self, comments, observation) -> int:
        moved = 0
        for comment in comments:
            comment.observation = observation
            comment.text = self.redact(comment.text)
            comment.save(update_fields=["observation", "text"])
            moved += 1
        return moved

    # Everything else -----------------------------------------------------------------

    def portrait(self):
        if self.child.photo_id:
            MediaItem.objects.filter(pk=self.child.photo_id).update(setting=self.target)

    def unsent_drafts(self):
        """A parent's unsent contribution for the child follows them; staff capture drafts
        keep their other children, without this one."""
        for draft in CaptureDraft.objects.filter(child=self.child):
            draft.setting = self.target
            draft.save(update_fields=["setting"])
            MediaItem.objects.filter(
                pk__in=[_key(m) for m in draft.media_ids or [] if _key(m)],
                observation__isnull=True,
                uploaded_by_id=draft.author_id,
            ).update(setting=self.target)
        for draft in CaptureDraft.objects.filter(setting_id=self.source, child__isnull=True):
            if str(self.child.pk) in (draft.child_ids or []):
                draft.child_ids = [cid for cid in draft.child_ids if cid != str(self.child.pk)]
                draft.save(update_fields=["child_ids"])

    def assessments(self):
        """Judgements keep their term (the sending setting's calendar); a value the new
        setting's scale doesn't have keeps its meaning in words."""
        from acorn.eyfs.models import Assessment, Judgement
        from acorn.eyfs.selectors import scale_of

        theirs = {level["value"]: level["label"] for level in scale_of(self.child.setting)}
        ours = {level["value"] for level in scale_of(self.target)}
        assessments = Assessment.objects.filter(child=self.child)
        for judgement in Judgement.objects.filter(assessment__in=assessments):
            note = self.redact(judgement.note)
            if judgement.value not in ours:
                label = theirs.get(judgement.value, judgement.value)
                note = f"Judged “{label}” at {self.child.setting.name}. {note}".strip()
            judgement.note = note
            judgement.save(update_fields=["note"])
        self.counts["assessments"] = assessments.count()

    def reports(self):
        from acorn.reports.models import Report, ReportReview

        for report in Report.objects.filter(child=self.child):
            report.setting = self.target
            report.sections = [
                {**section, "text": self.redact(section.get("text", ""))}
                for section in report.sections or []
            ]
            for field in (
                "summary",
                "next_steps",
                "strengths",
                "less_than_expected",
                "support_plan",
                "parent_comment",
            ):
                setattr(report, field, self.redact(getattr(report, field)))
            report.photo_ids = [
                str(self.media_map[_key(pid)])
                for pid in report.photo_ids or []
                if _key(pid) in self.media_map
            ]
            report.save()
            for review in ReportReview.objects.filter(report=report):
                review.comment = self.redact(review.comment)
                review.save(update_fields=["comment"])
            self.counts["reports"] += 1

    def family(self):
        """Parent links and consent records stay on the child. A parent who had signed
        the sending setting's agreement keeps their access: the signature is carried over
        to the receiving setting's current wording (and audited as such)."""
        from acorn.accounts.models import Invitation
        from acorn.children.consent import wording_current

        Invitation.objects.filter(child=self.child).update(setting=self.target)
        theirs = wording_current(self.child.setting)
        ours = wording_current(self.target)
        for link in ParentLink.objects.filter(child=self.child).select_related("parent"):
            self.counts["parent_links"] += 1
            signed = (
                ParentAgreement.objects.filter(parent=link.parent, wording=theirs)
                .order_by("-signed_at")
                .first()
            )
            if (
                signed is None
                or ParentAgreement.objects.filter(parent=link.parent, wording=ours).exists()
            ):
                continue
            carried = ParentAgreement.objects.create(
                parent=link.parent, wording=ours, signature_name=signed.signature_name
            )
            audit_record(
                action="agreement.carried_over",
                actor=link.parent,
                setting_id=self.target.pk,
                child_id=self.child.pk,
                object_type="agreement",
                object_id=carried.pk,
                detail={"version": ours.version, "signed_at": signed.signed_at.isoformat()},
            )

    def exports(self):
        """Keepsakes a session leader of the sending setting made stay theirs no longer."""
        from acorn.leaving.models import KeepsakeExport

        parents = ParentLink.objects.filter(child=self.child).values("parent_id")
        stale = KeepsakeExport.objects.filter(child=self.child).exclude(requested_by__in=parents)
        names = [export.storage_name for export in stale if export.storage_name]
        stale.delete()
        for name in names:
            transaction.on_commit(lambda name=name: default_storage.delete(name))

    def child_row(self):
        from acorn.leaving.models import Leaving

        Leaving.objects.filter(child=self.child).delete()
        # The child starts at the new setting on the leaving date: its reports fall due
        # from then (a baseline, its own terms), not from the first setting's start.
        Child.objects.filter(pk=self.child.pk).update(
            setting=self.target,
            key_person=self.transfer.key_person,
            backup_key_person=None,
            room="",
            status=Child.Status.ACTIVE,
            start_date=max(self.child.start_date, self.transfer.leaving_on),
        )

    def delete_left_out(self):
        from acorn.journal import media as media_files

        if not self.left_out:
            return
        ids = [item.pk for item in self.left_out]
        Child.objects.filter(photo_id__in=ids).update(photo=None)
        MediaItem.objects.filter(pk__in=ids).delete()
        media_files.media_delete_files(self.left_out)

    def run(self) -> dict:
        self.entries()
        self.portrait()
        self.unsent_drafts()
        self.assessments()
        self.reports()
        self.family()
        self.exports()
        self.delete_left_out()
        self.child_row()
        return self.counts


def _key(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def transfer_move(transfer) -> dict:
    """Move the child of an accepted transfer (see the module docstring). Returns counts."""
    files = _Files()
    try:
        with transaction.atomic():
            return _Move(transfer, files).run()
    except Exception:
        files.discard()
        raise
