"""Safe model files: exact round trips, and refusal of corrupted or hostile files."""

import json
import os
import pickle
import re
import struct

import numpy as np
import pandas as pd
import pytest
import safetensors
import safetensors.torch
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from bpmnist import BPClassifier
from bpmnist.persistence import FORMAT_VERSION, ModelFileError, load_model, save_model

FAST = {"max_iter": 3, "random_state": 0}

HIDDEN_SIZES_MESSAGE = (
    "hidden_layer_sizes must be a positive integer or a list of positive integers, got"
)


@pytest.fixture(scope="module")
def fitted(small_digits):
    X, y = small_digits
    return BPClassifier(**FAST).fit(X, y)


@pytest.fixture
def model_file(fitted, tmp_path):
    path = tmp_path / "model.safetensors"
    save_model(fitted, path)
    return path


def _read(path):
    with safetensors.safe_open(path, framework="pt") as file:
        return {name: file.get_tensor(name) for name in file.keys()}, file.metadata()


def _write(path, tensors, metadata):
    safetensors.torch.save_file(tensors, path, metadata=metadata)


def _edit_document(path, edit):
    """Rewrite the file with its JSON document changed by ``edit(document)``."""
    tensors, metadata = _read(path)
    document = json.loads(metadata["bpmnist"])
    edit(document)
    _write(path, tensors, {"bpmnist": json.dumps(document)})


def _edit_tensors(path, edit):
    tensors, metadata = _read(path)
    edit(tensors)
    _write(path, tensors, metadata)


def _refused(path, message):
    """Assert that loading ``path`` raises ModelFileError naming the file and the problem."""
    with pytest.raises(ModelFileError, match=re.escape(str(path))) as info:
        load_model(path)
    assert re.search(message, str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


class _CreatesMarker:
    """Unpickling this object creates the folder ``path``: proof that code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


# -- round trips -----------------------------------------------------------------------------


def _assert_same_model(loaded, original, X):
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X), strict=True)
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X), strict=True)
    np.testing.assert_array_equal(loaded.classes_, original.classes_, strict=True)
    assert loaded.get_params() == original.get_params()
    for name in ("n_features_in_", "input_scale_", "loss_curve_", "n_iter_", "t_"):
        assert getattr(loaded, name) == getattr(original, name), name
    assert loaded.validation_scores_ == original.validation_scores_
    assert loaded.best_validation_score_ == original.best_validation_score_
    for name, tensor in original.module_.state_dict().items():
        assert torch.equal(loaded.module_.state_dict()[name], tensor), name


@pytest.mark.parametrize(
    "labels",
    [
        pytest.param(lambda y: y, id="int"),
        pytest.param(lambda y: y.astype(np.uint8), id="uint8"),
        pytest.param(lambda y: y.astype(np.float64), id="float"),
        pytest.param(lambda y: np.array(["zero", "one", "two"])[y], id="str"),
        pytest.param(lambda y: np.array(["zero", "one", "two"], dtype=object)[y], id="object"),
        pytest.param(lambda y: y == 0, id="bool"),
    ],
)
def test_round_trip_is_exact(small_digits, tmp_path, labels):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, labels(y))
    clf.save(tmp_path / "model.safetensors")
    loaded = BPClassifier.load(tmp_path / "model.safetensors")
    _assert_same_model(loaded, clf, X)
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert not hasattr(loaded, "feature_names_in_")


def test_round_trip_with_feature_names_and_early_stopping(small_digits, tmp_path):
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    clf = BPClassifier(
        hidden_layer_sizes=(20, 10),
        layer_norm=False,
        output="softmax",
        early_stopping=True,
        n_iter_no_change=2,
        max_iter=8,
        random_state=0,
    ).fit(frame, y)
    save_model(clf, tmp_path / "model.safetensors")
    loaded = load_model(tmp_path / "model.safetensors")
    _assert_same_model(loaded, clf, frame)
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_, strict=True)
    assert loaded.validation_scores_ and loaded.best_validation_score_ is not None
    assert loaded.hidden_layer_sizes == (20, 10)
    with pytest.warns(UserWarning, match="feature names"):
        loaded.predict(X)


def test_partial_fit_after_load(fitted, model_file, small_digits):
    X, y = small_digits
    loaded = load_model(model_file)
    loaded.partial_fit(X, y)
    assert loaded.n_iter_ == fitted.n_iter_ + 1 and loaded.t_ == fitted.t_ + len(X)
    assert len(loaded.loss_curve_) == loaded.n_iter_
    assert not np.array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert loaded.score(X, y) > 0.9


def test_loading_uses_neither_pickle_nor_torch_load(model_file, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle or torch.load was called")

    for module, name in [(pickle, "load"), (pickle, "loads"), (torch, "load")]:
        monkeypatch.setattr(module, name, forbidden)
    assert isinstance(load_model(model_file), BPClassifier)


def test_loading_leaves_torch_random_state_alone(model_file):
    state = torch.random.get_rng_state()
    load_model(model_file)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_file_layout(fitted, model_file):
    tensors, metadata = _read(model_file)
    assert set(tensors) == set(fitted.module_.state_dict())
    assert all(tensor.dtype == torch.float32 for tensor in tensors.values())
    document = json.loads(metadata["bpmnist"])
    assert document["format"] == "bpmnist.BPClassifier"
    assert document["format_version"] == FORMAT_VERSION == 1
    assert document["torch_version"] == str(torch.__version__)
    assert document["classes_"] == {"dtype": np.dtype(np.int64).str, "values": [0, 1, 2]}
    assert document["params"]["hidden_layer_sizes"] == [200]


@pytest.mark.parametrize("save", [BPClassifier.save, save_model])
def test_random_state_instance_is_stored_as_none(small_digits, tmp_path, save):
    X, y = small_digits
    clf = BPClassifier(max_iter=2, random_state=np.random.RandomState(0)).fit(X, y)
    with pytest.warns(UserWarning, match="random_state=None") as record:
        save(clf, tmp_path / "model.safetensors")
    assert record[0].filename == __file__  # the warning points at the caller's line
    loaded = BPClassifier.load(tmp_path / "model.safetensors")
    assert loaded.random_state is None
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_unfitted_or_foreign_estimator_is_not_saved(tmp_path):
    with pytest.raises(NotFittedError):
        BPClassifier().save(tmp_path / "model.safetensors")
    with pytest.raises(TypeError, match="BPClassifier"):
        save_model(object(), tmp_path / "model.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_diverged_model_is_not_saved(small_digits, tmp_path):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    with torch.no_grad():
        clf.module_[0].weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        clf.save(tmp_path / "model.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_atomically(fitted, model_file, monkeypatch):
    before = model_file.read_bytes()
    save_model(fitted, model_file)  # replacing an existing file
    assert model_file.read_bytes() == before

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        save_model(fitted, model_file)
    assert model_file.read_bytes() == before
    assert list(model_file.parent.iterdir()) == [model_file]  # no temporary file left


def test_missing_file_folder_and_unwritable_path(fitted, tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.safetensors")
    with pytest.raises(ModelFileError, match="not a regular file"):
        load_model(tmp_path)
    with pytest.raises(FileNotFoundError):
        save_model(fitted, tmp_path / "no" / "model.safetensors")


# -- not a safetensors file ------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.safetensors"
    path.write_bytes(b"")
    _refused(path, r"not a safetensors file \(.+\)\.$")


def test_random_bytes(tmp_path):
    path = tmp_path / "random.safetensors"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    _refused(path, "not a safetensors file")


@pytest.mark.parametrize("where", ["start", "length", "header", "header_end", "data", "last"])
def test_truncated_file(model_file, where):
    data = model_file.read_bytes()
    header_end = 8 + struct.unpack("<Q", data[:8])[0]
    cut = {
        "start": 3,
        "length": 8,
        "header": header_end // 2,
        "header_end": header_end,
        "data": (header_end + len(data)) // 2,
        "last": len(data) - 1,
    }[where]
    model_file.write_bytes(data[:cut])
    _refused(model_file, "not a safetensors file")


@pytest.mark.parametrize("length", [10**6, 2**63, 2**64 - 1])
def test_header_length_past_the_end(model_file, length):
    data = model_file.read_bytes()
    model_file.write_bytes(struct.pack("<Q", length) + data[8:])
    _refused(model_file, "not a safetensors file")


def test_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"model": _CreatesMarker(marker)}))
    _refused(path, "not a safetensors file")
    assert not marker.exists()


def test_torch_save_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.safetensors"
    torch.save({"model": _CreatesMarker(marker)}, path)
    _refused(path, "not a safetensors file")
    assert not marker.exists()


def test_the_payload_would_run_if_unpickled(tmp_path):
    """Sanity check of the tests above: unpickling the payload does create the marker."""
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(_CreatesMarker(marker)))
    assert marker.is_dir()


# -- hostile or altered metadata -------------------------------------------------------------


def test_no_metadata(fitted, tmp_path):
    path = tmp_path / "weights.safetensors"
    safetensors.torch.save_file(fitted.module_.state_dict(), path)
    _refused(path, "no 'bpmnist' metadata")


@pytest.mark.parametrize("encode", [lambda b: b.decode("latin-1"), lambda b: b.hex()])
def test_pickle_in_metadata_is_not_run(model_file, tmp_path, encode):
    marker = tmp_path / "marker"
    tensors, _ = _read(model_file)
    _write(model_file, tensors, {"bpmnist": encode(pickle.dumps(_CreatesMarker(marker)))})
    _refused(model_file, "metadata is not valid JSON")
    assert not marker.exists()


def test_pickle_string_as_a_parameter_is_not_run(model_file, tmp_path):
    marker = tmp_path / "marker"
    payload = pickle.dumps(_CreatesMarker(marker), protocol=0).decode("latin-1")
    _edit_document(model_file, lambda doc: doc["params"].update(random_state=payload))
    _refused(model_file, "invalid params: The 'random_state' parameter")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"format": NaN}', "NaN is not allowed"),
        ('{"format": 1e999}', "out of range"),
        ('{"format": 1, "format": 2}', "duplicate key"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
    ids=["truncated", "array", "nan", "infinity", "duplicate", "deep"],
)
def test_malformed_json(model_file, text, message):
    tensors, _ = _read(model_file)
    _write(model_file, tensors, {"bpmnist": text})
    _refused(model_file, message)


@pytest.mark.parametrize("key", ["format_version", "params", "classes_", "n_iter_", "t_"])
def test_missing_key(model_file, key):
    _edit_document(model_file, lambda doc: doc.pop(key))
    _refused(model_file, rf"metadata lacks the keys \['{key}'\]")


def test_unexpected_keys(model_file):
    _edit_document(model_file, lambda doc: doc.update(__reduce__="os.system"))
    _refused(model_file, r"metadata has unexpected keys \['__reduce__'\]")
    _edit_document(model_file, lambda doc: doc.pop("__reduce__") and doc["params"].pop("alpha"))
    _refused(model_file, r"params lacks the keys \['alpha'\]")


def test_newer_format_version(model_file):
    def edit(doc):
        doc.update(format_version=FORMAT_VERSION + 1, something_new=1)
        doc.pop("t_")

    _edit_document(model_file, edit)
    _refused(model_file, f"format version {FORMAT_VERSION + 1}.*upgrade bpmnist")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("format", "other.Model", "its format is 'other.Model'"),
        ("format", "x" * 10**6, r"its format is 'xxxx.{200,}\.\.\.\.$"),
        ("format_version", 0, "not a positive integer"),
        ("format_version", "1", "not a positive integer"),
        ("torch_version", 2, "torch_version is not a string"),
        ("n_features_in_", "64", "n_features_in_ is not a positive integer"),
        ("n_features_in_", 0, "n_features_in_ is not a positive integer"),
        ("feature_names_in_", ["a", "b"], "feature_names_in_ is not null or a list of 64"),
        ("input_scale_", -1.0, "input_scale_ is not a positive number"),
        ("input_scale_", True, "input_scale_ is not a positive number"),
        ("n_iter_", 4, "loss_curve_ is not a list of n_iter_=4 numbers"),
        ("t_", -1, "t_ is not a non-negative integer"),
        ("loss_curve_", [0.1, "x", 0.2], "loss_curve_ is not a list"),
        ("validation_scores_", [0.5, 2.0], "validation_scores_ is not null or a list"),
        ("best_validation_score_", 0.5, "best_validation_score_ is set without"),
    ],
)
def test_altered_fitted_attribute(model_file, key, value, message):
    _edit_document(model_file, lambda doc: doc.update({key: value}))
    _refused(model_file, message)


def test_best_validation_score_must_match(model_file):
    def edit(doc):
        doc["validation_scores_"] = [0.5, 0.7]
        doc["best_validation_score_"] = 0.5

    _edit_document(model_file, edit)
    _refused(model_file, "best_validation_score_ is not the largest")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"output": "evil"}, "invalid params: The 'output' parameter"),
        ({"max_iter": 2.5}, "invalid params: The 'max_iter' parameter"),
        ({"hidden_layer_sizes": [200, 0]}, HIDDEN_SIZES_MESSAGE),
        ({"hidden_layer_sizes": []}, HIDDEN_SIZES_MESSAGE),
        ({"hidden_layer_sizes": "200"}, HIDDEN_SIZES_MESSAGE),
    ],
)
def test_invalid_params(model_file, params, message):
    _edit_document(model_file, lambda doc: doc["params"].update(params))
    _refused(model_file, message)


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ({"dtype": "|V8", "values": [0, 1, 2]}, "unsupported dtype '|V8'"),
        ({"dtype": "|O", "values": [0, 1, 2]}, "not a non-empty list of labels"),
        ({"dtype": "<i8", "values": [True, False, True]}, "not a non-empty list of labels"),
        ({"dtype": "<i8", "values": []}, "not a non-empty list of labels"),
        ({"dtype": "|u1", "values": [0, 1, 300]}, "do not fit dtype |u1 exactly"),
        ({"dtype": "<U2", "values": ["a", "b", "long"]}, "do not fit dtype <U2 exactly"),
        ({"dtype": "<U999999", "values": ["a"] * 20}, "would take more than 64 MiB"),
        ({"dtype": "<i8", "values": [2, 1, 0]}, "not sorted and unique"),
        ({"dtype": "<i8", "values": [0, 1, 1]}, "not sorted and unique"),
        ({"dtype": "<i8"}, r"classes_ lacks the keys \['values'\]"),
        ([0, 1, 2], "classes_ is not a JSON object"),
    ],
)
def test_invalid_classes(model_file, classes, message):
    _edit_document(model_file, lambda doc: doc.update(classes_=classes))
    _refused(model_file, message)


# -- tensors that do not match the metadata --------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda doc: doc["params"].update(hidden_layer_sizes=[100]), r"'0.weight' has shape"),
        (lambda doc: doc.update(n_features_in_=784), r"'0.weight' has shape \(200, 64\)"),
        (lambda doc: doc["params"].update(layer_norm=False), r"unexpected tensors \['3.bias'"),
        (
            lambda doc: doc.update(classes_={"dtype": "<i8", "values": [0, 1]}),
            r"'3.weight' has shape \(3, 200\), but .* needs \(2, 200\)",
        ),
    ],
    ids=["hidden", "features", "layer_norm", "classes"],
)
def test_metadata_inconsistent_with_tensors(model_file, edit, message):
    _edit_document(model_file, edit)
    _refused(model_file, message)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.update({"0.weight": t["0.weight"].T.contiguous()}), "'0.weight' has shape"),
        (lambda t: t.pop("3.bias"), r"tensors \['3.bias'\] are missing"),
        (lambda t: t.update({"__reduce__": torch.zeros(1)}), r"unexpected tensors \['__reduce__'"),
        (lambda t: t.update({"0.weight": t["0.weight"].double()}), "dtype F64, expected F32"),
        (lambda t: t.update({"0.weight": t["0.weight"].half()}), "dtype F16, expected F32"),
    ],
    ids=["transposed", "missing", "extra", "float64", "float16"],
)
def test_wrong_tensors(model_file, edit, message):
    _edit_tensors(model_file, edit)
    _refused(model_file, message)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weights(model_file, value):
    def edit(tensors):
        tensors["3.bias"][1] = value

    _edit_tensors(model_file, edit)
    _refused(model_file, r"tensors \['3.bias'\] hold NaN or infinite values")


def test_pickle_payload_as_tensor_is_not_run(model_file, tmp_path):
    marker = tmp_path / "marker"
    payload = np.frombuffer(pickle.dumps(_CreatesMarker(marker)), dtype=np.uint8)
    _edit_tensors(model_file, lambda t: t.update({"0.bias": torch.from_numpy(payload.copy())}))
    _refused(model_file, "'0.bias' has dtype U8, expected F32")
    assert not marker.exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipped_bytes_never_escape_as_other_errors(model_file, data):
    """Any corruption either loads (a changed weight) or is refused with ModelFileError."""
    original = model_file.read_bytes()
    header_end = 8 + struct.unpack("<Q", original[:8])[0]
    corrupted = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        # mostly in the length and the JSON header, where the parsing happens
        position = data.draw(st.integers(0, min(header_end + 64, len(original) - 1)))
        corrupted[position] = data.draw(st.integers(0, 255))
    path = model_file.with_name("corrupted.safetensors")
    path.write_bytes(bytes(corrupted))
    try:
        load_model(path)
    except ModelFileError as error:
        assert str(path) in str(error)
