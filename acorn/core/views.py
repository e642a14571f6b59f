import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from acorn.children.models import Child
from acorn.children.selectors import active_child_ids, children_of_parent
from acorn.core.access import public, signed_in
from acorn.leaving.rules import attending


@signed_in
def home(request):
    """Staff start at their children list; a parent goes straight to their child."""
    if request.membership is not None:
        from acorn.suitability.selectors import is_cleared

        if request.membership.is_session_leader and not is_cleared(
            request.user, request.membership.setting_id
        ):
            # A leader whose own checks are still missing starts where they can fix them.
            return redirect("org:dashboard")
        if request.membership.is_session_leader:
            return redirect("org:dashboard")  # "Today": what needs me
        if attending(
            Child.objects.filter(setting_id=request.membership.setting_id, key_person=request.user)
        ).exists():
            return redirect(reverse("children:list") + "?show=mine")
        return redirect("children:list")
    children = list(children_of_parent(request.user))
    if children and len(active_child_ids(request.user)) < len(children):
        return redirect("children:welcome")
    if len(children) == 1:
        return redirect("journal:child", child_id=children[0].pk)
    return render(request, "core/parent_home.html", {"children": children})


@public
def help_page(request):
    return render(request, "core/help.html")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "403.html", {"refusal": None}, status=403)


def server_error(request):
    """An unexpected error; or the database going away mid-request, which is a 503 with
    a page (or the API's JSON) that says nothing was half-saved and trying again is safe.
    Rendered without the request's context: the database may be gone."""
    failure = sys.exc_info()[1]
    if isinstance(failure, (OperationalError, InterfaceError)):
        if request.path.startswith("/api/"):
            from acorn.core.api import DATABASE_UNAVAILABLE

            response = JsonResponse(
                {"detail": DATABASE_UNAVAILABLE, "code": "unavailable"}, status=503
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
