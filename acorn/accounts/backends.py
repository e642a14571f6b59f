from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Email + password; emails are matched case-insensitively."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        if not email or not password:
            return None
        return super().authenticate(request, username=email, password=password, **kwargs)
