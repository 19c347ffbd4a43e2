"""Turn a photo or scan of one handwritten digit into an MNIST-style vector.

MNIST digits are white on black, cropped to the digit, scaled so that the larger side of the digit
fills 20 pixels (keeping the aspect ratio, with anti-aliased grey levels), then pasted into a 28x28
field so that their centre of mass sits at the centre.  :func:`preprocess_image` applies the same
steps to an image of your own so that a model trained on MNIST can read it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

__all__ = ["preprocess_image", "preprocess_images"]

_ImageLike = str | os.PathLike[str] | IO[bytes] | Image.Image | np.ndarray

_SIDE = 28  # the MNIST field
_BOX = 20  # the larger side of the digit inside the field
_MAX_SIDE = 1024  # larger photos are shrunk to this first: plenty for a 20-pixel digit
_SMOOTH_SIGMA = 1.0  # pixels; smoothing used only to *find* the ink, never on the output
_INK_THRESHOLD = 0.2  # ink is where the smoothed signal exceeds this fraction of its peak
_MIN_PART = 0.05  # ink blobs lighter than this fraction of the heaviest one are specks
_NOISE_FACTOR = 6.0  # a peak below this many noise deviations is no ink at all
_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601-2, as Pillow's "L" conversion


def preprocess_image(image: _ImageLike, *, invert: bool | Literal["auto"] = "auto") -> np.ndarray:
    """Convert an image of one handwritten digit to the MNIST convention.

    The steps are those the MNIST authors used: the image is turned grey (transparent pixels
    count as white paper, and a photo's EXIF orientation is honoured), made bright-on-dark, freed
    of its background level, cropped to the bounding box of the ink (ignoring isolated specks),
    scaled with anti-aliasing so that its larger side is 20 pixels (keeping the aspect ratio), and
    pasted into a 28x28 field at the whole-pixel shift that brings its centre of mass closest to
    the centre ``(14, 14)``.  Intensities are finally rescaled so that the brightest pixel is 255.

    Parameters
    ----------
    image : str, os.PathLike, binary file, PIL.Image.Image or numpy.ndarray
        A path to or an open binary file of an image in any format Pillow reads (PNG, JPEG, ...),
        a Pillow image, or an array: 2-D grey ``(height, width)`` or 3-D colour
        ``(height, width, 3)`` (RGB) or ``(height, width, 4)`` (RGBA).  Arrays hold booleans,
        integers from 0 to 255, or floats from 0 to 1.
    invert : bool or "auto", default="auto"
        Whether the image shows a dark digit on a light background and must be inverted.
        ``"auto"`` decides from the background level (the median of the image border): if the
        darkest pixels stray further from it than the brightest, the digit is dark.

    Returns
    -------
    numpy.ndarray of shape (784,) and dtype uint8
        The 28x28 digit, row-major, white (255) on black (0), like one row of MNIST.

    Raises
    ------
    ValueError
        If the file is not an image Pillow can read, if the array has an unsupported shape,
        dtype or value range, if `invert` is not a bool or ``"auto"``, or if the image is blank
        (nothing stands out from the background noise).
    TypeError
        If `image` is none of the supported kinds.
    OSError
        If the file cannot be opened (missing, not permitted), as raised by :func:`open`.

    See Also
    --------
    preprocess_images : The same for several images at once.

    Notes
    -----
    The background is taken to be even: a strong shadow or lighting gradient across a photo can
    be mistaken for ink, so crop such photos around the digit first.

    Examples
    --------
    A dark vertical stroke (a "1") drawn off-centre on white paper becomes a bright stroke in the
    middle of a black 28x28 field:

    >>> import numpy as np
    >>> from bpmnist.images import preprocess_image
    >>> paper = np.full((150, 120), 255, dtype=np.uint8)
    >>> paper[20:110, 10:25] = 0
    >>> x = preprocess_image(paper)
    >>> x.shape, x.dtype.name
    ((784,), 'uint8')
    >>> digit = x.reshape(28, 28)
    >>> int(digit[14, 14]), int(digit[0, 0])
    (255, 0)
    >>> rows, cols = np.nonzero(digit)
    >>> int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
    (20, 3)
    """
    if not (isinstance(invert, (bool, np.bool_)) or (isinstance(invert, str) and invert == "auto")):
        raise ValueError(f"invert must be True, False or 'auto', got {invert!r}")
    grey = _load_grey(image)
    if max(grey.shape) > _MAX_SIDE:
        grey = _resize(grey, _MAX_SIDE)
    ink = _find_ink(grey, invert)
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    patch = np.clip(_resize(crop, _BOX), 0.0, None)  # the filter rings slightly below zero
    patch = np.rint(patch * (255 / patch.max())).astype(np.uint8)
    return _centre(patch).ravel()


def preprocess_images(
    images: Iterable[_ImageLike], *, invert: bool | Literal["auto"] = "auto"
) -> np.ndarray:
    """Convert several digit images to MNIST rows with :func:`preprocess_image`.

    Parameters
    ----------
    images : iterable of str, os.PathLike, binary file, PIL.Image.Image or numpy.ndarray
        The images, each of a kind :func:`preprocess_image` accepts.  A 3-D array of shape
        ``(n_images, height, width)`` is read as ``n_images`` grey images.
    invert : bool or "auto", default="auto"
        Passed to :func:`preprocess_image` for every image.

    Returns
    -------
    numpy.ndarray of shape (n_images, 784) and dtype uint8
        One MNIST-style row per image, in order.

    Raises
    ------
    ValueError, TypeError, OSError
        As :func:`preprocess_image`, for the first image that fails.

    Examples
    --------
    >>> import numpy as np
    >>> from bpmnist.images import preprocess_images
    >>> strokes = np.zeros((3, 60, 60))
    >>> strokes[0, 10:50, 28:32] = 1.0  # a vertical stroke
    >>> strokes[1, 28:32, 10:50] = 1.0  # a horizontal one
    >>> strokes[2, 10:50, 10:50] = 1.0  # a block
    >>> preprocess_images(strokes).shape
    (3, 784)
    """
    rows = [preprocess_image(image, invert=invert) for image in images]
    return np.array(rows, dtype=np.uint8).reshape(len(rows), _SIDE * _SIDE)


def _load_grey(image: _ImageLike) -> np.ndarray:
    """Read any supported input as a 2-D float array; only relative levels matter."""
    if isinstance(image, np.ndarray):
        return _array_to_grey(image)
    if isinstance(image, Image.Image):
        return _pil_to_grey(image)
    if isinstance(image, (str, os.PathLike)) or hasattr(image, "read"):
        return _read_file(image)
    raise TypeError(
        "image must be a path, a binary file, a PIL image or a numpy array, "
        f"got {type(image).__name__}"
    )


def _read_file(file: str | os.PathLike[str] | IO[bytes]) -> np.ndarray:
    name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else getattr(file, "name", file)
    try:
        with Image.open(file) as opened:
            opened.load()
            return _pil_to_grey(opened)
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ValueError(f"cannot read {name!r} as an image: {exc}") from exc
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except OSError as exc:  # Pillow's word for a truncated or corrupt image
        raise ValueError(f"cannot read {name!r} as an image (damaged file?): {exc}") from exc


def _pil_to_grey(image: Image.Image) -> np.ndarray:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "F") or image.mode.startswith("I;"):  # 16/32-bit grey
        return np.asarray(image, dtype=np.float64)
    colour_mode = "RGBA" if image.has_transparency_data else "L"
    return _array_to_grey(np.asarray(image.convert(colour_mode)))


def _array_to_grey(array: np.ndarray) -> np.ndarray:
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(
            "expected a 2-D grey image (height, width) or a 3-D RGB/RGBA image "
            f"(height, width, 3 or 4), got an array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"the image is empty (shape {array.shape})")
    if array.dtype == np.bool_:
        values = array.astype(np.float64)
    elif np.issubdtype(array.dtype, np.integer):
        if array.min() < 0 or array.max() > 255:
            raise ValueError("integer images must hold values from 0 to 255")
        values = array / 255.0
    elif np.issubdtype(array.dtype, np.floating):
        if not np.all((array >= 0) & (array <= 1)):
            raise ValueError("float images must hold finite values from 0 to 1")
        values = array.astype(np.float64)
    else:
        raise ValueError(f"unsupported image dtype {array.dtype}: use bool, uint8 or float")
    if values.ndim == 2:
        return values
    grey = values[..., :3] @ _LUMA
    if values.shape[2] == 4:  # composite on white paper
        alpha = values[..., 3]
        grey = grey * alpha + (1.0 - alpha)
    return grey


def _find_ink(grey: np.ndarray, invert: bool | Literal["auto"]) -> np.ndarray:
    """Return the level of ink above the background, zero away from the digit."""
    smooth = ndimage.gaussian_filter(grey, _SMOOTH_SIGMA)
    border = _border(smooth)
    background = np.median(border)
    if invert == "auto":
        invert = background - smooth.min() > smooth.max() - background
    sign = -1.0 if invert else 1.0
    signal = sign * (smooth - background)
    noise = 1.4826 * np.median(np.abs(border - background))  # robust standard deviation
    peak = signal.max()
    if not peak > _NOISE_FACTOR * noise:
        raise ValueError("the image is blank: no digit stands out from the background")
    labels, n_parts = ndimage.label(signal > _INK_THRESHOLD * peak, structure=np.ones((3, 3)))
    weights = ndimage.sum_labels(signal, labels, index=np.arange(1, n_parts + 1))
    kept = 1 + np.flatnonzero(weights >= _MIN_PART * weights.max())
    return np.clip(sign * (grey - background), 0.0, None) * np.isin(labels, kept)


def _border(array: np.ndarray) -> np.ndarray:
    """The values in a frame about 5% of the image wide."""
    width = max(1, min(array.shape) // 20)
    return np.concatenate(
        [
            array[:width].ravel(),
            array[-width:].ravel(),
            array[:, :width].ravel(),
            array[:, -width:].ravel(),
        ]
    )


def _resize(array: np.ndarray, longest: int) -> np.ndarray:
    """Resample with anti-aliasing so that the longer side becomes `longest` pixels."""
    scale = longest / max(array.shape)
    height, width = (max(1, round(side * scale)) for side in array.shape)
    image = Image.fromarray(array.astype(np.float32))
    return np.asarray(image.resize((width, height), Image.Resampling.LANCZOS), dtype=np.float64)


def _centre(patch: np.ndarray) -> np.ndarray:
    """Paste the patch into the 28x28 field with its centre of mass nearest the centre."""
    field = np.zeros((_SIDE, _SIDE), dtype=np.uint8)
    centre_of_mass = np.array(ndimage.center_of_mass(patch.astype(np.float64)))
    shift = np.clip(np.rint(_SIDE / 2 - centre_of_mass), 0, _SIDE - np.array(patch.shape))
    top, left = (int(value) for value in shift)
    field[top : top + patch.shape[0], left : left + patch.shape[1]] = patch
    return field
