"""Build the MNIST sample shipped in the package: ``src/bpmnist/data/mnist_sample.npz``.

The sample holds 500 digits of each class (5,000 in all) from the classic MNIST training file.
For each digit 0-9, the rows of that digit are drawn without replacement with
``numpy.random.default_rng(SEED)``, in the order 0, 1, ..., 9; the chosen rows are then kept
in their original order. The output, written with ``numpy.savez_compressed``, holds

* ``data``: uint8 array of shape (5000, 784), the pixels, unchanged;
* ``target``: int64 array of shape (5000,), the labels;
* ``index``: int64 array of shape (5000,), the 0-based row of each digit in the source file
  (row 0 is the first line of ``mnist_train.csv``).

The arrays are the same on every run; the bytes of the ``.npz`` are not quite, since the zip
container records the time it was written. The script checks that the source decompresses to
the classic ``mnist_train.csv`` (the size and SHA-256 declared in ``bpmnist.datasets``), and
that the output stays under 2 MB.

Usage, from the repository root::

    PYTHONPATH=src python tools/make_sample.py [--source PATH] [--output PATH]
"""

import argparse
import gzip
import hashlib
from pathlib import Path

import numpy as np

from bpmnist import datasets
from bpmnist.datasets import load_mnist_csv

SEED = 1998
PER_CLASS = 500
MAX_BYTES = 2_000_000
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "mnist_train.csv.gz"
DEFAULT_OUTPUT = ROOT / "src" / "bpmnist" / "data" / "mnist_sample.npz"


def check_source(path: Path) -> None:
    """Raise ValueError unless ``path`` (gzip-compressed or not) is the classic training file."""
    expected = datasets._REMOTE_FILES["train"]
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    digest = hashlib.sha256()
    size = 0
    with opener(path, "rb") as file:
        while chunk := file.read(1 << 24):
            digest.update(chunk)
            size += len(chunk)
    if (size, digest.hexdigest()) != (expected.size, expected.sha256):
        raise ValueError(f"{path} is not the classic {expected.filename} (size or sha256 differ).")


def choose_rows(y: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Draw ``per_class`` rows of each digit without replacement; return them sorted."""
    rng = np.random.default_rng(seed)
    chosen = [
        rng.choice(np.flatnonzero(y == digit), size=per_class, replace=False) for digit in range(10)
    ]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    check_source(args.source)
    X, y = load_mnist_csv(args.source, cache=False)
    index = choose_rows(y, PER_CLASS, SEED)
    np.savez_compressed(args.output, data=X[index], target=y[index], index=index)

    size = args.output.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{args.output} is {size:,} bytes, over the {MAX_BYTES:,} allowed.")
    digest = hashlib.sha256(X[index].tobytes() + y[index].tobytes() + index.tobytes())
    print(f"wrote {args.output} ({size:,} bytes); sha256 of the arrays {digest.hexdigest()}")


if __name__ == "__main__":
    main()
