"""Issue 15: hostile files through the media pipeline (no Django). Each is refused with a
code a person can act on, or processed safely: renditions written all together or not
at all, no script or metadata carried over, within a memory and CPU limit (setrlimit in a
child process, which ffmpeg inherits) and a time limit, without the process dying."""

import json
import struct
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from acorn.media_processing import REJECTION_CODES, MediaLimits, MediaRejected, process_media
from acorn.media_processing.tests import hostile

SECONDS_PER_FILE = 45

# What each hostile file must come to: "ok" (processed safely) or a rejection code.
EXPECTED = {
    "zero-bytes.jpg": "unsupported_type",
    "truncated.jpg": "malformed",
    "truncated-header.jpg": "malformed",
    "truncated.png": "malformed",
    "truncated.webp": "malformed",
    "truncated.heic": "malformed",
    "truncated.mp4": "malformed",
    "png-named.jpg": "ok",
    "jpeg-named.mp4": "ok",
    "text-named.jpg": "unsupported_type",
    "html-named.png": "unsupported_type",
    "polyglot-jpeg-html.jpg": "ok",
    "polyglot-html-jpeg.jpg": "unsupported_type",
    "polyglot-png-zip.png": "ok",
    "svg-with-script.svg": "unsupported_type",
    "svg-named.jpg": "unsupported_type",
    "gif.gif": "unsupported_type",
    "tiff.tif": "unsupported_type",
    "pdf-named.jpg": "unsupported_type",
    "zip-bomb.zip": "unsupported_type",
    "zip-bomb-named.jpg": "unsupported_type",
    "png-decompression-bomb.png": "too_many_pixels",
    "png-wide-bomb.png": "too_many_pixels",
    "jpeg-declares-65500-square.jpg": "too_many_pixels",
    "jpeg-declares-zero-width.jpg": "malformed",
    "jpeg-1-by-40000.jpg": "ok",
    "heic-ftyp-then-garbage.heic": "malformed",
    "heic-meta-box-too-large.heic": "malformed",
    "mp4-ftyp-only.mp4": "malformed",
    "mp4-moov-size-zero.mp4": "malformed",
    "mp4-moov-size-huge.mp4": "malformed",
    "mp4-box-size-below-header.mp4": "malformed",
    "mp4-nested-boxes.mp4": "malformed",
    "mp4-mdat-before-ftyp.mp4": "unsupported_type",
    "mp4-junk-after.mp4": "ok",
    "mov-ftyp-then-garbage.mov": "malformed",
    "mp4-script-in-title.mp4": "ok",
    "mp4-claims-ten-hours.mp4": "ok",  # the real length (1 s) is what counts
    "mp4-too-long.mp4": "too_long",
    "mp4-1000-fps.mp4": "ok",
    "jpeg-script-in-exif-xmp-comment.jpg": "ok",
    "png-script-in-text-chunk.png": "ok",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return hostile.build_corpus(tmp_path_factory.mktemp("hostile"))


def test_the_corpus_covers_every_expectation(corpus):
    assert set(corpus) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused_cleanly_or_processed_safely(corpus, name, tmp_path):
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "acorn.media_processing.tests.hostile", str(corpus[name]), str(out)],
        capture_output=True,
        text=True,
        timeout=SECONDS_PER_FILE * 2,
    )
    # The process survived: no crash, no signal, no memory or CPU limit hit.
    assert completed.returncode == 0, completed.stderr[-2000:]
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["seconds"] < SECONDS_PER_FILE
    expected = EXPECTED[name]
    expected = {expected} if isinstance(expected, str) else expected
    got = "ok" if outcome["outcome"] == "ok" else outcome["code"]
    assert got in expected, outcome
    renditions = out / "renditions"
    made = sorted(p.name for p in renditions.iterdir()) if renditions.exists() else []
    if outcome["outcome"] != "ok":
        assert outcome["code"] in REJECTION_CODES
        assert made == [], "a refused file left renditions behind"
        return
    if outcome["duration"] is not None:
        assert outcome["duration"] < 5, "a video's claimed length is not its real length"
    assert {"display.jpg", "thumb.webp"} <= set(made) or {
        "display.mp4",
        "poster.jpg",
        "thumb.webp",
    } <= set(made)
    for path in [*renditions.iterdir(), *(out / "clean").iterdir()]:
        data = path.read_bytes()
        assert b"<script" not in data and b"alert(" not in data, path.name
        assert b"PK\x03\x04" not in data, path.name  # no zip smuggled through
        if path.suffix in (".jpg", ".webp"):
            with Image.open(path) as image:
                image.load()
                assert not image.getexif().get(0x010E), path.name


def test_the_memory_limit_is_really_in_force():
    """The limit the corpus runs under stops a process that asks for more."""
    grab = (
        "from acorn.media_processing.tests import hostile; hostile._limit_resources(); "
        "bytearray(hostile.MEMORY_LIMIT_BYTES)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", grab], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode != 0 and "MemoryError" in completed.stderr


# Property-based: damaged versions of real files --------------------------------------


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    jpeg = folder / "a.jpg"
    Image.effect_noise((96, 64), 60).convert("RGB").save(jpeg, format="JPEG")
    png = folder / "a.png"
    Image.effect_noise((96, 64), 60).convert("RGB").save(png, format="PNG")
    webp = folder / "a.webp"
    Image.effect_noise((96, 64), 60).convert("RGB").save(webp, format="WEBP")
    return {"jpeg": jpeg.read_bytes(), "png": png.read_bytes(), "webp": webp.read_bytes()}


damage = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(
        st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8)
    ),
    st.tuples(st.just("append"), st.binary(max_size=256)),
    st.tuples(st.just("splice"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
)


def _damaged(data: bytes, how) -> bytes:
    kind, *args = how
    if kind == "truncate":
        return data[: int(len(data) * args[0])]
    if kind == "flip":
        out = bytearray(data)
        for where, value in args[0]:
            out[min(int(len(out) * where), len(out) - 1)] = value
        return bytes(out)
    if kind == "append":
        return data + args[0]
    at = int(len(data) * args[0])
    return data[:at] + args[1] + data[at:]


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=st.sampled_from(["jpeg", "png", "webp"]), how=damage)
def test_damaged_photos_are_refused_or_processed_never_half_done(originals, tmp_path, kind, how):
    source = tmp_path / f"damaged-{kind}"
    source.write_bytes(_damaged(originals[kind], how))
    out = tmp_path / f"out-{abs(hash((kind, repr(how))))}"
    try:
        result = process_media(source, out, MediaLimits())
    except MediaRejected as refusal:
        assert refusal.code in REJECTION_CODES
        assert not out.exists() or list(out.iterdir()) == []
    else:
        assert set(result.renditions) == {"display", "thumb"}
        for path in result.renditions.values():
            with Image.open(path) as image:
                image.load()


ATOMS = [b"moov", b"mvhd", b"trak", b"tkhd", b"mdia", b"mdhd", b"minf", b"stbl", b"stsd"]
atom = st.tuples(
    st.sampled_from([*ATOMS, b"mdat", b"free", b"meta", b"iloc", b"\x00\x00\x00\x00"]),
    st.sampled_from(["exact", "zero", "one", "huge", "short"]),
    st.binary(max_size=64),
)


def _atoms(boxes) -> bytes:
    out = b""
    for kind, size, payload in boxes:
        declared = {
            "exact": len(payload) + 8,
            "zero": 0,
            "one": 1,  # "a 64-bit size follows", which it may not
            "huge": 0xFFFFFFFF,
            "short": 4,
        }[size]
        out += struct.pack(">I", declared) + kind + payload
    return out


@settings(max_examples=25, derandomize=True, deadline=None)
@given(
    brand=st.sampled_from([b"isom", b"mp42", b"qt  ", b"heic", b"mif1"]),
    boxes=st.lists(atom, max_size=6),
)
def test_made_up_mp4_mov_and_heic_boxes_are_refused_cleanly(brand, boxes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("boxes")
    source = folder / "upload"
    ftyp = struct.pack(">I", 20) + b"ftyp" + brand + b"\x00\x00\x00\x00" + brand
    source.write_bytes(ftyp + _atoms(boxes))
    with pytest.raises(MediaRejected) as refusal:
        process_media(source, folder / "out", MediaLimits())
    assert refusal.value.code in REJECTION_CODES
    assert not (folder / "out").exists() or list((folder / "out").iterdir()) == []
