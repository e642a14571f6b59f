"""The kept original: the upload's own pictures and sound, without where it was taken."""

import pytest
from PIL import Image, ImageChops

from acorn.media_processing.originals import clean_original

from .byte_checks import contains_any, ffmpeg_summary, jpeg_metadata_markers
from .samples import (
    CAMERA_MAKE,
    HOME_ADDRESS,
    LATITUDE,
    LONGITUDE,
    clip,
    hevc_mov_with_location,
    jpeg_with_everything,
    noisy_jpeg,
)

PHOTO_MARKERS = [CAMERA_MAKE.encode(), HOME_ADDRESS.encode(), b"Acacia Town", b"GPS", b"Model 7"]
VIDEO_MARKERS = [
    LATITUDE.encode(),
    LONGITUDE.encode(),
    b"51.5074",
    b"ISO6709",
    b"loci",  # the 3GPP location box, coordinates in binary
    CAMERA_MAKE.encode(),
]


def test_jpeg_original_loses_location_and_camera_details_but_keeps_orientation_and_colour(
    tmp_path,
):
    source = jpeg_with_everything(tmp_path / "phone.jpg", orientation=6)
    assert contains_any(source, PHOTO_MARKERS)

    cleaned = clean_original(source, tmp_path / "out")

    assert cleaned.name == "original.jpg"
    assert not contains_any(cleaned, PHOTO_MARKERS)
    # Only the orientation (APP1 with one tag) and the colour profile (APP2) remain.
    assert sorted(jpeg_metadata_markers(cleaned)) == ["APP1 (EXIF/XMP)", "APP2 (ICC)"]
    with Image.open(cleaned) as image:
        exif = image.getexif()
        assert dict(exif) == {0x0112: 6}
        assert exif.get_ifd(0x8825) == {}
        assert image.info.get("icc_profile")
        assert "comment" not in image.info and "xmp" not in image.info


def test_jpeg_original_keeps_its_pixels_as_close_as_a_jpeg_can(tmp_path):
    source = noisy_jpeg(tmp_path / "noisy.jpg", size=(800, 600))
    cleaned = clean_original(source, tmp_path / "out")
    with Image.open(source) as before, Image.open(cleaned) as after:
        assert after.size == before.size
        assert after.quantization == before.quantization
        difference = ImageChops.difference(before.convert("RGB"), after.convert("RGB"))
        histogram = difference.convert("L").histogram()
        close = sum(histogram[:4]) / sum(histogram)
        assert close > 0.99  # re-encoded with the upload's own tables: next to no change


def test_png_original_is_pixel_for_pixel_the_same_without_its_text(tmp_path):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", f"{HOME_ADDRESS} {LATITUDE}{LONGITUDE}")
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE
    source = tmp_path / "screen.png"
    Image.effect_noise((120, 80), 50).convert("RGB").save(
        source, format="PNG", pnginfo=info, exif=exif
    )
    assert contains_any(source, PHOTO_MARKERS)

    cleaned = clean_original(source, tmp_path / "out")

    assert not contains_any(cleaned, [*PHOTO_MARKERS, LATITUDE.encode()])
    with Image.open(source) as before, Image.open(cleaned) as after:
        assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is None


def test_heic_original_loses_its_camera_details(tmp_path):
    import pillow_heif

    from .samples import camera_exif, half_red_half_blue

    source = tmp_path / "ipad.heic"
    half_red_half_blue().save(source, format="HEIF", exif=camera_exif(1).tobytes(), quality=90)
    assert CAMERA_MAKE.encode() in source.read_bytes()
    cleaned = clean_original(source, tmp_path / "out")
    assert cleaned.name == "original.heic"
    assert not contains_any(cleaned, PHOTO_MARKERS)
    assert pillow_heif.is_supported(cleaned)


@pytest.fixture(scope="module")
def ipad_clip(tmp_path_factory):
    return hevc_mov_with_location(tmp_path_factory.mktemp("clips") / "ipad.mov")


def test_video_original_is_copied_without_location_or_camera_tags(ipad_clip, tmp_path):
    assert contains_any(ipad_clip, VIDEO_MARKERS)

    cleaned = clean_original(ipad_clip, tmp_path / "out")

    assert cleaned.name == "original.mov"
    assert not contains_any(cleaned, VIDEO_MARKERS)
    summary = ffmpeg_summary(cleaned)
    assert "Video: hevc" in summary  # copied, not re-encoded
    assert "Audio: aac" in summary


def test_mp4_without_sound_stays_an_mp4_without_sound(tmp_path):
    source = clip(tmp_path / "silent.mp4", audio=False, extra=["-metadata", "title=Our house"])
    cleaned = clean_original(source, tmp_path / "out")
    assert cleaned.name == "original.mp4"
    assert b"Our house" not in cleaned.read_bytes()
    summary = ffmpeg_summary(cleaned)
    assert "Video: h264" in summary and "Audio:" not in summary
