"""Benchmark ``BPClassifier`` against the tutorial, scikit-learn's MLPClassifier and skorch.

Every system is trained and evaluated on the same data in one run of this script, seed by
seed with the systems taking turns, so the ratios it prints compare like with like on the
machine at hand even when its speed drifts during the run:

* ``tutorial``: the original loop, one sample at a time, ``Sigmoid`` + ``BCELoss`` on one-hot
  labels, Adam, no shuffling, pixels divided by 255 (``--tutorial-epochs``, default 3);
* ``BPClassifier``: ``BPClassifier()`` with its defaults;
* ``MLP(200), 20 epochs``: ``MLPClassifier(hidden_layer_sizes=(200,), max_iter=20)``;
* ``MLP defaults``: ``MLPClassifier()``;
* ``skorch``: ``NeuralNetClassifier`` with the tutorial's hidden layer (batch 128, 10 epochs).

For each: test accuracy (mean and spread over ``--seeds``), fit time, time per epoch, time to
predict the whole test set (best of 5 calls after a first, untimed one), and the peak resident
memory while fitting. A roofline line measures the float32 matrix-multiplication throughput
in this process and the least time an epoch of the 784-200-10 network could take (3x the
forward multiply-adds per sample); the CSV line times ``load_mnist_csv`` against pandas on
``--train``. Before each fit, a probe times how long torch's threads take to pass data to each
other (``handoff_us``): on a virtual machine it tells whether the host had placed the
process's cores close together (a shared cache, a few tens of microseconds) or far apart
(hundreds), which changes the speed of every training step but not that of the roofline's
matrix product; the table lists it for every seed of ``BPClassifier``.

Tune on a validation split of the training file and keep the official test file for the
final, independent measurement::

    # development: the last 10,000 training rows are the test set
    python benchmarks/run_benchmark.py --train mnist_train.csv --validation-rows 10000
    # independent evaluation
    python benchmarks/run_benchmark.py --train mnist_train.csv --test mnist_test.csv
    # a quick check on the sample shipped in the package
    python benchmarks/run_benchmark.py --quick
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sklearn
import torch
from bench_csv import compare_csv_loading  # the sibling script: run from this folder
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from torch import nn

import bpmnist
from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample

HIDDEN = 200
#: Predict time is the best of this many calls after a first, untimed one (as timeit does).
PREDICT_REPEATS = 5
#: Size of the tensor that the hand-off probe passes between threads: one minibatch of 256
#: float32 MNIST rows (800 KB), the size of what each training step hands on.
HANDOFF_ELEMENTS = 256 * 784


class PeakMemory:
    """Track the peak resident set size of this process while the block runs (Linux)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()

    @staticmethod
    def current_bytes() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.current_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self.start_bytes = self.peak_bytes = self.current_bytes()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self.current_bytes())


def tutorial_module() -> nn.Sequential:
    """The tutorial's network, sigmoid output included."""
    return nn.Sequential(
        nn.Linear(784, HIDDEN),
        nn.LeakyReLU(0.02),
        nn.LayerNorm(HIDDEN),
        nn.Linear(HIDDEN, 10),
        nn.Sigmoid(),
    )


class TutorialLoop:
    """The tutorial's training loop: one sample at a time, in file order, BCELoss, Adam."""

    def __init__(self, epochs: int, seed: int) -> None:
        self.epochs = epochs
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> TutorialLoop:
        torch.manual_seed(self.seed)
        self.module = tutorial_module()
        optimiser = torch.optim.Adam(self.module.parameters())
        loss_function = nn.BCELoss()
        inputs = torch.from_numpy(X).float() / 255.0
        targets = nn.functional.one_hot(torch.from_numpy(y), 10).float()
        for _ in range(self.epochs):
            for x, target in zip(inputs, targets, strict=True):
                loss = loss_function(self.module(x), target)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.module(torch.from_numpy(X).float() / 255.0).argmax(dim=1).numpy()


class ScaledInput:
    """Divide pixels by 255 before an estimator that expects scaled inputs (MLP, skorch)."""

    def __init__(self, estimator: object, dtype: type = np.float64) -> None:
        self.estimator = estimator
        self.dtype = dtype

    def fit(self, X: np.ndarray, y: np.ndarray) -> ScaledInput:
        self.estimator.fit((X / 255.0).astype(self.dtype), y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.estimator.predict((X / 255.0).astype(self.dtype))


def make_skorch(seed: int) -> ScaledInput | None:
    try:
        from skorch import NeuralNetClassifier
    except ImportError:
        return None
    torch.manual_seed(seed)
    net = NeuralNetClassifier(
        tutorial_module()[:-1],  # logits: CrossEntropyLoss applies the softmax itself
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=128,
        max_epochs=10,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    return ScaledInput(net, dtype=np.float32)


def systems(tutorial_epochs: int) -> dict[str, Callable[[int], object | None]]:
    """Name -> factory of a fresh, unfitted system for a seed (None when not installed)."""
    return {
        "tutorial": lambda seed: TutorialLoop(tutorial_epochs, seed),
        "BPClassifier": lambda seed: BPClassifier(random_state=seed),
        "MLP(200), 20 epochs": lambda seed: ScaledInput(
            MLPClassifier((HIDDEN,), max_iter=20, random_state=seed)
        ),
        "MLP defaults": lambda seed: ScaledInput(MLPClassifier(random_state=seed)),
        "skorch": make_skorch,
    }


def epochs_of(system: object, tutorial_epochs: int) -> int:
    inner = getattr(system, "estimator", system)
    if isinstance(system, TutorialLoop):
        return tutorial_epochs
    if hasattr(inner, "n_iter_"):
        return int(inner.n_iter_)
    return int(inner.max_epochs)  # skorch


def run_once(system, seed, data, tutorial_epochs):
    """Fit one fresh system, predict the test set, and return the figures of this run."""
    X_train, y_train, X_test, y_test = data
    handoff_us = thread_handoff_us()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with PeakMemory() as memory:
            start = time.perf_counter()
            system.fit(X_train, y_train)
            fit_s = time.perf_counter() - start
    predicted = system.predict(X_test)  # also warms up caches and lazy initialisation
    predict_s = best_seconds(lambda: system.predict(X_test), PREDICT_REPEATS)
    epochs = epochs_of(system, tutorial_epochs)
    return {
        "seed": seed,
        "accuracy": float(np.mean(predicted == y_test)),
        "fit_s": fit_s,
        "epochs": epochs,
        "epoch_s": fit_s / epochs,
        "predict_s": predict_s,
        "peak_rss_mb": memory.peak_bytes / 2**20,
        "fit_rss_increase_mb": (memory.peak_bytes - memory.start_bytes) / 2**20,
        "handoff_us": handoff_us,
    }


def summarise(runs):
    """Mean accuracy and times over the seeds, spread of the accuracy, largest memory."""
    keys = ("accuracy", "fit_s", "epoch_s", "predict_s")
    summary = {key: statistics.fmean(run[key] for run in runs) for key in keys}
    summary["accuracy_std"] = statistics.pstdev(run["accuracy"] for run in runs)
    for key in ("peak_rss_mb", "fit_rss_increase_mb"):
        summary[key] = max(run[key] for run in runs)
    return {"summary": summary, "runs": runs}


def run_all(selected, seeds, data, tutorial_epochs):
    """Run every system once per seed, seed by seed, and summarise each system.

    Interleaving the systems within each seed (rather than running all seeds of one system,
    then the next) spreads any slow spell of the machine over all systems, so the ratios
    stay fair on a shared or throttled machine.
    """
    runs = {name: [] for name in selected}
    for seed in seeds:
        for name, factory in selected.items():
            system = factory(seed)
            if system is None:
                runs[name] = None
                continue
            print(f"{name}, seed {seed}:", file=sys.stderr, flush=True)
            runs[name].append(run_once(system, seed, data, tutorial_epochs))
            print(f"  {runs[name][-1]}", file=sys.stderr, flush=True)
    return {name: None if rows is None else summarise(rows) for name, rows in runs.items()}


def best_seconds(function: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` timed calls of ``function`` (as :mod:`timeit` advises)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_gflops(repeat: int = 20) -> float:
    """Best float32 matmul throughput of this process for the network's first layer."""
    a, b = torch.rand(4096, 784), torch.rand(784, HIDDEN)
    return 2 * 4096 * 784 * HIDDEN / best_seconds(lambda: a @ b, repeat) / 1e9


def thread_handoff_us(passes: int = 300) -> float:
    """Microseconds for torch's thread pool to read an 800 KB tensor that it just wrote, reversed.

    Each pass reads the previous result back to front, so each thread reads what another
    thread wrote: the data crosses between cores, as it does between the operations of a
    training step. Best of 3 runs of ``passes`` passes.
    """
    tensors = (torch.rand(HANDOFF_ELEMENTS), torch.empty(HANDOFF_ELEMENTS))

    def run() -> None:
        for i in range(passes):
            torch.mul(tensors[i % 2].flip(0), 1.0, out=tensors[1 - i % 2])

    return best_seconds(run, 3) / passes * 1e6


def roofline(n_train: int, n_test: int, gflops: float) -> dict[str, float]:
    multiply_adds = 784 * HIDDEN + HIDDEN * 10
    return {
        "matmul_gflops": gflops,
        "min_epoch_s": 3 * 2 * multiply_adds * n_train / (gflops * 1e9),
        "min_predict_s": 2 * multiply_adds * n_test / (gflops * 1e9),
    }


def load_data(args):
    if args.quick:
        X, y = load_sample(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=0
        )
        return X_train, y_train, X_test, y_test
    X_train, y_train = load_mnist_csv(args.train)
    if args.test is not None:
        X_test, y_test = load_mnist_csv(args.test)
    else:
        n = args.validation_rows
        X_train, X_test, y_train, y_test = X_train[:-n], X_train[-n:], y_train[:-n], y_train[-n:]
    return X_train, y_train, X_test, y_test


def markdown(results: dict) -> str:
    rows = results["systems"]
    reference = rows["BPClassifier"]["summary"]
    lines = [
        "| system | accuracy (mean ± sd) | fit (s) | per epoch (s) | predict (ms) "
        "| peak RSS (MB) | RSS added by fit (MB) | BPClassifier fit / this "
        "| BPClassifier predict / this |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        if row is None:
            lines.append(f"| {name} | not installed | | | | | | | |")
            continue
        s = row["summary"]
        lines.append(
            f"| {name} | {100 * s['accuracy']:.2f}% ± {100 * s['accuracy_std']:.2f} "
            f"| {s['fit_s']:.1f} | {s['epoch_s']:.2f} | {1000 * s['predict_s']:.0f} "
            f"| {s['peak_rss_mb']:.0f} | {s['fit_rss_increase_mb']:.0f} "
            f"| {reference['fit_s'] / s['fit_s']:.2f} "
            f"| {reference['predict_s'] / s['predict_s']:.2f} |"
        )
    roof = results["roofline"]
    lines += [
        "",
        f"Roofline: float32 matmul {roof['matmul_gflops']:.0f} GFLOP/s in this process; "
        f"minimum epoch {roof['min_epoch_s']:.3f} s, BPClassifier epoch / minimum = "
        f"{reference['epoch_s'] / roof['min_epoch_s']:.2f}; minimum predict "
        f"{1000 * roof['min_predict_s']:.1f} ms, BPClassifier predict / minimum = "
        f"{reference['predict_s'] / roof['min_predict_s']:.2f}.",
        "BPClassifier epoch / minimum per seed (thread hand-off before the fit): "
        + ", ".join(
            f"{run['epoch_s'] / roof['min_epoch_s']:.2f} ({run['handoff_us']:.0f} µs)"
            for run in rows["BPClassifier"]["runs"]
        )
        + ".",
    ]
    csv = results.get("csv")
    if csv:
        lines.append(
            f"CSV ({csv['n_rows']} rows, best of 3): pandas {csv['pandas_s']:.2f} s, "
            f"load_mnist_csv first load {csv['first_load_s']:.2f} s (ratio {csv['ratio']:.2f}), "
            "cached load "
            f"{1000 * csv['cached_load_s']:.0f} ms."
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--train", type=Path, help="classic MNIST training CSV (.csv or .csv.gz)")
    source.add_argument("--quick", action="store_true", help="use the packaged sample instead")
    parser.add_argument("--test", type=Path, help="test CSV; default: a validation split")
    parser.add_argument("--validation-rows", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds per system")
    parser.add_argument("--tutorial-epochs", type=int, default=3)
    parser.add_argument(
        "--systems", nargs="+", choices=list(systems(1)), help="run only these systems"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.systems and "BPClassifier" not in args.systems:
        parser.error("--systems must include BPClassifier, the reference of the ratios")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = load_data(args)
    print(
        f"train {len(data[1])} rows, test {len(data[3])} rows, torch threads "
        f"{torch.get_num_threads()}",
        file=sys.stderr,
    )
    selected = {
        name: factory
        for name, factory in systems(args.tutorial_epochs).items()
        if not args.systems or name in args.systems
    }
    results = {
        "command": " ".join(sys.argv),
        "versions": {
            "python": platform.python_version(),
            "bpmnist": bpmnist.__version__,
            "torch": torch.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "n_train": len(data[1]),
        "n_test": len(data[3]),
        "systems": run_all(selected, range(args.seeds), data, args.tutorial_epochs),
    }
    results["roofline"] = roofline(len(data[1]), len(data[3]), matmul_gflops())
    if args.train is not None:
        results["csv"] = compare_csv_loading(args.train, repeat=3)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
