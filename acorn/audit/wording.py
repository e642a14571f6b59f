"""The audit trail in plain words for session leaders (A-8). The API keeps the event
codes (API.md); the page says what happened."""

from datetime import timedelta

# Repeated views of one entry's photos by one person within this time are one line.
MEDIA_GROUP_WINDOW = timedelta(minutes=10)

ACTIONS = {
    "login": "Signed in",
    "login.failed": "Failed sign-in",
    "logout": "Signed out",
    "logout.idle": "Signed out after being idle",
    "sessions.end_all": "Signed out everywhere",
    "password.change": "Changed their password",
    "reauthenticate": "Confirmed it's them (password and code)",
    "mfa.begin": "Started setting up two-step sign-in",
    "mfa.enrol": "Set up two-step sign-in",
    "mfa.recovery_code_used": "Signed in with a recovery code",
    "mfa.reset": "Reset someone's two-step sign-in",
    "invitation.create": "Sent an invitation",
    "invitation.accept": "Accepted an invitation",
    "agreement.sign": "Signed the no-sharing agreement",
    "agreement.wording_change": "Changed the agreement wording",
    "consent.give": "Gave photo consent",
    "consent.refuse": "Said no to photos in other children's journals",
    "consent.withdraw": "Withdrew photo consent",
    "child.create": "Added a child",
    "child.update": "Changed a child's details",
    "child.read": "Opened a child's profile",
    "child.photo": "Changed a child's portrait",
    "child.imported": "Imported a child's journal from another Acorn's keepsake",
    "journal.read": "Opened a child's journal",
    "observation.read": "Opened a journal entry",
    "observation.create.draft": "Saved a draft observation",
    "observation.create.published": "Published an observation",
    "observation.create.pending": "Sent something from home",
    "observation.publish": "Published an observation",
    "observation.edit": "Edited an entry",
    "observation.history": "Opened an entry's history",
    "observation.delete": "Deleted an entry",
    "observation.review": "Reviewed an observation",
    "observation.discussed": "Marked an observation as discussed",
    "contribution.approve": "Approved something from home",
    "contribution.reject": "Sent back something from home",
    "comment.add": "Replied on an entry",
    "media.upload": "Uploaded a photo or video",
    "media.appearances": "Changed who appears in a photo or video",
    "media.read.thumb": "Viewed a photo (small)",
    "media.read.display": "Viewed a photo or video",
    "media.read.poster": "Viewed a video's preview",
    "media.read.original": "Viewed the original photo or video",
    "media.faces": "Marked whose faces are in a photo",
    "assessment.save": "Saved an assessment judgement",
    "assessment.clear": "Cleared an assessment judgement",
    "term.create": "Added a term",
    "term.delete": "Removed a term",
    "setting.judgement_scale": "Changed the judgement scale",
    "child.leaving": "Recorded a child's leaving date",
    "child.archived": "A child left: their journal was archived",
    "child.purge": "A child's records were deleted for good",
    "keepsake.request": "Asked for a keepsake of a journal",
    "keepsake.download": "Downloaded a keepsake",
    "device.register": "Added a device",
    "device.update": "Changed a device's details",
    "device.retire": "Retired a device",
    "device.missing": "Reported a device missing",
    "logout.device": "Signed out: the device was reported missing",
    "signout.overdue_emailed": "Emailed the session leaders: a device is overdue back",
    "staff.join": "Joined the staff",
    "setting.create": "Setting created",
    "setting.rules_change": "Changed the setting's rules",
    "staff.role_change": "Changed someone's role",
    "duty.start": "Went on duty",
    "duty.end": "Went off duty",
    "suitability.reminder": "Reminder sent about a suitability check",
    "probing.noticed": "Flagged: repeated attempts to open things that aren't theirs",
    "refused.not_found": "Refused: tried to open something that isn't theirs",
    "refused.forbidden": "Refused: not allowed",
    "refused.checks_incomplete": "Refused: suitability checks not complete",
    "refused.off_site": "Refused: away from the setting",
    "refused.outside_session_times": "Refused: outside session times",
    "refused.agreement_required": "Asked to sign the agreement first",
    "refused.reauthentication_required": "Asked to confirm it's them",
    "refused.mfa_enrolment_required": "Asked to set up two-step sign-in",
    "refused.throttled": "Refused: too many failed sign-ins",
    "refused.key_workers_only": "Refused: only key people can take a device out",
    "child.leaving_cancel": "Cancelled a child's leaving",
    "transfer.offer": "Offered a child's transfer to another setting",
    "transfer.withdraw": "Withdrew a child's transfer",
    "transfer.accept": "Accepted a child's transfer",
    "transfer.decline": "Declined a child's transfer",
    "child.transfer_out": "A child moved to another setting, with their journal",
    "child.transfer_in": "A child joined from another setting, with their journal",
    "agreement.carried_over": "Agreement carried over from the child's previous setting",
}

# Reports: "{report}" becomes the kind, e.g. "Shared a progress check at age two".
REPORT_ACTIONS = {
    "report.create": "Started {report}",
    "report.update": "Changed {report}",
    "report.submit": "Sent {report} for review",
    "report.share": "Shared {report} with parents",
    "report.parent_comment": "Added their view to {report}",
    "report.read": "Opened {report}",
    "report.pdf": "Downloaded {report} as a PDF",
    "report.revise": "Started a corrected version of {report}",
}
REPORT_KINDS = {
    "baseline": "a baseline report",
    "summative": "a summative report",
    "two_year_check": "a progress check at age two",
    "final": "a final report",
}

OBJECTS = {
    "child": "a child",
    "observation": "an entry",
    "media": "a photo or video",
    "membership": "a staff member",
    "user": "a person",
    "report": "a report",
}


def _report_words(event) -> str | None:
    detail = event.detail or {}
    report = REPORT_KINDS.get(detail.get("kind"), "a report")
    if event.action == "report.review":
        if detail.get("approved"):
            return f"Approved {report}"
        return f"Sent {report} back to its author with a comment"
    words = REPORT_ACTIONS.get(event.action)
    if words is None:
        return None
    words = words.format(report=report)
    if event.action == "report.revise" and detail.get("version"):
        words += f" (version {detail['version']})"
    return words


def describe(event) -> str:
    """One event in a few plain words."""
    action = event.action
    words = ACTIONS.get(action)
    if words is None and action.startswith("report."):
        words = _report_words(event)
    if words is None and action.startswith("suitability."):
        words = "Recorded a suitability check or declaration"
    if words is None and action.startswith("refused."):
        words = "Refused"
    if words is None:
        words = action.replace(".", " ").replace("_", " ").capitalize()
    if action in ("refused.not_found", "refused.forbidden") and event.object_type in OBJECTS:
        words += f" ({OBJECTS[event.object_type]})"
    if action == "login.failed":
        reason = (event.detail or {}).get("reason")
        if reason == "code":
            words += " (wrong code)"
        elif reason:
            words += " (wrong password)"
    return words


def is_media_view(event) -> bool:
    return event.action.startswith("media.read.")


def group_media_views(rows: list[dict], entry_of: dict) -> list[dict]:
    """Rows (newest first) with each run of one person's photo views of one entry within
    a short time made into one line: "Viewed 4 photos or videos in an entry (9 views)"."""
    grouped = []
    for row in rows:
        event = row["event"]
        last = grouped[-1] if grouped else None
        if (
            last is not None
            and is_media_view(event)
            and is_media_view(last["event"])
            and last["event"].actor_id == event.actor_id
            and last["entry"] == entry_of.get(event.object_id, event.object_id)
            and last["first_at"] - event.at <= MEDIA_GROUP_WINDOW
        ):
            last["views"] += 1
            last["media"].add(event.object_id)
            last["first_at"] = event.at
            continue
        row = {**row, "views": 1, "first_at": event.at}
        if is_media_view(event):
            row["entry"] = entry_of.get(event.object_id, event.object_id)
            row["media"] = {event.object_id}
        grouped.append(row)
    for row in grouped:
        if row["views"] > 1:
            items = len(row["media"])
            row["what"] = (
                f"Viewed {items} photo{'s' if items != 1 else ''} or video"
                f"{'s' if items != 1 else ''} in an entry ({row['views']} views)"
            )
    return grouped
