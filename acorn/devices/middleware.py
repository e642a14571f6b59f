from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from acorn.audit.services import audit_record
from acorn.devices.selectors import credential_is_live
from acorn.devices.services import SESSION_CREDENTIAL, SESSION_DEVICE


class DeviceSessionMiddleware:
    """A web session opened on an enrolled device lives only while the device does (D-3):
    once it is reported missing, retired or re-enrolled, the session ends on its very next
    request. The person's sessions elsewhere are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        credential_id = request.session.get(SESSION_CREDENTIAL)
        if credential_id and request.user.is_authenticated:
            device_id = request.session.get(SESSION_DEVICE)
            if not credential_is_live(credential_id):
                audit_record(
                    action="logout.device",
                    request=request,
                    object_type="device",
                    object_id=device_id,
                    detail={"device": device_id},
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    "This device is no longer in use with Acorn (it may have been reported "
                    "missing), so you were signed out. Please ask a session leader.",
                )
                return redirect("login")
            request.acorn_device_id = device_id
        return self.get_response(request)
