"""Who may use a URL, declared on the view itself.

Every view is wrapped by exactly one of these decorators. They record the rule on the
view (``view.access_rule``) so that a test can walk the URLconf and fail on any route
that declares nothing, and they enforce the coarse rule (signed in, staff, session
leader). Which *objects* a person may see is decided by the selectors, never here.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from acorn.core.policy import Forbidden

ACCESS_RULES = ("public", "signed_in", "staff", "session_leader", "parent")


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


def _check_leader(request):
    if request.membership is None or not request.membership.is_session_leader:
        raise Forbidden(
            "This page is for session leaders (the manager and deputy).",
            next_step="Ask your manager if you need something changed here.",
        )


def _check_parent(request):
    if not request.user.is_parent:
        raise Forbidden("This page is for parents and carers.")


signed_in = _requiring("signed_in", _no_check)
staff = _requiring("staff", _check_staff)
session_leader = _requiring("session_leader", _check_leader)
parent = _requiring("parent", _check_parent)
