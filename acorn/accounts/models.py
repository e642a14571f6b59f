import base64
import hashlib
import secrets
import uuid

from cryptography.fernet import Fernet
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from acorn.core.loading import QuickLoad


def hash_token(raw: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is the right hash: only the digest
    is stored, and lookups by digest stay indexed."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _fernet() -> Fernet:
    """The key for secrets kept at rest: ACORN_ENCRYPTION_KEY if set, else derived from the
    secret key (rotating that then means people set up two-step sign-in again)."""
    from django.conf import settings

    configured = getattr(settings, "ACORN_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured.encode())
    digest = hashlib.sha256(b"acorn-at-rest:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(QuickLoad, AbstractBaseUser, PermissionsMixin):
    """A person: staff member, parent or carer. Roles live on memberships and links."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Sessions and tokens issued before this moment no longer work: "log out everywhere",
    # a password change and (later) a missing device all move it forward.
    sessions_valid_after = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or self.email

    @property
    def is_staff(self):
        # Django's admin is not installed; nobody is "staff" in Django's sense.
        return False

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    def end_all_sessions(self):
        self.sessions_valid_after = timezone.now()
        self.save(update_fields=["sessions_valid_after"])


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # staff tokens end after the setting's idle time, like web sessions.
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="token_user_expiry")]

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and self.expires_at > now
            and self.created_at >= self.user.sessions_valid_after
            and self.user.is_active
        )


class Invitation(models.Model):
    """A single-use, expiring invitation to join a setting as staff or as a child's parent."""

    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        DEPUTY = "deputy", "Deputy"
        PRACTITIONER = "practitioner", "Practitioner"
        PARENT = "parent", "Parent or carer"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    name = models.CharField(max_length=150)
    setting = models.ForeignKey("org.Setting", on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The id the invited person is known by until they accept: an account created on
    # acceptance takes it. An existing account keeps its own id, which the inviter never
    # learns before acceptance (nor its name: the invitation shows only what they typed).
    person_id = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="parent", child__isnull=False) | ~models.Q(role="parent")),
                name="parent_invitation_names_child",
            )
        ]
        indexes = [models.Index(fields=["setting", "-created_at"], name="invitation_setting")]

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class TotpDevice(models.Model):
    """A person's authenticator app (A-3). Active once confirmed with a first code. The
    last accepted time-step is kept so that a code can't be used twice."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    # The shared secret, encrypted at rest (a database copy alone can't mint codes).
    secret_sealed = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)

    @property
    def secret(self) -> str:
        return unseal(self.secret_sealed)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = seal(value)


class RecoveryCode(models.Model):
    """A single-use recovery code; only a keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_user_hash")]


class LoginFailure(models.Model):
    """One failed sign-in (password or code), for throttling per account and per address
    (A-4). Each attempt is written here as pending *before* the password is checked, so
    parallel guesses count against each other; a right password removes its own row only.
    A later successful sign-in marks the account's failures cleared (they no longer count
    for the account, but still do for the address). Old rows may be deleted."""

    at = models.DateTimeField(default=timezone.now)
    email = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    pending = models.BooleanField(default=False)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "at"], name="loginfail_email_at"),
            models.Index(fields=["ip", "at"], name="loginfail_ip_at"),
        ]
