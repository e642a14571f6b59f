"""Issue 13: every page's header is written once per process for each role, with the
setting's name and the CSRF token put in per request (`{% site_header %}`). It must read
exactly as its template does with the page's own context, for every kind of person, and
never carry one person's name or token to the next."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import RequestContext
from django.template.loader import get_template

from acorn.conftest import signed_in_client
from acorn.core.tests import factories as f
from acorn.notices.models import Notice

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)


def _header(response) -> str:
    assert response.status_code == 200, response.status_code
    return HEADER.search(response.content.decode()).group(0)


def _as_the_template_writes_it(response) -> str:
    """The header template rendered with the page's own request, uncached."""
    template = get_template("core/_site_header.html").template
    return template.render(RequestContext(response.wsgi_request))


TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)"')


def _unmasked(html: str) -> str:
    """Each CSRF token Django writes is masked afresh: compare the secrets behind them."""
    return TOKEN.sub(lambda m: f'{m.group(1)}{_unmask_cipher_token(m.group(2))}"', html)


def _same(response) -> str:
    header = _header(response)
    assert TOKEN.search(header) or "Sign out" not in header
    assert _unmasked(header) == _unmasked(_as_the_template_writes_it(response))
    return header


def _check(client, path) -> str:
    return _same(client.get(path, follow=True))


def _notices(world, recipient, count, kind):
    Notice.objects.bulk_create(
        Notice(
            recipient=recipient,
            kind=kind,
            setting=world.setting_a,
            child=world.child,
            observation=f.observation(author=world.key_person, children=[world.child]),
        )
        for _ in range(count)
    )


def test_each_role_reads_as_the_template(world):
    world.setting_a.name = "Tom & Jerry's <Nursery>"
    world.setting_a.save()
    pages = [
        (signed_in_client(world.parent), ["/", "/account/", "/notifications/"]),
        (signed_in_client(world.manager), ["/dashboard/", "/notifications/", "/children/"]),
        (signed_in_client(world.key_person), ["/children/", "/account/"]),
    ]
    for client, paths in pages:
        for path in paths:
            _check(client, path)
    header = _check(signed_in_client(world.manager), "/dashboard/")
    assert "Tom &amp; Jerry&#x27;s &lt;Nursery&gt;" in header
    assert "Today" in header and "Review" in header


def test_counts_and_the_notices_page(world):
    _notices(world, world.parent, 3, "entry")
    client = signed_in_client(world.parent)
    header = _check(client, "/account/")
    assert "Notifications, 3 new" in header
    assert 'aria-current="page"' in _check(client, "/notifications/")
    _notices(world, world.key_person, 120, "reply")
    header = _check(signed_in_client(world.key_person), "/account/")
    assert "Notifications, 120 new" in header and "99+" in header


def test_two_step_set_up_and_signed_out(world, client):
    leader = f.staff(world.setting_a, "deputy", mfa=False)
    helper = signed_in_client(leader)
    header = _same(helper.get("/account/two-step/"))
    assert "Sign out" in header and "New observation" not in header
    assert "Sign out" not in _same(client.get("/sign-in/"))


def test_no_name_or_token_reaches_the_next_person(world):
    """Two settings' staff in turn: each header carries its own setting and token."""
    first, second = signed_in_client(world.manager), signed_in_client(world.other_manager)
    one, two = first.get("/children/"), second.get("/children/")
    assert world.setting_a.name in _header(one) and world.setting_b.name not in _header(one)
    assert world.setting_b.name in _header(two) and world.setting_a.name not in _header(two)
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _header(r)).group(1)
        for r in (one, two)
    ]
    assert tokens[0] != tokens[1]
    # Each token is the one the page's own forms carry, so signing out works.
    assert second.post("/sign-out/", {"csrfmiddlewaretoken": tokens[1]}).status_code == 302


def test_assets_are_where_static_says_and_follow_its_settings(settings):
    """`{% asset %}` looks each file up once per process: it must give `{% static %}`'s
    URL, and a new static URL or storage must give new ones."""
    from django.templatetags.static import static

    from acorn.core.templatetags.acorn_extras import asset

    for path in ("acorn/app.css", "acorn/acorn.svg", "journal/viewer.js"):
        assert asset(path) == static(path)
    settings.STATIC_URL = "/assets-elsewhere/"
    assert asset("acorn/app.css") == static("acorn/app.css")
    assert asset("acorn/app.css").startswith("/assets-elsewhere/")
