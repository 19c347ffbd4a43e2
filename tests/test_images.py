"""Tests of bpmnist.images: photos and scans of a digit to the MNIST convention."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from bpmnist.images import preprocess_image, preprocess_images

# Strokes of two asymmetric digits on a 112x112 canvas, drawn at 4x then reduced to 28x28.
_STROKES = {
    "7": [(28, 24), (84, 24), (46, 92)],
    "4": [(70, 94), (70, 16), (24, 70), (88, 70)],
}


def draw_digit(name: str) -> np.ndarray:
    """A 28x28 uint8 MNIST-like digit (white on black, anti-aliased) drawn with Pillow."""
    canvas = Image.new("L", (112, 112))
    ImageDraw.Draw(canvas).line(_STROKES[name], fill=255, width=10, joint="curve")
    return np.asarray(canvas.resize((28, 28), Image.Resampling.BOX))


def render_digit(
    x28: np.ndarray,
    *,
    size: tuple[int, int] = (200, 150),
    scale: float = 4.0,
    offset: tuple[int, int] = (0, 0),
    invert: bool = True,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Render an MNIST digit as a larger grey photo-like image.

    The 28x28 (or 784-long) digit is enlarged `scale` times with bicubic interpolation, pasted
    on a canvas of ``size = (height, width)`` with its centre moved by ``offset = (down,
    right)`` pixels from the canvas centre (what falls off the canvas is lost), made dark on
    light when `invert`, and given Gaussian noise of standard deviation ``noise * 255``.
    Returns a uint8 array of shape `size`.
    """
    digit = Image.fromarray(np.asarray(x28, dtype=np.uint8).reshape(28, 28))
    side = round(28 * scale)
    canvas = Image.new("L", (size[1], size[0]))
    top = (size[0] - side) // 2 + offset[0]
    left = (size[1] - side) // 2 + offset[1]
    canvas.paste(digit.resize((side, side), Image.Resampling.BICUBIC), (left, top))
    image = np.asarray(canvas, dtype=np.float64)
    if invert:
        image = 255.0 - image
    if noise:
        rng = np.random.default_rng(0) if rng is None else rng
        image = image + rng.normal(0.0, noise * 255.0, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64).ravel(), b.astype(np.float64).ravel())[0, 1])


def shifted_correlation(x: np.ndarray, reference: np.ndarray) -> float:
    """The best correlation over shifts of at most one pixel.

    Centring moves a digit by whole pixels, as for MNIST, so two renderings of one digit can
    land a pixel apart; where they land is checked by `assert_mnist_like`.
    """
    image = x.reshape(28, 28)
    return max(
        correlation(np.roll(image, (down, right), axis=(0, 1)), reference)
        for down in (-1, 0, 1)
        for right in (-1, 0, 1)
    )


def ink_box(x: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(x.reshape(28, 28))
    return int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1


def assert_mnist_like(x: np.ndarray) -> None:
    assert x.shape == (784,)
    assert x.dtype == np.uint8
    assert x.max() == 255
    assert np.median(x) == 0  # black background
    height, width = ink_box(x)
    assert max(height, width) in (19, 20)
    assert height <= 20 and width <= 20
    centre = ndimage.center_of_mass(x.reshape(28, 28).astype(np.float64))
    np.testing.assert_array_less(np.abs(np.array(centre) - 14.0), 0.5 + 1e-9)


@pytest.fixture(scope="module", params=sorted(_STROKES))
def digit(request: pytest.FixtureRequest) -> np.ndarray:
    return draw_digit(request.param)


@pytest.fixture(scope="module")
def reference(digit: np.ndarray) -> np.ndarray:
    return preprocess_image(digit)


def test_mnist_digit_is_nearly_a_fixed_point(reference: np.ndarray) -> None:
    assert_mnist_like(reference)
    assert correlation(preprocess_image(reference.reshape(28, 28)), reference) > 0.999


@pytest.mark.parametrize(
    "rendering",
    [
        {"invert": False},
        {"invert": True},
        {"offset": (-45, 30)},
        {"noise": 0.1},
        {"scale": 1.5, "offset": (50, -40), "noise": 0.05},
        {"size": (600, 450), "scale": 14.0, "offset": (90, 60), "noise": 0.15},
        {"size": (1500, 2000), "scale": 40.0, "offset": (-100, 500), "noise": 0.1},
    ],
    ids=["light-on-dark", "dark-on-light", "off-centre", "noisy", "small", "large", "photo-size"],
)
def test_renderings_give_the_same_digit(
    digit: np.ndarray, reference: np.ndarray, rendering: dict
) -> None:
    x = preprocess_image(render_digit(digit, rng=np.random.default_rng(1), **rendering))
    assert_mnist_like(x)
    assert shifted_correlation(x, reference) > 0.9


def _save_grey(image: np.ndarray, path) -> None:
    Image.fromarray(image).save(path)


def _save_tinted_rgb(image: np.ndarray, path) -> None:
    tint = np.array([1.0, 0.9, 0.7])  # cream paper, brown ink
    Image.fromarray(np.rint(image[..., None] * tint).astype(np.uint8)).save(path, quality=85)


def _save_opaque_rgba(image: np.ndarray, path) -> None:
    Image.fromarray(image).convert("RGBA").save(path)


def _save_ink_on_transparent(image: np.ndarray, path) -> None:
    rgba = np.zeros((*image.shape, 4), dtype=np.uint8)  # black ink whose opacity draws the digit
    rgba[..., 3] = 255 - image
    Image.fromarray(rgba).save(path)


def _save_16_bit(image: np.ndarray, path) -> None:
    Image.fromarray(image.astype(np.uint16) * 257).save(path)


@pytest.mark.parametrize(
    ("save", "suffix"),
    [
        (_save_grey, ".png"),
        (_save_grey, ".jpg"),
        (_save_tinted_rgb, ".jpg"),
        (_save_opaque_rgba, ".png"),
        (_save_ink_on_transparent, ".png"),
        (_save_16_bit, ".png"),
    ],
    ids=["grey-png", "grey-jpeg", "rgb-jpeg", "rgba-png", "transparent-png", "16-bit-png"],
)
def test_image_files(digit: np.ndarray, reference: np.ndarray, tmp_path, save, suffix) -> None:
    image = render_digit(digit, offset=(20, -15), noise=0.05, rng=np.random.default_rng(2))
    path = tmp_path / f"digit{suffix}"
    save(image, path)
    x = preprocess_image(path)
    assert_mnist_like(x)
    assert shifted_correlation(x, reference) > 0.9


def test_every_kind_of_input_gives_the_same_result(digit: np.ndarray, tmp_path) -> None:
    image = render_digit(digit, noise=0.05)
    path = tmp_path / "digit.png"
    Image.fromarray(image).save(path)
    expected = preprocess_image(image)
    with open(path, "rb") as file:
        from_file = preprocess_image(file)
    for result in [
        preprocess_image(str(path)),
        preprocess_image(path),
        from_file,
        preprocess_image(io.BytesIO(path.read_bytes())),
        preprocess_image(Image.open(path)),
        preprocess_image(image / 255.0),
        preprocess_image(np.repeat(image[..., None], 3, axis=2)),
    ]:
        np.testing.assert_array_equal(result, expected)


def test_colour_arrays() -> None:
    grey = np.zeros((40, 30), dtype=np.uint8)
    grey[5:35, 12:18] = 255
    rgb = np.stack([grey, grey // 2, grey // 4], axis=2)
    rgba = np.dstack([rgb, np.full_like(grey, 255)])
    np.testing.assert_array_equal(preprocess_image(rgb), preprocess_image(rgba))
    np.testing.assert_array_equal(preprocess_image(grey > 0), preprocess_image(grey))


def test_transparent_pixels_count_as_white_paper() -> None:
    rgba = np.zeros((40, 30, 4), dtype=np.uint8)
    rgba[5:35, 12:18, 3] = 255  # an opaque black stroke; all else transparent black
    paper = np.full((40, 30), 255, dtype=np.uint8)
    paper[5:35, 12:18] = 0
    np.testing.assert_array_equal(preprocess_image(rgba), preprocess_image(paper))


def test_forced_polarity(digit: np.ndarray) -> None:
    dark_on_light = render_digit(digit, invert=True)
    light_on_dark = render_digit(digit, invert=False)
    auto = preprocess_image(dark_on_light)
    np.testing.assert_array_equal(preprocess_image(dark_on_light, invert=True), auto)
    np.testing.assert_array_equal(preprocess_image(light_on_dark, invert=False), auto)
    with pytest.raises(ValueError, match="blank"):
        preprocess_image(dark_on_light, invert=False)


def test_aspect_ratio_is_kept() -> None:
    bar = np.zeros((100, 200), dtype=np.uint8)
    bar[40:64, 20:180] = 255  # 24 by 160 pixels
    assert ink_box(preprocess_image(bar)) == (3, 20)
    assert ink_box(preprocess_image(bar.T)) == (20, 3)


def test_isolated_specks_are_ignored(digit: np.ndarray) -> None:
    clean = render_digit(digit, size=(300, 300))
    specked = clean.copy()
    for row, col in [(10, 10), (280, 40), (150, 285)]:
        specked[row : row + 3, col : col + 3] = 0
    np.testing.assert_array_equal(preprocess_image(specked), preprocess_image(clean))


def test_exif_orientation_is_honoured(digit: np.ndarray, tmp_path) -> None:
    upright = render_digit(digit, noise=0.02)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "photo.jpg"
    Image.fromarray(np.rot90(upright)).save(path, exif=exif, quality=90)
    assert correlation(preprocess_image(path), preprocess_image(upright)) > 0.95


def test_preprocess_images(digit: np.ndarray) -> None:
    images = [render_digit(digit, invert=invert) for invert in (False, True)]
    X = preprocess_images(images)
    assert X.shape == (2, 784)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X[1], preprocess_image(images[1]))
    np.testing.assert_array_equal(preprocess_images(np.stack(images)), X)
    assert preprocess_images([]).shape == (0, 784)


def test_not_an_image_file(tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a digit\n")
    with pytest.raises(ValueError, match=r"cannot read '.*notes\.txt' as an image"):
        preprocess_image(path)
    with pytest.raises(ValueError, match="cannot read"), open(path, "rb") as file:
        preprocess_image(file)


def test_truncated_image_file(digit: np.ndarray, tmp_path) -> None:
    path = tmp_path / "cut.png"
    buffer = io.BytesIO()
    Image.fromarray(render_digit(digit, noise=0.1)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ValueError, match=r"cannot read '.*cut\.png' as an image \(damaged"):
        preprocess_image(path)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        preprocess_image(tmp_path / "missing.png")


@pytest.mark.parametrize(
    "image",
    [
        np.full((50, 40), 255, dtype=np.uint8),
        np.zeros((50, 40)),
        np.random.default_rng(3).normal(128, 20, (200, 150)).clip(0, 255).astype(np.uint8),
        np.zeros((1, 1), dtype=np.uint8),
    ],
    ids=["white", "black", "noise", "one-pixel"],
)
def test_blank_image(image: np.ndarray) -> None:
    with pytest.raises(ValueError, match="the image is blank"):
        preprocess_image(image)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros(784, dtype=np.uint8), r"expected a 2-D grey image .* shape \(784,\)"),
        (np.zeros((28, 28, 2), dtype=np.uint8), r"got an array of shape \(28, 28, 2\)"),
        (np.zeros((2, 28, 28, 3), dtype=np.uint8), r"got an array of shape \(2, 28, 28, 3\)"),
        (np.zeros((0, 28), dtype=np.uint8), "the image is empty"),
        (np.full((28, 28), 256), "integer images must hold values from 0 to 255"),
        (np.full((28, 28), -1), "integer images must hold values from 0 to 255"),
        (np.full((28, 28), 1.5), "float images must hold finite values from 0 to 1"),
        (np.full((28, 28), np.nan), "float images must hold finite values from 0 to 1"),
        (np.zeros((28, 28), dtype=complex), "unsupported image dtype complex128"),
        (np.full((28, 28), "x"), "unsupported image dtype <U1"),
    ],
    ids=["1-D", "2-channels", "4-D", "empty", "int-high", "int-negative", "float-high",
         "nan", "complex", "str"],
)  # fmt: skip
def test_bad_arrays(image: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        preprocess_image(image)


def test_bad_invert() -> None:
    with pytest.raises(ValueError, match="invert must be True, False or 'auto', got 'yes'"):
        preprocess_image(np.eye(28), invert="yes")


def test_unsupported_input_type() -> None:
    with pytest.raises(TypeError, match="got list"):
        preprocess_image([[0, 255], [255, 0]])


def test_model_reads_rendered_sample_digits_about_as_well_as_the_originals():
    """Digits of the packaged MNIST sample, re-photographed, keep the model's accuracy."""
    from sklearn.model_selection import train_test_split

    from bpmnist import BPClassifier
    from bpmnist.datasets import load_sample

    X, y = load_sample(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=300, stratify=y, random_state=0
    )
    clf = BPClassifier(random_state=0).fit(X_train, y_train)
    rng = np.random.default_rng(0)
    photos = [
        render_digit(
            x,
            size=(160, 140),
            scale=rng.uniform(3.0, 4.5),
            offset=tuple(rng.integers(-15, 16, size=2)),
            invert=bool(i % 2),
            noise=0.05,
            rng=rng,
        )
        for i, x in enumerate(X_test)
    ]
    original = clf.score(X_test, y_test)
    rendered = clf.score(preprocess_images(photos), y_test)
    assert original >= 0.93
    assert rendered >= original - 0.04
