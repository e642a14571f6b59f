"""Throttling and lock-out of failed sign-ins (A-4), kept in the database so that every
web process and worker sees the same count without another service.

Five failures for one account within 15 minutes lock that account for 15 minutes from
the fifth; twenty from one address lock the address the same way. While locked, sign-in
is refused without checking the password, and the refusal is audited."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from acorn.accounts.models import LoginFailure, User
from acorn.audit.services import audit_record, client_ip, person_event_record
from acorn.core.policy import Throttled


def _locked(failures, limit: int, now) -> bool:
    window = timedelta(minutes=settings.ACORN_LOCKOUT_MINUTES)
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    return len(recent) == limit and recent[0] - recent[-1] <= window and now - recent[0] < window


def throttle_check(*, email: str, request) -> None:
    now = timezone.now()
    ip = client_ip(request)
    email = (email or "").strip().lower()[:254]
    locked = email and _locked(
        LoginFailure.objects.filter(email=email), settings.ACORN_LOCKOUT_ACCOUNT_FAILURES, now
    )
    if not locked and ip:
        locked = _locked(
            LoginFailure.objects.filter(ip=ip), settings.ACORN_LOCKOUT_ADDRESS_FAILURES, now
        )
    if locked:
        audit_record(action="refused.throttled", request=request, detail={"email": email})
        raise Throttled(
            "There have been too many failed attempts to sign in. For safety, sign-in is "
            f"paused for {settings.ACORN_LOCKOUT_MINUTES} minutes. Please try again later, "
            "or reset your password."
        )


def failure_record(*, email: str, request, reason: str = "password") -> None:
    LoginFailure.objects.create(email=(email or "").strip().lower()[:254], ip=client_ip(request))
    detail = {"email": email[:254], "reason": reason}
    account = User.objects.filter(email__iexact=(email or "").strip()).first()
    if account is None:
        audit_record(action="login.failed", request=request, detail=detail)
    else:
        # Shown to the leaders of the account's settings, against the account tried.
        person_event_record(
            action="login.failed",
            person=account,
            request=request,
            object_type="user",
            object_id=account.pk,
            detail=detail,
        )


def failures_clear(*, email: str) -> None:
    LoginFailure.objects.filter(email=(email or "").strip().lower()[:254]).delete()
