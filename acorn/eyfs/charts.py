"""Charts drawn on the server as SVG (no chart library, no script): a manager reads them
at a glance on an iPad, and they print."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Each part of a bar: key, label, CSS class (colours live in app.css)
PARTS = [
    ("on_track", "On track", "bar-on-track"),
    ("off_track", "Not on track", "bar-off-track"),
    ("unjudged", "Not judged yet", "bar-unjudged"),
]


@dataclass
class Group:
    label: str
    on_track: int = 0
    off_track: int = 0
    unjudged: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.off_track + self.unjudged


def cohort_chart(title: str, groups: list[Group]) -> str:
    """Horizontal stacked bars, one per group, scaled to the largest group, with the
    counts written on the bars so nobody has to read an axis."""
    label_width, bar_width, row_height, top = 170, 260, 40, 6
    largest = max((g.total for g in groups), default=0) or 1
    height = top + row_height * max(len(groups), 1) + 4
    width = label_width + bar_width + 40
    title_id = "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())
    out = [
        f'<svg class="chart" role="img" aria-labelledby="{title_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}: '
        + escape(
            "; ".join(
                f"{g.label}: {g.on_track} on track, {g.off_track} not on track, "
                f"{g.unjudged} not judged"
                for g in groups
            )
        )
        + "</title>",
    ]
    for index, group in enumerate(groups):
        y = top + index * row_height
        out.append(
            f'<text x="{label_width - 8}" y="{y + 24}" text-anchor="end" class="chart-label">'
            f"{escape(group.label)}</text>"
        )
        x = float(label_width)
        for key, _label, css in PARTS:
            count = getattr(group, key)
            if not count:
                continue
            w = bar_width * count / largest
            out.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_height - 8}" '
                f'rx="3" class="{css}"/>'
            )
            if w >= 20:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 24}" text-anchor="middle" '
                    f'class="chart-count">{count}</text>'
                )
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 20}" class="chart-total">{group.total}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _short_band(band) -> str:
    if band is None:
        return "Other"
    return {"three_and_four": "Three and four"}.get(band.code, band.name)


def cohorts(rows) -> list[tuple[str, str]]:
    """The cohort views of R-4, each as (title, svg)."""
    from acorn.children.models import Child

    def split(title, key, order):
        groups = {label: Group(label) for label in order}
        for row in rows:
            label = key(row)
            group = groups.setdefault(label, Group(label))
            if row.on_track is None:
                group.unjudged += 1
            elif row.on_track:
                group.on_track += 1
            else:
                group.off_track += 1
        shown = [g for g in groups.values() if g.total]
        return title, cohort_chart(title, shown)

    def funded(row):
        child = row.child
        labels = []
        if child.funded_entitlement != Child.FundedEntitlement.NONE:
            labels.append(child.get_funded_entitlement_display())
        if child.two_year_funding:
            labels.append("2-year-old")
        return " + ".join(labels) or "Not funded"

    return [
        split(
            "By age band",
            lambda r: _short_band(r.age_band),
            ["Birth to three", "Three and four"],
        ),
        split(
            "By sex",
            lambda r: r.child.get_sex_display() or "Not recorded",
            ["Girl", "Boy", "Not recorded"],
        ),
        split(
            "By SEND",
            lambda r: {"none": "No SEND", "sen_support": "SEN support", "ehc_plan": "EHC plan"}[
                r.child.send_stage
            ],
            ["No SEND", "SEN support", "EHC plan"],
        ),
        split(
            "By English as an additional language",
            lambda r: "EAL" if r.child.eal else "English only",
            ["English only", "EAL"],
        ),
        split("By funding", funded, ["Not funded", "15 hours", "30 hours", "2-year-old"]),
        split(
            "By early years pupil premium",
            lambda r: "Pupil premium" if r.child.eypp else "No pupil premium",
            ["No pupil premium", "Pupil premium"],
        ),
    ]
