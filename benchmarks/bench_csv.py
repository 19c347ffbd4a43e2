"""Time loading a classic MNIST CSV file with pandas and with ``bpmnist.datasets.load_mnist_csv``.

Three loads are timed side by side, in one run, on the same file:

* ``pandas.read_csv(path, header=None).to_numpy()``, the reference;
* ``load_mnist_csv(path)`` into an empty, temporary data home: the first load, which parses the
  file and writes the cache;
* ``load_mnist_csv(path)`` again: the second load, served by the cache.

Each is run ``--repeat`` times and the best time kept. The file is read once beforehand so that
every load finds it in the operating system's page cache. The arrays must be identical to
pandas' (labels in the first column, pixels in the others). The targets: first load at most
0.7 times pandas' time, cached load under 50 ms; the exit status is 1 if one is missed.

The speed targets are about the uncompressed ``mnist_train.csv`` (110 MB); a ``.csv.gz`` file is
accepted too. For example::

    gunzip -c ../shared/data/mnist_train.csv.gz > /tmp/mnist_train.csv
    PYTHONPATH=src python benchmarks/bench_csv.py --train /tmp/mnist_train.csv --repeat 3

Other benchmarks can reuse the measurement: ``from bench_csv import compare_csv_loading``.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bpmnist.datasets import load_mnist_csv

MAX_RATIO = 0.7
MAX_CACHED_MS = 50.0


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def compare_csv_loading(path, *, repeat=1):
    """Time pandas, a first load and a cached load of ``path``, and check they agree.

    Parameters
    ----------
    path : str or path-like
        A file in the classic MNIST CSV format, plain or gzip-compressed.
    repeat : int, default=1
        How many times to run the three loads; the best time of each is kept.

    Returns
    -------
    results : dict
        ``path``, ``n_rows``, the best times ``pandas_s``, ``first_load_s`` and
        ``cached_load_s``, and ``ratio``, ``first_load_s / pandas_s``.

    Raises
    ------
    AssertionError
        If a load gives arrays that differ from pandas'.
    """
    path = Path(path)
    path.read_bytes()  # into the page cache, for every contender alike
    times = {"pandas_s": [], "first_load_s": [], "cached_load_s": []}
    for _ in range(repeat):
        reference, seconds = _timed(lambda: pd.read_csv(path, header=None).to_numpy())
        times["pandas_s"].append(seconds)
        with tempfile.TemporaryDirectory() as data_home:
            first, seconds = _timed(load_mnist_csv, path, data_home=data_home)
            times["first_load_s"].append(seconds)
            cached, seconds = _timed(load_mnist_csv, path, data_home=data_home)
            times["cached_load_s"].append(seconds)
        for X, y in (first, cached):
            if not (np.array_equal(X, reference[:, 1:]) and np.array_equal(y, reference[:, 0])):
                raise AssertionError(f"load_mnist_csv({path}) differs from pandas.read_csv")
    best = {name: min(values) for name, values in times.items()}
    return {
        "path": str(path),
        "n_rows": len(reference),
        **best,
        "ratio": best["first_load_s"] / best["pandas_s"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True, type=Path, help="the CSV file to load")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each load (default 3)")
    args = parser.parse_args(argv)

    results = compare_csv_loading(args.train, repeat=args.repeat)
    ratio_met = results["ratio"] <= MAX_RATIO
    cached_ms = 1000 * results["cached_load_s"]
    cached_met = cached_ms < MAX_CACHED_MS
    print(f"file: {results['path']} ({results['n_rows']:,} rows), best of {args.repeat}")
    print(f"pandas.read_csv(header=None).to_numpy(): {results['pandas_s']:.3f} s")
    print(
        f"load_mnist_csv, first load:  {results['first_load_s']:.3f} s, "
        f"ratio to pandas {results['ratio']:.2f} (target <= {MAX_RATIO}: "
        f"{'met' if ratio_met else 'MISSED'})"
    )
    print(
        f"load_mnist_csv, cached load: {cached_ms:.1f} ms "
        f"(target < {MAX_CACHED_MS:.0f} ms: {'met' if cached_met else 'MISSED'})"
    )
    print("arrays identical to pandas: yes")
    return 0 if ratio_met and cached_met else 1


if __name__ == "__main__":
    sys.exit(main())
