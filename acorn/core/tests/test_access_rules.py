"""Every route declares who it is for (STYLE.md: access is decided in one place)."""

from django.urls import URLPattern, URLResolver, get_resolver

from acorn.api import api
from acorn.core.access import ACCESS_RULES


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _api_operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation.methods, operation.view_func


def test_every_page_declares_an_access_rule():
    undeclared = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue  # checked per operation below
        rule = getattr(callback, "access_rule", None)
        if rule not in ACCESS_RULES:
            undeclared.append(route)
    assert undeclared == []


def test_every_api_operation_declares_an_access_rule():
    operations = list(_api_operations())
    assert len(operations) >= 12
    undeclared = [
        (path, methods)
        for path, methods, func in operations
        if getattr(func, "access_rule", None) not in ACCESS_RULES
    ]
    assert undeclared == []


def test_only_sign_in_and_invitation_endpoints_skip_api_auth():
    open_operations = sorted(
        path for path, _methods, func in _api_operations() if func.access_rule == "public"
    )
    assert open_operations == ["/auth/token", "/invitations/{token}/accept"]
