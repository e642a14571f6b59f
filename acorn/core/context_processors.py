from acorn.accounts.mfa import needs_enrolment
from acorn.children.selectors import is_parent


def navigation(request):
    """What the header needs: which setting, which role, whether this is a parent."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    parent_view = bool(user and user.is_authenticated and membership is None and is_parent(user))
    return {
        "membership": membership,
        "is_session_leader": bool(membership and membership.is_session_leader),
        "is_staff_member": membership is not None,
        "is_parent_view": parent_view,
        # While two-step set-up is required every page leads back to it, so the
        # header offers only help and sign out.
        "needs_two_step_setup": bool(user and user.is_authenticated and needs_enrolment(user)),
        # The badge's unread count: one query, and only if the page shows the badge.
        "unread_notices": lambda: _unread_notices(user),
    }


def _unread_notices(user) -> int:
    from acorn.notices.selectors import unread_count

    return unread_count(user)
