from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from acorn.media_processing.tests import samples


def upload(api_client, path: Path, name=None):
    data = Path(path).read_bytes()
    return api_client.client.post(
        "/api/v1/media",
        {"file": SimpleUploadedFile(name or Path(path).name, data)},
        **api_client._headers(),
    )


def gps_jpeg(tmp_path) -> Path:
    return samples.jpeg_with_everything(tmp_path / "IMG_0001.jpg")


def heic_photo(tmp_path) -> Path:
    path = tmp_path / "IMG_0002.heic"
    samples.half_red_half_blue(640, 480).save(path, format="HEIF", exif=samples.camera_exif(1))
    return path


def hevc_video(tmp_path) -> Path:
    return samples.hevc_mov_with_location(tmp_path / "IMG_0003.mov")
