"""Figures for training and evaluation: loss curve, confusion matrix and a grid of digits.

This module needs matplotlib, an optional dependency: ``pip install "bpmnist[plot]"``.

Every function draws with :mod:`matplotlib.pyplot`, returns the figure and its axes so that
they can be adjusted, and saves the figure when given a `path` (the format follows the file
suffix, PNG when there is none; call ``fig.savefig`` yourself for other settings such as the
resolution).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.utils.validation import check_is_fitted

try:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
except ImportError as exc:
    raise ImportError(
        'bpmnist.plotting needs matplotlib: install it with pip install "bpmnist[plot]"'
    ) from exc

__all__ = ["plot_confusion_matrix", "plot_digits", "plot_loss_curve"]

_PathLike = str | os.PathLike[str]

_MISTAKE_COLOUR = "tab:red"


def plot_loss_curve(
    estimator_or_losses: Any,
    *,
    validation_scores: Sequence[float] | None = None,
    ax: Axes | None = None,
    path: _PathLike | None = None,
) -> tuple[Figure, Axes]:
    """Plot the mean training loss per epoch and, when known, the validation accuracy.

    Parameters
    ----------
    estimator_or_losses : fitted estimator or sequence of float
        A fitted estimator with a ``loss_curve_`` attribute (and ``validation_scores_``, a list
        of floats or None, drawn when present), or the losses themselves, one per epoch.
    validation_scores : sequence of float, default=None
        Validation accuracy per epoch, only when `estimator_or_losses` is a sequence of losses.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw the loss on; a new figure is made when None.
    path : str or os.PathLike, default=None
        When given, the figure is saved there.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    ax : matplotlib.axes.Axes
        The axes of the loss.  The validation accuracy, when drawn, has its own y-axis on the
        right, the twin axes ``fig.axes[-1]``; a dotted line marks its best epoch.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If `estimator_or_losses` is an estimator that is not fitted.
    ValueError
        If a curve is empty or not one-dimensional, or if `validation_scores` is passed with
        an estimator.

    Examples
    --------
    >>> from bpmnist.plotting import plot_loss_curve
    >>> fig, ax = plot_loss_curve(
    ...     [0.90, 0.42, 0.31, 0.27], validation_scores=[0.86, 0.91, 0.93, 0.92]
    ... )
    >>> ax.get_xlabel(), ax.get_ylabel(), fig.axes[-1].get_ylabel()
    ('epoch', 'training loss', 'validation accuracy')
    """
    if hasattr(estimator_or_losses, "fit") or hasattr(estimator_or_losses, "loss_curve_"):
        if validation_scores is not None:
            raise ValueError(
                "validation_scores is read from the estimator: pass it only with a sequence of "
                "losses"
            )
        if hasattr(estimator_or_losses, "fit"):
            check_is_fitted(estimator_or_losses, "loss_curve_")
        losses = estimator_or_losses.loss_curve_
        validation_scores = getattr(estimator_or_losses, "validation_scores_", None)
    else:
        losses = estimator_or_losses
    losses = _as_curve(losses, "the loss curve")
    fig, ax = _figure(ax, figsize=(6.4, 4.0))
    handles = ax.plot(np.arange(1, losses.size + 1), losses, marker="o", label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if validation_scores is not None:
        scores = _as_curve(validation_scores, "validation_scores")
        best_epoch = int(np.argmax(scores)) + 1
        twin = ax.twinx()
        handles += twin.plot(
            np.arange(1, scores.size + 1),
            scores,
            marker="s",
            color="tab:orange",
            label="validation accuracy",
        )
        handles.append(
            ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
        )
        twin.set_ylabel("validation accuracy")
    ax.legend(handles=handles, loc="center right")
    _save(fig, path)
    return fig, ax


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    normalize: str | None = None,
    ax: Axes | None = None,
    path: _PathLike | None = None,
) -> tuple[Figure, Axes]:
    """Plot the confusion matrix of predicted against true labels.

    A thin wrapper of :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Labels to show, in order; by default those present in `y_true` or `y_pred`, sorted.
    normalize : {"true", "pred", "all"}, default=None
        Show proportions over the true labels (rows), the predicted labels (columns) or all
        samples instead of counts.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure is made when None.
    path : str or os.PathLike, default=None
        When given, the figure is saved there.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with a colour bar.
    ax : matplotlib.axes.Axes
        The axes of the matrix: true labels down, predicted labels across.

    Examples
    --------
    >>> import numpy as np
    >>> from bpmnist.plotting import plot_confusion_matrix
    >>> fig, ax = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    >>> np.asarray(ax.images[0].get_array()).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    fig, ax = _figure(ax, figsize=(6.0, 5.0))
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        normalize=normalize,
        values_format=None if normalize is None else ".2f",
        cmap="Blues",
        ax=ax,
    )
    ax.set_title("Confusion matrix")
    _save(fig, path)
    return fig, ax


def plot_digits(
    X: ArrayLike,
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    *,
    n_cols: int = 10,
    max_images: int = 50,
    path: _PathLike | None = None,
) -> tuple[Figure, np.ndarray]:
    """Show digit images in a grid, titled with their true and predicted labels.

    Misclassified digits (where `y_true` and `y_pred` differ) get a red title and frame.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        The images, as drawn by the data (MNIST: white digit on black).  Rows of
        ``n_features`` pixels are square images: 784 features are 28x28, 64 are 8x8.
    y_true : array-like of shape (n_samples,), default=None
        True labels, shown in the titles when given.
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels, shown in the titles when given.
    n_cols : int, default=10
        Number of images per row.
    max_images : int, default=50
        Only the first `max_images` samples are shown.
    path : str or os.PathLike, default=None
        When given, the figure is saved there.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, one inch wide per column.
    axes : numpy.ndarray of matplotlib.axes.Axes, of shape (n_rows, n_cols)
        One axes per image, row by row; those left over in the last row are hidden.

    Raises
    ------
    ValueError
        If `X` has no samples or a shape that is not a set of images, if a label array does
        not match `X` in length, or if `n_cols` or `max_images` is below 1.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from bpmnist.plotting import plot_digits
    >>> digits = load_digits()
    >>> y_pred = digits.target[:12].copy()
    >>> y_pred[5] = 9
    >>> fig, axes = plot_digits(digits.data[:12], digits.target[:12], y_pred, n_cols=6)
    >>> axes.shape
    (2, 6)
    >>> axes[0, 5].get_title()
    'true 5\\npred 9'
    """
    if n_cols < 1 or max_images < 1:
        raise ValueError(f"n_cols and max_images must be at least 1, got {n_cols}, {max_images}")
    images = _as_images(X)
    truths = _as_labels(y_true, len(images), "y_true")
    predictions = _as_labels(y_pred, len(images), "y_pred")
    images = images[:max_images]
    n_cols = min(n_cols, len(images))
    n_rows = math.ceil(len(images) / n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(n_cols, 1.4 * n_rows), squeeze=False, layout="constrained"
    )
    darkest, brightest = images.min(), images.max()
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.set_axis_off()
            continue
        ax.imshow(images[index], cmap="gray", vmin=darkest, vmax=brightest)
        ax.set_xticks([])
        ax.set_yticks([])
        truth = None if truths is None else truths[index]
        prediction = None if predictions is None else predictions[index]
        _title_digit(ax, truth, prediction)
    _save(fig, path)
    return fig, axes


def _figure(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _save(fig: Figure, path: _PathLike | None) -> None:
    if path is not None:
        fig.savefig(path)


def _as_curve(values: Sequence[float], name: str) -> np.ndarray:
    curve = np.asarray(values, dtype=np.float64)
    if curve.ndim != 1 or curve.size == 0:
        raise ValueError(f"{name} must be a non-empty sequence of numbers, one per epoch")
    return curve


def _as_images(X: ArrayLike) -> np.ndarray:
    images = np.asarray(X)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(
                f"cannot read rows of {images.shape[1]} pixels as square images: pass X of "
                "shape (n_samples, height, width)"
            )
        images = images.reshape(-1, side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            "X must hold at least one image, of shape (n_samples, n_features) or "
            f"(n_samples, height, width); got shape {images.shape}"
        )
    return images


def _as_labels(labels: ArrayLike | None, n_images: int, name: str) -> np.ndarray | None:
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.shape != (n_images,):
        raise ValueError(f"{name} must have one label per image ({n_images}), got {labels.shape}")
    return labels


def _title_digit(ax: Axes, truth: Any, prediction: Any) -> None:
    lines = [] if truth is None else [f"true {truth}"]
    lines += [] if prediction is None else [f"pred {prediction}"]
    ax.set_title("\n".join(lines), fontsize=9)
    if truth is not None and prediction is not None and truth != prediction:
        ax.title.set_color(_MISTAKE_COLOUR)
        for spine in ax.spines.values():
            spine.set_color(_MISTAKE_COLOUR)
            spine.set_linewidth(2)
