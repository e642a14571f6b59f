"""Demo data for trying Acorn: one setting, its team, eight children, parents and a dozen
observations. Safe to run again: it does nothing if the demo setting exists."""

import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from acorn.accounts.models import User
from acorn.children.consent import agreement_sign, consent_record
from acorn.children.models import Child, ParentLink
from acorn.children.services import child_photo_set
from acorn.journal.media import media_process, media_upload
from acorn.journal.models import MediaAppearance, Observation, ObservationChild
from acorn.org.models import Membership, Setting

DEMO_SETTING = "Oak Tree Pre-school (demo)"
DEMO_PASSWORD = "acorn-demo-2026"

STAFF = [
    ("manager@demo.acorn.test", "Sam Patel", "manager"),
    ("deputy@demo.acorn.test", "Jo Evans", "deputy"),
    ("keyperson@demo.acorn.test", "Priya Shah", "practitioner"),
    ("keyperson2@demo.acorn.test", "Tom Hughes", "practitioner"),
    ("practitioner@demo.acorn.test", "Alex Green", "practitioner"),
]

# first, last, age in months, key person email, parent (email, name) or None
CHILDREN = [
    (
        "Amara",
        "Okafor",
        40,
        "keyperson@demo.acorn.test",
        ("parent@demo.acorn.test", "Grace Okafor"),
    ),
    (
        "Rose",
        "O'Neill",
        34,
        "keyperson@demo.acorn.test",
        ("parent2@demo.acorn.test", "Liam O'Neill"),
    ),
    (
        "Will",
        "Smith-Jones",
        27,
        "keyperson@demo.acorn.test",
        ("parent3@demo.acorn.test", "Hannah Smith-Jones"),
    ),
    ("May", "Chen", 45, "keyperson2@demo.acorn.test", ("parent4@demo.acorn.test", "Wei Chen")),
    (
        "Oscar",
        "Nowak",
        38,
        "keyperson2@demo.acorn.test",
        ("parent5@demo.acorn.test", "Kasia Nowak"),
    ),
    (
        "Isla",
        "MacLeod",
        30,
        "keyperson2@demo.acorn.test",
        ("parent6@demo.acorn.test", "Fiona MacLeod"),
    ),
    ("Yusuf", "Rahman", 50, "keyperson@demo.acorn.test", None),
    ("Ella", "Brown", 24, "keyperson2@demo.acorn.test", None),
]

OBSERVATIONS = [
    (
        ["Amara"],
        "Amara built a tall tower of ten blocks and counted them aloud, pointing to each one.",
        ["M"],
        1,
    ),
    (
        ["Rose", "Amara"],
        "Rose and Amara took turns pouring water between jugs, talking about 'full' and 'empty'.",
        ["M", "CL"],
        2,
    ),
    (
        ["Will"],
        "Will put on his own wellies for the first time and said 'I did it!'",
        ["PD", "PSED"],
        2,
    ),
    (["May"], "May drew a picture of her family and told me each person's name.", ["EAD", "CL"], 3),
    (
        ["Oscar", "Isla"],
        "Oscar and Isla dug for worms in the garden and compared how long they were.",
        ["UW", "M"],
        4,
    ),
    (
        ["Isla"],
        "Isla sang 'Twinkle Twinkle' at circle time and did all the actions.",
        ["EAD", "CL"],
        5,
    ),
    (
        ["Yusuf"],
        "Yusuf recognised the letter Y in his name on the peg and found it on a book cover.",
        ["L"],
        6,
    ),
    (["Ella"], "Ella settled happily today and waved goodbye to Mum at the door.", ["PSED"], 7),
    (
        ["Amara"],
        "Amara used scissors to cut along a straight line, holding them correctly.",
        ["PD"],
        8,
    ),
    (["Will", "Ella"], "Will shared the red car with Ella when she asked for a turn.", ["PSED"], 9),
    (
        ["May"],
        "May asked why the ice melted in the sun and suggested putting it in the shade.",
        ["UW", "CL"],
        10,
    ),
    (
        ["Oscar"],
        "Oscar balanced along the low beam with his arms out, then jumped off with two feet.",
        ["PD"],
        12,
    ),
]


# Which of the observations above come with a (drawn) picture.
PICTURED = {0, 1, 4, 9}
# …and which with a group photo of real faces, Rose's marked so the other families see
# it with her face blurred (issue 16).
GROUP_PHOTO = 1


def _months_ago(months: int) -> date:
    today = timezone.localdate()
    return today - timedelta(days=round(months * 30.44))


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        if not Setting.objects.filter(name=DEMO_SETTING).exists():
            self._create()
            self.stdout.write("Demo data loaded.")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self._clear_staff(Setting.objects.get(name=DEMO_SETTING))
        self._devices(Setting.objects.get(name=DEMO_SETTING))
        self._eyfs(Setting.objects.get(name=DEMO_SETTING))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, name, role in STAFF:
            self.stdout.write(f"  {role:<13} {email:<32} {name}")
        self.stdout.write(
            f"  {'parent':<13} {'parent@demo.acorn.test':<32} Grace Okafor (Amara's mum)"
        )
        self.stdout.write(
            "The manager and deputy set up two-step sign-in (an authenticator app) the first "
            "time they sign in."
        )

    def _clear_staff(self, setting):
        """Every demo staff member's suitability checks, recorded by the manager, so the
        gate is open; one Update Service renewal falls due within 30 days so the
        dashboard has something to show. Adds nothing for anyone already recorded."""
        from acorn.suitability.declarations import current_text
        from acorn.suitability.models import (
            DbsCheck,
            Declaration,
            SafeguardingTraining,
            StatusCheck,
            UpdateServiceSubscription,
        )

        today = timezone.localdate()
        manager = User.objects.get(email="manager@demo.acorn.test")
        for number, (email, _name, _role) in enumerate(STAFF):
            person = User.objects.get(email=email)
            if DbsCheck.objects.filter(setting=setting, person=person).exists():
                continue
            DbsCheck.objects.create(
                setting=setting,
                person=person,
                certificate_number=f"0012345678{number:02d}",
                issued_on=today - timedelta(days=400 + 30 * number),
                barred_list=True,
                original_seen=True,
                checked_by=manager,
            )
            renews = 20 if email == "keyperson2@demo.acorn.test" else 200 + 10 * number
            UpdateServiceSubscription.objects.create(
                setting=setting,
                person=person,
                subscription_id=f"C00{number}4521",
                renews_on=today + timedelta(days=renews),
                recorded_by=manager,
            )
            StatusCheck.objects.create(
                setting=setting,
                person=person,
                checked_on=today - timedelta(days=14),
                result=StatusCheck.Result.NO_NEW_INFORMATION,
                checked_by=manager,
            )
            for kind in ("online_safety", "self_declaration"):
                version, text = current_text(kind)
                Declaration.objects.create(
                    setting=setting,
                    person=person,
                    kind=kind,
                    version=version,
                    text=text,
                    signature_name=person.name,
                )
            SafeguardingTraining.objects.create(
                setting=setting,
                person=person,
                completed_on=today - timedelta(days=300),
                course="Safeguarding and child protection (level 1)",
                recorded_by=manager,
            )

    def _devices(self, setting):
        """Two tablets and a camera on the device register (D-1); adds none twice."""
        from acorn.devices.models import Device

        for name, kind, serial, tag in (
            ("Ladybird iPad", "tablet", "DMPXK2ABCD01", "ACORN-T1"),
            ("Caterpillar iPad", "tablet", "DMPXK2ABCD02", "ACORN-T2"),
            ("Garden camera", "camera", "CAM-0457", "ACORN-C1"),
        ):
            Device.objects.get_or_create(
                setting=setting,
                name=name,
                defaults={"kind": kind, "serial": serial, "asset_tag": tag},
            )

    def _eyfs(self, setting):
        """Terms, monitoring details, a few tagged observations and last term's
        judgements, so Assessment and Monitoring have something to show. Adds only what
        is missing."""
        from acorn.eyfs.demo import seed_eyfs

        seed_eyfs(setting)
        from acorn.reports.demo import seed_reports

        seed_reports(setting)

    def _user(self, email, name):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, name=name, password=DEMO_PASSWORD)
        return user

    def _create(self):
        setting = Setting.objects.create(
            name=DEMO_SETTING,
            # Monday to Friday, 08:45 to 15:15; networks are left for the manager to
            # list, so the dashboard shows what the off-site rule needs.
            session_times=[{"weekday": day, "start": "08:45", "end": "15:15"} for day in range(5)],
        )
        people = {}
        for email, name, role in STAFF:
            people[email] = self._user(email, name)
            Membership.objects.create(user=people[email], setting=setting, role=role)
        # Checks first: the gate applies to the demo's own uploads as to anyone's.
        self._clear_staff(setting)
        children = {}
        today = timezone.localdate()
        for first, last, months, key_email, parent in CHILDREN:
            child = Child.objects.create(
                setting=setting,
                first_name=first,
                last_name=last,
                date_of_birth=_months_ago(months),
                start_date=today - timedelta(days=90),
                key_person=people[key_email],
                backup_key_person=people["deputy@demo.acorn.test"],
            )
            children[first] = child
            self._portrait(child, people[key_email], len(children))
            if parent:
                person = self._user(*parent)
                ParentLink.objects.create(parent=person, child=child)
                agreement_sign(parent=person, signature_name=person.name)
                # Rose's dad has said no to photos in other children's journals.
                consent_record(
                    parent=person, child=child, given=first != "Rose", signature_name=person.name
                )
        self._observations(setting, people, children)

    def _observations(self, setting, people, children):
        today = timezone.localdate()
        authors = [
            people["keyperson@demo.acorn.test"],
            people["keyperson2@demo.acorn.test"],
            people["practitioner@demo.acorn.test"],
            people["manager@demo.acorn.test"],
        ]
        now = timezone.now()
        for index, (names, text, areas, days_ago) in enumerate(OBSERVATIONS):
            created = now - timedelta(days=days_ago)
            observation = Observation.objects.create(
                setting=setting,
                author=authors[index % len(authors)],
                text=text,
                observed_on=today - timedelta(days=days_ago),
                areas=areas,
                status=Observation.Status.PUBLISHED,
                created_at=created,
                updated_at=created,
                published_at=created,
            )
            for name in names:
                ObservationChild.objects.create(
                    observation=observation,
                    child=children[name],
                    observed_on=observation.observed_on,
                    created_at=created,
                )
            shown = [children[name] for name in names]
            if index == GROUP_PHOTO and self._group_photo(
                observation, shown, people["keyperson@demo.acorn.test"]
            ):
                continue
            if index in PICTURED:
                self._picture(observation, shown, index)

    def _portrait(self, child, key_person, seed):
        """A drawn face standing in for the child's photo."""
        rng = random.Random(seed * 7)
        skin = rng.choice([(241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36)])
        hair = rng.choice([(60, 40, 20), (200, 150, 60), (20, 20, 20), (150, 80, 40)])
        image = Image.new("RGB", (600, 600), rng.choice([(197, 225, 237), (232, 218, 239)]))
        draw = ImageDraw.Draw(image)
        draw.ellipse((140, 110, 460, 470), fill=hair)
        draw.ellipse((170, 160, 430, 460), fill=skin)
        for x in (240, 360):
            draw.ellipse((x - 18, 270, x + 18, 306), fill=(40, 40, 40))
        draw.arc((230, 320, 370, 410), start=20, end=160, fill=(150, 50, 50), width=10)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88)
        child_photo_set(
            child=child,
            uploaded_file=SimpleUploadedFile("portrait.jpg", buffer.getvalue()),
            set_by=key_person,
        )
        media_process(child.photo_id)

    def _picture(self, observation, children, seed):
        """A drawn picture standing in for a photo, through the real media pipeline."""
        rng = random.Random(seed)
        image = Image.new("RGB", (1200, 900), (250, 244, 232))
        draw = ImageDraw.Draw(image)
        palette = [(231, 111, 81), (244, 162, 97), (233, 196, 106), (42, 157, 143),
                   (38, 70, 83), (131, 197, 190), (229, 107, 111)]  # fmt: skip
        draw.rectangle((0, 640, 1200, 900), fill=(168, 218, 140))
        draw.ellipse((960, 60, 1120, 220), fill=(255, 209, 102))
        for _ in range(14):
            x, y = rng.randint(80, 1000), rng.randint(200, 600)
            size = rng.randint(60, 160)
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x, y, x + size, y + size), fill=rng.choice(palette))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88)
        item = media_upload(
            uploader=observation.author,
            setting=observation.setting,
            uploaded_file=SimpleUploadedFile("photo.jpg", buffer.getvalue()),
        )
        media_process(item.pk)
        item.observation = observation
        item.save(update_fields=["observation"])
        MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in children)

    def _group_photo(self, observation, children, marked_by) -> bool:
        """A group photo with real faces: the portrait photograph that ships with
        scikit-image, once per child, on a photograph of a coffee cup. The first child's
        face (Rose's: her dad said no) is marked, so the other families see the shared
        rendition with her face blurred, and her own family the photo as it is. Without
        scikit-image (installed for the tests) the drawn picture stands in."""
        try:
            from skimage import data as pictures
        except ImportError:
            return False
        from acorn.journal.faces import FaceMark, media_faces_mark, media_render_shared
        from acorn.journal.models import MediaItem
        from acorn.media_processing.faces import FaceBox

        image = Image.fromarray(pictures.coffee()).resize((1600, 1200))
        portrait = Image.fromarray(pictures.astronaut()).crop((100, 0, 360, 300))
        for number in range(len(children)):
            image.paste(portrait.resize((420, 485)), (180 + number * 700, 330))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        item = media_upload(
            uploader=observation.author,
            setting=observation.setting,
            uploaded_file=SimpleUploadedFile("group.jpg", buffer.getvalue()),
        )
        media_process(item.pk)
        item = MediaItem.objects.get(pk=item.pk)
        item.observation = observation
        item.save(update_fields=["observation"])
        MediaAppearance.objects.bulk_create(MediaAppearance(media=item, child=c) for c in children)
        # Faces left to right, one per child; the first is Rose's.
        found = sorted(item.faces, key=lambda face: face["box"][0])
        if not found:
            return True  # nobody marked: the photo stays in Rose's journal only
        marks = [FaceMark(box=FaceBox(*found[0]["box"]), child=children[0])]
        marks += [FaceMark(box=FaceBox(*face["box"])) for face in found[1:]]
        media_faces_mark(media=item, marks=marks, marked_by=marked_by)
        media_render_shared(item.pk)  # at once, so the demo shows it before the worker runs
        return True
