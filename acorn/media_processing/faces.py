"""Finding faces in photos, and obscuring the ones a family hasn't agreed to share (C-1, C-2).

    boxes = find_faces(image)                 # FaceBox(x, y, w, h), 0-1 of the picture
    shared = obscure_faces(image, [boxes[0]])  # a new image; the face is unrecognisable

The detector is OpenCV's Haar cascades (frontal and profile), which ship inside the
opencv-python-headless wheel: nothing is downloaded at run time. It runs on a reduced copy
(longest side `DETECT_PX`) and the boxes are scaled back, so a 12-megapixel photo costs the
same as any other. A miss is not a leak: staff can draw the box themselves, and until every
child without consent is marked the photo stays out of other journals.

Obscuring is heavy pixelation (about six blocks across a face) followed by a blur, over the
box grown by `PADDING` on every side: the detail is gone from the file, so no sharpening or
"unblur" can bring it back.
"""

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

from ._staging import staged_output
from .limits import MediaLimits

DETECT_PX = 1024
PADDING = 0.3  # of the box's size, on every side: hair, ears and chin go too
BLOCKS_ACROSS = 6  # pixel blocks across the padded face
MAX_FACES = 40
_MIN_FACE_FRACTION = 0.03  # of the shorter side: smaller faces are not recognisable anyway


@dataclass(frozen=True)
class FaceBox:
    """A face's box as fractions of the picture's width and height (0-1, top left origin)."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def clamped(cls, x: float, y: float, w: float, h: float) -> "FaceBox":
        x0, y0 = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
        x1, y1 = min(max(x + w, 0.0), 1.0), min(max(y + h, 0.0), 1.0)
        return cls(round(x0, 4), round(y0, 4), round(x1 - x0, 4), round(y1 - y0, 4))

    def as_list(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]

    def pixels(self, size: tuple[int, int], padding: float = 0.0) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in pixels of an image of `size`, grown by `padding`."""
        width, height = size
        pad_x, pad_y = self.w * padding, self.h * padding
        left = max(0, int((self.x - pad_x) * width))
        top = max(0, int((self.y - pad_y) * height))
        right = min(width, int(np.ceil((self.x + self.w + pad_x) * width)))
        bottom = min(height, int(np.ceil((self.y + self.h + pad_y) * height)))
        return left, top, right, bottom

    def overlap(self, other: "FaceBox") -> float:
        """Intersection over the smaller box: 1.0 when one box sits inside the other."""
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        smaller = min(self.w * self.h, other.w * other.h)
        return (ix * iy) / smaller if smaller > 0 else 0.0


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if classifier.empty():
        raise RuntimeError(f"OpenCV's {name} is missing from the installed wheel")
    return classifier


def find_faces(image: Image.Image, *, detect_px: int = DETECT_PX) -> list[FaceBox]:
    """The faces in an upright photo, largest first, as boxes of the whole picture."""
    small = image.convert("L")
    scale = min(1.0, detect_px / max(small.size))
    if scale < 1.0:
        small = small.resize(
            (max(1, round(small.width * scale)), max(1, round(small.height * scale))),
            Image.Resampling.BILINEAR,
        )
    grey = cv2.equalizeHist(np.asarray(small, dtype=np.uint8))
    width, height = small.size
    smallest = max(24, int(min(width, height) * _MIN_FACE_FRACTION))
    found: list[tuple[int, int, int, int]] = []

    def detect(name, pixels, neighbours):
        return _cascade(name).detectMultiScale(
            pixels, scaleFactor=1.15, minNeighbors=neighbours, minSize=(smallest, smallest)
        )

    found += [tuple(b) for b in detect("haarcascade_frontalface_alt2.xml", grey, 4)]
    # The profile cascade looks one way only; the mirrored picture finds the other side.
    found += [tuple(b) for b in detect("haarcascade_profileface.xml", grey, 5)]
    mirrored = np.ascontiguousarray(grey[:, ::-1])
    found += [
        (width - x - w, y, w, h)
        for x, y, w, h in detect("haarcascade_profileface.xml", mirrored, 5)
    ]

    boxes = [
        FaceBox.clamped(float(x) / width, float(y) / height, float(w) / width, float(h) / height)
        for x, y, w, h in found
    ]
    boxes.sort(key=lambda box: box.w * box.h, reverse=True)
    kept: list[FaceBox] = []
    for box in boxes:
        if all(box.overlap(other) < 0.5 for other in kept):
            kept.append(box)
    return kept[:MAX_FACES]


def obscured_area(box: FaceBox, padding: float = PADDING) -> FaceBox:
    """The part of the picture hidden for a face: the box grown by `padding` on every side,
    and as much again upwards, since a detector's box stops at the eyebrows and hair is
    as telling as a face."""
    top = box.y - box.h * padding
    return FaceBox(box.x, top, box.w, box.y + box.h - top)


def obscure_faces(
    image: Image.Image, boxes: list[FaceBox], *, padding: float = PADDING
) -> Image.Image:
    """A copy of `image` with every box (grown by `padding`) pixelated and blurred."""
    result = image.convert("RGB")
    result = result.copy() if result is image else result
    for box in boxes:
        left, top, right, bottom = obscured_area(box, padding).pixels(result.size, padding)
        if right - left < 2 or bottom - top < 2:
            continue
        region = result.crop((left, top, right, bottom))
        block = max(2, max(region.size) // BLOCKS_ACROSS)
        coarse = region.resize(
            (max(1, region.width // block), max(1, region.height // block)),
            Image.Resampling.BOX,
        )
        pixelated = coarse.resize(region.size, Image.Resampling.NEAREST)
        result.paste(pixelated.filter(ImageFilter.GaussianBlur(block / 2)), (left, top))
    return result


SHARED_FILES = {"shared_display": "shared-display.jpg", "shared_thumb": "shared-thumb.webp"}


def write_shared_renditions(
    display_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    boxes: list[FaceBox],
    limits: MediaLimits = MediaLimits(),  # noqa: B008 - frozen, so sharing it is safe
) -> dict[str, Path]:
    """From a photo's display rendition (ours: upright, sRGB, metadata-free), write the
    "shared" display and thumbnail with these faces obscured, all together or not at all."""
    from .photos import write_photo_renditions

    with Image.open(display_path, formats=["JPEG"]) as display:
        display.load()
        obscured = obscure_faces(display, boxes)
    with staged_output(out_dir, SHARED_FILES) as stage:
        write_photo_renditions(
            obscured,
            display_path=stage.path("shared_display"),
            thumb_path=stage.path("shared_thumb"),
            limits=limits,
        )
        return stage.publish()
