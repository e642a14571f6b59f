"""Real sample files, made in the test run: Pillow draws photos, ffmpeg records clips."""

import struct
import subprocess
import zlib
from pathlib import Path

import imageio_ffmpeg
import pillow_heif
from PIL import Image, ImageCms, ImageDraw

pillow_heif.register_heif_opener()

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

# Somewhere in London; what must never reach a rendition.
LATITUDE, LONGITUDE = "+51.5074", "-000.1278"
CAMERA_MAKE = "AcornTestCam"
HOME_ADDRESS = "12 Acacia Avenue"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Acacia Town"/>'
    b"</rdf:RDF></x:xmpmeta>"
)

RED, BLUE = (220, 20, 20), (20, 20, 220)


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x0131] = "AcornTestCam Firmware 1.2"  # Software
    exif[0x0132] = "2024:05:01 10:00:00"  # DateTime
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.64)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 40.08)
    return exif


def half_red_half_blue(width: int = 300, height: int = 150) -> Image.Image:
    """Left half red, right half blue: shows which way a rotation went."""
    image = Image.new("RGB", (width, height), BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height - 1), fill=RED)
    return image


def iptc_app13(city: str) -> bytes:
    """A Photoshop APP13 segment carrying one IPTC field (2:90 City)."""
    value = city.encode()
    dataset = b"\x1c\x02\x5a" + struct.pack(">H", len(value)) + value
    if len(dataset) % 2:
        dataset += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(dataset))
    payload = b"Photoshop 3.0\x00" + resource + dataset
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_everything(path: Path, orientation: int = 6, icc: bool = True) -> Path:
    """A phone-like JPEG: camera EXIF with GPS, orientation, XMP, IPTC, a comment, ICC."""
    options = {}
    if icc:
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    half_red_half_blue().save(
        path,
        format="JPEG",
        quality=95,
        exif=camera_exif(orientation),
        xmp=XMP_PACKET,
        comment=HOME_ADDRESS.encode(),
        **options,
    )
    data = path.read_bytes()
    path.write_bytes(data[:2] + iptc_app13(HOME_ADDRESS) + data[2:])  # right after SOI
    return path


def noisy_jpeg(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    Image.effect_noise(size, 60).convert("RGB").save(path, format="JPEG", quality=90)
    return path


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A genuine 1-bit PNG of the given size: all black, so it compresses to almost nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def clip(
    path: Path,
    *,
    size: str = "320x240",
    seconds: float = 2,
    audio: bool = True,
    video_codec: list[str] | None = None,
    extra: list[str] | None = None,
) -> Path:
    """A short lavfi test-pattern clip (with a 440 Hz tone unless audio=False)."""
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    codec = video_codec or ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast"]
    audio_codec = ["-c:a", "aac"] if audio else []
    ffmpeg(*inputs, *codec, *audio_codec, *(extra or []), "-shortest", str(path))
    return path


def hevc_mov_with_location(path: Path) -> Path:
    """What an iPad records: HEVC in QuickTime, tagged hvc1, with the place it was filmed."""
    return clip(
        path,
        video_codec=[
            "-c:v",
            "libx265",
            "-tag:v",
            "hvc1",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error",
        ],
        extra=[
            "-metadata",
            f"location={LATITUDE}{LONGITUDE}/",
            "-metadata",
            f"com.apple.quicktime.location.ISO6709={LATITUDE}{LONGITUDE}+010.000/",
            "-metadata",
            f"com.apple.quicktime.make={CAMERA_MAKE}",
            "-movflags",
            "use_metadata_tags",
        ],
    )


def rotated(source: Path, path: Path, degrees: int) -> Path:
    """The same clip with a display-matrix rotation, as phones filmed upright produce."""
    ffmpeg("-display_rotation:v:0", str(degrees), "-i", str(source), "-c", "copy", str(path))
    return path


def hlg_hdr_clip(path: Path) -> Path:
    """10-bit HEVC tagged HLG/BT.2020, like an iPad's HDR video."""
    colour = "colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc"
    return clip(
        path,
        audio=False,
        video_codec=[
            "-c:v",
            "libx265",
            "-tag:v",
            "hvc1",
            "-pix_fmt",
            "yuv420p10le",
            "-preset",
            "ultrafast",
            "-x265-params",
            f"log-level=error:{colour}",
        ],
    )


def with_understated_duration(source: Path, path: Path, divide_by: int) -> Path:
    """A copy whose headers (mvhd, mdhd) claim a fraction of the real length.

    The sample tables still describe every frame, so a player (and ffmpeg) plays it all:
    a way to slip a long video past a check that trusts the header.
    """
    data = bytearray(source.read_bytes())
    for box in (b"mvhd", b"mdhd"):
        at = data.find(box)
        while at != -1:
            assert data[at + 4] == 0, "expected version 0 boxes"
            duration_at = at + 4 + 16  # version/flags, created, modified, timescale
            (duration,) = struct.unpack_from(">I", data, duration_at)
            struct.pack_into(">I", data, duration_at, duration // divide_by)
            at = data.find(box, at + 4)
    path.write_bytes(bytes(data))
    return path
