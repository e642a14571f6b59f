from urllib.parse import urlencode

from django.shortcuts import redirect, render

from acorn.audit.services import audit_record
from acorn.core.policy import PolicyRefusal, ReauthenticationRequired


def audit_refusal(request, refusal: PolicyRefusal) -> None:
    """Every policy refusal leaves an audit line (A-8): who, which rule, where from."""
    membership = getattr(request, "membership", None)
    audit_record(
        action=f"refused.{refusal.code}",
        request=request,
        setting_id=getattr(membership, "setting_id", None),
        object_type="path",
        object_id=request.path[:64],
        detail={"method": request.method},
    )


class PolicyRefusalMiddleware:
    """Turns a policy refusal raised by a page into a clear 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ReauthenticationRequired):
            audit_refusal(request, exception)
            return redirect("/confirm-it-is-you/?" + urlencode({"next": request.get_full_path()}))
        if isinstance(exception, PolicyRefusal):
            audit_refusal(request, exception)
            return render(
                request,
                "403.html",
                {"refusal": exception},
                status=exception.status,
            )
        return None
