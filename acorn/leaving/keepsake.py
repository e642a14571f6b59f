"""Building a keepsake export (L-3, L-5): a zip of a child's journal as the person who
asked for it may see it.

Everything here reads through the journal's own selectors for the requester: entries
through `journal_for`, photos and videos through `media_visible_to` (prefetched on each
entry) and `delivery.storage_name`, so a parent gets the face-obscured shared rendition
exactly where their journal page shows it, and text through `prepare_for_reader`, so other
children are named by initials as on the parent's journal page. No second copy of the
consent or naming rules lives here.

The zip holds `journal.json` (format: docs/keepsake-format.md, schema:
docs/keepsake-journal.schema.json), `journal.pdf` (a printable book) and `media/<file>`.
"""

import io
import json
import logging
import os
import tempfile
import zipfile
from xml.sax.saxutils import escape

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from acorn.journal import delivery
from acorn.journal.selectors import comments_for, journal_for, prepare_for_reader

log = logging.getLogger(__name__)

FORMAT = "acorn-keepsake"
VERSION = 1


def _media_entry(item, position: int):
    """The stored file this requester gets for one item, and its name in the zip."""
    try:
        name = delivery.storage_name(item, "display")
    except (delivery.NotReady, delivery.Http404):
        return None
    extension = name.rsplit(".", 1)[-1].lower()
    poster = None
    if item.kind == "video" and "poster" in item.renditions:
        poster = delivery.storage_name(item, "poster")  # printed in the book, not zipped
    return {
        "poster": poster,
        "stored": name,
        "file": f"media/{item.pk}.{extension}",
        "kind": item.kind,
        "mime": delivery.CONTENT_TYPES.get(extension, "application/octet-stream"),
        "position": position,
        "obscured": bool(getattr(item, "serve_shared", False)),
    }


def journal_of(requester, child) -> tuple[dict, list[dict]]:
    """The journal document (journal.json) and the files to put beside it."""
    observations = list(journal_for(requester, child))
    comments = []
    by_entry = {}
    for observation in observations:
        thread = [c for c in comments_for(requester, observation) if c.child_id == child.pk]
        by_entry[observation.pk] = thread
        comments += thread
    prepare_for_reader(requester, observations, comments)
    files, entries = [], []
    for observation in reversed(observations):  # oldest first, like a book
        media = []
        for position, item in enumerate(getattr(observation, "visible_media", [])):
            entry = _media_entry(item, position)
            if entry is not None:
                files.append(entry)
                media.append({k: entry[k] for k in ("file", "kind", "mime", "obscured")})
        entries.append(
            {
                "id": str(observation.pk),
                "observed_on": observation.observed_on.isoformat(),
                "author": observation.author.name if observation.author else "",
                "by_parent": observation.by_parent,
                "status": observation.status,
                "text": observation.shown_text,
                "next_steps": observation.shown_next_steps,
                "areas": list(observation.areas or []),
                "media": media,
                "replies": [
                    {
                        "id": str(comment.pk),
                        "author": comment.author.name if comment.author else "",
                        "by_staff": comment.by_staff,
                        "text": comment.shown_text,
                        "created_at": comment.created_at.isoformat(),
                    }
                    for comment in by_entry[observation.pk]
                ],
            }
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "child": {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        },
        "setting": {"name": child.setting.name},
        "entries": entries,
    }
    return document, files


def _day(iso_date: str) -> str:
    """29 November 2026, as a book would print it."""
    from datetime import date

    day = date.fromisoformat(iso_date)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _pdf(document: dict, files: list[dict]) -> bytes:
    """A printable book of the journal: a title page, then each entry with its photos
    and replies (ReportLab platypus)."""
    from PIL import Image as PILImage
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

    styles = getSampleStyleSheet()
    centred = ParagraphStyle("centred", parent=styles["Normal"], alignment=TA_CENTER)
    centred_heading = ParagraphStyle(
        "centred_heading", parent=styles["Heading2"], alignment=TA_CENTER
    )
    printable = {f["file"]: f["poster"] or f["stored"] for f in files}
    child = document["child"]
    name = f"{child['first_name']} {child['last_name']}"
    story = [
        Spacer(1, 6 * cm),
        Paragraph(escape(f"{name}'s learning journal"), styles["Title"]),
        Paragraph(escape(document["setting"]["name"]), centred_heading),
        Paragraph(
            escape(
                f"{len(document['entries'])} moments, kept on {_day(document['exported_at'][:10])}"
            ),
            centred,
        ),
        PageBreak(),
    ]
    width = A4[0] - 5 * cm
    for entry in document["entries"]:
        block = [
            Paragraph(escape(_day(entry["observed_on"])), styles["Heading3"]),
            Paragraph(escape(entry["text"]).replace("\n", "<br/>"), styles["BodyText"]),
        ]
        if entry["next_steps"]:
            block.append(
                Paragraph("<i>Next steps:</i> " + escape(entry["next_steps"]), styles["BodyText"])
            )
        if entry["author"]:
            block.append(Paragraph(escape(f"Written by {entry['author']}"), styles["Italic"]))
        story.append(KeepTogether(block))
        for media in entry["media"]:
            if media["kind"] == "video":
                story.append(
                    Paragraph(escape(f"A video: {media['file']} in the zip."), styles["Italic"])
                )
            try:
                with default_storage.open(printable[media["file"]], "rb") as f:
                    data = f.read()
                with PILImage.open(io.BytesIO(data)) as image:
                    w, h = image.size
            except (OSError, PILImage.UnidentifiedImageError):
                log.info("Keepsake: a photo could not be printed; it is in the zip")
                continue
            scale = min(width / w, 12 * cm / h)
            story.append(Image(io.BytesIO(data), width=w * scale, height=h * scale))
        for reply in entry["replies"]:
            story.append(
                Paragraph(
                    f"<b>{escape(reply['author'])}</b>: {escape(reply['text'])}",
                    styles["BodyText"],
                )
            )
        story.append(Spacer(1, 0.6 * cm))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"{name}'s learning journal").build(story)
    return buffer.getvalue()


def build_zip(requester, child, *, progress=lambda percent: None) -> tuple[str, int]:
    """Writes the zip to storage; returns its storage name and size."""
    document, files = journal_of(requester, child)
    progress(20)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("journal.json", json.dumps(document, indent=2, ensure_ascii=False))
            progress(30)
            archive.writestr("journal.pdf", _pdf(document, files))
            progress(60)
            for done, media in enumerate(files, start=1):
                with default_storage.open(media["stored"], "rb") as stored:
                    archive.writestr(media["file"], stored.read(), zipfile.ZIP_STORED)
                progress(60 + 35 * done // len(files))
        spool.seek(0)
        name = default_storage.save(f"exports/{os.urandom(16).hex()}.zip", File(spool))
    return name, default_storage.size(name)
