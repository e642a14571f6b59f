"""Building a keepsake export (L-3, L-5): a zip of a child's journal as the child's own
family sees it, whoever asks.

A keepsake goes to the family, whether a parent downloads it or a session leader makes
it to answer a subject access request (a SAR for a child is answered to the family), so
it is never built from the requester's staff view. Everything reads through the
journal's family selectors (`family_journal`, `family_media`, `family_replies`,
`prepare_for_family`) with the child alone as "own", so no second copy of the consent or
naming rules lives here:

- other children are named by initials in entries, replies and reports (C-4); the
  child's own names stay;
- a photo or video in which another child without photo consent can be seen comes as
  the family's shared rendition with that face obscured (C-2, issue 16: never the
  original, for a leader too), or is left out while there is no such copy;
- only the child's own family's reply threads; shared reports only;
- entries: published ones, and the contributions of the child's parents still waiting
  or not added. Left out: staff review feedback and rejection reasons (the JSON never
  carried them), and unsent staff drafts. The decision on drafts: a draft is an
  unfinished, unchecked note that no family can see and that may name other children in
  full, so it is not part of the child's journal; a session leader answering a SAR
  looks at drafts about the child separately and releases what is the child's personal
  data by hand, with other children's details taken out.

Who may ask is checked before (services.may_export); the requester decides nothing
about the contents, so a parent's keepsake and a leader's hold the same entries.

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
from reportlab.platypus import Flowable

from acorn.journal import delivery
from acorn.journal.selectors import (
    family_journal,
    family_media,
    family_replies,
    prepare_for_family,
)

log = logging.getLogger(__name__)

FORMAT = "acorn-keepsake"
VERSION = 1


def _media_entry(item, position: int):
    """The stored file the family is served for one item, and its name in the zip."""
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


def journal_of(child) -> tuple[dict, list[dict]]:
    """The journal document (journal.json) and the files to put beside it, as the child's
    family sees them."""
    observations = list(family_journal(child))
    comments = list(family_replies(child, observations))
    by_entry = {observation.pk: [] for observation in observations}
    for comment in comments:
        by_entry[comment.observation_id].append(comment)
    prepare_for_family(child, observations, comments)
    files, entries = [], []
    for observation in observations:  # oldest first, like a book
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
                "author": _author(observation),
                "by_parent": observation.by_parent,
                "status": observation.status,
                "text": observation.shown_text,
                "next_steps": observation.shown_next_steps,
                "areas": list(observation.areas or []),
                "aspects": list(observation.aspects or []),
                "characteristics": list(observation.characteristics or []),
                "media": media,
                "replies": [
                    {
                        "id": str(comment.pk),
                        "author": _author(comment),
                        "by_staff": comment.by_staff,
                        "text": comment.shown_text,
                        "created_at": comment.created_at.isoformat(),
                    }
                    for comment in by_entry[observation.pk]
                ],
            }
        )
    about = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
    }
    portrait = _portrait(child)
    if portrait is not None:
        files.append(portrait)
        about["portrait"] = portrait["file"]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "child": about,
        "setting": {"name": child.setting.name},
        "entries": entries,
        "reports": shared_reports(child),
    }
    return document, files


def _author(written) -> str:
    """Who wrote an entry or reply: a person here, or the label an import kept."""
    if written.author is not None:
        return written.author.name
    return getattr(written, "author_label", "") or ""


def _portrait(child):
    """The child's portrait, as the family is served it."""
    if child.photo_id is None:
        return None
    item = family_media({child.pk}).filter(pk=child.photo_id).first()
    if item is None:
        return None
    return _media_entry(item, 0)


def shared_reports(child) -> list[dict]:
    """The child's shared reports (R-2), oldest first, as the family reads them: other
    children's names as initials, each area's judgement with its label on the setting's
    scale (which travels with it, so another installation can print it)."""
    from acorn.eyfs.selectors import scale_of
    from acorn.reports.models import Report
    from acorn.reports.pdf import TITLES
    from acorn.reports.prefill import redactor_for_report
    from acorn.reports.selectors import area_names

    reports = list(
        Report.objects.filter(child=child, status=Report.Status.SHARED)
        .select_related("term")
        .order_by("shared_at", "version")
    )
    # Reports that came with an imported keepsake travel on as they were shared.
    imported = [r.content for r in child.imported_reports.order_by("shared_on", "pk")]
    if not reports:
        return imported
    redact = redactor_for_report(child)
    names = area_names()
    scale = [
        {"value": level["value"], "label": level["label"], "on_track": bool(level.get("on_track"))}
        for level in scale_of(child.setting)
    ]
    labels = {level["value"]: level["label"] for level in scale}
    shown = []
    for report in reports:
        shown.append(
            {
                "id": str(report.pk),
                "kind": report.kind,
                "title": str(TITLES[report.kind]),
                "version": report.version,
                "term": report.term.name if report.term else None,
                "period_start": report.period_start.isoformat(),
                "period_end": report.period_end.isoformat(),
                "shared_on": timezone.localdate(report.shared_at).isoformat()
                if report.shared_at
                else None,
                "summary": redact(report.summary or ""),
                "sections": [
                    {
                        "area": section["area"],
                        "area_name": names.get(section["area"], section["area"]),
                        "judgement": section.get("judgement") or "",
                        "judgement_label": labels.get(section.get("judgement") or "", ""),
                        "text": redact(section.get("text") or ""),
                    }
                    for section in report.sections
                ],
                "strengths": redact(report.strengths or ""),
                "less_than_expected": redact(report.less_than_expected or ""),
                "support_plan": redact(report.support_plan or ""),
                "next_steps": redact(report.next_steps or ""),
                "parent_comment": report.parent_comment or "",
                "health_visitor_consent": report.health_visitor_consent,
                "scale": scale,
            }
        )
    return imported + shown


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
    portrait = _printable_portrait(document, printable)
    story = [
        Spacer(1, 6 * cm) if portrait is None else Spacer(1, 3 * cm),
        *([portrait, Spacer(1, 0.8 * cm)] if portrait is not None else []),
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
    story += _reports_story(document, width)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"{name}'s learning journal").build(story)
    return buffer.getvalue()


class _Portrait(Flowable):
    """The child's portrait in a circle, centred on the cover."""

    def __init__(self, reader, size):
        super().__init__()
        self.reader, self.size = reader, size

    def wrap(self, available_width, available_height):
        self.available = available_width
        return available_width, self.size

    def draw(self):
        canvas, radius = self.canv, self.size / 2
        cx, cy = self.available / 2, radius
        canvas.saveState()
        path = canvas.beginPath()
        path.circle(cx, cy, radius)
        canvas.clipPath(path, stroke=0, fill=0)
        width, height = self.reader.getSize()
        scale = self.size / min(width, height)
        canvas.drawImage(
            self.reader,
            cx - width * scale / 2,
            cy - height * scale / 2,
            width * scale,
            height * scale,
        )
        canvas.restoreState()


def _printable_portrait(document, printable):
    from reportlab.lib.units import cm
    from reportlab.lib.utils import ImageReader

    portrait = document["child"].get("portrait")
    if not portrait or portrait not in printable:
        return None
    try:
        with default_storage.open(printable[portrait], "rb") as f:
            reader = ImageReader(io.BytesIO(f.read()))
        reader.getSize()
    except OSError:
        log.info("Keepsake: the portrait could not be printed; it is in the zip")
        return None
    return _Portrait(reader, 5 * cm)


def _reports_story(document, width) -> list:
    """Each shared report: its sections with the judgements as a chart on the setting's
    own scale, summary, next steps and the family's view (the reports' PDF blocks)."""
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

    from acorn.reports.pdf import _register_fonts, _styles, _text, judgement_chart

    reports = document.get("reports") or []
    if not reports:
        return []
    _register_fonts()
    styles = _styles()
    story = []
    for report in reports:
        heading = report["title"] + (f" ({report['term']})" if report.get("term") else "")
        story += [PageBreak(), Paragraph(escape(heading), styles["h2"])]
        period = f"{_day(report['period_start'])} to {_day(report['period_end'])}"
        if report.get("shared_on"):
            period += f" · shared on {_day(report['shared_on'])}"
        story.append(Paragraph(escape(period), styles["muted"]))
        if report["summary"]:
            story += [Spacer(1, 6), Paragraph(_text(report["summary"]), styles["body"])]
        sections = report["sections"]
        if sections:
            names = {s["area"]: s["area_name"] for s in sections}
            story += [
                Paragraph("How it was going", styles["h2"]),
                judgement_chart(sections, report.get("scale") or [], names, width),
            ]
        for section in sections:
            title = escape(section["area_name"])
            if section["judgement_label"]:
                title += (
                    f'  <font color="#5b6b62" size="9">{escape(section["judgement_label"])}</font>'
                )
            text = section["text"]
            story.append(
                KeepTogether(
                    [
                        Paragraph(title, styles["h3"]),
                        Paragraph(
                            _text(text) if text else "<i>Nothing written.</i>", styles["body"]
                        ),
                    ]
                )
            )
        for field, title in (
            ("strengths", "Strengths"),
            ("less_than_expected", "Where progress is less than expected"),
            ("support_plan", "The plan, and the support given"),
            ("next_steps", "Next steps"),
        ):
            if report.get(field) and not (
                field == "next_steps" and report[field] == report.get("support_plan")
            ):
                story += [
                    Paragraph(escape(title), styles["h2"]),
                    Paragraph(_text(report[field]), styles["body"]),
                ]
        if report["kind"] == "two_year_check" and report.get("health_visitor_consent") is not None:
            story.append(
                Paragraph(
                    "The family agreed that this check could be shared with their health visitor."
                    if report["health_visitor_consent"]
                    else "The family asked for this check not to be shared with their health "
                    "visitor.",
                    styles["muted"],
                )
            )
        if report.get("parent_comment"):
            story += [
                Paragraph("The family's view", styles["h2"]),
                Paragraph(_text(report["parent_comment"]), styles["quote"]),
            ]
    return story


def build_zip(child, *, progress=lambda percent: None) -> tuple[str, int]:
    """Writes the zip to storage; returns its storage name and size."""
    document, files = journal_of(child)
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
