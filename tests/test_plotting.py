"""Tests of bpmnist.plotting, drawn headless with the Agg backend."""

import importlib
import sys
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from PIL import Image
from sklearn.exceptions import NotFittedError
from sklearn.metrics import confusion_matrix
from sklearn.neural_network import MLPClassifier

from bpmnist.plotting import plot_confusion_matrix, plot_digits, plot_loss_curve

matplotlib.use("Agg")

LOSSES = [2.3, 0.9, 0.5, 0.42, 0.40]
SCORES = [0.81, 0.90, 0.93, 0.94, 0.935]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_png_of_figure(path, fig: Figure) -> None:
    """The file is a PNG whose pixel size is the figure size times its resolution."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        expected = tuple(round(inches * fig.dpi) for inches in fig.get_size_inches())
        assert image.size == expected


def test_loss_curve_of_an_estimator_with_validation(tmp_path) -> None:
    estimator = SimpleNamespace(loss_curve_=LOSSES, validation_scores_=SCORES)
    path = tmp_path / "loss.png"
    fig, ax = plot_loss_curve(estimator, path=path)
    assert isinstance(fig, Figure)
    assert isinstance(ax, Axes)
    assert_png_of_figure(path, fig)
    assert len(fig.axes) == 2
    loss_line, score_line = ax.lines[0], fig.axes[-1].lines[0]
    np.testing.assert_array_equal(loss_line.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(loss_line.get_ydata(), LOSSES)
    np.testing.assert_array_equal(score_line.get_ydata(), SCORES)
    assert fig.axes[-1].get_ylabel() == "validation accuracy"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["training loss", "validation accuracy", "best epoch (4)"]


def test_loss_curve_without_validation() -> None:
    estimator = SimpleNamespace(loss_curve_=LOSSES, validation_scores_=None)
    fig, ax = plot_loss_curve(estimator)
    assert fig.axes == [ax]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["training loss"]


def test_loss_curve_from_sequences_on_given_axes() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    returned_fig, returned_ax = plot_loss_curve(LOSSES, validation_scores=SCORES, ax=right)
    assert returned_fig is fig
    assert returned_ax is right
    assert not left.lines
    np.testing.assert_array_equal(right.lines[0].get_ydata(), LOSSES)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_curve_of_a_fitted_sklearn_estimator() -> None:
    X = np.random.default_rng(0).normal(size=(40, 4))
    estimator = MLPClassifier((5,), max_iter=3).fit(X, X[:, 0] > 0)
    _, ax = plot_loss_curve(estimator)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), estimator.loss_curve_)


def test_loss_curve_errors() -> None:
    with pytest.raises(NotFittedError):
        plot_loss_curve(MLPClassifier())
    estimator = SimpleNamespace(loss_curve_=LOSSES, validation_scores_=None)
    with pytest.raises(ValueError, match="validation_scores is read from the estimator"):
        plot_loss_curve(estimator, validation_scores=SCORES)
    with pytest.raises(ValueError, match="the loss curve must be a non-empty sequence"):
        plot_loss_curve([])
    with pytest.raises(ValueError, match="validation_scores must be a non-empty sequence"):
        plot_loss_curve(LOSSES, validation_scores=[[0.5]])


def test_confusion_matrix(tmp_path) -> None:
    y_true = [0, 1, 2, 2, 1, 0, 2]
    y_pred = [0, 2, 2, 2, 1, 0, 1]
    path = tmp_path / "confusion.png"
    fig, ax = plot_confusion_matrix(y_true, y_pred, path=path)
    assert isinstance(fig, Figure)
    assert isinstance(ax, Axes)
    assert_png_of_figure(path, fig)
    shown = np.asarray(ax.images[0].get_array())
    np.testing.assert_array_equal(shown, confusion_matrix(y_true, y_pred))
    assert ax.get_xlabel() == "Predicted label"
    assert ax.get_ylabel() == "True label"


def test_confusion_matrix_normalised_with_labels() -> None:
    y_true = [0, 1, 2, 2, 1, 0, 2]
    y_pred = [0, 2, 2, 2, 1, 0, 1]
    _, ax = plot_confusion_matrix(y_true, y_pred, labels=[2, 1], normalize="true")
    shown = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(shown, [[2 / 3, 1 / 3], [1 / 2, 1 / 2]])
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["2", "1"]
    assert {text.get_text() for text in ax.texts} == {"0.67", "0.33", "0.50"}


def test_digit_grid(tmp_path) -> None:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(12, 784), dtype=np.uint8)
    y_true = np.arange(12) % 10
    y_pred = y_true.copy()
    wrong = [2, 7, 11]
    y_pred[wrong] = (y_pred[wrong] + 1) % 10
    path = tmp_path / "digits.png"
    fig, axes = plot_digits(X, y_true, y_pred, n_cols=5, path=path)
    assert isinstance(fig, Figure)
    assert axes.shape == (3, 5)
    assert_png_of_figure(path, fig)
    shown = axes.flat[:12]
    np.testing.assert_array_equal(shown[3].images[0].get_array(), X[3].reshape(28, 28))
    assert shown[2].get_title() == f"true 2\npred {y_pred[2]}"
    correct_colour = shown[0].title.get_color()
    for index, ax in enumerate(shown):
        title_colour = ax.title.get_color()
        frame_colour = ax.spines["left"].get_edgecolor()
        if index in wrong:
            assert same_color(title_colour, "tab:red")
            assert same_color(frame_colour, "tab:red")
        else:
            assert same_color(title_colour, correct_colour)
            assert not same_color(frame_colour, "tab:red")
    assert not same_color(correct_colour, "tab:red")
    assert [ax.axison for ax in axes.flat[12:]] == [False, False, False]


@pytest.mark.parametrize(
    ("X", "side"),
    [
        (np.zeros((3, 64)), 8),
        (np.zeros((3, 28, 28)), 28),
        (np.zeros((3, 16, 12)), None),
    ],
)
def test_digit_grid_image_shapes(X: np.ndarray, side: int | None) -> None:
    _, axes = plot_digits(X)
    assert axes.shape == (1, 3)
    expected = X.shape[1:] if side is None else (side, side)
    assert axes[0, 0].images[0].get_array().shape == expected


def test_digit_grid_titles_and_truncation() -> None:
    X = np.zeros((30, 784))
    _, axes = plot_digits(X, y_true=np.arange(30) % 10, max_images=7, n_cols=4)
    assert axes.shape == (2, 4)
    assert [ax.get_title() for ax in axes.flat[:7]] == [f"true {i}" for i in range(7)]
    _, axes = plot_digits(X[:2], y_pred=[3, 4])
    assert [ax.get_title() for ax in axes.flat] == ["pred 3", "pred 4"]
    _, axes = plot_digits(X[:2])
    assert [ax.get_title() for ax in axes.flat] == ["", ""]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": np.zeros((3, 50))}, "cannot read rows of 50 pixels as square images"),
        ({"X": np.zeros(784)}, r"got shape \(784,\)"),
        ({"X": np.zeros((0, 784))}, "X must hold at least one image"),
        ({"X": np.zeros((3, 784)), "y_true": [1, 2]}, r"y_true must have one label per image"),
        ({"X": np.zeros((3, 784)), "y_pred": [[1, 2, 3]]}, r"y_pred must have one label"),
        ({"X": np.zeros((3, 784)), "n_cols": 0}, "n_cols and max_images must be at least 1"),
        ({"X": np.zeros((3, 784)), "max_images": 0}, "n_cols and max_images must be at least"),
    ],
)
def test_digit_grid_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plot_digits(**kwargs)


def test_missing_matplotlib_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    monkeypatch.delitem(sys.modules, "bpmnist.plotting")
    with pytest.raises(ImportError, match=r'pip install "bpmnist\[plot\]"'):
        importlib.import_module("bpmnist.plotting")
