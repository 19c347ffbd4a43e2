"""Save a fitted :class:`~bpmnist.BPClassifier` to one safe file, and load it back.

A model file is a `safetensors <https://huggingface.co/docs/safetensors>`_ file:

* its tensors are the network's ``state_dict`` (float32, on the CPU), named as PyTorch names
  them (``"0.weight"``, ``"0.bias"``, ...);
* its string metadata holds one JSON document under the key ``"bpmnist"``: the format name and
  version, the bpmnist and PyTorch versions that wrote it, the estimator's ``get_params()``,
  and its fitted attributes (``classes_`` with their dtype, ``n_features_in_``,
  ``feature_names_in_``, ``input_scale_``, the training curves and counters).

Loading reads the file with :func:`safetensors.safe_open` and :func:`json.loads` only, so it
never executes code from the file, unlike :mod:`pickle` and :func:`torch.load`. Every part of
the file is checked before it is used; a file that is not a model, is truncated or corrupted,
comes from a newer format version or is hand-crafted to be hostile raises
:class:`ModelFileError`, whose message names the file and the problem.

Which to use when
-----------------
* :func:`save_model` / :func:`load_model` (or ``clf.save`` / ``BPClassifier.load``): to keep or
  share a trained classifier, to load a file from someone else, or to load it with another
  version of bpmnist, Python or PyTorch. The file holds the classifier alone.
* :mod:`pickle` or :mod:`joblib`: to store a whole scikit-learn object, such as a
  :class:`~sklearn.pipeline.Pipeline` that contains the classifier, for use in the same
  environment. Unpickling runs code chosen by whoever wrote the file: only load pickles
  that you trust.

Neither format keeps the Adam optimizer's moments: :meth:`~bpmnist.BPClassifier.partial_fit`
after loading starts a new optimizer from the saved weights.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import uuid
import warnings
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import safetensors
import safetensors.torch
import torch
from sklearn.utils.validation import check_is_fitted

import bpmnist
from bpmnist.estimator import BPClassifier, _hidden_layer_sizes
from bpmnist.network import build_network

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "save_model"]

#: Version of the file layout that :func:`save_model` writes and :func:`load_model` reads.
FORMAT_VERSION = 1

_FORMAT_NAME = "bpmnist.BPClassifier"
_METADATA_KEY = "bpmnist"
_TENSOR_DTYPE = "F32"  # safetensors' name for float32, the dtype of the network
_FITTED_KEYS = (
    "classes_",
    "n_features_in_",
    "feature_names_in_",
    "input_scale_",
    "loss_curve_",
    "n_iter_",
    "t_",
    "validation_scores_",
    "best_validation_score_",
)
_DOCUMENT_KEYS = frozenset(
    {"format", "format_version", "bpmnist_version", "torch_version", "params", *_FITTED_KEYS}
)
# dtype.str of the label arrays that round-trip through JSON: booleans, integers, floats,
# fixed-width unicode and object arrays of str (what np.unique gives for pandas strings).
_CLASSES_DTYPE = re.compile(r"[<>|=](?:b1|[iu][1248]|f[248]|U[1-9][0-9]{0,5}|O)")
_MAX_PROBLEM_CHARS = 300
_MAX_CLASSES_BYTES = 1 << 26  # refuses a tiny document that asks for a huge label array


class ModelFileError(ValueError):
    """A file that is not a bpmnist model file this version can load.

    Raised by :func:`load_model` for any problem with the file's content: not a safetensors
    file, truncated, missing or altered metadata, an unsupported format version, tensors that
    do not match the network described, non-finite weights. The message names the file and
    the problem. It derives from :class:`ValueError`.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from bpmnist.persistence import ModelFileError, load_model
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.safetensors")
    >>> open(path, "wb").close()
    >>> try:
    ...     load_model(path)
    ... except ModelFileError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    Cannot load the model file ...empty.safetensors: not a safetensors file (...).
    """


class _Problem(Exception):
    """What is wrong with a file's content; :func:`load_model` adds the file's name."""


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def save_model(estimator: BPClassifier, path: str | os.PathLike[str]) -> None:
    """Save a fitted classifier to a safetensors file.

    The file is written to a temporary name in the same folder and then renamed, so `path`
    holds either its previous content or the complete new model, never a partial file.

    Parameters
    ----------
    estimator : BPClassifier
        A fitted classifier.
    path : str or os.PathLike
        Where to write; the suffix ``.safetensors`` is customary. An existing file is replaced.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If `estimator` is not fitted.
    TypeError
        If `estimator` is not a :class:`~bpmnist.BPClassifier`.
    ValueError
        If a parameter or attribute cannot be stored exactly: a parameter value other than
        None, a bool, a number or a string; labels of another kind than booleans, numbers or
        strings; non-finite weights or curves (a diverged training).
    OSError
        If the file cannot be written.

    Warns
    -----
    UserWarning
        If ``random_state`` is a :class:`numpy.random.RandomState` instance: its state cannot be
        stored, and the file records ``random_state=None`` instead. Weights and predictions are
        unaffected; only further training from the loaded model draws other random numbers.

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> from bpmnist import BPClassifier
    >>> from bpmnist.persistence import load_model, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = BPClassifier(max_iter=5, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "digits.safetensors")
    >>> save_model(clf, path)
    >>> bool((load_model(path).predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    _save(estimator, path)


def _save(estimator: BPClassifier, path: str | os.PathLike[str]) -> None:
    """Write the model file: the body of :func:`save_model` and ``BPClassifier.save``.

    Both call this directly, so that a warning about the estimator (``stacklevel=4`` in
    :func:`_params_to_json`) points at the user's call of either.
    """
    if not isinstance(estimator, BPClassifier):
        raise TypeError(f"save_model saves a BPClassifier, got {type(estimator).__name__}.")
    check_is_fitted(estimator)
    tensors = {
        name: tensor.detach().cpu().contiguous()
        for name, tensor in estimator.module_.state_dict().items()
    }
    if not all(torch.isfinite(tensor).all() for tensor in tensors.values()):
        raise ValueError("Cannot save the model: its weights contain NaN or infinite values.")
    document = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "bpmnist_version": bpmnist.__version__,
        "torch_version": str(torch.__version__),
        "params": _params_to_json(estimator.get_params()),
        **_fitted_to_json(estimator),
    }
    try:
        text = json.dumps(document, allow_nan=False, sort_keys=True)
    except ValueError as err:
        raise ValueError(f"Cannot save the model: {err} (did training diverge?).") from err
    data = safetensors.torch.save(tensors, metadata={_METADATA_KEY: text})
    _write_atomically(Path(path), data)


def _params_to_json(params: dict[str, Any]) -> dict[str, Any]:
    """Turn ``get_params()`` into JSON values: numpy scalars to Python, tuples to lists."""
    result = {}
    for name, value in params.items():
        if name == "random_state" and isinstance(value, np.random.RandomState):
            warnings.warn(
                "random_state is a RandomState instance, whose state cannot be stored in a "
                "model file; the file records random_state=None.",
                UserWarning,
                stacklevel=4,
            )
            value = None
        if name == "hidden_layer_sizes" and not isinstance(value, Integral):
            result[name] = [_scalar_to_json(name, size) for size in value]
        else:
            result[name] = _scalar_to_json(name, value)
    return result


def _scalar_to_json(name: str, value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(
        f"Cannot save the model: parameter {name}={value!r} is not None, a bool, a number or a "
        "string."
    )


def _fitted_to_json(estimator: BPClassifier) -> dict[str, Any]:
    """The fitted attributes as JSON values; ``classes_`` keeps its dtype."""
    classes = estimator.classes_
    if not _CLASSES_DTYPE.fullmatch(classes.dtype.str) or (
        classes.dtype.kind == "O" and not all(isinstance(label, str) for label in classes)
    ):
        raise ValueError(
            "Cannot save the model: only booleans, numbers and strings can be stored as "
            f"labels, got classes_ of dtype {classes.dtype}."
        )
    names = getattr(estimator, "feature_names_in_", None)
    scores = estimator.validation_scores_
    best = estimator.best_validation_score_
    return {
        "classes_": {"dtype": classes.dtype.str, "values": classes.tolist()},
        "n_features_in_": int(estimator.n_features_in_),
        "feature_names_in_": None if names is None else [str(name) for name in names],
        "input_scale_": float(estimator.input_scale_),
        "loss_curve_": [float(loss) for loss in estimator.loss_curve_],
        "n_iter_": int(estimator.n_iter_),
        "t_": int(estimator.t_),
        "validation_scores_": None if scores is None else [float(score) for score in scores],
        "best_validation_score_": None if best is None else float(best),
    }


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file next to ``path``, then rename it to ``path``."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_model(path: str | os.PathLike[str]) -> BPClassifier:
    """Load a classifier saved by :func:`save_model`, without executing code from the file.

    The file is read with :func:`safetensors.safe_open` and its metadata with
    :func:`json.loads`; neither can run code. Before anything is used, the JSON document must
    have exactly the expected keys with values of the expected types, a supported format
    version, parameters that :class:`~bpmnist.BPClassifier` accepts, and labels, curves and
    counters consistent with each other; the tensors must have exactly the names, shapes and
    dtype (float32) of the network those parameters describe, and finite values.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model` (by this or an earlier version of bpmnist).

    Returns
    -------
    BPClassifier
        The fitted classifier, on the CPU. Its predictions are bitwise identical to those of
        the saved one (on the CPU). Its parameters are those saved, except that a list of
        ``hidden_layer_sizes`` comes back as a tuple.

    Raises
    ------
    ModelFileError
        If the file is not a bpmnist model file that this version can load; the message names
        the file and the problem.
    OSError
        If the file cannot be read (for example :class:`FileNotFoundError`).

    See Also
    --------
    save_model : Write the file.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> from bpmnist import BPClassifier
    >>> from bpmnist.persistence import load_model, save_model
    >>> X, y = load_digits(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "digits.safetensors")
    >>> save_model(BPClassifier(max_iter=5, random_state=0).fit(X, y), path)
    >>> clf = load_model(path)
    >>> clf.n_iter_, clf.classes_.tolist()
    (5, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> clf.predict(X[:4])
    array([0, 1, 2, 3])
    """
    try:
        _check_regular_file(path)
        return _load(path)
    except _Problem as problem:
        text = str(problem)  # may quote values from the file: keep the message short
        text = text if len(text) <= _MAX_PROBLEM_CHARS else text[:_MAX_PROBLEM_CHARS] + "..."
        raise ModelFileError(f"Cannot load the model file {os.fspath(path)}: {text}.") from None


def _check_regular_file(path: str | os.PathLike[str]) -> None:
    """Raise the usual OSError for a missing or unreadable file, before safetensors reads it."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _Problem("not a regular file")
    with open(path, "rb"):
        pass


def _load(path: str | os.PathLike[str]) -> BPClassifier:
    try:
        with safetensors.safe_open(path, framework="pt", device="cpu") as file:
            estimator = _estimator_from_metadata(file.metadata())
            network = _meta_network(estimator)
            tensors = _read_tensors(file, network.state_dict())
    except safetensors.SafetensorError as err:
        raise _Problem(f"not a safetensors file ({_safetensors_reason(err)})") from None
    network.load_state_dict(tensors, strict=True, assign=True)
    estimator.module_ = network
    return estimator


def _safetensors_reason(error: safetensors.SafetensorError) -> str:
    return str(error).removeprefix("Error while deserializing header: ")


def _estimator_from_metadata(metadata: dict[str, str] | None) -> BPClassifier:
    """Parse and check the JSON document, and build the estimator without its network."""
    if not metadata or _METADATA_KEY not in metadata:
        raise _Problem(f"it has no {_METADATA_KEY!r} metadata, so it is no bpmnist model")
    document = _parse_json(metadata[_METADATA_KEY])
    _check_format(document)
    _check_keys(document, _DOCUMENT_KEYS, "metadata")
    for key in ("bpmnist_version", "torch_version"):
        _expect(isinstance(document[key], str), f"{key} is not a string")
    estimator = _estimator_from_params(document["params"])
    _set_fitted_attributes(estimator, document)
    return estimator


def _check_format(document: dict[str, Any]) -> None:
    """Check the format name and version first: a newer version may have other keys."""
    for key in ("format", "format_version"):
        _expect(key in document, f"metadata lacks the keys [{key!r}]")
    _expect(
        document["format"] == _FORMAT_NAME,
        f"its format is {document['format']!r}, expected {_FORMAT_NAME!r}",
    )
    version = document["format_version"]
    _expect(
        _is_int(version) and version >= 1, f"format_version {version!r} is not a positive integer"
    )
    _expect(
        version <= FORMAT_VERSION,
        f"it has format version {version}, but this bpmnist ({bpmnist.__version__}) reads "
        f"format version {FORMAT_VERSION} at most: upgrade bpmnist",
    )


def _parse_json(text: str) -> dict[str, Any]:
    """Parse JSON strictly: no NaN or infinity, no duplicate keys, an object at the top."""
    try:
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_object_without_duplicates,
        )
    except (ValueError, RecursionError) as err:
        raise _Problem(f"its metadata is not valid JSON ({err})") from None
    _expect(isinstance(document, dict), "its metadata is not a JSON object")
    return document


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _estimator_from_params(params: Any) -> BPClassifier:
    _expect(isinstance(params, dict), "params is not a JSON object")
    _check_keys(params, frozenset(BPClassifier().get_params()), "params")
    hidden = params["hidden_layer_sizes"]
    try:
        _hidden_layer_sizes(hidden)
    except ValueError as err:
        raise _Problem(str(err).removesuffix(".")) from None
    if isinstance(hidden, list):
        hidden = tuple(hidden)
    estimator = BPClassifier(**{**params, "hidden_layer_sizes": hidden})
    try:
        estimator._validate_params()
    except ValueError as err:
        raise _Problem(f"invalid params: {err}") from None
    return estimator


def _set_fitted_attributes(estimator: BPClassifier, document: dict[str, Any]) -> None:
    """Check the fitted attributes of the document and set them on ``estimator``."""
    estimator.classes_ = _classes_from_json(document["classes_"])
    n_features = document["n_features_in_"]
    _expect(_is_int(n_features) and n_features >= 1, "n_features_in_ is not a positive integer")
    estimator.n_features_in_ = n_features
    names = document["feature_names_in_"]
    if names is not None:
        _expect(
            isinstance(names, list)
            and len(names) == n_features
            and all(isinstance(name, str) for name in names),
            f"feature_names_in_ is not null or a list of {n_features} strings",
        )
        estimator.feature_names_in_ = np.array(names, dtype=object)
    scale = document["input_scale_"]
    _expect(_is_number(scale) and scale > 0, "input_scale_ is not a positive number")
    estimator.input_scale_ = float(scale)
    n_iter, t = document["n_iter_"], document["t_"]
    _expect(_is_int(n_iter) and n_iter >= 0, "n_iter_ is not a non-negative integer")
    _expect(_is_int(t) and t >= 0, "t_ is not a non-negative integer")
    estimator.n_iter_, estimator.t_ = n_iter, t
    losses = document["loss_curve_"]
    _expect(
        _is_number_list(losses) and len(losses) == n_iter,
        f"loss_curve_ is not a list of n_iter_={n_iter} numbers",
    )
    estimator.loss_curve_ = [float(loss) for loss in losses]
    estimator.validation_scores_, estimator.best_validation_score_ = _validation_from_json(
        document["validation_scores_"], document["best_validation_score_"], n_iter
    )


def _classes_from_json(classes: Any) -> np.ndarray:
    _expect(isinstance(classes, dict), "classes_ is not a JSON object")
    _check_keys(classes, frozenset({"dtype", "values"}), "classes_")
    tag, values = classes["dtype"], classes["values"]
    _expect(
        isinstance(tag, str) and _CLASSES_DTYPE.fullmatch(tag) is not None,
        f"classes_ has an unsupported dtype {tag!r}",
    )
    dtype = np.dtype(tag)
    _expect(
        isinstance(values, list)
        and len(values) >= 1
        and all(_is_label(value, dtype.kind) for value in values),
        f"classes_ values are not a non-empty list of labels of dtype {tag}",
    )
    _expect(
        len(values) * dtype.itemsize <= _MAX_CLASSES_BYTES,
        f"classes_ of dtype {tag} would take more than {_MAX_CLASSES_BYTES >> 20} MiB",
    )
    try:
        array = np.array(values, dtype=dtype)
    except (OverflowError, ValueError):
        array = None
    _expect(
        array is not None and array.tolist() == values,
        f"classes_ values do not fit dtype {tag} exactly",
    )
    _expect(np.array_equal(np.unique(array), array), "classes_ are not sorted and unique")
    return array


def _validation_from_json(
    scores: Any, best: Any, n_iter: int
) -> tuple[list[float] | None, float | None]:
    if scores is None:
        _expect(best is None, "best_validation_score_ is set without validation_scores_")
        return None, None
    _expect(
        _is_number_list(scores)
        and 1 <= len(scores) <= n_iter
        and all(0 <= score <= 1 for score in scores),
        f"validation_scores_ is not null or a list of 1 to n_iter_={n_iter} numbers in [0, 1]",
    )
    _expect(
        _is_number(best) and best == max(scores),
        "best_validation_score_ is not the largest of validation_scores_",
    )
    return [float(score) for score in scores], float(best)


def _is_label(value: Any, kind: str) -> bool:
    """Whether a JSON value is a label of a classes_ array of dtype kind ``kind``."""
    if kind == "b":
        return isinstance(value, bool)
    if kind in "iu":
        return _is_int(value)
    if kind == "f":
        return isinstance(value, float)
    return isinstance(value, str)  # "U", and "O" for object arrays of strings


def _meta_network(estimator: BPClassifier) -> torch.nn.Sequential:
    """The network the document describes, on the meta device: shapes only, no memory."""
    with torch.device("meta"):
        return build_network(
            estimator.n_features_in_,
            len(estimator.classes_),
            hidden_layer_sizes=_hidden_layer_sizes(estimator.hidden_layer_sizes),
            negative_slope=estimator.negative_slope,
            layer_norm=estimator.layer_norm,
            output=estimator.output,
        )


def _read_tensors(
    file: safetensors.safe_open, expected: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Read the tensors after checking their names, dtypes and shapes against ``expected``."""
    names = set(file.keys())
    missing, extra = sorted(expected.keys() - names), sorted(names - expected.keys())
    _expect(not missing, f"tensors {missing} are missing")
    _expect(not extra, f"it holds unexpected tensors {[name[:40] for name in extra[:5]]}")
    for name, reference in expected.items():
        tensor_slice = file.get_slice(name)
        dtype, shape = tensor_slice.get_dtype(), tuple(tensor_slice.get_shape())
        _expect(
            dtype == _TENSOR_DTYPE, f"tensor {name!r} has dtype {dtype}, expected {_TENSOR_DTYPE}"
        )
        _expect(
            shape == tuple(reference.shape),
            f"tensor {name!r} has shape {shape}, but the network described by its metadata "
            f"needs {tuple(reference.shape)}",
        )
    tensors = {name: file.get_tensor(name) for name in expected}
    bad = [name for name, tensor in tensors.items() if not torch.isfinite(tensor).all()]
    _expect(not bad, f"tensors {bad} hold NaN or infinite values")
    return tensors


# -- small checks ----------------------------------------------------------------------------


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise _Problem(problem)


def _check_keys(mapping: dict[str, Any], expected: frozenset[str], where: str) -> None:
    missing, extra = sorted(expected - mapping.keys()), sorted(mapping.keys() - expected)
    _expect(not missing, f"{where} lacks the keys {missing}")
    _expect(not extra, f"{where} has unexpected keys {[key[:40] for key in extra[:5]]}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_number_list(values: Any) -> bool:
    return isinstance(values, list) and all(map(_is_number, values))
