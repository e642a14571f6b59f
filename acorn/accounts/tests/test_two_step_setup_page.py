"""Two-step set-up that works on a phone (issue 14): a QR code, a numeric code box,
recovery codes that can be downloaded once and copied, and help named by role."""

import re

import pyotp
from django.test import Client
from django.utils import timezone

from acorn.accounts.models import TotpDevice
from acorn.core.tests import factories as f


def _enrolling(world, role="deputy", email="dee@a.test"):
    person = f.staff(world.setting_a, role, mfa=False, email=email)
    client = Client()
    client.post("/sign-in/", {"email": person.email, "password": f.PASSWORD})
    return person, client


def _confirm(client, person):
    client.get("/account/two-step/")
    secret = TotpDevice.objects.get(user=person).secret
    return client.post("/account/two-step/", {"code": pyotp.TOTP(secret).at(timezone.now())})


def test_set_up_page_shows_a_qr_code_as_an_inline_image(world):
    _, client = _enrolling(world)
    page = client.get("/account/two-step/").content.decode()
    qr = re.search(r'<img[^>]*class="qr"[^>]*>', page)
    assert qr, "no QR code image"
    assert 'src="data:image/svg+xml' in qr.group(0)
    assert 'alt="' in qr.group(0) and 'alt=""' not in qr.group(0)
    assert "style=" not in qr.group(0)


def test_set_up_code_box_brings_up_the_number_pad(world):
    _, client = _enrolling(world)
    page = client.get("/account/two-step/").content.decode()
    box = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in box and 'autocomplete="one-time-code"' in box


def test_sign_in_code_box_is_numeric_and_recovery_code_box_is_not(world):
    client = Client()
    client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
    page = client.get("/sign-in/code/").content.decode()
    box = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in box and 'autocomplete="one-time-code"' in box
    assert "?recovery=1" in page
    recovery = client.get("/sign-in/code/?recovery=1").content.decode()
    box = re.search(r'<input[^>]*name="code"[^>]*>', recovery).group(0)
    assert 'inputmode="numeric"' not in box
    raw = f.recovery_code(world.manager)
    assert client.post("/sign-in/code/?recovery=1", {"code": raw}).status_code == 302


def test_recovery_codes_download_once_right_after_set_up(world):
    person, client = _enrolling(world)
    done = _confirm(client, person).content.decode()
    codes = re.findall(r"<li>([a-z0-9-]+)</li>", done.split('id="recovery-codes"')[1])
    assert len(codes) == 10
    assert 'href="/account/two-step/recovery-codes.txt"' in done
    assert "data-copy" in done
    download = client.get("/account/two-step/recovery-codes.txt")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    body = download.content.decode()
    assert all(code in body for code in codes)
    again = client.get("/account/two-step/recovery-codes.txt")
    assert again.status_code == 404
    assert not any(code in again.content.decode() for code in codes)


def test_recovery_codes_cannot_be_downloaded_without_a_fresh_set_up(world):
    from acorn.conftest import signed_in_client

    client = signed_in_client(world.manager)
    assert client.get("/account/two-step/recovery-codes.txt").status_code == 404


def test_code_page_never_tells_a_manager_to_ask_her_manager(world):
    client = Client()
    client.post("/sign-in/", {"email": "manager@a.test", "password": f.PASSWORD})
    page = client.get("/sign-in/code/").content.decode()
    assert "ask your manager" not in page.lower()
    assert "recovery code" in page
    assert "another manager" in page


def test_code_page_names_the_manager_for_practitioners(world):
    person = f.staff(world.setting_a, "deputy", email="dep@a.test")
    client = Client()
    client.post("/sign-in/", {"email": person.email, "password": f.PASSWORD})
    page = client.get("/sign-in/code/").content.decode()
    assert "recovery code" in page and "manager" in page


def test_enrolled_page_never_tells_a_manager_to_ask_her_manager(world):
    from acorn.conftest import signed_in_client

    page = signed_in_client(world.manager).get("/account/two-step/").content.decode()
    assert "ask your manager" not in page.lower()
