"""Typed signatures (the parent agreement and consent, staff declarations, the device
sign-out sheet): a signature is the signer's own name as it is on their account, case,
spacing and the kind of apostrophe aside. Anything else is not their signature."""

from django.core.exceptions import ValidationError


def _comparable(name: str) -> str:
    return " ".join((name or "").replace("\u2019", "'").split()).casefold()


def same_signature(typed: str, name: str) -> bool:
    return bool(_comparable(typed)) and _comparable(typed) == _comparable(name)


def typed_signature(typed: str, signer, field: str = "signature_name") -> str:
    """The signature as it will be kept, or ValidationError on `field` saying why not."""
    signature = " ".join((typed or "").split())
    if len(signature) < 2:
        raise ValidationError({field: "Please type your full name to sign."})
    if not same_signature(signature, signer.name):
        raise ValidationError(
            {
                field: "Please type your name as it is on your Acorn account "
                f"({signer.name}) to sign. If that name is wrong, ask the setting to "
                "correct it."
            }
        )
    return signature[:150]
