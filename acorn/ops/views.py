from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from acorn.core.access import public
from acorn.ops.health import health


@never_cache
@public
def healthz(request):
    """For load balancers and monitoring: no personal data, no session needed."""
    status, body = health()
    return JsonResponse(body, status=status)
