import hashlib
import warnings

import pytest
from PIL import Image, ImageDraw

from acorn.media_processing import MediaLimits, MediaRejected, PhotoResult, process_photo

from .byte_checks import contains_any, files_under, jpeg_metadata_markers, webp_chunks
from .samples import (
    BLUE,
    CAMERA_MAKE,
    HOME_ADDRESS,
    RED,
    camera_exif,
    clip,
    half_red_half_blue,
    jpeg_with_everything,
    noisy_jpeg,
    png_bomb,
)

# Things a phone photo carries that must not reach a rendition.
LEAK_MARKERS = [
    CAMERA_MAKE.encode(),
    HOME_ADDRESS.encode(),
    b"Acacia Town",  # XMP city
    b"Exif\x00\x00",
    b"x:xmpmeta",
    b"Photoshop 3.0",
    b"8BIM",
]


def close_to(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def assert_no_metadata(result: PhotoResult):
    display, thumb = result.renditions["display"], result.renditions["thumb"]
    assert jpeg_metadata_markers(display) == []
    assert set(webp_chunks(thumb)) <= {"VP8 ", "VP8L"}, "VP8X would announce EXIF/XMP/ICC"
    for path in (display, thumb):
        with Image.open(path) as rendition:
            assert len(rendition.getexif()) == 0
            assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(rendition.info)
        assert contains_any(path, LEAK_MARKERS) == []


@pytest.fixture(params=[True, False], ids=["with-icc", "without-icc"])
def phone_jpeg(request, tmp_path):
    # With and without a colour profile: converting colours must not be what happens to
    # strip the metadata.
    return jpeg_with_everything(tmp_path / "IMG_0001.jpg", orientation=6, icc=request.param)


def test_gps_is_absent_from_every_photo_rendition(phone_jpeg, out_dir):
    with Image.open(phone_jpeg) as original:  # the sample really does carry a location
        assert original.getexif().get_ifd(0x8825)[2] == (51.0, 30.0, 26.64)

    result = process_photo(phone_jpeg, out_dir)

    for path in result.renditions.values():
        with Image.open(path) as rendition:
            assert rendition.getexif().get_ifd(0x8825) == {}
    assert_no_metadata(result)


def test_camera_exif_xmp_iptc_comment_and_icc_are_all_dropped(phone_jpeg, out_dir):
    assert contains_any(phone_jpeg, LEAK_MARKERS) == LEAK_MARKERS  # present before

    assert_no_metadata(process_photo(phone_jpeg, out_dir))


def test_exif_orientation_is_applied_so_renditions_stand_upright(phone_jpeg, out_dir):
    # Stored 300x150 with red on the left; orientation 6 means "turn 90 degrees clockwise",
    # so upright it is 150x300 with red at the top.
    result = process_photo(phone_jpeg, out_dir)

    assert (result.width, result.height) == (150, 300)
    for path in result.renditions.values():
        with Image.open(path) as rendition:
            width, height = rendition.size
            assert height == 2 * width
            rgb = rendition.convert("RGB")
            assert close_to(rgb.getpixel((width // 2, height // 10)), RED)
            assert close_to(rgb.getpixel((width // 2, height * 9 // 10)), BLUE)


def test_display_is_progressive_jpeg_and_thumb_is_webp_within_their_sizes(tmp_path, out_dir):
    big = noisy_jpeg(tmp_path / "big.jpg", size=(2400, 1800))

    result = process_photo(big, out_dir, MediaLimits(display_px=1600, thumb_px=400))

    assert (result.width, result.height) == (2400, 1800)
    with Image.open(result.renditions["display"]) as display:
        assert display.format == "JPEG" and display.mode == "RGB"
        assert display.size == (1600, 1200)
        assert display.info.get("progressive") or display.info.get("progression")
    with Image.open(result.renditions["thumb"]) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (400, 300)


def test_small_photo_is_not_enlarged(tmp_path, out_dir):
    small = noisy_jpeg(tmp_path / "small.jpg", size=(320, 200))

    result = process_photo(small, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert display.size == (320, 200)
    with Image.open(result.renditions["thumb"]) as thumb:
        assert thumb.size == (320, 200)


def test_renditions_are_the_only_files_written(phone_jpeg, out_dir):
    result = process_photo(phone_jpeg, out_dir)

    assert files_under(out_dir) == ["display.jpg", "thumb.webp"]
    assert result.renditions == {
        "display": out_dir / "display.jpg",
        "thumb": out_dir / "thumb.webp",
    }


def test_original_is_left_untouched(phone_jpeg, out_dir):
    before = hashlib.sha256(phone_jpeg.read_bytes()).hexdigest()

    process_photo(phone_jpeg, out_dir)

    assert hashlib.sha256(phone_jpeg.read_bytes()).hexdigest() == before


def test_png_transparency_is_flattened_onto_white(tmp_path, out_dir):
    source = tmp_path / "cutout.png"
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent *black*
    ImageDraw.Draw(image).rectangle((100, 0, 199, 99), fill=(*RED, 255))
    image.save(source, format="PNG")

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert display.mode == "RGB"
        assert close_to(display.getpixel((40, 50)), (255, 255, 255), tolerance=8)
        assert close_to(display.getpixel((160, 50)), RED)


def test_palette_png_with_transparent_colour_is_flattened_onto_white(tmp_path, out_dir):
    source = tmp_path / "palette.png"
    image = Image.new("P", (50, 50), 0)
    image.putpalette([0, 0, 0, *RED])
    ImageDraw.Draw(image).rectangle((25, 0, 49, 49), fill=1)
    image.save(source, format="PNG", transparency=0)

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert close_to(display.getpixel((10, 25)), (255, 255, 255), tolerance=8)
        assert close_to(display.getpixel((40, 25)), RED)


def test_sixteen_bit_greyscale_png_keeps_its_tones(tmp_path, out_dir):
    source = tmp_path / "scan.png"
    image = Image.new("I;16", (64, 64), 0x8000)  # mid grey in 16 bits
    image.save(source, format="PNG")

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert close_to(display.getpixel((32, 32)), (128, 128, 128), tolerance=6)


def test_webp_photo_gets_jpeg_display_and_webp_thumb(tmp_path, out_dir):
    source = tmp_path / "photo.webp"
    half_red_half_blue().save(source, format="WEBP", exif=camera_exif(), quality=90)

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert display.format == "JPEG" and display.size == (300, 150)
    assert_no_metadata(result)


def test_heic_photo_from_an_ipad_is_accepted_and_loses_its_location(tmp_path, out_dir):
    source = tmp_path / "IMG_0002.HEIC"
    half_red_half_blue().save(source, format="HEIF", exif=camera_exif(), quality=90)
    assert CAMERA_MAKE.encode() in source.read_bytes()

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert display.format == "JPEG"
        assert close_to(display.getpixel((20, 75)), RED)
    assert_no_metadata(result)


def test_multi_picture_jpeg_keeps_only_the_main_picture(tmp_path, out_dir):
    # Phones write MPO (a JPEG with extra pictures: depth maps, HDR gain maps) as ".jpg".
    source = tmp_path / "IMG_0003.jpg"
    extra = Image.new("RGB", (100, 50), BLUE)
    half_red_half_blue().save(source, format="MPO", save_all=True, append_images=[extra])

    result = process_photo(source, out_dir)

    display = result.renditions["display"].read_bytes()
    assert display.count(b"\xff\xd8") == 1, "exactly one embedded JPEG: the main picture"
    with Image.open(result.renditions["display"]) as rendition:
        assert rendition.format == "JPEG" and rendition.size == (300, 150)


def test_cmyk_jpeg_becomes_rgb(tmp_path, out_dir):
    source = tmp_path / "print.jpg"
    Image.new("CMYK", (60, 40), (0, 255, 255, 0)).save(source, format="JPEG")  # red ink

    result = process_photo(source, out_dir)

    with Image.open(result.renditions["display"]) as display:
        assert display.mode == "RGB"
        red, green, blue = display.getpixel((30, 20))
        assert red > 200 and green < 60 and blue < 60


def test_decompression_bomb_is_refused_before_decoding_and_leaves_nothing(tmp_path, out_dir):
    # 400 megapixels of black in a file of a few dozen kilobytes.
    bomb = png_bomb(tmp_path / "innocent.png", 20_000, 20_000)
    assert bomb.stat().st_size < 100_000

    with pytest.raises(MediaRejected) as refused:
        process_photo(bomb, out_dir, MediaLimits())

    assert refused.value.code == "too_many_pixels"
    assert "50 megapixels" in refused.value.message
    assert files_under(out_dir) == []


def test_pillow_bomb_guard_still_applies_when_our_limit_is_generous(tmp_path, out_dir):
    bomb = png_bomb(tmp_path / "innocent.png", 20_000, 20_000)

    with pytest.raises(MediaRejected) as refused:
        process_photo(bomb, out_dir, MediaLimits(max_photo_pixels=10**12))

    assert refused.value.code == "too_many_pixels"


@pytest.mark.parametrize("warnings_are_errors", [False, True])
def test_pillow_bomb_warning_counts_as_a_refusal(tmp_path, out_dir, warnings_are_errors):
    # 100 megapixels: past Pillow's warning threshold (89 MP), short of its hard error.
    large = png_bomb(tmp_path / "large.png", 10_000, 10_000)

    with warnings.catch_warnings():
        warnings.simplefilter("error" if warnings_are_errors else "ignore")
        with pytest.raises(MediaRejected) as refused:
            process_photo(large, out_dir, MediaLimits(max_photo_pixels=10**12))

    assert refused.value.code == "too_many_pixels"
    assert files_under(out_dir) == []


def test_photo_over_the_pixel_limit_is_refused(tmp_path, out_dir):
    # 64 megapixels: under Pillow's own warning threshold, over our 50 megapixel limit.
    large = png_bomb(tmp_path / "large.png", 8_000, 8_000)

    with pytest.raises(MediaRejected) as refused:
        process_photo(large, out_dir)

    assert refused.value.code == "too_many_pixels"
    assert files_under(out_dir) == []


def test_photo_over_the_byte_limit_is_refused_as_too_large(tmp_path, out_dir):
    photo = noisy_jpeg(tmp_path / "photo.jpg")

    with pytest.raises(MediaRejected) as refused:
        process_photo(photo, out_dir, MediaLimits(max_photo_bytes=1000))

    assert refused.value.code == "too_large"
    assert "smaller than" in refused.value.message
    assert files_under(out_dir) == []


def test_truncated_jpeg_is_refused_as_malformed(tmp_path, out_dir):
    photo = noisy_jpeg(tmp_path / "photo.jpg")
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])

    with pytest.raises(MediaRejected) as refused:
        process_photo(photo, out_dir)

    assert refused.value.code == "malformed"
    assert files_under(out_dir) == []


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + b"\x00" * 300,  # JPEG signature, nothing behind it
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 40,
        b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 300,
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 300,
    ],
    ids=["jpeg", "png", "webp", "heic"],
)
def test_signature_without_a_real_image_behind_it_is_refused_as_malformed(
    tmp_path, out_dir, content
):
    fake = tmp_path / "photo"
    fake.write_bytes(content)

    with pytest.raises(MediaRejected) as refused:
        process_photo(fake, out_dir)

    assert refused.value.code == "malformed"
    assert files_under(out_dir) == []


def test_renamed_executable_is_refused_as_unsupported(tmp_path, out_dir):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(open("/bin/true", "rb").read())

    with pytest.raises(MediaRejected) as refused:
        process_photo(fake, out_dir)

    assert refused.value.code == "unsupported_type"
    assert files_under(out_dir) == []


def test_video_handed_to_the_photo_pipeline_is_refused(tmp_path, out_dir):
    video = clip(tmp_path / "clip.mp4", seconds=0.2, audio=False)

    with pytest.raises(MediaRejected) as refused:
        process_photo(video, out_dir)

    assert refused.value.code == "unsupported_type"


def test_refusal_leaves_other_files_in_out_dir_alone(tmp_path, out_dir):
    out_dir.mkdir()
    (out_dir / "original.bin").write_bytes(b"kept by the caller")
    bomb = png_bomb(tmp_path / "bomb.png", 20_000, 20_000)

    with pytest.raises(MediaRejected):
        process_photo(bomb, out_dir)

    assert files_under(out_dir) == ["original.bin"]


def test_existing_renditions_are_never_overwritten(phone_jpeg, out_dir):
    out_dir.mkdir()
    (out_dir / "thumb.webp").write_bytes(b"someone else's")

    with pytest.raises(FileExistsError):
        process_photo(phone_jpeg, out_dir)

    assert (out_dir / "thumb.webp").read_bytes() == b"someone else's"
    assert files_under(out_dir) == ["thumb.webp"]
