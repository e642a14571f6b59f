"""Media on S3-compatible object storage, against a real S3 endpoint on loopback (moto's
server mode): the same upload, processing, authorised delivery and deletion as on disk."""

import io
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date

import boto3
import pytest
from PIL import Image

from acorn.journal.models import MediaItem
from acorn.journal.tests.media_helpers import gps_jpeg, upload

BUCKET = "acorn-media-test"
KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "eu-west-2"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("moto's S3 server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-west-2",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                **KEYS,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client, prefix=""):
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_media_lives_privately_on_s3_and_is_deleted_with_its_entry(
    world, api, bucket, tmp_path, settings, django_capture_on_commit_callbacks
):
    staff = api(world.key_person)
    with django_capture_on_commit_callbacks(execute=True):
        media_id = upload(staff, gps_jpeg(tmp_path)).json()["id"]
    item = MediaItem.objects.get(pk=media_id)
    assert item.status == "ready"
    keys = _keys(bucket, item.storage_prefix)
    assert [k.rsplit("/", 1)[1] for k in keys] == ["display.jpg", "original.jpg", "thumb.webp"]
    for key in keys:
        grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in str(g.get("Grantee"))]

    oid = staff.post(
        "/observations",
        {
            "children": [str(world.child.pk)],
            "observed_on": date.today().isoformat(),
            "media": [{"id": media_id}],
            "publish": True,
        },
    ).json()["id"]

    # Streamed through Django (the default): authorised, then the bytes.
    parent = api(world.parent)
    response = parent.get(f"/media/{media_id}/content", rendition="display")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"
    assert api(world.other_parent).get(f"/media/{media_id}/content").status_code == 404

    # Signed delivery: authorised, then a short-lived signed URL for that one file.
    settings.ACORN_MEDIA_DELIVERY = "signed"
    response = parent.get(f"/media/{media_id}/content", rendition="thumb")
    assert response.status_code == 302
    signed = response["Location"]
    assert "Signature" in signed or "X-Amz-Signature" in signed
    assert "Expires=" in signed or "X-Amz-Expires=60" in signed
    with urllib.request.urlopen(signed) as fetched:  # noqa: S310 - loopback test server
        assert Image.open(fetched).format == "WEBP"
    assert (
        api(world.far_parent).get(f"/media/{media_id}/content", rendition="thumb").status_code
        == 404
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert staff.delete(f"/observations/{oid}").status_code == 204
    assert _keys(bucket, item.storage_prefix) == []
