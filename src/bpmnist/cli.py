"""The ``bpmnist`` command: train, evaluate and use a digit classifier without writing code.

Commands (``bpmnist COMMAND --help`` describes each one):

* ``bpmnist demo``: train on the MNIST sample shipped with the package, print the accuracy and
  a per-class report, and draw the loss curve. Offline, and quick.
* ``bpmnist train TRAIN.csv --model MODEL.safetensors``: train on a classic MNIST CSV file (label
  then 784 pixels per row, optionally gzip-compressed) and save the model.
* ``bpmnist evaluate --model MODEL.safetensors TEST.csv``: accuracy, per-class report and
  confusion matrix of a saved model on a labelled CSV file.
* ``bpmnist predict --model MODEL.safetensors IMAGE ...``: the digit in each image (PNG, JPEG,
  ...; see :func:`bpmnist.images.preprocess_image`) or in each row of a CSV file.

The exit status is 0 on success and 2 on bad input (a missing file, a malformed CSV file, an
unreadable image, a file that is not a model, invalid options), with a one-line message on
standard error. Progress bars go to standard error too, results to standard output.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import numpy as np
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import bpmnist
from bpmnist.datasets import load_mnist_csv, load_sample
from bpmnist.estimator import BPClassifier, _hidden_layer_sizes
from bpmnist.images import preprocess_image

__all__ = ["main"]

_PROG = "bpmnist"
_USAGE_ERROR = 2
_INTERRUPTED = 130
_DEFAULTS = BPClassifier().get_params()  # the help texts quote the estimator's defaults
_CSV_SUFFIXES = (".csv", ".csv.gz")
_MAX_SEED = 2**32 - 1
# What BPClassifier(verbose=True) prints after each epoch.
_EPOCH_LINE = re.compile(
    r"Iteration (?P<epoch>\d+), loss = (?P<loss>\S+?)(?:, validation score = (?P<score>\S+))?"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``bpmnist`` command line.

    Parameters
    ----------
    argv : sequence of str, default=None
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 2 on bad input or invalid options (after printing a
        message to standard error), 130 when interrupted with Ctrl+C.

    Examples
    --------
    >>> from bpmnist.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    bpmnist ...
    0
    >>> import os
    >>> import tempfile
    >>> missing = os.path.join(tempfile.mkdtemp(), "missing.safetensors")
    >>> main(["predict", "--model", missing, "digit.png"])  # prints a one-line error
    2
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error argparse reported
        return 0 if exit_.code is None else int(exit_.code)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return _INTERRUPTED
    except (ImportError, OSError, ValueError) as error:
        print(f"{_PROG}: error: {_one_line(error)}", file=sys.stderr)
        return _USAGE_ERROR


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    plotting = _plotting()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    X, y = load_sample(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    print(
        f"Training on {len(y_train):,} digits of the packaged MNIST sample, "
        f"testing on {len(y_test):,}."
    )
    clf = BPClassifier(max_iter=args.epochs, random_state=args.seed)
    _fit(clf, X_train, y_train, quiet=args.quiet)
    _print_scores(y_test, clf.predict(X_test))
    _plot(plotting.plot_loss_curve, clf, path=args.output_dir / "loss_curve.png")
    return 0


def _train(args: argparse.Namespace) -> int:
    _check_folder_exists(args.model)
    X, y = load_mnist_csv(args.train_csv)
    test = None if args.test is None else load_mnist_csv(args.test)
    params = {
        "max_iter": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate_init": args.learning_rate,
        "hidden_layer_sizes": None if args.hidden is None else tuple(args.hidden),
        "early_stopping": args.early_stopping,
        "random_state": args.seed,
    }
    clf = BPClassifier(**{name: value for name, value in params.items() if value is not None})
    _fit(clf, X, y, quiet=args.quiet)
    clf.save(args.model)
    print(f"Saved the model to {args.model}")
    if test is not None:
        print(f"Test accuracy: {clf.score(*test):.4f}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    plotting = _plotting()
    clf = BPClassifier.load(args.model)
    X, y = load_mnist_csv(args.test_csv)
    y_pred = clf.predict(X)
    _print_scores(y, y_pred)
    _plot(plotting.plot_confusion_matrix, y, y_pred, path=args.confusion_matrix)
    return 0


def _predict(args: argparse.Namespace) -> int:
    clf = BPClassifier.load(args.model)
    names, X = _read_inputs(args.inputs)
    proba = clf.predict_proba(X)
    best = proba.argmax(axis=1)
    for name, label, probability in zip(
        names, clf.classes_[best], proba[np.arange(len(best)), best], strict=True
    ):
        print(f"{name}: {label} (p={probability:.2f})")
    return 0


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _fit(clf: BPClassifier, X: np.ndarray, y: np.ndarray, *, quiet: bool) -> None:
    """Fit ``clf`` with a progress bar of its epochs on standard error, then sum it up."""
    start = time.perf_counter()
    if quiet:
        clf.fit(X, y)
    else:
        verbose = clf.verbose
        with (
            tqdm(total=clf.max_iter, desc="Training", unit="epoch") as bar,
            contextlib.redirect_stdout(_EpochProgress(bar, sys.stdout)),
        ):
            try:
                clf.set_params(verbose=True)
                clf.fit(X, y)
            finally:
                clf.set_params(verbose=verbose)
    summary = (
        f"Trained {clf.n_iter_} epoch{'s' * (clf.n_iter_ != 1)} on {len(y):,} digits in "
        f"{time.perf_counter() - start:.1f} s; final training loss {clf.loss_curve_[-1]:.4f}"
    )
    if clf.best_validation_score_ is not None:
        summary += f", best validation accuracy {clf.best_validation_score_:.4f}"
    print(summary + ".")


class _EpochProgress(io.TextIOBase):
    """Standard output during a verbose fit, turning the estimator's lines into progress.

    Each line that :class:`~bpmnist.BPClassifier` prints after an epoch advances the bar and
    shows the loss (and validation score); any other line is passed on to ``stdout``.
    """

    def __init__(self, bar: tqdm, stdout: TextIO) -> None:
        super().__init__()
        self._bar = bar
        self._stdout = stdout
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._show(line)
        return len(text)

    def _show(self, line: str) -> None:
        match = _EPOCH_LINE.fullmatch(line.strip())
        if match is None:  # anything else printed during the fit is passed on
            if line.strip():
                tqdm.write(line, file=self._stdout)
            return
        postfix = {"loss": f"{float(match['loss']):.4f}"}
        if match["score"] is not None:
            postfix["validation"] = f"{float(match['score']):.4f}"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(int(match["epoch"]) - self._bar.n)


def _print_scores(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    print(f"Accuracy on {len(y_true):,} digits: {accuracy_score(y_true, y_pred):.4f}")
    print(classification_report(y_true, y_pred, digits=4, zero_division=0))


def _plotting() -> ModuleType:
    """Import :mod:`bpmnist.plotting`; without matplotlib, its ImportError says what to install."""
    from bpmnist import plotting

    return plotting


def _plot(draw: Callable[..., Any], *args: Any, path: Path) -> None:
    """Draw a figure with a :mod:`bpmnist.plotting` function, save it to ``path``, free it."""
    import matplotlib.pyplot as plt

    figure, _ = draw(*args, path=path)
    plt.close(figure)
    print(f"Wrote {path}")


def _read_inputs(paths: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Read images and classic CSV files into MNIST rows, with a name for each row."""
    names: list[str] = []
    rows: list[np.ndarray] = []
    for path in paths:
        if path.lower().endswith(_CSV_SUFFIXES):
            X, _ = load_mnist_csv(path)
            names += [f"{path}, row {number}" for number in range(1, len(X) + 1)]
            rows.append(X)
        else:
            names.append(path)
            rows.append(preprocess_image(path)[np.newaxis])
    return names, np.concatenate(rows)


def _check_folder_exists(path: Path) -> None:
    """Refuse an output path whose folder is missing before spending time on training."""
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------


def _number(convert: Callable[[str], Any], accept: Callable[[Any], bool], what: str) -> Any:
    """An argparse ``type`` that converts a string and refuses values ``accept`` rejects."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


_positive_int = _number(int, lambda value: value >= 1, "a positive integer")
_positive_float = _number(float, lambda value: 0 < value < float("inf"), "a positive number")
_seed = _number(int, lambda value: 0 <= value <= _MAX_SEED, f"an integer from 0 to {_MAX_SEED}")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Recognise handwritten digits with a small back-propagation network.",
        epilog=f"Run '{_PROG} COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {bpmnist.__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_demo(commands)
    _add_train(commands)
    _add_evaluate(commands)
    _add_predict(commands)
    return parser


def _add_command(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int], summary: str, details: str
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=f"{summary} {details}")
    command.set_defaults(run=run)
    return command


def _add_quiet(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quiet", action="store_true", help="do not show the progress bar")


def _add_epochs(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--epochs",
        type=_positive_int,
        default=_DEFAULTS["max_iter"],
        metavar="N",
        help="number of passes over the training digits (default: %(default)s)",
    )


def _add_model_input(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--model", required=True, metavar="MODEL", help="a model saved by 'bpmnist train'"
    )


def _add_demo(commands: Any) -> None:
    command = _add_command(
        commands,
        "demo",
        _demo,
        "Train on the packaged MNIST sample and report the accuracy.",
        "Splits the 5,000 digits shipped with bpmnist 80/20 (stratified), trains a classifier "
        "with the default settings on the first part, prints its accuracy and "
        "per-class report on the second, and draws the training loss curve to loss_curve.png. "
        "Works offline.",
    )
    command.add_argument(
        "--output-dir",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="folder for loss_curve.png, created if needed (default: the current folder)",
    )
    _add_epochs(command)
    command.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the split and the training (default: %(default)s)",
    )
    _add_quiet(command)


def _add_train(commands: Any) -> None:
    command = _add_command(
        commands,
        "train",
        _train,
        "Train a classifier on a classic MNIST CSV file and save it.",
        "Each row of the file holds the label (0-9) then the 784 pixels (0-255); the file may "
        "be gzip-compressed. The model is saved as a safetensors file, which loads without "
        "running code.",
    )
    command.add_argument("train_csv", metavar="TRAIN_CSV", help="training file (.csv or .csv.gz)")
    command.add_argument(
        "--model", required=True, type=Path, metavar="OUT", help="where to save the model"
    )
    command.add_argument("--test", metavar="TEST_CSV", help="also report the accuracy on this file")
    _add_epochs(command)
    command.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help=f"digits per minibatch (default: {_DEFAULTS['batch_size']}, 256 for MNIST)",
    )
    command.add_argument(
        "--learning-rate",
        type=_positive_float,
        metavar="F",
        help=f"initial learning rate (default: {_DEFAULTS['learning_rate_init']})",
    )
    command.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        metavar="N",
        help="units of each hidden layer (default: "
        f"{' '.join(map(str, _hidden_layer_sizes(_DEFAULTS['hidden_layer_sizes'])))})",
    )
    command.add_argument(
        "--early-stopping",
        action="store_true",
        default=None,
        help=f"hold out {_DEFAULTS['validation_fraction']:.0%}% of the data and stop when the "
        "accuracy on it stops improving, keeping the best epoch",
    )
    command.add_argument(
        "--seed",
        type=_seed,
        metavar="N",
        help="seed for reproducible training (default: a random one)",
    )
    _add_quiet(command)


def _add_evaluate(commands: Any) -> None:
    command = _add_command(
        commands,
        "evaluate",
        _evaluate,
        "Report the accuracy of a saved model on a labelled CSV file.",
        "Prints the accuracy and the per-class precision and recall, and draws the confusion "
        "matrix.",
    )
    command.add_argument("test_csv", metavar="TEST_CSV", help="test file (.csv or .csv.gz)")
    _add_model_input(command)
    command.add_argument(
        "--confusion-matrix",
        type=Path,
        default=Path("confusion_matrix.png"),
        metavar="PNG",
        help="where to draw the confusion matrix (default: %(default)s)",
    )


def _add_predict(commands: Any) -> None:
    command = _add_command(
        commands,
        "predict",
        _predict,
        "Recognise the digit in images or in the rows of a CSV file.",
        "Prints one line per image, or per row of a .csv/.csv.gz file: the name, the predicted "
        "digit and its probability. An image may be a photo or scan of one digit, dark on light "
        "or light on dark; it is cropped, scaled and centred like the MNIST digits.",
    )
    _add_model_input(command)
    command.add_argument(
        "inputs", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...) or CSV files"
    )
