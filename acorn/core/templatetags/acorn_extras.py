import functools
import re
from html import escape as html_escape
from types import SimpleNamespace
from uuid import UUID

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

from acorn.core.kept import Kept

register = template.Library()

_SLOT = "~acorn-slot~"
_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")


@functools.lru_cache(maxsize=256)
def _link_parts(urlconf, prefix, name, count):
    try:
        url = reverse(name, args=[_SLOT] * count, urlconf=urlconf)
    except NoReverseMatch:  # a pattern that checks its arguments (a UUID converter)
        return None
    parts = url.split(_SLOT)
    return tuple(parts) if len(parts) == count + 1 else None


def escape(value) -> str:
    """Django's `escape` (the same five characters, as the standard library escapes them)
    for HTML written in Python, without its check for lazy text on every call: a list
    escapes hundreds of values (issue 13). Text with none of the five is given back as it
    is, most names and every link being such text."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html_escape(text)
    return text


SHORT_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def short_date(day, *, year: bool = False) -> str:
    """The templates' `date:"j M"` (or `"j M Y"`), for lists written in Python: Acorn is in
    British English only, so no locale look-up per call."""
    text = f"{day.day} {SHORT_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def link(name, *args):
    """reverse(name, args=args) for URLs whose arguments are plain ids and names (UUIDs,
    renditions): the pattern is reversed once per URL configuration and script prefix,
    then each URL is put together from its parts. Lists build dozens of these per page
    (issue 13); anything that would need quoting goes through reverse() as usual."""
    values = [str(arg) for arg in args]
    if all(_PLAIN.fullmatch(value) for value in values):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        parts = _link_parts(urlconf, get_script_prefix(), name, len(values))
        if parts is not None:
            out = [parts[0]]
            for value, part in zip(values, parts[1:], strict=True):
                out += (value, part)
            return "".join(out)
    return reverse(name, args=args)


def linker(name: str, count: int):
    """For a loop that builds many links to one URL name: a function of the ids (UUIDs,
    plain names) that puts each URL together from parts reversed once (see `link`)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _link_parts(urlconf, get_script_prefix(), name, count)
    if parts is None:
        return lambda *args: reverse(name, args=args)

    def build(*args):
        values = [str(arg) for arg in args]
        # An id's text is always plain; anything else is checked.
        plain = (type(a) is UUID or _PLAIN.fullmatch(v) for a, v in zip(args, values, strict=True))
        if not all(plain):
            return reverse(name, args=args)
        out = [parts[0]]
        for value, part in zip(values, parts[1:], strict=True):
            out += (value, part)
        return "".join(out)

    # The shapes lists build hundreds of: an id, or an id and a plain word.
    if count == 1:
        before, after = parts

        def build_one(*args):
            if len(args) == 1 and type(args[0]) is UUID:
                return f"{before}{args[0]}{after}"
            return build(*args)

        return build_one
    if count == 2:
        before, middle, after = parts

        def build_two(*args):
            if len(args) == 2 and type(args[0]) is UUID and args[1] in _PLAIN_WORDS:
                return f"{before}{args[0]}{middle}{args[1]}{after}"
            return build(*args)

        return build_two
    return build


# Words put in links as they are (renditions): checked once, not on every link.
_PLAIN_WORDS = frozenset({"thumb", "display", "poster", "original", "shared"})


@register.simple_tag(name="id_url")
def link_tag(name, *args):
    """{% id_url 'journal:media' item.pk 'thumb' %}: {% url %} for lists (see `link`)."""
    return link(name, *args)


def panel_found(context, name: str) -> bool:
    """For a panel's tag: False where the page asked first whether the panel has anything
    to show (`panels_found`, from `acorn.core.kept.found_together`) and it had nothing;
    True where it has something, or the page didn't ask."""
    return (context.get("panels_found") or {}).get(name, True)


@register.filter
def get_label(mapping, key):
    """A dictionary lookup in a template: {{ labels|get_label:name }}."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def photo_srcset(item):
    """`srcset` for a ready photo: the thumbnail and the display rendition with their real
    widths (each fits its longest side within the media limits), so a phone's grid loads
    the thumbnail and an iPad or a single large photo gets the sharp one."""
    from acorn.journal.media import media_limits

    return srcset(item, media_limits(), linker("journal:media", 2))


def srcset(item, limits, media_link) -> str:
    """photo_srcset with the limits and the link builder given (for loops)."""
    width, height = item.width or 0, item.height or 0
    candidates = []
    for rendition, longest in (("thumb", limits.thumb_px), ("display", limits.display_px)):
        if width and height:
            scale = min(1.0, longest / max(width, height))
            shown = round(width * scale)
        else:
            shown = longest
        candidates.append(f"{media_link(item.pk, rendition)} {shown}w")
    return ", ".join(candidates)


@register.simple_tag
def options(choices, selected):
    """{% options choices selected %}: `<option>`s for (value, label) pairs, the one whose
    value reads as `selected` chosen. For long lists, where a template loop is slow."""
    selected = "" if selected is None else str(selected)
    out = []
    for value, label in choices:
        value = str(value)
        chosen = " selected" if value == selected else ""
        out.append(f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>')
    return mark_safe("".join(out))  # noqa: S308 - every value escaped


@register.simple_tag(takes_context=True)
def site_header(context):
    """{% site_header %}: the header every page starts with (core/_site_header.html).

    Its links are the same for everyone in one role, yet the template engine took a tenth
    of a page to write them (issue 13). So it is written once per process for each role
    (and count of new notifications) with stand-ins for the setting's name and the CSRF
    token, and each page puts the real ones in. Nothing about a person is kept but the
    role: the name and the token are this request's."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    two_step = bool(context.get("needs_two_step_setup"))
    staff, leader = bool(context.get("is_staff_member")), bool(context.get("is_session_leader"))
    count = None
    if signed_in and not two_step:
        count = context.get("unread_notices")
        count = count() if callable(count) else count
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    on_notices = getattr(match, "view_name", None) == "notices:list"
    key = (
        get_urlconf(),
        get_script_prefix(),
        signed_in,
        two_step,
        staff,
        leader,
        count,
        on_notices,
    )
    html = _HEADERS.get(key, lambda: _header_with_stand_ins(*key[2:]))
    if staff:
        membership = context.get("membership")
        html = html.replace(_NAME_STAND_IN, escape(membership.setting.name))
    if signed_in:
        token = context.get("csrf_token")
        if token is None or str(token) == "NOTPROVIDED":  # no request: as the template does
            return render_to_string(_HEADER, context.flatten())
        html = html.replace(_TOKEN_STAND_IN, escape(str(token)))
    return mark_safe(html)  # noqa: S308 - the template escaped; the two values are escaped


_HEADER = "core/_site_header.html"
_NAME_STAND_IN, _TOKEN_STAND_IN = "~acorn-setting-name~", "~acorn-csrf-token~"


def _header_with_stand_ins(signed_in, two_step, staff, leader, count, on_notices) -> str:
    return render_to_string(
        _HEADER,
        {
            "user": SimpleNamespace(is_authenticated=signed_in),
            "needs_two_step_setup": two_step,
            "is_staff_member": staff,
            "is_session_leader": leader,
            "membership": SimpleNamespace(setting=SimpleNamespace(name=_NAME_STAND_IN))
            if staff
            else None,
            "unread_notices": count,
            "request": SimpleNamespace(
                resolver_match=SimpleNamespace(view_name="notices:list" if on_notices else "")
            ),
            "csrf_token": _TOKEN_STAND_IN,
        },
    )


_HEADERS = Kept()


@register.simple_tag
def asset(path):
    """{% asset 'acorn/app.css' %}: `{% static %}` for the files every page loads, looked up
    once per process for each storage and static URL (issue 13)."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND")
    return _asset_url(path, settings.STATIC_URL, backend)


@functools.lru_cache(maxsize=64)
def _asset_url(path, static_url, backend):
    return static(path)
