"""The children list's cards as HTML, written in Python rather than as a template loop:
a setting's 40 to 80 cards took the template engine longer than everything else on the
page (issue 13). The same markup as `children/_avatar.html` and the card of
`children/list.html` had, every value escaped."""

from django.utils.safestring import mark_safe

from acorn.core.templatetags.acorn_extras import escape, linker, short_date


def avatar_html(child, media_link) -> str:
    photo = child.photo if child.photo_id else None
    if photo is not None and photo.status == "ready":
        src = escape(media_link(child.photo_id, "thumb"))
        return (
            f'<img class="avatar avatar-photo" src="{src}" alt="" width="44" height="44" '
            'loading="lazy">'
        )
    return f'<span class="avatar" aria-hidden="true">{escape(child.first_name[:1])}</span>'


def cards_html(children, *, quiet_after, quiet_days: int) -> str:
    """One `<li class="card">` per child: avatar, name, consent and key person, when they
    were last observed (flagged when it was before `quiet_after`), and the profile link."""
    journal_link = linker("journal:child", 1)
    profile_link = linker("children:detail", 1)
    media_link = linker("journal:media", 2)
    cards = []
    for child in children:
        name = escape(child.full_name)
        consent = "" if child.image_consent else ' <span class="chip warn">No photo consent</span>'
        key_person = escape(child.key_person.name) if child.key_person_id else ""
        last = child.last_observed
        if last:
            observed = f'<span class="muted">Last observed {short_date(last)}</span>'
            if last < quiet_after:
                observed += f' <span class="chip warn">Nothing for {quiet_days}+ days</span>'
        else:
            observed = '<span class="chip warn">No observations yet</span>'
        cards.append(
            '<li class="card">'
            f'<a class="card-link" href="{escape(journal_link(child.pk))}">'
            f"{avatar_html(child, media_link)}"
            f"<span><strong>{name}</strong>{consent}<br>"
            f'<span class="muted">Key person: {key_person}</span><br>{observed}</span></a>'
            f'<a class="card-action" href="{escape(profile_link(child.pk))}">Profile'
            f'<span class="visually-hidden"> for {name}</span></a></li>'
        )
    return mark_safe("\n".join(cards))  # noqa: S308 - every value above is escaped
