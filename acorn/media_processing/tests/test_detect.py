import shutil
import zipfile

import pytest
from PIL import Image

from acorn.media_processing import Detected, MediaRejected, detect

from .samples import clip, hevc_mov_with_location, noisy_jpeg


def _save(image_format, **options):
    def make(path):
        Image.new("RGB", (32, 24), "green").save(path, format=image_format, **options)
        return path

    return make


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("photo.jpg", noisy_jpeg, Detected("photo", "image/jpeg")),
        ("photo.png", _save("PNG"), Detected("photo", "image/png")),
        ("photo.webp", _save("WEBP"), Detected("photo", "image/webp")),
        ("photo.heic", _save("HEIF"), Detected("photo", "image/heic")),
        ("clip.mp4", lambda path: clip(path, seconds=0.2), Detected("video", "video/mp4")),
        ("clip.mov", hevc_mov_with_location, Detected("video", "video/quicktime")),
    ],
)
def test_supported_photos_and_videos_are_recognised_by_content(tmp_path, name, make, expected):
    assert detect(make(tmp_path / name)) == expected


def test_file_name_is_ignored_when_content_says_otherwise(tmp_path):
    png_named_as_video = _save("PNG")(tmp_path / "holiday.mp4")
    assert detect(png_named_as_video) == Detected("photo", "image/png")


def test_detected_type_offers_an_extension_for_the_stored_original(tmp_path):
    assert detect(noisy_jpeg(tmp_path / "x.jpg")).extension == "jpg"
    assert detect(hevc_mov_with_location(tmp_path / "y.mov")).extension == "mov"


def _executable(path):
    shutil.copyfile("/bin/true", path)
    return path


def _elf_header(path):
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120)
    return path


def _text(path):
    path.write_text("Dear parents, the trip to the farm is on Tuesday.\n")
    return path


def _pdf(path):
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    return path


def _zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff not really")
    return path


def _empty(path):
    path.write_bytes(b"")
    return path


def _windows_exe(path):
    path.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    return path


@pytest.mark.parametrize(
    "make",
    [
        _executable,
        _elf_header,
        _windows_exe,
        _text,
        _pdf,
        _zip,
        _empty,
        _save("GIF"),
        _save("BMP"),
        _save("TIFF"),
        _save("AVIF"),
    ],
    ids=lambda make: getattr(make, "__name__", "save"),
)
@pytest.mark.parametrize("name", ["photo.jpg", "clip.mp4", "clip.mov", "photo.heic"])
def test_anything_else_is_refused_whatever_its_name(tmp_path, make, name):
    with pytest.raises(MediaRejected) as refused:
        detect(make(tmp_path / name))
    assert refused.value.code == "unsupported_type"
    assert "JPEG, PNG, HEIC or WebP" in refused.value.message


def test_an_mp4_brand_that_is_really_3gp_is_refused(tmp_path):
    # Old feature-phone format: same container family, but not something we promise to take.
    three_gp = tmp_path / "clip.mp4"
    three_gp.write_bytes(b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x02\x003gp4" + b"\x00" * 64)
    with pytest.raises(MediaRejected) as refused:
        detect(three_gp)
    assert refused.value.code == "unsupported_type"


def _ftyp(major, *compatible):
    body = major.encode() + b"\x00\x00\x00\x00" + b"".join(b.encode() for b in compatible)
    return len(body + b"12345678").to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 64


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_ftyp("heic", "mif1", "heic"), Detected("photo", "image/heic")),
        (_ftyp("heix", "mif1", "heix"), Detected("photo", "image/heic")),  # 10-bit HEIC
        (_ftyp("mif1", "mif1", "heic", "iso8"), Detected("photo", "image/heic")),
        (_ftyp("mif1", "mif1", "miaf"), Detected("photo", "image/heif")),
        (_ftyp("qt  ", "qt  "), Detected("video", "video/quicktime")),
        (_ftyp("mp42", "isom", "mp42"), Detected("video", "video/mp4")),
        (_ftyp("iso5", "iso5", "iso6"), Detected("video", "video/mp4")),
        (_ftyp("avc1", "avc1"), Detected("video", "video/mp4")),
        (_ftyp("M4V ", "M4V ", "mp42"), Detected("video", "video/mp4")),
        (_ftyp("XAVC", "XAVC", "mp42", "iso2"), Detected("video", "video/mp4")),  # Sony
    ],
)
def test_container_brands_that_devices_write_are_recognised(tmp_path, header, expected):
    upload = tmp_path / "upload"
    upload.write_bytes(header)
    assert detect(upload) == expected


@pytest.mark.parametrize(
    "header",
    [
        _ftyp("avif", "mif1", "avif", "miaf"),  # AVIF photos: not in the accepted list
        _ftyp("M4A ", "M4A ", "mp42"),  # audio only, major brand says so
        _ftyp("crx ", "crx "),  # Canon raw
        b"\x00\x00\x00\x08ftyp",  # box too short to hold a brand
        b"\x00\x00\xff\xffftypqt  " + b"\x00" * 16,  # box longer than the file
    ],
    ids=["avif", "m4a", "cr3", "short-box", "overlong-box"],
)
def test_other_iso_media_files_are_refused(tmp_path, header):
    upload = tmp_path / "upload.mov"
    upload.write_bytes(header)
    with pytest.raises(MediaRejected) as refused:
        detect(upload)
    assert refused.value.code == "unsupported_type"
