"""Throttling and lock-out of failed sign-ins (A-4), kept in the database so that every
web process and worker sees the same count without another service.

Five failures for one account within 15 minutes lock that account for 15 minutes from
the fifth; twenty from one address lock the address the same way. While locked, sign-in
is refused without checking the password, and the refusal is audited.

Checking a password takes a while (Argon2), so a check-then-record throttle lets parallel
guesses all pass the check before any is recorded. Instead each attempt is counted and
written, as a pending failure, in one step under a lock, before its password is checked:
of any number of parallel attempts no more than the limit get their password checked. A right password removes only its own row. A complete sign-in stops the
account's earlier failures counting for the account (they still count for the address,
and they stay in the table and the audit trail as evidence)."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from acorn.accounts.models import LoginFailure, User
from acorn.audit.services import audit_record, client_ip, person_event_record
from acorn.core.policy import Throttled


def _normal(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _locked(failures, limit: int, now) -> bool:
    window = timedelta(minutes=settings.ACORN_LOCKOUT_MINUTES)
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    return len(recent) == limit and recent[0] - recent[-1] <= window and now - recent[0] < window


def _is_locked(*, email: str, ip) -> bool:
    now = timezone.now()
    failures = LoginFailure.objects.all()
    if email and _locked(
        failures.filter(email=email, cleared_at__isnull=True),
        settings.ACORN_LOCKOUT_ACCOUNT_FAILURES,
        now,
    ):
        return True
    return bool(ip) and _locked(
        failures.filter(ip=ip), settings.ACORN_LOCKOUT_ADDRESS_FAILURES, now
    )


def _refuse(*, email: str, request):
    audit_record(action="refused.throttled", request=request, detail={"email": email})
    raise Throttled(
        "There have been too many failed attempts to sign in. For safety, sign-in is "
        f"paused for {settings.ACORN_LOCKOUT_MINUTES} minutes. Please try again later, "
        "or reset your password."
    )


class SignInAttempt:
    """One password or code check, counted as a failure until it is known to be right."""

    def __init__(self, *, row: LoginFailure, request):
        self.row = row
        self.request = request

    def failed(self, *, reason: str = "password") -> None:
        LoginFailure.objects.filter(pk=self.row.pk).update(pending=False)
        _audit_failure(email=self.row.email, request=self.request, reason=reason)

    def passed(self) -> None:
        """The password or code was right: this attempt was no failure."""
        LoginFailure.objects.filter(pk=self.row.pk).delete()


def _serialise(*keys: str) -> None:
    """Holds, until the transaction ends, a lock per account and per address, so that
    counting the attempts and adding this one happen as one step. SQLite needs nothing
    more: Acorn opens every transaction there with BEGIN IMMEDIATE, one writer at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(keys):  # one order everywhere, so two attempts can't deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def attempt_begin(*, email: str, request) -> SignInAttempt:
    """Reserves a place among the account's and address's allowed failures before the
    password is checked; raises Throttled (audited) when there is none."""
    email = _normal(email)
    ip = client_ip(request)
    with transaction.atomic():
        _serialise(f"acorn.sign-in.account:{email}", f"acorn.sign-in.address:{ip}")
        locked = _is_locked(email=email, ip=ip)
        if not locked:
            row = LoginFailure.objects.create(email=email, ip=ip, pending=True)
    if locked:
        _refuse(email=email, request=request)
    return SignInAttempt(row=row, request=request)


def throttle_check(*, email: str, request) -> None:
    """Refuses while the account or address is locked. Prefer attempt_begin around a
    password check: this alone can be raced."""
    email = _normal(email)
    if _is_locked(email=email, ip=client_ip(request)):
        _refuse(email=email, request=request)


def failure_record(*, email: str, request, reason: str = "password") -> None:
    LoginFailure.objects.create(email=_normal(email), ip=client_ip(request))
    _audit_failure(email=email, request=request, reason=reason)


def _audit_failure(*, email: str, request, reason: str) -> None:
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
    """After a complete sign-in: the account's earlier failures stop counting for the
    account. They are kept, and still count for the address, so someone who knows their
    own password can't wipe the count of guesses made at colleagues' accounts."""
    LoginFailure.objects.filter(
        email=_normal(email), pending=False, cleared_at__isnull=True
    ).update(cleared_at=timezone.now())
