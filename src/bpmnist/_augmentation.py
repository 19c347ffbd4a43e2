"""Data augmentation for image rows: random shifts by a pixel or two.

A handwritten digit moved by one pixel is still the same digit; showing the network
slightly moved copies of the training images at every epoch teaches it that, and is the
single most effective regulariser for small fully connected networks on MNIST.
"""

from __future__ import annotations

import math

import torch

#: The smallest square image that "auto" augmentation treats as an image (16x16 pixels);
#: smaller square tables, such as scikit-learn's 8x8 digits, are left alone.
MIN_AUTO_SIDE = 16


def square_side(n_features: int) -> int | None:
    """Return the side of the square image with ``n_features`` pixels, or None."""
    side = math.isqrt(n_features)
    return side if side * side == n_features else None


class RandomShift:
    """Shift flattened square images by a random number of whole pixels, filling with zeros.

    Every image of a minibatch moves by one of the ``(2 * max_shift + 1) ** 2`` offsets
    of at most ``max_shift`` pixels along each axis. The offsets are dealt out in turn:
    row ``i`` gets offset number ``(i + r) % n_offsets``, with ``r`` drawn uniformly for
    each minibatch. Each image therefore moves by a uniformly random offset, every offset
    is used equally often, and the whole minibatch is moved with one slice copy per
    offset instead of one gather per pixel. Rows of a shuffled minibatch are in random
    order, so which images share an offset is random too.

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
        span = range(-max_shift, max_shift + 1)
        self._offsets = [(dy, dx) for dy in span for dx in span]

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Return shifted copies of the rows of ``X`` (shape ``(n, side * side)``), any dtype."""
        n, side, n_offsets = X.shape[0], self.side, len(self._offsets)
        images = X.reshape(n, side, side)
        shifted = torch.zeros_like(images)
        first = int(torch.randint(n_offsets, (1,), generator=self.generator))
        for i in range(min(n, n_offsets)):
            dy, dx = self._offsets[(first + i) % n_offsets]
            shifted[i::n_offsets, _target(dy, side), _target(dx, side)] = images[
                i::n_offsets, _target(-dy, side), _target(-dx, side)
            ]
        return shifted.view(n, side * side)


def _target(offset: int, side: int) -> slice:
    """The pixels along one axis that content moved by ``offset`` pixels lands on."""
    return slice(max(offset, 0), side + min(offset, 0))
