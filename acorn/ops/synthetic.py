"""Synthetic data at scale, for benchmarks: settings with staff (cleared), children,
parents (onboarded, consent given), observations (some for two children, some with a
supervisor, most reviewed), replies and media records, written with bulk inserts.

The few people per setting go through the ordinary services (so onboarding and consent
are real); the many rows (entries, links, media, replies) are bulk inserts in batches.
Media records point at no files: pages only name them, nothing here serves them.
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

PASSWORD = "acorn-bench-2026"
BATCH = 5_000
FIRST_NAMES = (
    "Ada Ben Cleo Dev Esme Finn Gus Hana Isla Jude Kit Leo Mina Nia Omar Pip Quin Rosa Sami "
    "Theo Uma Vic Wren Xavi Yara Zak Alba Bo Cyd Dot Eli Fen Gil Hal Ida Jem Kai Lux Mo Ned"
).split()
LAST_NAMES = "Adams Bello Chen Dunn Evans Fox Gray Hale Iqbal Jones Khan Lowe".split()


@dataclass
class Generated:
    settings: list = field(default_factory=list)
    entries: int = 0
    replies: int = 0
    media: int = 0
    # The first setting's people, for benchmarks: (manager, key person, parent, child).
    sample: dict = field(default_factory=dict)


def generate(
    *,
    entries: int,
    children_per_setting: int = 40,
    entries_per_setting: int = 25_000,
    staff_per_setting: int = 6,
    prefix: str = "bench",
    log=lambda message: None,
) -> Generated:
    settings_count = max(1, math.ceil(entries / entries_per_setting))
    password = make_password(PASSWORD)  # hashed once: Argon2 is slow on purpose
    result = Generated()
    remaining = entries
    for index in range(settings_count):
        share = math.ceil(remaining / (settings_count - index))
        remaining -= share
        people = _setting_with_people(
            index, prefix, password, children_per_setting, staff_per_setting
        )
        result.settings.append(people["setting"])
        if index == 0:
            result.sample = people
        made = _entries(people, share, log)
        result.entries += made["entries"]
        result.replies += made["replies"]
        result.media += made["media"]
        log(f"setting {index + 1}/{settings_count}: {result.entries} entries so far")
    # Fresh statistics for the planner, as autovacuum would leave a database that grew
    # day by day: without them PostgreSQL guessed the journal at 1M entries to be tiny and
    # chose plans that took seconds (issue 13).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return result


@transaction.atomic
def _setting_with_people(index, prefix, password, child_count, staff_count) -> dict:
    from acorn.accounts.models import User
    from acorn.children.consent import agreement_sign, consent_record
    from acorn.children.models import Child, ParentLink
    from acorn.org.models import Membership, Setting
    from acorn.suitability.declarations import current_text
    from acorn.suitability.models import DbsCheck, Declaration, UpdateServiceSubscription

    setting = Setting.objects.create(name=f"{prefix.title()} Nursery {index + 1}")
    domain = f"{prefix}.acorn.test"
    roles = ["manager"] + ["practitioner"] * (staff_count - 1)
    staff = User.objects.bulk_create(
        [
            User(email=f"staff{index}-{n}@{domain}", name=f"Staff {index}-{n}", password=password)
            for n in range(staff_count)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, setting=setting, role=role)
            for user, role in zip(staff, roles, strict=True)
        ]
    )
    today = timezone.localdate()
    DbsCheck.objects.bulk_create(
        DbsCheck(
            setting=setting,
            person=user,
            certificate_number="001234567890",
            issued_on=today - timedelta(days=60),
            barred_list=True,
            original_seen=True,
        )
        for user in staff
    )
    UpdateServiceSubscription.objects.bulk_create(
        UpdateServiceSubscription(
            setting=setting,
            person=user,
            subscription_id="C1234567",
            renews_on=today.replace(year=today.year + 1),
        )
        for user in staff
    )
    declarations = []
    for kind in ("online_safety", "self_declaration"):
        version, text = current_text(kind)
        declarations += [
            Declaration(
                setting=setting,
                person=user,
                kind=kind,
                version=version,
                text=text,
                signature_name=user.name,
            )
            for user in staff
        ]
    Declaration.objects.bulk_create(declarations)
    key_people = staff[1:] or staff
    children = Child.objects.bulk_create(
        [
            Child(
                setting=setting,
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=f"{LAST_NAMES[n % len(LAST_NAMES)]}{'' if n < 40 else n}",
                date_of_birth=date(2022, 1, 1) + timedelta(days=n * 7),
                start_date=date(2024, 9, 1),
                key_person=key_people[n % len(key_people)],
                image_consent=True,
            )
            for n in range(child_count)
        ]
    )
    parents = User.objects.bulk_create(
        [
            User(email=f"parent{index}-{n}@{domain}", name=f"Parent {index}-{n}", password=password)
            for n in range(child_count)
        ]
    )
    ParentLink.objects.bulk_create(
        [ParentLink(parent=p, child=c) for p, c in zip(parents, children, strict=True)]
    )
    for parent, child in zip(parents, children, strict=True):
        agreement_sign(parent=parent, signature_name=parent.name)
        consent_record(parent=parent, child=child, given=True, signature_name=parent.name)
    return {
        "setting": setting,
        "manager": staff[0],
        "staff": staff,
        "key_person": children[0].key_person,
        "children": children,
        "parents": parents,
        "child": children[0],
        "parent": parents[0],
    }


def _entries(people, count, log) -> dict:
    from acorn.journal.models import (
        Comment,
        MediaAppearance,
        MediaItem,
        Observation,
        ObservationChild,
    )

    setting, children, parents = people["setting"], people["children"], people["parents"]
    manager = people["manager"]
    now = timezone.now()
    first_day = timezone.localdate() - timedelta(days=3 * 365)
    made = {"entries": 0, "replies": 0, "media": 0}
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        observations, links, media, appearances, replies = [], [], [], [], []
        for n in range(start, start + size):
            child_index = n % len(children)
            child = children[child_index]
            about = [child]
            if n % 5 == 0 and len(children) > 1:
                about.append(children[(child_index + 1) % len(children)])
            observed_on = first_day + timedelta(days=(n * 1096) // max(count, 1))
            created_at = now - timedelta(seconds=count - n)
            observation = Observation(
                id=uuid.uuid4(),
                setting=setting,
                author=child.key_person,
                text=f"{child.first_name} built a tower of {n % 12 + 2} blocks and counted them.",
                observed_on=observed_on,
                areas=["M", "PD"] if n % 2 else ["CL"],
                status=Observation.Status.PUBLISHED,
                supervisor=manager if n % 17 == 0 else None,
                created_at=created_at,
                updated_at=created_at,
                published_at=created_at,
                reviewed_by=manager if n % 10 else None,
                reviewed_at=created_at if n % 10 else None,
            )
            observations.append(observation)
            links += [
                ObservationChild(
                    observation=observation,
                    child=c,
                    observed_on=observed_on,
                    created_at=created_at,
                )
                for c in about
            ]
            if n % 2 == 0:
                item = MediaItem(
                    id=uuid.uuid4(),
                    setting=setting,
                    uploaded_by=child.key_person,
                    observation=observation,
                    kind=MediaItem.Kind.PHOTO,
                    mime="image/jpeg",
                    status=MediaItem.Status.READY,
                    storage_prefix=f"media/{uuid.uuid4().hex}",
                    original_name="original.jpg",
                    renditions={"display": "display.jpg", "thumb": "thumb.webp"},
                    size_bytes=2_000_000,
                    width=1600,
                    height=1200,
                    created_at=created_at,
                    ready_at=created_at,
                )
                media.append(item)
                appearances += [MediaAppearance(media=item, child=c) for c in about]
            if n % 10 == 0:
                replies.append(
                    Comment(
                        observation=observation,
                        child=child,
                        author=parents[child_index],
                        text="Lovely! We built one at home too.",
                        created_at=created_at,
                    )
                )
        with transaction.atomic():
            Observation.objects.bulk_create(observations)
            ObservationChild.objects.bulk_create(links)
            MediaItem.objects.bulk_create(media)
            MediaAppearance.objects.bulk_create(appearances)
            Comment.objects.bulk_create(replies)
        made["entries"] += size
        made["media"] += len(media)
        made["replies"] += len(replies)
        if start and start % 100_000 == 0:
            log(f"  {start} entries")
    return made
