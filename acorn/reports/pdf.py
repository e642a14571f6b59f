"""A report as a printable A4 PDF (ReportLab platypus): the setting's name, the child's
portrait, the judgements as a chart, the sections and a few chosen photos.

It is read as the child's parents read it, whoever downloads it: other children's names
become initials (C-4) and only photos the journal's consent rule allows for this child's
family are drawn (C-2, `selectors.report_photos`): a group photo with another child
without image consent is drawn from that family's shared rendition, the other child's
face obscured (issue 16). Photos are display renditions from storage
(`delivery.storage_name`); nothing leaves through a public URL.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.files.storage import default_storage
from django.http import HttpResponse
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from acorn.reports import selectors
from acorn.reports.models import Report
from acorn.reports.prefill import redactor_for_report

INK = colors.HexColor("#1f2a24")
MUTED = colors.HexColor("#5b6b62")
GREEN = colors.HexColor("#2f6b4f")
LEAF = colors.HexColor("#e3efe7")
AMBER = colors.HexColor("#d9902b")
CORAL = colors.HexColor("#c8553d")
LINE = colors.HexColor("#cfd8d2")
PAPER = colors.HexColor("#f7f4ee")

TITLES = {
    Report.Kind.BASELINE: "Baseline assessment",
    Report.Kind.SUMMATIVE: "Summative report",
    Report.Kind.TWO_YEAR_CHECK: "Progress check at age two",
    Report.Kind.FINAL: "Final report",
}

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path(__import__("reportlab").__file__).parent / "fonts",
)
_FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "Vera.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
    "italic": ("DejaVuSans-Oblique.ttf", "VeraIt.ttf"),
}
FONT, BOLD, ITALIC = "AcornSans", "AcornSans-Bold", "AcornSans-Italic"


def _register_fonts() -> None:
    """DejaVu where the system has it (wide coverage of names' letters), else Bitstream
    Vera, which ships with ReportLab, so a fresh install always has a font to embed."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, kind in ((FONT, "regular"), (BOLD, "bold"), (ITALIC, "italic")):
        for folder, file in zip(_FONT_DIRS, _FONT_FILES[kind], strict=True):
            if (folder / file).exists():
                pdfmetrics.registerFont(TTFont(name, str(folder / file)))
                break
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def _styles():
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14.5, textColor=INK)
    return {
        "body": base,
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED, fontSize=9, leading=12),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=13,
            leading=17,
            textColor=GREEN,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=BOLD,
            fontSize=11,
            leading=15,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "quote": ParagraphStyle(
            "quote",
            parent=base,
            fontName=ITALIC,
            leftIndent=8,
            borderPadding=(4, 6, 4, 6),
            backColor=PAPER,
            spaceBefore=2,
            spaceAfter=6,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12, alignment=TA_LEFT),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8, leading=10.5, textColor=MUTED
        ),
    }


def _text(value: str) -> str:
    """Plain text for a Paragraph: escaped, with its line breaks."""
    lines = [escape(line) for line in (value or "").strip().splitlines()]
    return "<br/>".join(lines)


class Header(Flowable):
    """The green band: setting, title, child, and the portrait in a circle."""

    def __init__(self, *, setting, title, child_name, facts, portrait):
        super().__init__()
        self.height = 46 * mm
        self.setting, self.title, self.child_name = setting, title, child_name
        self.facts, self.portrait = facts, portrait

    def wrap(self, available_width, available_height):
        self.width = available_width
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.setFillColor(LEAF)
        c.roundRect(0, 0, self.width, self.height, 5 * mm, stroke=0, fill=1)
        x = 8 * mm
        c.setFillColor(GREEN)
        c.setFont(BOLD, 10)
        c.drawString(x, self.height - 10 * mm, self.setting.upper())
        c.setFillColor(INK)
        c.setFont(BOLD, 21)
        c.drawString(x, self.height - 20 * mm, self.title)
        c.setFont(BOLD, 14)
        c.drawString(x, self.height - 28.5 * mm, self.child_name)
        c.setFont(FONT, 9.5)
        c.setFillColor(MUTED)
        y = self.height - 35 * mm
        for line in self.facts:
            c.drawString(x, y, line)
            y -= 4.6 * mm
        size = 34 * mm
        cx, cy = self.width - 8 * mm - size / 2, self.height / 2
        c.setFillColor(colors.white)
        c.circle(cx, cy, size / 2 + 1.2 * mm, stroke=0, fill=1)
        if self.portrait is not None:
            c.saveState()
            path = c.beginPath()
            path.circle(cx, cy, size / 2)
            c.clipPath(path, stroke=0, fill=0)
            width, height = self.portrait.getSize()
            scale = size / min(width, height)
            c.drawImage(
                self.portrait,
                cx - width * scale / 2,
                cy - height * scale / 2,
                width * scale,
                height * scale,
            )
            c.restoreState()
        else:
            c.setFillColor(GREEN)
            c.setFont(BOLD, 28)
            c.drawCentredString(cx, cy - 10, self.child_name[:1])


def _wrap(text, font, size, width) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def judgement_chart(sections, scale, names, width) -> Drawing:
    """One row per area: the setting's scale as a row of cells, the judged one filled in
    (green when it counts as on track, amber or coral when not)."""
    label_width = 62 * mm
    row, gap, top = 9 * mm, 2.2 * mm, 10 * mm
    levels = scale or []
    cell = (width - label_width) / max(len(levels), 1)
    height = top + len(sections) * (row + gap)
    drawing = Drawing(width, height)
    for index, level in enumerate(levels):
        lines = _wrap(level["label"], BOLD, 7.5, cell - 4)[:2]
        for number, line in enumerate(lines):
            drawing.add(
                String(
                    label_width + cell * index + cell / 2,
                    height - 4 * mm - number * 3.2 * mm - (1.6 * mm if len(lines) == 1 else 0),
                    line,
                    fontName=BOLD,
                    fontSize=7.5,
                    fillColor=MUTED,
                    textAnchor="middle",
                )
            )
    off_track = [level for level in levels if not level.get("on_track")]
    for number, section in enumerate(sections):
        y = height - top - (number + 1) * (row + gap) + gap
        lines = _wrap(names.get(section["area"], section["area"]), FONT, 9, label_width - 4)
        for number, line in enumerate(lines[:2]):
            offset = (len(lines[:2]) - 1) * 5.5 - number * 11
            drawing.add(
                String(0, y + row / 2 - 3 + offset, line, fontName=FONT, fontSize=9, fillColor=INK)
            )
        chosen = section.get("judgement") or ""
        for index, level in enumerate(levels):
            x = label_width + cell * index + 1.2
            filled = level["value"] == chosen
            colour = LEAF
            if filled:
                if level.get("on_track"):
                    colour = GREEN
                else:
                    colour = CORAL if off_track and level == off_track[-1] else AMBER
            drawing.add(
                Rect(
                    x,
                    y,
                    cell - 2.4,
                    row,
                    rx=4,
                    ry=4,
                    fillColor=colour,
                    strokeColor=colour if filled else LINE,
                    strokeWidth=0.6,
                )
            )
            if filled:
                drawing.add(
                    String(
                        x + (cell - 2.4) / 2,
                        y + row / 2 - 3,
                        "●",
                        fontName=FONT,
                        fontSize=9,
                        fillColor=colors.white,
                        textAnchor="middle",
                    )
                )
        if not chosen:
            drawing.add(
                String(
                    label_width + 3,
                    y + row / 2 - 3,
                    "Not judged yet",
                    fontName=ITALIC,
                    fontSize=8,
                    fillColor=MUTED,
                )
            )
    return drawing


def _image(item, max_width, max_height):
    from acorn.journal.delivery import NotReady, storage_name

    try:
        with default_storage.open(storage_name(item, "display"), "rb") as stored:
            data = io.BytesIO(stored.read())
    except (NotReady, OSError):
        return None
    reader = ImageReader(data)
    width, height = reader.getSize()
    scale = min(max_width / width, max_height / height)
    data.seek(0)
    return Image(data, width * scale, height * scale)


def _portrait(child):
    photo = child.photo
    if photo is None or photo.status != "ready":
        return None
    from acorn.journal.delivery import NotReady, storage_name

    try:
        with default_storage.open(storage_name(photo, "display"), "rb") as stored:
            return ImageReader(io.BytesIO(stored.read()))
    except (NotReady, OSError):
        return None


def _age(child, day) -> str:
    years, months = child.age_on(day)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


def _footer(report, child):
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            18 * mm,
            10 * mm,
            f"{report.setting.name} · {child.first_name}'s {TITLES[report.kind].lower()} · "
            f"version {report.version} · private: please don't share it online",
        )
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    return draw


def _photos(report, width, styles, redact):
    items = selectors.report_photos(report)
    columns = 2 if len(items) in (2, 4) else 3
    column = (width - (columns - 1) * 5 * mm) / columns
    cells = []
    for item in items:
        image = _image(item, column, 52 * mm)
        if image is None:
            continue
        observation = item.observation
        caption = Paragraph(
            f"<b>{observation.observed_on:%-d %B}</b> · "
            + escape(_first_words(redact(observation.text))),
            styles["caption"],
        )
        cells.append([image, Spacer(1, 1.5 * mm), caption])
    if not cells:
        return []
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    for row in rows:
        row += [""] * (columns - len(row))
    table = Table(rows, colWidths=[column + 5 * mm] * (columns - 1) + [column], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "LEFT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-2, -1), 5 * mm),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [table]


def _first_words(text: str, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_report(report: Report) -> bytes:
    _register_fonts()
    styles = _styles()
    child = report.child
    redact = redactor_for_report(child)
    names = selectors.area_names()
    scale = selectors.scale_of(child.setting)
    labels = {level["value"]: level["label"] for level in scale}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{TITLES[report.kind]}: {child.first_name}",
        author=report.setting.name,
    )
    width = document.width
    title = TITLES[report.kind]
    facts = [
        f"Born {child.date_of_birth:%-d %B %Y} · {_age(child, report.period_end)} old "
        f"on {report.period_end:%-d %B %Y}",
        (f"{report.term.name}: " if report.term else "")
        + f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}"
        + f" · key person {child.key_person.name}",
    ]
    story = [
        Header(
            setting=report.setting.name,
            title=title,
            child_name=child.full_name,
            facts=facts,
            portrait=_portrait(child),
        ),
        Spacer(1, 6 * mm),
    ]
    if report.status != Report.Status.SHARED:
        story.append(
            Paragraph(
                f"<b>Not shared yet</b> ({escape(report.get_status_display().lower())}): "
                "this copy is for staff checking it.",
                styles["muted"],
            )
        )
    if report.summary:
        story.append(Paragraph(_text(redact(report.summary)), styles["body"]))
    story += [
        Paragraph("How " + escape(child.first_name) + " is getting on", styles["h2"]),
        judgement_chart(report.sections, scale, names, width),
        Paragraph(
            "Each area's latest judgement on the setting's scale"
            + (" (from " + escape(report.term.name) + ")." if report.term else "."),
            styles["muted"],
        ),
        Spacer(1, 2 * mm),
    ]
    two_year = report.kind == Report.Kind.TWO_YEAR_CHECK
    story.append(Paragraph("The prime areas" if two_year else "Areas of learning", styles["h2"]))
    for section in report.sections:
        judged = labels.get(section.get("judgement") or "", "")
        heading = escape(names.get(section["area"], section["area"]))
        if judged:
            heading += f'  <font color="#5b6b62" size="9">{escape(judged)}</font>'
        block = [Paragraph(heading, styles["h3"])]
        text = redact(section.get("text") or "")
        block.append(Paragraph(_text(text) if text else "<i>Nothing written.</i>", styles["body"]))
        story.append(KeepTogether(block))
    if two_year:
        for name, heading in (
            ("strengths", f"What {child.first_name} does well"),
            ("less_than_expected", "Where progress is less than expected"),
            ("support_plan", "Our plan, and the support we'll give"),
        ):
            value = redact(getattr(report, name))
            story.append(
                KeepTogether(
                    [
                        Paragraph(escape(heading), styles["h2"]),
                        Paragraph(
                            _text(value) if value else "<i>Nothing written.</i>", styles["body"]
                        ),
                    ]
                )
            )
    if report.next_steps and not (two_year and report.next_steps == report.support_plan):
        story.append(
            KeepTogether(
                [
                    Paragraph("Next steps", styles["h2"]),
                    Paragraph(_text(redact(report.next_steps)), styles["body"]),
                ]
            )
        )
    photos = _photos(report, width, styles, redact)
    if photos:
        story += [CondPageBreak(70 * mm), Paragraph("Moments from this time", styles["h2"])]
        story += photos
    story.append(Paragraph("Your view", styles["h2"]))
    if report.parent_comment:
        story.append(Paragraph(_text(report.parent_comment), styles["quote"]))
    else:
        story.append(
            Paragraph(
                "We'd love to hear what you think. You can add your view to this report in Acorn.",
                styles["muted"],
            )
        )
    if two_year:
        consent = {
            True: "You agreed that we may share this check with your health visitor.",
            False: "You asked us not to share this check with your health visitor.",
            None: "You haven't told us yet whether we may share this check with your "
            "health visitor.",
        }[report.health_visitor_consent]
        story += [
            Paragraph("Sharing with your health visitor", styles["h2"]),
            Paragraph(escape(consent), styles["body"]),
        ]
    document.build(story, onFirstPage=_footer(report, child), onLaterPages=_footer(report, child))
    return buffer.getvalue()


def pdf_response(report: Report) -> HttpResponse:
    response = HttpResponse(render_report(report), content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = (
        f'inline; filename="{report.kind.replace("_", "-")}-v{report.version}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
