"""`BPClassifier`: the tutorial's back-propagation network as a scikit-learn classifier."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from bpmnist import _training
from bpmnist._augmentation import MIN_AUTO_SIDE, RandomShift, square_side
from bpmnist.network import build_network

__all__ = ["BPClassifier"]

#: Data types that reach the network as they are: 8-bit pixels stay one byte per value
#: until each minibatch is converted to float32; every other input becomes float32. Rows
#: are stored C-contiguous (``order="C"``), so that gathering a minibatch reads whole rows.
_STORED_DTYPES = [np.float32, np.uint8]


# ClassifierMixin must come first: scikit-learn >= 1.6 reads the estimator type from the
# tags that the mixins set, and with BaseEstimator first `is_classifier()` is False (so
# cross-validation and GridSearchCV silently stop stratifying).
class BPClassifier(ClassifierMixin, BaseEstimator):
    """Back-propagation network classifier in the layout of the classic MNIST tutorial.

    A fully connected network ``Linear -> LeakyReLU -> LayerNorm -> Linear -> Sigmoid``
    trained with Adam on minibatches. With the default ``output="sigmoid"`` each class
    has its own sigmoid unit trained with binary cross-entropy (BCE) against one-hot
    targets, as in the tutorial; the one-hot encoding happens inside the estimator, so
    ``y`` holds ordinary labels (integers, strings, ...). Input and output sizes come
    from the data: 784 pixels and 10 digits for MNIST, or any numeric table.

    Inputs are divided by a single scale learned in the first :meth:`fit`: the root mean
    square of all training values (about 85 for MNIST pixels in 0-255). Raw ``uint8``
    pixels and pixels already divided by 255 therefore train the same network, and
    standardised data (root mean square 1) pass unchanged. Zeros stay zeros and the
    relative sizes of the features are kept; for tables whose columns have very
    different ranges, put a :class:`~sklearn.preprocessing.StandardScaler` before the
    classifier in a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(200,)
        Number of units in each hidden layer; the tutorial has one layer of 200.
    negative_slope : float, default=0.02
        Slope of the LeakyReLU activation for negative inputs.
    layer_norm : bool, default=True
        Whether each hidden layer ends with a LayerNorm.
    output : {"sigmoid", "softmax"}, default="sigmoid"
        ``"sigmoid"``: one sigmoid per class and BCE on one-hot targets (the
        tutorial). ``"softmax"``: a softmax over the classes and cross-entropy.
    alpha : float, default=0.05
        Strength of the decoupled weight decay (AdamW); 0 gives plain Adam.
    learning_rate : {"constant", "cosine"}, default="cosine"
        Learning-rate schedule of :meth:`fit`: constant at ``learning_rate_init``, or
        annealed from it to zero along a cosine over the ``max_iter`` epochs.
        :meth:`partial_fit` always uses the constant rate.
    learning_rate_init : float, default=5e-3
        Initial learning rate of Adam.
    augmentation : {"auto", "shift"} or None, default="auto"
        ``"shift"`` reads each row as a square image (784 features = 28x28 pixels) and
        trains, at every epoch, on copies moved by a random whole number of pixels, at
        most one along each axis. ``"auto"`` does so when the rows are square images of
        at least 16x16 pixels, such as MNIST's, and trains on the rows unchanged
        otherwise; ``None`` never augments. Set ``None`` for a table whose number of
        columns merely happens to be a square. The shifts fill the uncovered border with
        zeros, the background of raw pixels: scale pixels so that the background stays
        0 (as :class:`~sklearn.preprocessing.MinMaxScaler` does) rather than
        standardising them.
    batch_size : int or "auto", default="auto"
        Number of samples per minibatch (use 1 to train one sample at a time, as the
        tutorial does). ``"auto"`` takes ``min(256, max(32, n_samples // 200))``: large
        data sets such as MNIST train in minibatches of 256, whose matrix products keep
        the processor busy, and small ones still get about 200 updates per epoch.
    max_iter : int, default=16
        Number of epochs (passes over the training data) of :meth:`fit`.
    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.
    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data (stratified),
        stop when its accuracy has not improved by ``tol`` for ``n_iter_no_change``
        consecutive epochs, and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Number of epochs without improvement before early stopping ends training.
    tol : float, default=1e-4
        Smallest gain in validation accuracy that counts as an improvement.
    warm_start : bool, default=False
        When True, :meth:`fit` continues training the network of the previous call
        instead of starting again from random weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the validation split. An integer
        gives bitwise-identical results on the CPU.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train: ``"auto"`` takes a CUDA GPU when one is available.
    verbose : bool, default=False
        Whether to print the loss (and validation score) after each epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`. Defined only when `X` has feature
        names that are all strings.
    input_scale_ : float
        The input divisor learned in the first fit: the root mean square of the
        training values (1 when they are all zero).
    module_ : torch.nn.Sequential
        The trained network, output activation included.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    n_iter_ : int
        Number of epochs trained.
    t_ : int
        Number of training samples seen.
    validation_scores_ : list of float or None
        Accuracy on the held-out validation set after each epoch; None without early
        stopping.
    best_validation_score_ : float or None
        Best of ``validation_scores_``; None without early stopping.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of scikit-learn.

    Notes
    -----
    :meth:`predict_proba` divides the per-class sigmoid scores by their sum so that each
    row sums to one; the order of the classes, and so :meth:`predict`, is unchanged.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from bpmnist import BPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = BPClassifier(random_state=0).fit(X_train, y_train)
    >>> clf.predict(X_train[:5]) == y_train[:5]
    array([ True,  True,  True,  True,  True])
    >>> bool(clf.score(X_test, y_test) > 0.95)
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "layer_norm": ["boolean"],
        "output": [StrOptions({"sigmoid", "softmax"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "augmentation": [StrOptions({"auto", "shift"}), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] = (200,),
        *,
        negative_slope: float = 0.02,
        layer_norm: bool = True,
        output: str = "sigmoid",
        alpha: float = 0.05,
        learning_rate: str = "cosine",
        learning_rate_init: float = 5e-3,
        augmentation: str | None = "auto",
        batch_size: int | str = "auto",
        max_iter: int = 16,
        shuffle: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        warm_start: bool = False,
        random_state: int | np.random.RandomState | None = None,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.negative_slope = negative_slope
        self.layer_norm = layer_norm
        self.output = output
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.augmentation = augmentation
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> BPClassifier:
        """Train the network on ``(X, y)`` for ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, for MNIST the 784 pixel values of each image (0-255 or 0-1).
        y : array-like of shape (n_samples,)
            Class labels: any values scikit-learn accepts for binary or multiclass
            classification.

        Returns
        -------
        self : BPClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BPClassifier(max_iter=5, random_state=0).fit(X, y)
        >>> clf.n_iter_, len(clf.loss_curve_)
        (5, 5)
        """
        return self._fit(X, y, classes=None, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> BPClassifier:
        """Train one epoch on ``(X, y)``, keeping the network and optimizer state.

        Calling it repeatedly on successive chunks trains on data that does not fit in
        memory at once. Early stopping and the learning-rate schedule do not apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its class labels.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole problem. Required on the first call, ignored after.

        Returns
        -------
        self : BPClassifier
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BPClassifier(random_state=0)
        >>> for X_chunk, y_chunk in zip(np.array_split(X, 3), np.array_split(y, 3)):
        ...     clf = clf.partial_fit(X_chunk, y_chunk, classes=np.arange(10))
        >>> clf.n_iter_
        3
        """
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, classes=classes if first_call else None, incremental=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class for each sample.

        With ``output="sigmoid"`` the per-class sigmoid scores are divided by their sum
        (each score is the network's independent belief in one class); with
        ``output="softmax"`` they are the softmax outputs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; each row sums to one.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BPClassifier(max_iter=5, random_state=0).fit(X, y)
        >>> proba = clf.predict_proba(X[:3])
        >>> proba.shape, bool(abs(proba.sum(axis=1) - 1).max() < 1e-9)
        ((3, 10), True)
        """
        logits = self._logits(X)
        scores = self.module_[-1](logits).cpu().numpy().astype(np.float64)
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predict the class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predicted labels, taken from ``classes_``.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BPClassifier(max_iter=5, random_state=0).fit(X, y)
        >>> clf.predict(X[:4])
        array([0, 1, 2, 3])
        """
        index = self._logits(X).argmax(dim=1).cpu().numpy()
        return self.classes_[index]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the fitted classifier to a safetensors file that loads without running code.

        Writes the weights and, as JSON metadata, the parameters, labels, curves and
        versions; see :func:`bpmnist.persistence.save_model`.

        Parameters
        ----------
        path : str or os.PathLike
            Where to write; the suffix ``.safetensors`` is customary.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the classifier is not fitted.

        See Also
        --------
        load : Read the file back.

        Examples
        --------
        >>> import os
        >>> import tempfile
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BPClassifier(max_iter=5, random_state=0).fit(X, y)
        >>> path = os.path.join(tempfile.mkdtemp(), "digits.safetensors")
        >>> clf.save(path)
        >>> os.path.getsize(path) > 0
        True
        """
        from bpmnist.persistence import _save

        _save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BPClassifier:
        """Load a classifier saved by :meth:`save`, without executing code from the file.

        A file that is not a bpmnist model, is corrupted or truncated, or comes from a newer
        format version is refused; see :func:`bpmnist.persistence.load_model`.

        Parameters
        ----------
        path : str or os.PathLike
            A file written by :meth:`save`.

        Returns
        -------
        BPClassifier
            The fitted classifier, on the CPU, with bitwise-identical predictions.

        Raises
        ------
        bpmnist.persistence.ModelFileError
            If the file is not a bpmnist model file that this version can load.
        OSError
            If the file cannot be read.

        See Also
        --------
        save : Write the file.

        Examples
        --------
        >>> import os
        >>> import tempfile
        >>> from sklearn.datasets import load_digits
        >>> from bpmnist import BPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> path = os.path.join(tempfile.mkdtemp(), "digits.safetensors")
        >>> BPClassifier(max_iter=5, random_state=0).fit(X, y).save(path)
        >>> BPClassifier.load(path).predict(X[:4])
        array([0, 1, 2, 3])
        """
        from bpmnist.persistence import load_model

        return load_model(path)

    def __sklearn_tags__(self) -> Any:
        """Declare the estimator's capabilities; see scikit-learn's estimator tags."""
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the network on the CPU, so a GPU-trained model loads anywhere.

        The optimizer's moments are not pickled; :meth:`partial_fit` after unpickling
        starts a new Adam optimizer from the pickled weights.
        """
        state = super().__getstate__()
        state.pop("_optimizer", None)
        if "module_" in state:
            state["module_"] = copy.deepcopy(self.module_).cpu()
        return state

    # -- private helpers -------------------------------------------------------------

    def _fit(self, X: Any, y: Any, *, classes: Any, incremental: bool) -> BPClassifier:
        if y is not None:
            _check_targets(y)
        continue_training = hasattr(self, "module_") and (incremental or self.warm_start)
        X, y = validate_data(
            self, X, y, dtype=_STORED_DTYPES, order="C", reset=not continue_training
        )
        shift_side = self._shift_side()  # before any fitted state: it may refuse X
        if not continue_training:
            self.classes_ = np.unique(y if classes is None else classes)
            if classes is None and len(self.classes_) < 2:
                raise ValueError(
                    "BPClassifier needs samples of at least 2 classes in the data, but "
                    f"the data contain only one class: {self.classes_.tolist()[0]!r}."
                )
        y_index = self._encode(y)
        device = self._resolve_device()
        rng = check_random_state(self.random_state)
        if continue_training:
            self.module_.to(device)  # a loaded or unpickled network starts on the CPU
        else:
            self._initialize(X, rng, device)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        X_t = self._to_tensor(X, device)
        y_t = torch.from_numpy(y_index).to(device)
        validation = None
        if self.early_stopping and not incremental:
            X_t, X_val, y_t, y_val = train_test_split(
                X_t, y_t, test_size=self.validation_fraction, stratify=y_index, random_state=rng
            )
            validation = (X_val, y_val)
        n_epochs = 1 if incremental else self.max_iter
        batch_size = self._batch_size(X_t.shape[0])
        augment = None
        if shift_side is not None:
            seed = int(rng.randint(np.iinfo(np.int32).max))
            augment = RandomShift(shift_side, max_shift=1, seed=seed)
        scheduler = None
        if self.learning_rate == "cosine" and not incremental:
            n_steps = n_epochs * -(-X_t.shape[0] // batch_size)
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self._optimizer, n_steps)
        log = _training.train(
            self.module_[:-1],
            X_t,
            _training.make_targets(y_t, len(self.classes_), self.output),
            _training.TrainingStep(
                loss_fn=_training.make_loss(self.output),
                optimizer=self._optimizer,
                batch_size=batch_size,
                input_scale=self.input_scale_,
                scheduler=scheduler,
                augment=augment,
            ),
            n_epochs=n_epochs,
            shuffle_rng=rng if self.shuffle else None,
            validation=validation,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            on_epoch_end=self._report if self.verbose else None,
        )
        self._record(log, early_stopping=validation is not None)
        return self

    def _initialize(self, X: np.ndarray, rng: np.random.RandomState, device: str) -> None:
        """Create the network and the per-fit state of a fresh (not warm) start."""
        self.input_scale_ = _root_mean_square(X) or 1.0
        hidden = _hidden_layer_sizes(self.hidden_layer_sizes)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
            self.module_ = build_network(
                X.shape[1],
                len(self.classes_),
                hidden_layer_sizes=hidden,
                negative_slope=self.negative_slope,
                layer_norm=self.layer_norm,
                output=self.output,
            ).to(device)
        self.loss_curve_: list[float] = []
        self.validation_scores_: list[float] | None = None
        self.best_validation_score_: float | None = None
        self.n_iter_ = 0
        self.t_ = 0

    def _shift_side(self) -> int | None:
        """Side of the images that ``augmentation`` shifts, or None for no augmentation."""
        if self.augmentation is None:
            return None
        side = square_side(self.n_features_in_)
        if self.augmentation == "shift" and side is None:
            raise ValueError(
                "augmentation='shift' needs square images, but X has "
                f"{self.n_features_in_} features, which is not a square number."
            )
        if side is None or (self.augmentation == "auto" and side < MIN_AUTO_SIDE):
            return None
        return side

    def _batch_size(self, n_samples: int) -> int:
        """The minibatch size for ``n_samples`` training rows; see ``batch_size``."""
        if self.batch_size == "auto":
            return min(256, max(32, n_samples // 200))
        return self.batch_size

    def _make_optimizer(self) -> torch.optim.Optimizer:
        # fused=True: one kernel per parameter tensor instead of a dozen small operations.
        return torch.optim.AdamW(
            self.module_.parameters(),
            lr=self.learning_rate_init,
            weight_decay=self.alpha,
            fused=True,
        )

    def _encode(self, y: np.ndarray) -> np.ndarray:
        """Map labels to indices into ``classes_``, refusing labels it does not know."""
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if unknown.any():
            raise ValueError(
                f"y contains labels {np.unique(y[unknown]).tolist()} that are not in "
                f"classes_ {self.classes_.tolist()}."
            )
        return index.astype(np.int64)

    def _resolve_device(self) -> str:
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError("device='cuda' was requested, but PyTorch sees no CUDA GPU.")
        return self.device

    def _record(self, log: _training.EpochLog, *, early_stopping: bool) -> None:
        """Append one training run's curves to the fitted attributes."""
        self.loss_curve_ = [*self.loss_curve_, *log.losses]
        self.n_iter_ += len(log.losses)
        self.t_ += log.samples_seen
        if early_stopping:
            self.validation_scores_ = [*(self.validation_scores_ or []), *log.validation_scores]
            self.best_validation_score_ = max(self.validation_scores_)

    def _report(self, epoch: int, log: _training.EpochLog) -> None:
        message = f"Iteration {self.n_iter_ + epoch + 1}, loss = {log.losses[-1]:.8f}"
        if log.validation_scores:
            message += f", validation score = {log.validation_scores[-1]:.4f}"
        print(message)

    @staticmethod
    def _to_tensor(X: np.ndarray, device: str | torch.device) -> torch.Tensor:
        """Move validated data to ``device``, keeping its dtype (``uint8`` or float32)."""
        if not X.flags.writeable:  # torch refuses to wrap read-only memory
            X = X.copy()
        return torch.from_numpy(X).to(device)

    def _logits(self, X: Any) -> torch.Tensor:
        """Check and convert ``X``, then compute the network's logits on its device."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=_STORED_DTYPES, order="C", reset=False)
        device = next(self.module_.parameters()).device
        return _training.predict_logits(
            self.module_[:-1], self._to_tensor(X, device), self.input_scale_
        )


def _hidden_layer_sizes(value: Any) -> tuple[int, ...]:
    """Return ``hidden_layer_sizes`` as a tuple of layer widths, or raise ValueError.

    One integer is one hidden layer; any other iterable (not a string) lists the layers.
    """
    sizes = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else (value,)
    if not sizes or not all(
        isinstance(size, Integral) and not isinstance(size, bool) and size >= 1 for size in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive integer or a list of positive integers, "
            f"got {value!r}."
        )
    return sizes


def _root_mean_square(X: np.ndarray, chunk_rows: int = 8192) -> float:
    """Root mean square of all entries of ``X``, summed in float64 chunk by chunk."""
    if X.size == 0:
        return 0.0
    total = sum(
        float(np.einsum("ij,ij->", chunk, chunk, dtype=np.float64))
        for chunk in (X[i : i + chunk_rows] for i in range(0, X.shape[0], chunk_rows))
    )
    return float(np.sqrt(total / X.size))


def _check_targets(y: Any) -> None:
    """Refuse targets other than binary or multiclass labels, with a clear message."""
    check_classification_targets(y)
    target_type = type_of_target(y, input_name="y")
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            "BPClassifier supports binary and multiclass targets only, got a "
            f"{target_type!r} target."
        )
