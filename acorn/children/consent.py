"""Parent onboarding and image consent (P-1, P-7, C-1 to C-3): every write, audited.

A parent's link to a child is *active* once they have signed the setting's current
no-sharing agreement and answered the consent question for that child. A child may appear
in other children's journals only while every linked parent's latest answer is yes; the
answer is kept on the child (`image_consent`) so journal reads stay one query.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from acorn.accounts.signatures import typed_signature
from acorn.audit.services import audit_record, client_ip
from acorn.children.models import (
    DEFAULT_AGREEMENT,
    DEFAULT_CONSENT_QUESTION,
    Child,
    ImageConsent,
    OnboardingWording,
    ParentAgreement,
    ParentLink,
)


def wording_current(setting) -> OnboardingWording:
    wording = OnboardingWording.objects.filter(setting=setting).order_by("-version").first()
    if wording is None:
        wording, _ = OnboardingWording.objects.get_or_create(
            setting=setting,
            version=1,
            defaults={
                "agreement_text": DEFAULT_AGREEMENT,
                "consent_question": DEFAULT_CONSENT_QUESTION,
            },
        )
    return wording


@transaction.atomic
def wording_publish(*, setting, agreement_text: str, consent_question: str, by, request=None):
    """Session leaders change the wording. Parents are asked to sign the new version at
    their next visit; earlier signatures stay on record."""
    agreement_text, consent_question = agreement_text.strip(), consent_question.strip()
    if len(agreement_text) < 20 or len(consent_question) < 20:
        raise ValidationError("Please write the agreement and the question in full.")
    current = wording_current(setting)
    if (current.agreement_text, current.consent_question) == (agreement_text, consent_question):
        return current
    wording = OnboardingWording.objects.create(
        setting=setting,
        version=current.version + 1,
        agreement_text=agreement_text,
        consent_question=consent_question,
        created_by=by,
    )
    audit_record(
        action="agreement.wording_change",
        actor=by,
        request=request,
        setting_id=setting.pk,
        object_type="wording",
        object_id=wording.pk,
        detail={"version": wording.version},
    )
    return wording


def _signature(name: str, signer) -> str:
    return typed_signature(name, signer)


@transaction.atomic
def agreement_sign(*, parent, signature_name: str, request=None) -> list[ParentAgreement]:
    """Sign the current agreement of every setting the parent's children attend."""
    name = _signature(signature_name, parent)
    settings_ids = set(
        ParentLink.objects.filter(parent=parent).values_list("child__setting_id", flat=True)
    )
    if not settings_ids:
        raise ValidationError("Your account isn't linked to a child yet.")
    signed = []
    for link in ParentLink.objects.filter(parent=parent).select_related("child__setting"):
        setting = link.child.setting
        if setting.pk not in settings_ids:
            continue
        settings_ids.discard(setting.pk)
        wording = wording_current(setting)
        record = ParentAgreement.objects.create(
            parent=parent, wording=wording, signature_name=name, ip=client_ip(request)
        )
        audit_record(
            action="agreement.sign",
            actor=parent,
            request=request,
            setting_id=setting.pk,
            object_type="agreement",
            object_id=record.pk,
            detail={"version": wording.version},
        )
        signed.append(record)
    return signed


@transaction.atomic
def consent_record(*, parent, child: Child, given: bool, signature_name: str, request=None):
    """A parent gives, refuses or withdraws consent for their child (P-1a, P-7). It takes
    effect at once: the next request already follows it."""
    if not ParentLink.objects.filter(parent=parent, child=child).exists():
        raise ValidationError("Only the child's own parents can answer for them.")
    name = _signature(signature_name, parent)
    record = ImageConsent.objects.create(
        child=child,
        parent=parent,
        images_in_other_journals=bool(given),
        wording=wording_current(child.setting),
        signature_name=name,
        ip=client_ip(request),
    )
    audit_record(
        action="consent.give" if given else "consent.refuse",
        actor=parent,
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="consent",
        object_id=record.pk,
    )
    child_consent_recompute(child)
    return record


def latest_answers(child: Child) -> dict:
    """Each linked parent's latest answer for this child: parent id -> ImageConsent|None."""
    answers = {link.parent_id: None for link in ParentLink.objects.filter(child=child)}
    for record in ImageConsent.objects.filter(child=child, parent_id__in=answers).order_by(
        "signed_at", "pk"
    ):
        answers[record.parent_id] = record
    return answers


def child_consent_recompute(child: Child) -> bool:
    """Consent holds only if the child has parents and every one of them said yes: a
    refusal by either parent, or a parent who hasn't answered yet, means no."""
    answers = latest_answers(child)
    consent = bool(answers) and all(
        record is not None and record.images_in_other_journals for record in answers.values()
    )
    if child.image_consent != consent:
        Child.objects.filter(pk=child.pk).update(image_consent=consent)
        child.image_consent = consent
        from acorn.journal.faces import faces_consent_changed

        faces_consent_changed(child)
    return consent


def active_links(parent):
    """The parent's links annotated with whether onboarding is complete for each."""
    return links_with_onboarding(parent.pk)


def links_with_onboarding(parent_id):
    """`active_links` by the parent's id (for a statement, where the id is put in at each
    run): `agreement_signed` and `consent_answered` on each link."""
    current = OnboardingWording.objects.filter(
        setting=OuterRef(OuterRef("child__setting"))
    ).order_by("-version")
    signed = ParentAgreement.objects.filter(
        parent_id=parent_id, wording=Subquery(current.values("pk")[:1])
    )
    answered = ImageConsent.objects.filter(parent_id=parent_id, child=OuterRef("child"))
    return ParentLink.objects.filter(parent_id=parent_id).annotate(
        agreement_signed=Exists(signed), consent_answered=Exists(answered)
    )
