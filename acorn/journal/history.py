"""An entry's history as a practitioner reads it (J-5): each version, who made it and
when, and what it changed, newest first. Staff of the entry's setting only (the view
checks); parents only ever see the entry as it is now.

Each ObservationRevision keeps what the entry said *before* an edit, so an edit's changes
are that revision compared with the next one (or with the entry as it is now). Pure
functions over rows already read: the page makes the same few queries however long the
history is.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from acorn.journal.models import AREAS_OF_LEARNING, MediaAppearance

# Words (with their apostrophes and hyphens), spaces and each punctuation mark, so a full
# stop moving doesn't mark the word before it as changed.
TOKENS = re.compile(r"\s+|[\w'’-]+|[^\w\s]")


def text_diff(before: str, after: str):
    """The later text with removed words in <del> and added ones in <ins> (escaped)."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(new[b1:b2])))
            continue
        removed, added = "".join(old[a1:a2]), "".join(new[b1:b2])
        if removed.strip():
            out.append(f"<del>{escape(removed)}</del>")
        elif removed:
            out.append(escape(removed))
        if added.strip():
            out.append(f"<ins>{escape(added)}</ins>")
        elif added and not removed:
            out.append(escape(added))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


@dataclass
class State:
    text: str
    next_steps: str
    observed_on: object
    areas: list | None
    aspects: list | None
    characteristics: list | None
    child_ids: list
    media: list | None  # [{"id", "kind", "appears": [child id]}]


@dataclass
class Version:
    who: object
    when: object
    changes: list = field(default_factory=list)  # (label, added names, removed names)
    text: str | None = None  # safe HTML with <ins>/<del>, or None if unchanged
    next_steps: str | None = None
    observed_on: tuple | None = None  # (before, after)
    first: bool = False  # the entry as first written


def _state_of(revision) -> State:
    return State(
        text=revision.text,
        next_steps=revision.next_steps,
        observed_on=revision.observed_on,
        areas=revision.areas,
        aspects=revision.aspects,
        characteristics=revision.characteristics,
        child_ids=[str(c) for c in revision.child_ids],
        media=revision.media,
    )


def current_state(observation, media_items) -> State:
    appearing = {}
    for row in MediaAppearance.objects.filter(media__in=[item.pk for item in media_items]).values(
        "media_id", "child_id"
    ):
        appearing.setdefault(row["media_id"], []).append(str(row["child_id"]))
    return State(
        text=observation.text,
        next_steps=observation.next_steps,
        observed_on=observation.observed_on,
        areas=observation.areas,
        aspects=observation.aspects,
        characteristics=observation.characteristics,
        child_ids=[str(link.child_id) for link in observation.links.all()],
        media=[
            {"id": str(item.pk), "kind": item.kind, "appears": appearing.get(item.pk, [])}
            for item in media_items
        ],
    )


def _set_change(before, after, name):
    if before is None or after is None:
        return None  # not recorded then
    added = [name(x) for x in after if x not in before]
    removed = [name(x) for x in before if x not in after]
    return (added, removed) if added or removed else None


def _media_changes(before, after, child_name):
    if before is None or after is None:
        return []
    old = {m["id"]: m for m in before}
    new = {m["id"]: m for m in after}
    noun = {"video": "Video", "photo": "Photo"}
    changes = []
    added = [noun.get(m["kind"], "Photo") for m in after if m["id"] not in old]
    removed = [noun.get(m["kind"], "Photo") for m in before if m["id"] not in new]
    if added or removed:
        changes.append(("Photos and videos", _counted(added), _counted(removed)))
    for position, item in enumerate(after, start=1):
        was = old.get(item["id"])
        if was is None:
            continue
        change = _set_change(was.get("appears", []), item.get("appears", []), child_name)
        if change:
            label = f"Who can be seen in {noun.get(item['kind'], 'Photo').lower()} {position}"
            changes.append((label, *change))
    return changes


def _counted(nouns):
    out = []
    for noun in dict.fromkeys(nouns):
        n = nouns.count(noun)
        out.append(f"{n} {noun.lower()}{'s' if n > 1 else ''}" if n > 1 else f"a {noun.lower()}")
    return out


def _compare(before: State, after: State, names) -> Version:
    from acorn.eyfs.selectors import codes

    eyfs = codes()
    version = Version(who=None, when=None)
    if before.text != after.text:
        version.text = text_diff(before.text, after.text)
    if before.next_steps != after.next_steps:
        version.next_steps = text_diff(before.next_steps, after.next_steps)
    if before.observed_on != after.observed_on:
        version.observed_on = (before.observed_on, after.observed_on)
    checks = [
        ("Children", before.child_ids, after.child_ids, names),
        ("Areas of learning", before.areas, after.areas, lambda c: AREAS_OF_LEARNING.get(c, c)),
        (
            "Aspects",
            before.aspects,
            after.aspects,
            lambda c: eyfs.aspects[c][1] if c in eyfs.aspects else c,
        ),
        (
            "How they learn",
            before.characteristics,
            after.characteristics,
            lambda c: eyfs.characteristics.get(c, c),
        ),
    ]
    for label, old, new, name in checks:
        change = _set_change(old, new, name)
        if change:
            version.changes.append((label, *change))
    version.changes += _media_changes(before.media, after.media, names)
    return version


def child_ids_in(revisions, current: State) -> set:
    ids = set(current.child_ids)
    for revision in revisions:
        ids.update(str(c) for c in revision.child_ids)
        for item in revision.media or []:
            ids.update(item.get("appears", []))
    for item in current.media or []:
        ids.update(item["appears"])
    return ids


def versions(observation, revisions, current: State, child_names: dict) -> list[Version]:
    """Newest first: one Version per edit, then the entry as first written.
    `revisions` newest first (as the model orders them); `child_names`: id -> name."""

    def name(child_id):
        return child_names.get(str(child_id), "a child no longer at the setting")

    out = []
    later = current
    for revision in revisions:
        before = _state_of(revision)
        version = _compare(before, later, name)
        version.who, version.when = revision.edited_by, revision.edited_at
        out.append(version)
        later = before
    first = Version(who=observation.author, when=observation.created_at, first=True)
    first.text = escape(later.text)
    out.append(first)
    return out
