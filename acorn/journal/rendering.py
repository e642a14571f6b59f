"""One journal entry as HTML, for the lists (a child's journal, the review list, the agenda)
and the entry page. Written in Python rather than as an included template: a list renders
20 to 50 entries, and the template engine spent more time on them than the database did
(issue 13). The same filters as the templates (`date`, `linebreaks`, `truncatechars`), and
every value escaped.

Reads only what the selectors set: `shown_*` texts (`prepare_for_reader`), the children
this reader may see named (`shown`), and `visible_media` (`media_visible_to`).
"""

import re
from functools import lru_cache

from django.template.defaultfilters import linebreaks_filter
from django.template.defaultfilters import truncatechars as _truncatechars
from django.utils.safestring import SafeData, mark_safe

from acorn.core.templatetags.acorn_extras import escape, linker, srcset

PUBLISHED = "published"
# Acorn is in British English only: the `date:"l j F Y"` of the templates, without the
# per-call locale look-ups of the date filter.
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


_NEWLINES, _BLANK_LINES = re.compile(r"\r\n|\r"), re.compile("\n{2,}")


def paragraphs(text) -> str:
    """The template filter `linebreaks` (escaped, a paragraph per blank line, `<br>` per
    newline) without its lazy-text checks, three layers of them per call (issue 13)."""
    if isinstance(text, SafeData):  # already HTML: the filter leaves it unescaped
        return linebreaks_filter(text)
    parts = _BLANK_LINES.split(_NEWLINES.sub("\n", str(text)))
    return "\n\n".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in parts)


def truncatechars(text: str, length: int) -> str:
    """The template filter, with the common case (short enough already) made cheap."""
    return text if len(text) <= length else _truncatechars(text, length)


class Links:
    """What every entry of one list needs: the link builders and the media limits."""

    def __init__(self):
        from acorn.journal.media import media_limits

        self.entry = linker("journal:observation", 1)
        self.media = linker("journal:media", 2)
        self.media_page = linker("journal:media_page", 1)
        self.limits = media_limits()


def _date_text(day) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


@lru_cache(maxsize=8192)
def _date_html(day) -> str:
    return f'<time datetime="{day:%Y-%m-%d}">{_date_text(day)}</time>'


def entry_html(
    observation,
    shown,
    *,
    link_to_entry=False,
    show_feedback=False,
    name_child=False,
    links: Links | None = None,
):
    links = links or Links()
    status = observation.status
    out = [f'<article class="entry{"" if status == PUBLISHED else f" entry-{escape(status)}"}">']
    out.append('<header class="entry-head"><p class="entry-meta">')
    out.append(_date_html(observation.observed_on))
    if observation.author_id is not None and observation.author:
        out.append(f" · {escape(observation.author.name)}")
    elif getattr(observation, "author_label", ""):  # an imported keepsake's author
        out.append(f" · {escape(observation.author_label)}")
    if observation.by_parent:
        out.append(" · from home")
    out.append("</p>")
    if status != PUBLISHED:
        warn = " warn" if status == "rejected" else ""
        out.append(f'<span class="chip{warn}">{escape(observation.get_status_display())}</span>')
    out.append("</header>")
    if len(shown) > 1:
        names = ", ".join(escape(child.first_name) for child in shown)
        out.append(f'<p class="entry-children">With {names}</p>')
    elif name_child and shown:
        first = shown[0]
        out.append(
            f'<p class="entry-children">About {escape(first.first_name)} '
            f"{escape(first.last_name[:1])}.</p>"
        )
    out.append(media_html(observation, links))
    text = observation.shown_text
    if text:
        if link_to_entry and len(text) > 600:
            out.append(
                f'<div class="entry-text">{paragraphs(truncatechars(text, 500))}'
                f'<p><a class="read-more" href="{links.entry(observation.pk)}">Read more<span '
                'class="visually-hidden"> of this entry</span></a></p></div>'
            )
        else:
            out.append(f'<div class="entry-text">{paragraphs(text)}</div>')
    if observation.shown_next_steps:
        out.append(
            '<p class="next-steps"><strong>Next steps:</strong> '
            f"{escape(observation.shown_next_steps)}</p>"
        )
    if observation.areas:
        out.append(_chips("Areas of learning", [("chip", n) for n in observation.area_names()]))
    if observation.aspects or observation.characteristics:
        chips = [("chip chip-aspect", n) for n in observation.aspect_names()]
        chips += [("chip chip-characteristic", n) for n in observation.characteristic_names()]
        out.append(_chips("Aspects and how they learn", chips))
    if status == "rejected" and observation.shown_reason:
        out.append(
            '<p class="notice"><strong>Not added to the journal:</strong> '
            f"{escape(observation.shown_reason)}</p>"
        )
    if show_feedback and observation.review_feedback:
        reviewer = observation.reviewed_by.name if observation.reviewed_by_id else ""
        out.append(
            f'<p class="next-steps"><strong>Feedback from {escape(reviewer)}:</strong> '
            f"{escape(observation.review_feedback)}</p>"
        )
    if link_to_entry:
        out.append(
            f'<a class="entry-open" href="{links.entry(observation.pk)}">Open entry and replies</a>'
        )
    out.append("</article>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _chips(label: str, chips) -> str:
    items = "".join(f'<li class="{kind}">{escape(name)}</li>' for kind, name in chips)
    return f'<ul class="chips" aria-label="{label}">{items}</ul>'


def media_html(observation, links: Links) -> str:
    items = getattr(observation, "visible_media", None)
    if not items:
        return ""
    single = len(items) == 1
    text = observation.shown_text
    about = f": {escape(truncatechars(text, 80))}" if text else ""
    caption = _date_text(observation.observed_on)
    # The viewer (journal/viewer.js) reads the data-viewer-* attributes; without script
    # a photo opens its page inside Acorn.
    out = [f'<div class="gallery{" single" if single else ""}" data-viewer-group>']
    for item in items:
        if item.status == "ready":
            if item.kind == "video":
                display, poster = links.media(item.pk, "display"), links.media(item.pk, "poster")
                out.append(
                    '<video class="media-video" data-viewer-item data-kind="video" '
                    f'data-src="{display}" data-poster="{poster}" data-caption="{caption}" '
                    f'data-alt="Video{about}" controls playsinline preload="none" '
                    f'poster="{poster}" controlslist="nodownload" aria-label="Video{about}">'
                    f'<source src="{display}" type="video/mp4">'
                    "</video>"
                )
            else:
                sizes = (
                    "(min-width: 48rem) 44rem, 100vw"
                    if single
                    else "(min-width: 48rem) 15rem, 50vw"
                )
                urls = {kind: links.media(item.pk, kind) for kind in ("display", "thumb")}
                candidates = escape(srcset(item, links.limits, lambda _pk, kind, u=urls: u[kind]))
                width, height = escape(item.width or ""), escape(item.height or "")
                out.append(
                    f'<a class="media-photo" href="{links.media_page(item.pk)}" '
                    'data-viewer-item data-kind="photo" '
                    f'data-src="{urls["display"]}" data-srcset="{candidates}" '
                    f'data-width="{width}" data-height="{height}" data-caption="{caption}" '
                    f'data-alt="Photo{about}">'
                    f'<img src="{urls["thumb"]}" '
                    f'srcset="{candidates}" sizes="{sizes}" loading="lazy" '
                    f'width="{escape(item.width or 400)}" '
                    f'height="{escape(item.height or 300)}" alt="Photo{about}"></a>'
                )
        elif item.status == "processing":
            what = "Video" if item.kind == "video" else "Photo"
            out.append(
                f'<div class="media-placeholder" role="status" data-processing="{item.pk}">'
                f"<span>{what} still processing…</span></div>"
            )
        else:
            message = item.failure_message or "This file couldn't be processed."
            out.append(
                '<div class="media-placeholder failed" role="alert">'
                f"<span>{escape(message)}</span></div>"
            )
    out.append("</div>")
    return "".join(out)


def review_form_html(observation, *, action: str, csrf_token, next_url: str) -> str:
    """A session leader's review form under one entry of the review list (J-6): feedback
    for the author, the staff-meeting box, and the page's one CSRF token."""
    pk = observation.pk
    author = observation.author.name if observation.author_id and observation.author else ""
    checked = " checked" if observation.discuss_at_meeting else ""
    return mark_safe(  # noqa: S308 - every value below is escaped
        f'<form method="post" action="{escape(action)}" class="panel stack review-form">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(csrf_token))}">\n'
        f'    <input type="hidden" name="next" value="{escape(next_url)}">\n'
        f'    <label for="feedback-{pk}">Feedback for {escape(author or "the author")} (optional)'
        "</label>\n"
        f'    <textarea name="feedback" id="feedback-{pk}" rows="2">'
        f"{escape(observation.review_feedback)}</textarea>\n"
        f'    <label class="check"><input type="checkbox" name="discuss"{checked}> Discuss at the '
        "next staff meeting</label>\n"
        '    <button type="submit" class="button">Mark as reviewed</button>\n'
        "  </form>"
    )
