"""P-5: emails to parents. They carry no child data, only a link to sign in and look."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from acorn.children.models import ParentLink
from acorn.journal.models import NotificationPreference, Observation


def email_choice(user) -> str:
    """each (the default), daily or none: see NotificationPreference."""
    preference = NotificationPreference.objects.filter(user=user).only("email").first()
    return preference.email if preference is not None else NotificationPreference.Email.EACH


def wants_email(user) -> bool:
    """An email each time: parents who chose the daily digest hear in it instead."""
    return email_choice(user) == NotificationPreference.Email.EACH


def _send(user, template, context) -> None:
    context = {**context, "base_url": settings.ACORN_BASE_URL, "person": user}
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/{template}_body.txt", context)
    send_mail(subject, body, None, [user.email])


def entry_published(observation_id, child_ids=None) -> int:
    """Tell each parent of the entry's children (who hasn't opted out) that there is
    something new; a parent's own approved contribution is covered by `contribution_decided`.
    `child_ids`: only these children's parents (children an edit added to the entry)."""
    observation = Observation.objects.filter(pk=observation_id, status="published").first()
    if observation is None:
        return 0
    links = ParentLink.objects.filter(child__observations=observation).select_related("parent")
    if child_ids is not None:
        links = links.filter(child_id__in=child_ids)
    sent = 0
    for parent in {link.parent_id: link.parent for link in links}.values():
        if parent.pk == observation.author_id or not parent.is_active:
            continue
        if not wants_email(parent):
            continue
        _send(
            parent,
            "entry_published",
            {"path": f"/observations/{observation.pk}/", "setting": observation.setting},
        )
        sent += 1
    return sent


def contribution_decided(observation_id) -> int:
    observation = Observation.objects.filter(pk=observation_id).select_related("author").first()
    if observation is None or observation.author is None or not wants_email(observation.author):
        sent = 0
    else:
        _send(
            observation.author,
            "contribution_decided",
            {
                "path": f"/observations/{observation.pk}/",
                "setting": observation.setting,
                "approved": observation.status == "published",
            },
        )
        sent = 1
    if observation is not None and observation.status == "published":
        sent += entry_published(observation_id)
    return sent
