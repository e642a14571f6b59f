"""Group pictures made from a real photograph of a face: the astronaut portrait that ships
with scikit-image (a test dependency), pasted at several sizes and positions onto another
real photograph. Where each face really is comes with the picture."""

from PIL import Image
from skimage import data as skimage_data

from acorn.media_processing.faces import FaceBox

# Head and shoulders of the astronaut portrait (512 x 512); her face is near (177, 66, 95, 95).
PORTRAIT_CROP = (100, 0, 360, 300)
FACE_IN_CROP = (77, 66, 95, 95)

# (picture size, [(left, top, portrait width)]): landscape, 12-megapixel and portrait.
GROUPS = [
    ((1600, 1200), [(100, 200, 300), (600, 300, 400), (1150, 250, 250)]),
    ((4032, 3024), [(300, 600, 900), (1500, 800, 700), (2600, 500, 1100)]),
    ((1200, 1600), [(100, 100, 500), (500, 800, 600)]),
    ((2400, 1000), [(80, 300, 260), (500, 120, 420), (1100, 400, 300), (1700, 200, 520)]),
]


def portrait() -> Image.Image:
    return Image.fromarray(skimage_data.astronaut()).crop(PORTRAIT_CROP)


def compose(size, placements) -> tuple[Image.Image, list[FaceBox]]:
    """A group picture on a real photographic background, and where each face really is."""
    picture = Image.fromarray(skimage_data.coffee()).resize(size, Image.Resampling.BILINEAR)
    source = portrait()
    faces = []
    for left, top, width in placements:
        scale = width / source.width
        picture.paste(source.resize((width, round(source.height * scale))), (left, top))
        fx, fy, fw, fh = (v * scale for v in FACE_IN_CROP)
        faces.append(
            FaceBox((left + fx) / size[0], (top + fy) / size[1], fw / size[0], fh / size[1])
        )
    return picture, faces
