from datetime import date

import factory
from django.utils import timezone

from acorn.accounts.models import User
from acorn.children.models import Child, ParentLink
from acorn.journal.models import Observation, ObservationChild
from acorn.org.models import Membership, Setting

PASSWORD = "correct-horse-battery"


class SettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Setting

    name = factory.Sequence(lambda n: f"Setting {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    setting = factory.SubFactory(SettingFactory)
    role = Membership.Role.PRACTITIONER


def fresh(person):
    """A new object for the person, as a new request has: the selectors remember their
    answers on the person object for the rest of a request."""
    return User.objects.get(pk=person.pk)


def staff(setting, role="practitioner", *, cleared=True, mfa=None, **person):
    """A staff member; cleared (A-5) and, where their role needs it, enrolled in two-step
    sign-in (A-3), unless asked otherwise: most tests are about something else."""
    user = MembershipFactory(setting=setting, role=role, user=UserFactory(**person)).user
    if cleared:
        clear(user, setting)
    if mfa is None:
        mfa = role in Membership.SESSION_LEADER_ROLES or setting.mfa_for_practitioners
    if mfa:
        enrol_mfa(user)
    return user


def enrol_mfa(user):
    """Two-step sign-in set up, as if the person had scanned the secret; returns the
    secret (tests compute codes with pyotp.TOTP(secret))."""
    import pyotp

    from acorn.accounts.models import TotpDevice

    device = TotpDevice.objects.create(
        user=user, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    user.__dict__.pop("_acorn_totp", None)
    return device.secret


def recovery_code(user) -> str:
    """A fresh single-use recovery code for this person (how the test clients pass the
    second step without waiting for a new TOTP time-step)."""
    import secrets

    from acorn.accounts.mfa import recovery_hash
    from acorn.accounts.models import RecoveryCode

    raw = secrets.token_hex(5)
    RecoveryCode.objects.create(user=user, code_hash=recovery_hash(user, raw))
    return raw


def clear(person, setting, *, on=None):
    """Record everything the suitability gate needs, as a session leader would have,
    dated `on` (default today)."""
    from datetime import timedelta

    from acorn.suitability.declarations import current_text
    from acorn.suitability.models import DbsCheck, Declaration, UpdateServiceSubscription
    from acorn.suitability.selectors import forget_clearance

    on = on or timezone.localdate()
    DbsCheck.objects.create(
        setting=setting,
        person=person,
        certificate_number="001234567890",
        issued_on=on - timedelta(days=60),
        barred_list=True,
        original_seen=True,
    )
    UpdateServiceSubscription.objects.create(
        setting=setting,
        person=person,
        subscription_id="C1234567",
        renews_on=on + timedelta(days=300),
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
    forget_clearance(person)
    return person


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    setting = factory.SubFactory(SettingFactory)
    first_name = factory.Sequence(lambda n: f"Child{n}")
    last_name = "Example"
    date_of_birth = date(2023, 3, 1)
    start_date = date(2025, 9, 1)
    key_person = factory.LazyAttribute(lambda o: staff(o.setting))


def parent_of(child, *, onboarded=True, consent=True, user=None, **kwargs):
    """A parent linked to the child; by default they have signed the agreement and
    answered the consent question (yes), as a parent using Acorn normally has."""
    from acorn.children.consent import agreement_sign, child_consent_recompute, consent_record

    user = user or UserFactory(**kwargs)
    ParentLink.objects.create(parent=user, child=child)
    if onboarded:
        agreement_sign(parent=user, signature_name=user.name)
        consent_record(parent=user, child=child, given=consent, signature_name=user.name)
    else:
        child_consent_recompute(child)
    return user


def observation(
    *, author, children, text="Built a tower.", status="published", observed_on=None, **kwargs
):
    now = timezone.now()
    observed_on = observed_on or timezone.localdate()
    obs = Observation.objects.create(
        setting=children[0].setting,
        author=author,
        text=text,
        observed_on=observed_on,
        status=status,
        created_at=now,
        updated_at=now,
        published_at=now if status == "published" else None,
        **kwargs,
    )
    for child in children:
        ObservationChild.objects.create(
            observation=obs, child=child, observed_on=observed_on, created_at=now
        )
    return obs
