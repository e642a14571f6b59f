import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acorn.settings")
application = get_wsgi_application()

from acorn.ops.collector import settle  # noqa: E402 - once Django and Acorn are loaded

settle()
