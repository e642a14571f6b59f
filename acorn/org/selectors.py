from acorn.org.models import Membership, Setting


def memberships_of(user) -> dict:
    """The person's active staff memberships by setting id, cached on the user object so a
    request asks the database once."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_acorn_memberships", None)
    if cached is None:
        cached = {
            m.setting_id: m
            for m in Membership.objects.filter(user=user, is_active=True).select_related("setting")
        }
        user._acorn_memberships = cached
    return cached


def membership_in(user, setting_id) -> Membership | None:
    return memberships_of(user).get(setting_id)


def current_membership(user, chosen_setting_id=None) -> Membership | None:
    """The membership a staff member is working in: the one they chose, else their first."""
    memberships = memberships_of(user)
    if not memberships:
        return None
    if chosen_setting_id:
        for setting_id, membership in memberships.items():
            if str(setting_id) == str(chosen_setting_id):
                return membership
    return sorted(memberships.values(), key=lambda m: m.setting.name)[0]


def staff_of(setting: Setting):
    return (
        Membership.objects.filter(setting=setting, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )


def key_person_choices(setting: Setting):
    from acorn.accounts.models import User

    return User.objects.filter(
        memberships__setting=setting, memberships__is_active=True, is_active=True
    ).order_by("name")
