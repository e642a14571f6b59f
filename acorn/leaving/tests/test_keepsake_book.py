"""The keepsake book (journal.pdf) and journal.json carry the child's portrait and shared
reports (issue 11 item 4): read back from the PDF's text with pypdf."""

import io
import json
from pathlib import Path

import jsonschema
import pypdf

from acorn.leaving.tests.test_keepsake import export_zip

DOCS = Path(__file__).resolve().parents[3] / "docs"


def book_text(archive) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(archive.read("journal.pdf")))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_book_has_the_portrait_on_its_cover_and_every_shared_report(api, worker, source):
    w = source
    _status, archive = export_zip(api, worker, w.parent, w.child)
    reader = pypdf.PdfReader(io.BytesIO(archive.read("journal.pdf")))
    cover = reader.pages[0]
    assert "Xander Young's learning journal" in " ".join(cover.extract_text().split())
    assert len(cover.images) == 1  # the portrait
    with_portrait = cover.images[0].image
    assert with_portrait.size[0] >= 50
    text = " ".join(book_text(archive))
    for words in (
        "Baseline assessment",
        "Xander settled in quickly and plays with Y.Z.",  # other children as initials
        "Communication and language",
        "Talks in long sentences.",
        "Still finding the stairs hard.",
        "Climbing frame every day.",
        "The family's view",
        "We're so proud of him.",
    ):
        assert words in text, words
    assert "Yasmin" not in text and "Zed" not in text
    assert "A draft nobody outside should see" not in text  # only shared reports


def test_journal_json_has_the_shared_reports_and_follows_the_schema(api, worker, source):
    w = source
    _status, archive = export_zip(api, worker, w.parent, w.child)
    document = json.loads(archive.read("journal.json"))
    schema = json.loads((DOCS / "keepsake-journal.schema.json").read_text())
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    assert document["version"] == 1
    (report,) = document["reports"]
    assert report["id"] == str(w.report.pk) and report["kind"] == "baseline"
    assert [(s["area"], s["judgement"], s["judgement_label"]) for s in report["sections"]] == [
        ("CL", "on_track", "On track"),
        ("PD", "at_risk", "At risk of not being on track"),
    ]
    assert report["parent_comment"] == "We're so proud of him."
    assert report["summary"] == "Xander settled in quickly and plays with Y.Z."
    assert document["child"]["portrait"] in archive.namelist()
    assert archive.read(document["child"]["portrait"]) == w.portrait_bytes
    own = next(e for e in document["entries"] if e["id"] == str(w.own.pk))
    assert own["aspects"] == ["CL-S"] and own["characteristics"] == ["active_learning"]


def test_the_importer_reads_the_same_schema_as_the_docs():
    from acorn.leaving.importer import SCHEMA_PATH

    assert SCHEMA_PATH.read_bytes() == (DOCS / "keepsake-journal.schema.json").read_bytes()


def test_another_family_gets_no_portrait_and_no_reports(api, worker, source):
    """Yasmin's family's keepsake: Xander's portrait and reports are not theirs."""
    w = source
    _status, archive = export_zip(api, worker, w.other_parent, w.other_child)
    document = json.loads(archive.read("journal.json"))
    assert "portrait" not in document["child"] and document["reports"] == []
    assert w.portrait_bytes not in b"".join(archive.read(n) for n in archive.namelist())


def test_a_two_year_check_in_the_book_says_what_the_family_chose(api, worker, source):
    from acorn.reports.models import Report

    w = source
    Report.objects.filter(pk=w.report.pk).update(
        kind="two_year_check",
        health_visitor_consent=True,
        strengths="Loves the garden.",
        support_plan="Short stories at home.",
    )
    _status, archive = export_zip(api, worker, w.parent, w.child)
    text = " ".join(book_text(archive))
    assert "Progress check at age two" in text
    assert "Loves the garden." in text and "Short stories at home." in text
    assert "The family agreed that this check could be shared with their health visitor." in text
