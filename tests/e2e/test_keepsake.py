"""L-3: in the grace period after a child has left, the parent downloads a keepsake of
the journal from the journal page: the page shows it being made, then the download."""

import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from acorn.children.models import Child
from acorn.core.tests import factories as f
from acorn.leaving.models import Leaving
from acorn.leaving.tests.test_keepsake import photo

from .conftest import PHONE
from .test_first_journey import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def left_ten_days_ago(transactional_db):
    setting = f.SettingFactory(name="Rowan Nursery")
    key_person = f.staff(setting, "practitioner", name="Kim Key", email="kim@rowan.test")
    ada = f.ChildFactory(setting=setting, first_name="Ada", last_name="Ash", key_person=key_person)
    f.parent_of(ada, name="Anna Ash", email="anna@home.test")
    entry = f.observation(author=key_person, children=[ada], text="Ada planted sunflowers.")
    picture = photo(
        SimpleNamespace(key_person=key_person),
        observation=entry,
        appears=[ada],
        colour=(220, 180, 0),
    )
    Leaving.objects.create(
        child=ada,
        leaving_on=timezone.localdate() - timedelta(days=10),
        destination_name="Oak Primary",
    )
    Child.objects.filter(pk=ada.pk).update(status=Child.Status.ARCHIVED)
    return SimpleNamespace(ada=ada, entry=entry, photo=picture)


def test_parent_downloads_a_keepsake_in_the_grace_period(new_page, left_ten_days_ago):
    w = left_ten_days_ago
    page = new_page(PHONE, accept_downloads=True)
    sign_in(page, "anna@home.test")
    page.goto(f"/children/{w.ada.pk}/journal")
    expect(page.get_by_text("Ada planted sunflowers.")).to_be_visible()
    page.get_by_role("button", name="Download a keepsake").click()
    expect(page.get_by_role("heading", name="Ada's keepsake")).to_be_visible()
    link = page.get_by_role("link", name="Download the keepsake")
    expect(link).to_be_visible()
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "keepsake.zip"
    with open(download.path(), "rb") as saved:
        archive = zipfile.ZipFile(io.BytesIO(saved.read()))
    names = archive.namelist()
    assert "journal.json" in names and "journal.pdf" in names
    document = json.loads(archive.read("journal.json"))
    assert [e["text"] for e in document["entries"]] == ["Ada planted sunflowers."]
    media = [n for n in names if n.startswith("media/")]
    assert [archive.read(n) for n in media] == [w.photo.files["display.jpg"]]
