import dataclasses

import pytest

from acorn.media_processing import REJECTION_CODES, MediaLimits, MediaRejected
from acorn.media_processing.errors import (
    photo_too_large,
    photo_too_many_pixels,
    video_too_large,
    video_too_long,
)


def test_default_limits_match_the_documented_policy():
    limits = MediaLimits()

    assert limits.max_photo_bytes == 30 * 1024 * 1024
    assert limits.max_video_bytes == 500 * 1024 * 1024
    assert limits.max_photo_pixels == 50_000_000
    assert limits.max_video_seconds == 600
    assert limits.max_video_pixels == 4096 * 2160
    assert (limits.thumb_px, limits.display_px, limits.video_display_px) == (400, 1600, 720)


def test_limits_cannot_be_changed_once_made():
    with pytest.raises(dataclasses.FrozenInstanceError):
        MediaLimits().max_photo_bytes = 10**12


@pytest.mark.parametrize("field", ["max_photo_bytes", "max_video_seconds", "thumb_px"])
def test_nonsense_limits_are_refused_at_construction(field):
    with pytest.raises(ValueError):
        MediaLimits(**{field: 0})


def test_every_rejection_code_has_a_message_for_people():
    for code in REJECTION_CODES:
        message = MediaRejected(code).message
        assert message.endswith(".") and "Please" in message


def test_unknown_rejection_codes_are_a_programming_error():
    with pytest.raises(ValueError):
        MediaRejected("too_ugly")


def test_messages_state_the_limit_in_plain_words():
    assert "smaller than 30 MB" in photo_too_large(30 * 1024 * 1024).message
    assert "smaller than 500 MB" in video_too_large(500 * 1024 * 1024).message
    assert "50 megapixels" in photo_too_many_pixels(50_000_000).message
    assert "longer than 10 minutes" in video_too_long(600).message
    assert "longer than 1 minute." in video_too_long(60).message
    assert "longer than 1 minute and 30 seconds." in video_too_long(90).message
    assert "longer than 1 second." in video_too_long(1).message
