"""Demo data for the EYFS part of Acorn (called by `manage.py seed_demo`). Idempotent:
each piece is added only when it is missing."""

from datetime import date

from django.utils import timezone

from acorn.accounts.models import User
from acorn.children.models import Child
from acorn.eyfs.models import Assessment, Term
from acorn.eyfs.services import assessment_replace, term_create
from acorn.journal.models import Observation

# first name -> monitoring details
DETAILS = {
    "Amara": {"sex": "female", "funded_entitlement": "30h", "room": "Acorns"},
    "Rose": {"sex": "female", "funded_entitlement": "15h", "room": "Acorns"},
    "Will": {
        "sex": "male",
        "send_stage": "sen_support",
        "two_year_funding": True,
        "room": "Saplings",
    },
    "May": {
        "sex": "female",
        "eal": True,
        "home_language": "Mandarin",
        "funded_entitlement": "15h",
        "room": "Acorns",
    },
    "Oscar": {
        "sex": "male",
        "eal": True,
        "home_language": "Polish",
        "funded_entitlement": "30h",
        "room": "Acorns",
    },
    "Isla": {"sex": "female", "eypp": True, "funded_entitlement": "15h", "room": "Saplings"},
    "Yusuf": {
        "sex": "male",
        "send_stage": "ehc_plan",
        "funded_entitlement": "30h",
        "room": "Acorns",
    },
    "Ella": {"sex": "female", "two_year_funding": True, "eypp": True, "room": "Saplings"},
}

# start of an observation's text -> (aspects, characteristics)
TAGS = {
    "Amara built a tall tower": (["M-N"], ["active_learning"]),
    "Will put on his own wellies": (["PSED-MS", "PD-GM"], ["active_learning"]),
    "May drew a picture": (["EAD-CM", "CL-S"], ["creating_and_thinking_critically"]),
    "Oscar and Isla dug for worms": (["UW-NW"], ["playing_and_exploring"]),
    "Yusuf recognised the letter": (["L-WR"], ["playing_and_exploring"]),
    "May asked why the ice melted": (["UW-NW"], ["creating_and_thinking_critically"]),
}

# first name -> {area: judgement} for last term
JUDGEMENTS = {
    "Amara": {"CL": "on_track", "PSED": "on_track", "PD": "on_track", "M": "on_track"},
    "Rose": {"CL": "on_track", "PSED": "at_risk", "PD": "on_track"},
    "Will": {"CL": "not_on_track", "PSED": "on_track", "PD": "at_risk"},
    "May": {"CL": "at_risk", "PSED": "on_track", "PD": "on_track", "EAD": "on_track"},
    "Oscar": {"CL": "on_track", "PSED": "on_track", "PD": "on_track", "UW": "on_track"},
    "Yusuf": {"CL": "on_track", "PSED": "not_on_track", "PD": "on_track", "L": "on_track"},
}


def school_year_terms(today: date) -> list[tuple[str, date, date]]:
    """The three terms of the school year around `today`, and the summer before."""
    first = today.year if today.month >= 9 else today.year - 1
    return [
        (f"Summer {first}", date(first, 4, 14), date(first, 7, 22)),
        (f"Autumn {first}", date(first, 9, 3), date(first, 12, 19)),
        (f"Spring {first + 1}", date(first + 1, 1, 5), date(first + 1, 3, 27)),
        (f"Summer {first + 1}", date(first + 1, 4, 13), date(first + 1, 7, 21)),
    ]


def seed_eyfs(setting) -> None:
    manager = User.objects.get(email="manager@demo.acorn.test")
    today = timezone.localdate()
    for name, starts_on, ends_on in school_year_terms(today):
        if not Term.objects.filter(setting=setting, name=name).exists():
            term_create(
                setting=setting,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=manager,
            )
    children = {c.first_name: c for c in Child.objects.filter(setting=setting)}
    for first, details in DETAILS.items():
        child = children.get(first)
        if child is not None and not child.room:
            Child.objects.filter(pk=child.pk).update(**details)
    for observation in Observation.objects.filter(setting=setting, aspects=[]):
        for start, (aspects, characteristics) in TAGS.items():
            if observation.text.startswith(start):
                observation.aspects = aspects
                observation.characteristics = characteristics
                observation.save(update_fields=["aspects", "characteristics"])
    last_term = Term.objects.filter(setting=setting, ends_on__lt=today).order_by("-ends_on").first()
    if last_term is None:
        return
    for first, areas in JUDGEMENTS.items():
        child = children.get(first)
        if child is None or Assessment.objects.filter(child=child, term=last_term).exists():
            continue
        assessment_replace(
            child=child,
            term=last_term,
            judgements=[{"area": area, "judgement": value} for area, value in areas.items()],
            assessed_by=child.key_person,
        )
