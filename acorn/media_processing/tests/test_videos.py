import hashlib

import pytest
from PIL import Image

from acorn.media_processing import (
    MediaLimits,
    MediaProcessingFailed,
    MediaRejected,
    VideoProbe,
    VideoResult,
    probe_video,
    process_media,
    process_video,
)

from .byte_checks import (
    contains_any,
    ffmpeg_summary,
    files_under,
    jpeg_metadata_markers,
    mp4_top_level_boxes,
    video_stream_line,
    webp_chunks,
)
from .samples import (
    CAMERA_MAKE,
    LATITUDE,
    LONGITUDE,
    clip,
    hevc_mov_with_location,
    hlg_hdr_clip,
    noisy_jpeg,
    rotated,
    with_understated_duration,
)

LOCATION_MARKERS = [
    LATITUDE.encode(),
    LONGITUDE.encode(),
    b"51.5074",
    b"ISO6709",
    b"location",
    CAMERA_MAKE.encode(),
]


# Clips are recorded once per module: ffmpeg start-up dominates these tests' run time.
@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    h264 = clip(folder / "h264.mp4")
    return {
        "h264_mp4": h264,
        "hevc_mov": hevc_mov_with_location(folder / "ipad.mov"),
        "rotated_mov": rotated(h264, folder / "portrait.mov", 90),
        "silent_mp4": clip(folder / "silent.mp4", audio=False),
        # H.264 4:4:4 allows odd sizes, so the output's even-size rounding is exercised.
        "odd_size_mp4": clip(
            folder / "odd.mp4",
            size="251x141",
            seconds=1,
            audio=False,
            video_codec=["-c:v", "libx264", "-pix_fmt", "yuv444p", "-preset", "ultrafast"],
        ),
        "hlg_mov": hlg_hdr_clip(folder / "hdr.mov"),
    }


def assert_plain_h264_mp4(path):
    stream = video_stream_line(path)
    assert "Video: h264" in stream
    assert "yuv420p(" in stream or "yuv420p," in stream
    boxes = mp4_top_level_boxes(path)
    assert boxes[0] == "ftyp"
    # faststart: the index comes before the media, so playback starts before download ends.
    assert boxes.index("moov") < boxes.index("mdat")


def test_h264_mp4_becomes_h264_yuv420p_mp4_with_aac_audio(clips, out_dir):
    result = process_video(clips["h264_mp4"], out_dir)

    assert isinstance(result, VideoResult)
    assert (result.width, result.height) == (320, 240)
    assert result.duration == pytest.approx(2.0, abs=0.1)
    assert_plain_h264_mp4(result.renditions["display"])
    assert "Audio: aac" in ffmpeg_summary(result.renditions["display"])
    assert files_under(out_dir) == ["display.mp4", "poster.jpg", "thumb.webp"]


def test_hevc_mov_from_an_ipad_becomes_h264_mp4(clips, out_dir):
    assert "Video: hevc" in video_stream_line(clips["hevc_mov"])

    result = process_video(clips["hevc_mov"], out_dir)

    assert_plain_h264_mp4(result.renditions["display"])
    assert probe_video(result.renditions["display"]) == VideoProbe(320, 240, 2.0, True, "h264")


def test_location_is_absent_from_every_video_rendition(clips, out_dir):
    # The sample carries the place it was filmed, as an iPad's MOV does.
    assert contains_any(clips["hevc_mov"], LOCATION_MARKERS) == LOCATION_MARKERS

    result = process_video(clips["hevc_mov"], out_dir)

    for rendition in result.renditions.values():
        assert contains_any(rendition, LOCATION_MARKERS) == []
    summary = ffmpeg_summary(result.renditions["display"])
    assert "location" not in summary.lower() and "ISO6709" not in summary


def test_poster_is_a_metadata_free_jpeg_the_size_of_the_video(clips, out_dir):
    result = process_video(clips["hevc_mov"], out_dir)

    poster, thumb = result.renditions["poster"], result.renditions["thumb"]
    with Image.open(poster) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 240)
        assert len(image.getexif()) == 0
    assert jpeg_metadata_markers(poster) == []
    with Image.open(thumb) as image:
        assert image.format == "WEBP" and max(image.size) <= 400
    assert set(webp_chunks(thumb)) <= {"VP8 ", "VP8L"}


def test_rotation_is_applied_to_video_and_poster(clips, out_dir):
    assert probe_video(clips["rotated_mov"])[:2] == (240, 320)

    result = process_video(clips["rotated_mov"], out_dir)

    assert (result.width, result.height) == (240, 320)
    display = probe_video(result.renditions["display"])
    assert (display.width, display.height) == (240, 320)
    # Baked into the pixels, not left as a display-matrix hint some players ignore.
    assert "rotation" not in ffmpeg_summary(result.renditions["display"]).lower()
    with Image.open(result.renditions["poster"]) as poster:
        assert poster.size == (240, 320)


def test_video_without_sound_is_accepted_and_stays_silent(clips, out_dir):
    result = process_video(clips["silent_mp4"], out_dir)

    assert_plain_h264_mp4(result.renditions["display"])
    assert probe_video(result.renditions["display"]).has_audio is False


def test_video_is_scaled_to_the_display_limit_with_even_sides(clips, out_dir):
    result = process_video(clips["odd_size_mp4"], out_dir, MediaLimits(video_display_px=101))

    display = probe_video(result.renditions["display"])
    assert display.height <= 101
    assert display.width % 2 == 0 and display.height % 2 == 0
    assert display.width / display.height == pytest.approx(251 / 141, rel=0.03)
    assert_plain_h264_mp4(result.renditions["display"])


def test_portrait_video_limit_applies_to_its_shorter_side(clips, out_dir):
    result = process_video(clips["rotated_mov"], out_dir, MediaLimits(video_display_px=120))

    display = probe_video(result.renditions["display"])
    assert (display.width, display.height) == (120, 160)


def test_hdr_video_is_tone_mapped_to_standard_range(clips, out_dir):
    assert "arib-std-b67" in video_stream_line(clips["hlg_mov"])

    result = process_video(clips["hlg_mov"], out_dir)

    stream = video_stream_line(result.renditions["display"])
    assert "yuv420p(tv, bt709" in stream
    assert "arib-std-b67" not in stream


def test_probe_reports_size_duration_sound_and_codec(clips):
    probe = probe_video(clips["hevc_mov"])

    assert probe == VideoProbe(width=320, height=240, duration=2.0, has_audio=True, codec="hevc")
    width, height, duration, has_audio, codec = probe  # usable as a plain tuple too


def test_probe_is_not_fooled_by_text_hidden_in_metadata(tmp_path):
    # ffmpeg prints metadata values in the same summary the probe reads.
    forged = "x\n  Duration: 00:00:00.10, start\n  Stream #0:0: Video: h264, yuv420p, 16x16"
    rotation = "y\n      Display Matrix: rotation of 90.00 degrees"
    source = clip(
        tmp_path / "forged.mp4",
        audio=False,
        extra=["-metadata", f"title={forged}", "-metadata:s:v:0", f"title={rotation}"],
    )

    assert probe_video(source) == VideoProbe(320, 240, 2.0, False, "h264")


def test_original_video_is_left_untouched(clips, out_dir):
    before = hashlib.sha256(clips["hevc_mov"].read_bytes()).hexdigest()

    process_video(clips["hevc_mov"], out_dir)

    assert hashlib.sha256(clips["hevc_mov"].read_bytes()).hexdigest() == before


def test_video_longer_than_the_limit_is_refused_and_leaves_nothing(clips, out_dir):
    with pytest.raises(MediaRejected) as refused:
        process_video(clips["h264_mp4"], out_dir, MediaLimits(max_video_seconds=1))

    assert refused.value.code == "too_long"
    assert "longer than 1 second" in refused.value.message
    assert files_under(out_dir) == []


def test_video_whose_header_understates_its_length_is_still_refused(clips, tmp_path, out_dir):
    liar = with_understated_duration(clips["silent_mp4"], tmp_path / "liar.mp4", divide_by=4)
    assert probe_video(liar).duration == pytest.approx(0.5, abs=0.05)  # claims half a second

    with pytest.raises(MediaRejected) as refused:
        process_video(liar, out_dir, MediaLimits(max_video_seconds=1))

    # Caught after transcoding had begun, and what it wrote is gone.
    assert refused.value.code == "too_long"
    assert files_under(out_dir) == []


def test_video_with_more_pixels_than_the_limit_is_refused(clips, out_dir):
    with pytest.raises(MediaRejected) as refused:
        process_video(clips["h264_mp4"], out_dir, MediaLimits(max_video_pixels=320 * 240 - 1))

    assert refused.value.code == "too_many_pixels"
    assert files_under(out_dir) == []


def test_video_over_the_byte_limit_is_refused_as_too_large(clips, out_dir):
    with pytest.raises(MediaRejected) as refused:
        process_video(clips["h264_mp4"], out_dir, MediaLimits(max_video_bytes=1000))

    assert refused.value.code == "too_large"
    assert files_under(out_dir) == []


def test_stuck_transcode_is_stopped_and_leaves_nothing(clips, out_dir):
    with pytest.raises(MediaProcessingFailed):
        process_video(clips["h264_mp4"], out_dir, MediaLimits(video_timeout_seconds=0.01))

    assert files_under(out_dir) == []


def test_garbage_behind_an_mp4_signature_is_refused_as_malformed(tmp_path, out_dir):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 64)

    with pytest.raises(MediaRejected) as refused:
        process_video(fake, out_dir)

    assert refused.value.code == "malformed"
    assert files_under(out_dir) == []


def test_half_copied_video_is_refused_as_malformed(clips, tmp_path, out_dir):
    # Without faststart the index is at the end, so half a file has no index at all.
    half = tmp_path / "half.mp4"
    data = clips["h264_mp4"].read_bytes()
    half.write_bytes(data[: len(data) // 2])

    with pytest.raises(MediaRejected) as refused:
        process_video(half, out_dir)

    assert refused.value.code == "malformed"
    assert files_under(out_dir) == []


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mov"])
def test_renamed_executable_is_refused_as_unsupported(tmp_path, out_dir, name):
    fake = tmp_path / name
    fake.write_bytes(open("/bin/true", "rb").read())

    with pytest.raises(MediaRejected) as refused:
        process_video(fake, out_dir)

    assert refused.value.code == "unsupported_type"
    assert files_under(out_dir) == []


def test_photo_handed_to_the_video_pipeline_is_refused(tmp_path, out_dir):
    with pytest.raises(MediaRejected) as refused:
        process_video(noisy_jpeg(tmp_path / "clip.mp4"), out_dir)

    assert refused.value.code == "unsupported_type"


def test_process_media_sends_each_upload_down_the_right_path(clips, tmp_path):
    photo = process_media(noisy_jpeg(tmp_path / "upload-1"), tmp_path / "a")
    video = process_media(clips["silent_mp4"], tmp_path / "b")

    assert set(photo.renditions) == {"display", "thumb"}
    assert set(video.renditions) == {"display", "poster", "thumb"}
