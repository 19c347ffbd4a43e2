"""Data augmentation for image rows: random shifts by a pixel or two.

A handwritten digit moved by one pixel is still the same digit; showing the network
slightly moved copies of the training images at every epoch teaches it that, and is the
single most effective regulariser for small fully connected networks on MNIST.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional

#: The smallest square image that "auto" augmentation treats as an image (16x16 pixels);
#: smaller square tables, such as scikit-learn's 8x8 digits, are left alone.
MIN_AUTO_SIDE = 16


def square_side(n_features: int) -> int | None:
    """Return the side of the square image with ``n_features`` pixels, or None."""
    side = math.isqrt(n_features)
    return side if side * side == n_features else None


class RandomShift:
    """Shift flattened square images by a random number of whole pixels, filling with zeros.

    Each image moves independently by an offset drawn uniformly from
    ``[-max_shift, max_shift]`` along each axis.

    Parameters
    ----------
    side : int
        Side of the square images (28 for MNIST): rows hold ``side * side`` pixels.
    max_shift : int
        Largest shift in pixels along each axis.
    seed : int
        Seed of the generator that draws the offsets.
    """

    def __init__(self, side: int, max_shift: int, seed: int) -> None:
        self.side = side
        self.max_shift = max_shift
        self.generator = torch.Generator().manual_seed(seed)
        self._steps = torch.arange(side)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Return shifted copies of the rows of ``X`` (shape ``(n, side * side)``)."""
        n, side, k = X.shape[0], self.side, self.max_shift
        padded = functional.pad(X.view(n, side, side), (k, k, k, k))
        offsets = torch.randint(0, 2 * k + 1, (2, n, 1), generator=self.generator)
        steps = self._steps
        rows = (offsets[0] + steps)[:, :, None].to(X.device)
        cols = (offsets[1] + steps)[:, None, :].to(X.device)
        images = torch.arange(n, device=X.device)[:, None, None]
        return padded[images, rows, cols].reshape(n, side * side)
