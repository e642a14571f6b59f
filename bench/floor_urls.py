"""Bench-only URLconf: Acorn's own URLs plus the floor page the bench compares against.
Never used by the server: bench/pages_bench.py sets it for its own process only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from acorn.urls import urlpatterns as acorn_urlpatterns

_TEMPLATE = engines["django"].from_string("<p>{{ settings }} settings</p>")


@login_required
def floor(request):
    """Django's floor: signed in, one query, a one-line template."""
    from acorn.org.models import Setting

    return HttpResponse(_TEMPLATE.render({"settings": Setting.objects.count()}, request))


urlpatterns = [path("bench-floor/", floor), *acorn_urlpatterns]
