"""The audit trail reads as plain English (A-8): every event the code records has its own
words, and a report's events say which report and what happened to it."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from acorn.audit.wording import describe

ACORN = Path(__file__).resolve().parents[2]
RECORDED = [
    re.compile(r'action=f?"([a-z_]+\.[a-z_.]*[a-z_])"'),
    re.compile(r'_audit(?:_read)?\([^"\n]*"([a-z_]+\.[a-z_.]+)"'),
    re.compile(r'_touch\([^"\n]*"([a-z_]+\.[a-z_.]+)"'),
]


def _recorded_actions() -> set[str]:
    actions = set()
    for path in ACORN.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for pattern in RECORDED:
            actions.update(pattern.findall(text))
    return actions


def _event(action, **detail):
    return SimpleNamespace(action=action, detail=detail, object_type="report")


def test_every_recorded_event_has_its_own_words():
    actions = _recorded_actions()
    assert {"report.create", "report.review", "report.pdf", "media.faces"} <= actions
    generated = [
        action
        for action in sorted(actions)
        if describe(_event(action)) == action.replace(".", " ").replace("_", " ").capitalize()
    ]
    assert generated == []


@pytest.mark.parametrize(
    ("action", "detail", "words"),
    [
        ("report.create", {"kind": "summative", "version": 1}, "Started a summative report"),
        ("report.update", {"kind": "baseline"}, "Changed a baseline report"),
        (
            "report.submit",
            {"kind": "two_year_check"},
            "Sent a progress check at age two for review",
        ),
        ("report.review", {"kind": "final", "approved": True}, "Approved a final report"),
        (
            "report.review",
            {"kind": "summative", "approved": False},
            "Sent a summative report back to its author with a comment",
        ),
        ("report.share", {"kind": "summative"}, "Shared a summative report with parents"),
        (
            "report.parent_comment",
            {"kind": "two_year_check"},
            "Added their view to a progress check at age two",
        ),
        ("report.read", {"kind": "baseline"}, "Opened a baseline report"),
        ("report.pdf", {"kind": "summative"}, "Downloaded a summative report as a PDF"),
        (
            "report.revise",
            {"kind": "summative", "version": 2},
            "Started a corrected version of a summative report (version 2)",
        ),
        ("report.read", {}, "Opened a report"),
    ],
)
def test_report_events_read_as_plain_english(action, detail, words):
    assert describe(_event(action, **detail)) == words
