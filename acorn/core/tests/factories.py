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


def staff(setting, role="practitioner", **person):
    return MembershipFactory(setting=setting, role=role, user=UserFactory(**person)).user


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
