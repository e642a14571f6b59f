"""What a new report starts with, so nobody re-types: each area's latest judgement, what
the period's observations in that area say, and their next steps. Other children's
names become initials (C-4): a report is written for the child's parents."""

import re

from acorn.children.names import redactor_keeping
from acorn.eyfs.selectors import codes
from acorn.reports import selectors

PRIME_AREAS = ("CL", "PSED", "PD")
EXCERPTS_PER_AREA = 3
NEXT_STEPS = 5


def _first_sentence(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def redactor_for_report(child):
    return redactor_keeping(child.setting_id, {child.pk})


def prefill(child, kind: str, start, end) -> dict:
    known = codes()
    areas = list(PRIME_AREAS) if kind == "two_year_check" else list(known.areas)
    judgements = selectors.latest_judgements(child, until=end)
    labels = selectors.judgement_labels(child.setting)
    redact = redactor_for_report(child)
    observations = list(selectors.observations_in_period(child, start, end))
    by_area: dict = {area: [] for area in areas}
    for observation in observations:
        tagged = set(observation.areas or []) | {
            known.aspects[a][0] for a in observation.aspects or [] if a in known.aspects
        }
        for area in tagged:
            if area in by_area:
                by_area[area].append(observation)
    name = child.first_name
    sections = []
    for area in areas:
        seen = by_area[area]
        lines = []
        if seen:
            lines.append(
                f"{name} was observed {len(seen)} time{'s' if len(seen) != 1 else ''} in "
                f"{known.areas[area].lower()} in this period."
            )
            for observation in seen[-EXCERPTS_PER_AREA:]:
                lines.append(
                    f"{observation.observed_on:%-d %B}: {_first_sentence(redact(observation.text))}"
                )
        sections.append(
            {"area": area, "judgement": judgements.get(area, ""), "text": "\n".join(lines)}
        )
    steps = []
    for observation in reversed(observations):
        step = " ".join(redact(observation.next_steps).split())
        if step and step not in steps:
            steps.append(step)
        if len(steps) == NEXT_STEPS:
            break
    fields = {
        "sections": sections,
        "summary": (
            f"{name} has {len(observations)} observation{'s' if len(observations) != 1 else ''} "
            f"in the journal between {start:%-d %B %Y} and {end:%-d %B %Y}."
        ),
        "next_steps": "\n".join(f"- {step}" for step in steps),
    }
    if kind == "two_year_check":
        strong = [
            known.areas[a]
            for a in areas
            if selectors.is_on_track(child.setting, judgements.get(a)) is True
        ]
        behind = [
            f"{known.areas[a]}: {labels.get(judgements[a], judgements[a]).lower()}"
            for a in areas
            if selectors.is_on_track(child.setting, judgements.get(a)) is False
        ]
        fields["strengths"] = (
            f"{name} is doing well in {', '.join(strong).lower()}." if strong else ""
        )
        fields["less_than_expected"] = "\n".join(behind)
        fields["support_plan"] = fields["next_steps"] if behind else ""
    return fields
