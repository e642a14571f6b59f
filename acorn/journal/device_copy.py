"""The keys a capture page gives its script for the copy it keeps on the device while
offline. The copy is stored under the person's owner key and encrypted with their device
key, both derived here from the secret key, so on a shared iPad one person's unsent words
are unreadable to the next, and the script drops any copy whose owner isn't signed in."""

import base64
import hashlib
import hmac

from django.conf import settings


def _derive(purpose: str, user) -> bytes:
    message = f"{purpose}:{user.pk}:{user.sessions_valid_after.timestamp()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def device_copy_keys(user) -> dict:
    """`owner`: names this person's copy; `key`: AES-256-GCM key for it (base64). Both
    change when the person signs out everywhere or changes their password."""
    return {
        "owner": _derive("acorn-capture-owner", user).hex()[:24],
        "key": base64.b64encode(_derive("acorn-capture-key", user)).decode(),
    }
