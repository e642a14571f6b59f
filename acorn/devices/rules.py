"""Rules of the sign-out sheet (D-2).

Only key workers may take a device out of the setting: staff who are key person to at
least one current child of the device's setting (back-up key people don't count), the
same people the off-site rule (A-6) lets work away from the setting."""

from acorn.core.policy import PolicyRefusal
from acorn.org.rules import is_key_worker


class KeyWorkersOnly(PolicyRefusal):
    code = "key_workers_only"
    title = "Only key people can take a device out"
    default_detail = (
        "Only key people (staff who are key person to at least one child here) can take "
        "a device out of the setting."
    )


class DeviceUnavailable(Exception):
    """The device's state doesn't allow this now (it is out, missing or retired)."""


def require_key_worker(person, setting) -> None:
    if not is_key_worker(person, setting.pk):
        raise KeyWorkersOnly(
            f"{person.name} isn't key person to any child at {setting.name}, and only key "
            "people may take a device out of the setting.",
            next_step="If you need a device away from the setting, please ask a session "
            "leader (the manager or deputy).",
        )
