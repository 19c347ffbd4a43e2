"""Random shifts of image rows, and how the estimator applies them."""

import numpy as np
import pytest
import torch

from bpmnist import BPClassifier
from bpmnist._augmentation import RandomShift, square_side


def _translate(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move a 2-D image by (dy, dx) pixels, filling the uncovered border with zeros."""
    side = image.shape[0]
    out = np.zeros_like(image)
    src_rows = slice(max(0, -dy), side - max(0, dy))
    dst_rows = slice(max(0, dy), side - max(0, -dy))
    src_cols = slice(max(0, -dx), side - max(0, dx))
    dst_cols = slice(max(0, dx), side - max(0, -dx))
    out[dst_rows, dst_cols] = image[src_rows, src_cols]
    return out


@pytest.mark.parametrize(("n_features", "side"), [(784, 28), (64, 8), (1, 1), (10, None)])
def test_square_side(n_features, side):
    assert square_side(n_features) == side


def test_random_shift_moves_each_image_by_at_most_one_pixel():
    rng = np.random.default_rng(0)
    images = rng.random((200, 6, 6)).astype(np.float32) + 1  # no zeros: shifts are visible
    shifted = RandomShift(6, max_shift=1, seed=0)(torch.from_numpy(images.reshape(200, 36)))
    assert shifted.shape == (200, 36)
    seen = set()
    for image, moved in zip(images, shifted.numpy().reshape(200, 6, 6), strict=True):
        matches = [
            (dy, dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if np.array_equal(moved, _translate(image, dy, dx))
        ]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) == 9  # every offset occurs


def test_random_shift_uses_every_offset_equally_often_on_any_dtype():
    rng = np.random.default_rng(1)
    images = rng.integers(1, 256, size=(45, 5, 5)).astype(np.uint8)  # no zeros
    shifted = RandomShift(5, max_shift=1, seed=0)(torch.from_numpy(images.reshape(45, 25)))
    assert shifted.dtype == torch.uint8
    counts = {}
    for image, moved in zip(images, shifted.numpy().reshape(45, 5, 5), strict=True):
        [offset] = [
            (dy, dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if np.array_equal(moved, _translate(image, dy, dx))
        ]
        counts[offset] = counts.get(offset, 0) + 1
    assert counts == {(dy, dx): 5 for dy in (-1, 0, 1) for dx in (-1, 0, 1)}


def test_random_shift_of_fewer_rows_than_offsets():
    X = torch.arange(1, 4 * 16 + 1, dtype=torch.float32).reshape(4, 16)
    shifted = RandomShift(4, max_shift=2, seed=0)(X)
    assert shifted.shape == (4, 16)
    # each row keeps a (possibly empty) part of its own pixels and nothing else
    for row, moved in zip(X, shifted, strict=True):
        assert set(moved[moved != 0].tolist()) <= set(row.tolist())


def test_random_shift_is_reproducible():
    X = torch.rand(50, 16)

    def five_minibatches(seed):
        shift = RandomShift(4, max_shift=1, seed=seed)
        return torch.stack([shift(X) for _ in range(5)])

    first = five_minibatches(3)
    assert torch.equal(first, five_minibatches(3))
    assert not torch.equal(first, five_minibatches(4))


def test_auto_leaves_small_images_alone(small_digits):
    X, y = small_digits  # 8x8 images: below the 16x16 that "auto" augments
    auto = BPClassifier(max_iter=3, random_state=0).fit(X, y)
    none = BPClassifier(max_iter=3, augmentation=None, random_state=0).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), none.predict_proba(X))
    shift = BPClassifier(max_iter=3, augmentation="shift", random_state=0).fit(X, y)
    assert not np.array_equal(shift.predict_proba(X), none.predict_proba(X))


def test_auto_shifts_mnist_sized_images():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, size=(60, 784)).astype(np.uint8)
    y = np.arange(60) % 3
    auto = BPClassifier(max_iter=2, random_state=0).fit(X, y)
    shift = BPClassifier(max_iter=2, augmentation="shift", random_state=0).fit(X, y)
    none = BPClassifier(max_iter=2, augmentation=None, random_state=0).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), shift.predict_proba(X))
    assert not np.array_equal(auto.predict_proba(X), none.predict_proba(X))


def test_shift_needs_square_images(small_digits):
    X, y = small_digits
    clf = BPClassifier(augmentation="shift")
    with pytest.raises(ValueError, match="needs square images, but X has 10 features"):
        clf.fit(X[:, :10], y)
    assert not hasattr(clf, "module_")  # refused before any fitted state was made
