"""Who may use a URL, declared on the view itself.

Every view is wrapped by exactly one of these decorators. They record the rule on the
view (``view.access_rule``) so that a test can walk the URLconf and fail on any route
that declares nothing, and they enforce the coarse rule (signed in, staff, session
leader, and for pages with children's data the suitability gate of A-5). Which *objects* a person may see is decided by the selectors, never here.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from acorn.core.policy import Forbidden
from acorn.suitability.selectors import require_cleared

ACCESS_RULES = ("public", "signed_in", "staff", "session_leader", "session_leader_admin", "parent")


def _mark(view, rule):
    view.access_rule = rule
    return view


def public(view):
    """Anyone, signed in or not (sign-in page, invitation links, password reset)."""
    return _mark(view, "public")


def _requiring(rule, check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check(request)
            return view(request, *args, **kwargs)

        return _mark(wrapped, rule)

    return decorator


def _no_check(request):
    return None


def _check_staff(request):
    if request.membership is None:
        raise Forbidden("This page is for staff of the setting.")
    # staff pages show children's data, so the suitability gate applies.
    require_cleared(request.user, request.membership.setting_id)


def _check_leader_admin(request):
    if request.membership is None or not request.membership.is_session_leader:
        raise Forbidden(
            "This page is for session leaders (the manager and deputy).",
            next_step="Ask your manager if you need something changed here.",
        )


def _check_leader(request):
    _check_leader_admin(request)
    require_cleared(request.user, request.membership.setting_id)


def _check_parent(request):
    from acorn.children.selectors import is_parent

    if not is_parent(request.user):
        raise Forbidden("This page is for parents and carers.")


signed_in = _requiring("signed_in", _no_check)
staff = _requiring("staff", _check_staff)
session_leader = _requiring("session_leader", _check_leader)
# Session leaders before their own checks are complete: only pages without children's
# data (the staff and suitability register, setting administration). Without this a new
# setting could never open its gate.
session_leader_admin = _requiring("session_leader_admin", _check_leader_admin)
parent = _requiring("parent", _check_parent)
