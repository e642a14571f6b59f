from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acorn.core.access import session_leader_admin, staff
from acorn.devices import selectors, services
from acorn.devices.forms import DeviceForm, MissingForm, SignatureForm, SignOutRequestForm
from acorn.devices.models import Device
from acorn.devices.rules import DeviceUnavailable, require_key_worker


def _device_of_my_setting(request, device_id) -> Device:
    """Only the setting the leader is working in: another setting's device is 404."""
    device = selectors.device_for(request.user, device_id)
    if device.setting_id != request.membership.setting_id:
        raise Http404
    return device


def _add_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@session_leader_admin
def register(request):
    """D-1: the setting's tablets and cameras, what is waiting for authorisation, and
    what is overdue."""
    setting = request.membership.setting
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_register(
                setting=setting, registered_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{device.name} is on the register.")
            return redirect("devices:register")
    devices = [(d, selectors.signed_out_to(d)) for d in selectors.devices_of(setting)]
    return render(
        request,
        "devices/register.html",
        {
            "setting": setting,
            "devices": devices,
            "waiting": list(selectors.signouts_waiting(setting)),
            "overdue": list(selectors.signouts_overdue(setting)),
            "form": form,
            "signature_form": SignatureForm(),
        },
    )


@session_leader_admin
def device_detail(request, device_id):
    device = _device_of_my_setting(request, device_id)
    initial = {f: getattr(device, f) for f in ("name", "kind", "serial", "asset_tag", "notes")}
    form = DeviceForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.device_update(
                device=device,
                changed_by=request.user,
                request=request,
                **{k: v for k, v in form.cleaned_data.items() if k != "kind"},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("devices:detail", device_id=device.pk)
    return render(
        request,
        "devices/detail.html",
        {
            "device": device,
            "form": form,
            "missing_form": MissingForm(),
            "signouts": device.signouts.select_related("person", "authorised_by")[:50],
            "this_browser": request.session.get(services.SESSION_DEVICE) == str(device.pk),
        },
    )


@session_leader_admin
@require_POST
def enrol(request, device_id):
    """Enrol the tablet this page is open on: its browser keeps a device credential (a
    cookie that outlives sign-out), and this session and later sign-ins on it belong to
    the device."""
    device = _device_of_my_setting(request, device_id)
    try:
        credential, raw = services.device_enrol(
            device=device, enrolled_by=request.user, request=request
        )
    except DeviceUnavailable as error:
        messages.error(request, str(error))
        return redirect("devices:detail", device_id=device.pk)
    request.session[services.SESSION_DEVICE] = str(device.pk)
    request.session[services.SESSION_CREDENTIAL] = str(credential.pk)
    messages.success(
        request,
        f"This tablet is now enrolled as {device.name}. Sign-ins on it are recorded "
        "against it, and if it is reported missing they end at once.",
    )
    response = redirect("devices:detail", device_id=device.pk)
    services.set_device_cookie(response, raw, secure=settings.SESSION_COOKIE_SECURE)
    return response


@session_leader_admin
@require_POST
def missing(request, device_id):
    device = _device_of_my_setting(request, device_id)
    form = MissingForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.device_report_missing(
        device=device, reported_by=request.user, note=note, request=request
    )
    messages.success(
        request,
        f"{device.name} is marked missing. Anyone signed in on it is signed out on its next "
        "request, and it can't be used with Acorn until it is enrolled again.",
    )
    return redirect("devices:detail", device_id=device.pk)


@session_leader_admin
@require_POST
def retire(request, device_id):
    device = _device_of_my_setting(request, device_id)
    try:
        services.device_retire(device=device, retired_by=request.user, request=request)
    except DeviceUnavailable as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{device.name} is retired.")
    return redirect("devices:detail", device_id=device.pk)


@staff
def take(request):
    """D-2: a key worker asks to take a device out, and signs. Others see why they can't."""
    setting = request.membership.setting
    require_key_worker(request.user, setting)
    available = Device.objects.filter(setting=setting, state=Device.State.IN_SETTING)
    form = SignOutRequestForm(request.POST or None, devices=available)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signout_request(
                device=data["device"],
                person=request.user,
                reason=data["reason"],
                expected_back=data["expected_back"],
                signature_name=data["signature_name"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except DeviceUnavailable as error:
            form.add_error("device", str(error))
        else:
            messages.success(
                request,
                f"Signed. {data['device'].name} can leave once a session leader authorises it.",
            )
            return redirect("devices:take")
    return render(
        request,
        "devices/take.html",
        {
            "form": form,
            "mine": list(selectors.signouts_of_person(request.user, setting)),
            "now": timezone.now(),
        },
    )


@session_leader_admin
@require_POST
def authorise(request, signout_id):
    signout = selectors.signout_for(request.user, signout_id)
    if signout.setting_id != request.membership.setting_id:
        raise Http404
    form = SignatureForm(request.POST)
    try:
        services.signout_authorise(
            signout=signout,
            leader=request.user,
            signature_name=form.data.get("signature_name", ""),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DeviceUnavailable as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Authorised: {signout.device.name} is signed out to {signout.person.name}."
        )
    return redirect("devices:register")


@staff
@require_POST
def record_return(request, signout_id):
    signout = selectors.signout_for(request.user, signout_id)
    is_leader = request.membership.is_session_leader
    if signout.setting_id != request.membership.setting_id or (
        signout.person_id != request.user.pk and not is_leader
    ):
        raise Http404
    try:
        services.signout_return(signout=signout, recorded_by=request.user, request=request)
    except DeviceUnavailable as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{signout.device.name} is back. Thank you.")
    return redirect("devices:register" if is_leader else "devices:take")


def _month(value):
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.replace(day=1)


@session_leader_admin
def sheet(request):
    """The sign-out sheet for a month, to print (D-2)."""
    setting = request.membership.setting
    month = _month(request.GET.get("month"))
    return render(
        request,
        "devices/sheet.html",
        {
            "setting": setting,
            "month": month,
            "rows": list(selectors.sheet_for_month(setting, month.year, month.month)),
        },
    )
