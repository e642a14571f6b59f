"""Keepsake pages (L-3): start an export from the child's journal or profile, watch it
being made, then download it."""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.selectors import child_for
from acorn.core.access import session_leader, signed_in
from acorn.leaving import selectors, services
from acorn.leaving.models import EXPORT_KEPT_DAYS, GRACE_DAYS, KeepsakeExport, Transfer


def keepsake_file_response(request, export):
    """The zip as a download (the only attachment Acorn serves: the leaving export)."""
    from django.http import Http404

    if export.status != KeepsakeExport.Status.READY or not export.storage_name:
        raise Http404("This keepsake isn't ready yet.")
    audit_record(
        action="keepsake.download",
        request=request,
        setting_id=export.child.setting_id,
        child_id=export.child_id,
        object_type="keepsake_export",
        object_id=export.pk,
    )
    services.keepsake_downloaded(export)
    response = FileResponse(
        default_storage.open(export.storage_name, "rb"),
        as_attachment=True,
        filename="keepsake.zip",
        content_type="application/zip",
    )
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
@require_POST
def keepsake_start(request, child_id):
    child = child_for(request.user, child_id)
    export = services.keepsake_request(child=child, requested_by=request.user, request=request)
    return redirect("leaving:keepsake", export_id=export.pk)


@signed_in
def keepsake_page(request, export_id):
    export = selectors.keepsake_for(request.user, export_id)
    return render(
        request,
        "leaving/keepsake.html",
        {
            "export": export,
            "child": export.child,
            "available_until": selectors.keepsake_available_until(request.user, export),
            "kept_days": EXPORT_KEPT_DAYS,
        },
    )


@signed_in
def keepsake_download(request, export_id):
    return keepsake_file_response(request, selectors.keepsake_for(request.user, export_id))


# --- Leaving (L-1) and transfers (L-2) ---------------------------------------------------


def _leaving_child(request, child_id):
    """The child, for a session leader working in the child's own setting."""
    from acorn.core.policy import Forbidden

    child = child_for(request.user, child_id)
    if child.setting_id != request.membership.setting_id:
        raise Forbidden("Switch to this child's setting to record their leaving.")
    return child


def _destinations(child, *, q="", chosen=None):
    from acorn.org.models import Setting

    found = [s for s in selectors.directory(q, limit=21) if s.pk != child.setting_id] if q else []
    found = found[:20]
    ids = {s.pk for s in found}
    for setting_id in (chosen,):
        if setting_id and setting_id != child.setting_id:
            extra = Setting.objects.filter(pk=setting_id).first()
            if extra is not None and extra.pk not in ids:
                found.insert(0, extra)
    return found


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@session_leader
def leaving_edit(request, child_id):
    """Record, change or cancel a child's leaving: the date and where they go. A second
    step says plainly what will happen before anything is saved."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from acorn.leaving.forms import NOT_ON_ACORN, LeavingForm
    from acorn.leaving.models import Leaving, Transfer
    from acorn.leaving.rules import is_archived

    child = _leaving_child(request, child_id)
    leaving = Leaving.objects.filter(child=child).select_related("destination_setting").first()
    transfer = (
        Transfer.objects.filter(child=child, from_setting_id=child.setting_id)
        .select_related("to_setting")
        .order_by("-offered_at")
        .first()
    )
    closed = is_archived(child)
    q = request.GET.get("q", "").strip()[:80]
    posted = request.POST.get("destination") if request.method == "POST" else None
    chosen = _uuid(posted) if posted else (leaving.destination_setting_id if leaving else None)
    destinations = _destinations(child, q=q, chosen=chosen)
    initial = {}
    if leaving is not None:
        initial = {
            "leaving_on": leaving.leaving_on,
            "destination": str(leaving.destination_setting_id or NOT_ON_ACORN),
            "destination_name": "" if leaving.destination_setting_id else leaving.destination_name,
        }
    form = LeavingForm(
        request.POST if request.method == "POST" and not closed else None,
        initial=initial,
        settings=destinations,
    )
    confirming = None
    if form.is_bound and form.is_valid():
        destination_id = form.destination_setting_id()
        destination = next((s for s in destinations if str(s.pk) == destination_id), None)
        if request.POST.get("confirm") == "1":
            try:
                services.leaving_record(
                    child=child,
                    recorded_by=request.user,
                    leaving_on=form.cleaned_data["leaving_on"],
                    destination_setting_id=destination_id,
                    destination_name=""
                    if destination_id
                    else form.cleaned_data["destination_name"],
                    request=request,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"{child.first_name}'s leaving is recorded.")
                return redirect("leaving:leaving", child_id=child.pk)
        else:
            confirming = {
                "leaving_on": form.cleaned_data["leaving_on"],
                "destination": destination,
                "destination_name": form.cleaned_data["destination_name"].strip(),
                "today": timezone_today(),
            }
    return render(
        request,
        "leaving/leaving.html",
        {
            "child": child,
            "leaving": leaving,
            "transfer": transfer,
            "closed": closed,
            "form": form,
            "q": q,
            "searched": bool(q),
            "destinations": destinations,
            "confirming": confirming,
            "grace_days": GRACE_DAYS,
        },
    )


def timezone_today():
    from acorn.leaving.rules import today

    return today()


@session_leader
@require_POST
def leaving_cancel(request, child_id):
    from django.contrib import messages

    child = _leaving_child(request, child_id)
    services.leaving_cancel(child=child, cancelled_by=request.user, request=request)
    messages.success(request, f"{child.first_name} is staying: the leaving record is gone.")
    return redirect("children:detail", child_id=child.pk)


@session_leader
def transfers(request):
    """Children other settings on Acorn are sending here, for the session leaders."""
    from datetime import timedelta

    from django.utils import timezone

    setting = request.membership.setting
    rows = list(
        selectors.transfers_incoming(
            setting, include_done_since=timezone.now() - timedelta(days=30)
        )
    )
    return render(request, "leaving/transfers.html", {"setting": setting, "transfers": rows})


def _transfer_here(request, transfer_id):
    from acorn.core.policy import Forbidden

    transfer = selectors.transfer_for(request.user, transfer_id)
    if transfer.to_setting_id != request.membership.setting_id:
        raise Forbidden("Switch to the setting the child is joining to answer this.")
    return transfer


def _transfer_page(request, transfer, accept_form=None, decline_form=None, status=200):
    from acorn.leaving.forms import TransferAcceptForm, TransferDeclineForm

    staff = services.key_person_choices(transfer.to_setting)
    return render(
        request,
        "leaving/transfer.html",
        {
            "transfer": transfer,
            "open": transfer.status == Transfer.Status.OFFERED,
            "shows_child": transfer.status in (*Transfer.OPEN, Transfer.Status.COMPLETED),
            "accept_form": accept_form or TransferAcceptForm(staff=staff),
            "decline_form": decline_form or TransferDeclineForm(),
            "today": timezone_today(),
        },
        status=status,
    )


@session_leader
def transfer_detail(request, transfer_id):
    return _transfer_page(request, _transfer_here(request, transfer_id))


def _closed_message(request, error):
    from django.contrib import messages

    messages.error(request, str(error))
    return redirect("leaving:transfers")


@session_leader
@require_POST
def transfer_accept(request, transfer_id):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from acorn.leaving.forms import TransferAcceptForm

    transfer = _transfer_here(request, transfer_id)
    form = TransferAcceptForm(request.POST, staff=services.key_person_choices(transfer.to_setting))
    if form.is_valid():
        try:
            transfer = services.transfer_accept(
                transfer=transfer,
                accepted_by=request.user,
                key_person_id=form.cleaned_data["key_person_id"],
                request=request,
            )
        except services.TransferClosed as error:
            return _closed_message(request, error)
        except ValidationError as error:
            form.add_error("key_person_id", error.message_dict.get("key_person_id", error.messages))
        else:
            transfer.refresh_from_db()
            name = transfer.child.first_name
            if transfer.status == Transfer.Status.COMPLETED:
                messages.success(request, f"Welcome, {name}! Their journal is here now.")
                return redirect("children:detail", child_id=transfer.child_id)
            messages.success(
                request,
                f"Accepted. {name} and their journal arrive on {transfer.leaving_on:%-d %B %Y}.",
            )
            return redirect("leaving:transfers")
    return _transfer_page(request, transfer, accept_form=form, status=422)


@session_leader
@require_POST
def transfer_decline(request, transfer_id):
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from acorn.leaving.forms import TransferDeclineForm

    transfer = _transfer_here(request, transfer_id)
    form = TransferDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_decline(
                transfer=transfer,
                declined_by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.TransferClosed as error:
            return _closed_message(request, error)
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("reason", error.messages))
        else:
            messages.success(request, f"Declined. {transfer.from_setting.name} has been told why.")
            return redirect("leaving:transfers")
    return _transfer_page(request, transfer, decline_form=form, status=422)
