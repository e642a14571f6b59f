from django.shortcuts import render

from acorn.core.policy import PolicyRefusal


class PolicyRefusalMiddleware:
    """Turns a policy refusal raised by a page into a clear 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PolicyRefusal):
            return render(
                request,
                "403.html",
                {"refusal": exception},
                status=exception.status,
            )
        return None
