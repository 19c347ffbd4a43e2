"""Behaviour of BPClassifier as a scikit-learn classifier."""

import copy
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from bpmnist import BPClassifier
from bpmnist.network import build_network

FAST = {"max_iter": 20, "random_state": 0}


def test_is_a_classifier():
    assert is_classifier(BPClassifier())
    assert BPClassifier.__mro__[1].__name__ == "ClassifierMixin"


def test_default_accuracy_on_digits(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = BPClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95


def test_default_network_is_the_tutorials(small_digits):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    layers = [type(m).__name__ for m in clf.module_]
    assert layers == ["Linear", "LeakyReLU", "LayerNorm", "Linear", "Sigmoid"]
    assert clf.module_[0].in_features == 64 and clf.module_[0].out_features == 200
    assert clf.module_[1].negative_slope == 0.02
    assert clf.module_[3].out_features == 3


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_untrained_sigmoid_outputs_start_at_the_uniform_prior(n_classes):
    """The output biases start at -log(K - 1): each sigmoid says about 1/K, not 0.5."""
    torch.manual_seed(0)
    net = build_network(64, n_classes)
    with torch.no_grad():
        outputs = net(torch.randn(500, 64))
    assert abs(outputs.mean().item() - 1 / n_classes) < 0.03
    softmax_net = build_network(64, n_classes, output="softmax")
    # PyTorch's own initialisation: uniform in +-1/sqrt(fan_in), fan_in = 200 hidden units
    assert softmax_net[-2].bias.abs().max() <= 1 / np.sqrt(200)


@pytest.mark.parametrize(("n_samples", "batch_size"), [(500, 32), (12_000, 60), (60_000, 256)])
def test_auto_batch_size_is_the_documented_rule(n_samples, batch_size):
    """batch_size="auto" trains exactly as min(256, max(32, n_samples // 200)) does."""
    rng = np.random.RandomState(0)
    X = rng.rand(n_samples, 4).astype(np.float32)
    y = (X[:, 0] > 0.5).astype(int)
    params = {"hidden_layer_sizes": (4,), "max_iter": 1, "random_state": 0}
    auto = BPClassifier(**params).fit(X, y)
    explicit = BPClassifier(batch_size=batch_size, **params).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X[:50]), explicit.predict_proba(X[:50]))
    other = BPClassifier(batch_size=batch_size + 1, **params).fit(X, y)
    assert not np.array_equal(auto.predict_proba(X[:50]), other.predict_proba(X[:50]))


def test_fitted_attributes(small_digits):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_features_in_ == 64
    assert clf.n_iter_ == 20 and len(clf.loss_curve_) == 20
    assert clf.t_ == 20 * len(X)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    np.testing.assert_allclose(clf.input_scale_, np.sqrt(np.mean(X.astype(float) ** 2)))
    assert not hasattr(clf, "feature_names_in_")


def test_predict_proba_is_consistent_with_predict(small_digits):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_outputs_learn(small_digits, output):
    X, y = small_digits
    clf = BPClassifier(output=output, **FAST).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert type(clf.module_[-1]).__name__ == {"sigmoid": "Sigmoid", "softmax": "Softmax"}[output]


def test_string_labels(small_digits):
    X, y = small_digits
    names = np.array(["zero", "one", "two"])[y]
    clf = BPClassifier(**FAST).fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["one", "two", "zero"])
    assert set(clf.predict(X)) <= set(names)
    assert clf.score(X, names) > 0.95


def test_integer_labels_with_gaps(small_digits):
    X, y = small_digits
    gappy = np.array([-7, 3, 100])[y]
    clf = BPClassifier(**FAST).fit(X, gappy)
    np.testing.assert_array_equal(clf.classes_, [-7, 3, 100])
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert clf.score(X, gappy) > 0.95


def test_binary(small_digits):
    X, y = small_digits
    mask = y < 2
    clf = BPClassifier(**FAST).fit(X[mask], y[mask] == 1)
    np.testing.assert_array_equal(clf.classes_, [False, True])
    assert clf.predict_proba(X[mask]).shape == (mask.sum(), 2)
    assert clf.score(X[mask], y[mask] == 1) > 0.98


def test_dataframe_feature_names(small_digits):
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    clf = BPClassifier(**FAST).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(frame), clf.predict(X.copy()))
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        clf.predict(frame.rename(columns={"pixel0": "other"}))


def test_raw_uint8_pixels_train_like_scaled_pixels(digits_split):
    """uint8 pixels (0-255) and the same pixels divided by 255 give the same model."""
    X_train, X_test, y_train, y_test = digits_split
    to_uint8 = lambda X: np.round(X * 255 / 16).astype(np.uint8)  # noqa: E731
    raw = BPClassifier(random_state=0).fit(to_uint8(X_train), y_train)
    scaled = BPClassifier(random_state=0).fit(to_uint8(X_train) / 255.0, y_train)
    np.testing.assert_allclose(raw.input_scale_ / scaled.input_scale_, 255.0)
    raw_score = raw.score(to_uint8(X_test), y_test)
    scaled_score = scaled.score(to_uint8(X_test) / 255.0, y_test)
    assert raw_score >= 0.95 and scaled_score >= 0.95
    assert abs(raw_score - scaled_score) <= 0.01


def test_uint8_and_float32_copies_of_the_same_pixels_give_the_same_model(digits_split):
    """uint8 pixels are stored as they are and converted per minibatch: same numbers."""
    X_train, X_test, y_train, _ = digits_split
    pixels = np.round(X_train * 255 / 16).astype(np.uint8)
    test_pixels = np.round(X_test * 255 / 16).astype(np.uint8)
    as_uint8 = BPClassifier(**FAST).fit(pixels, y_train)
    as_float = BPClassifier(**FAST).fit(pixels.astype(np.float32), y_train)
    assert as_uint8.input_scale_ == as_float.input_scale_
    np.testing.assert_array_equal(
        as_uint8.predict_proba(test_pixels), as_float.predict_proba(test_pixels.astype(np.float32))
    )


def test_fortran_ordered_input_gives_the_same_model(small_digits):
    """Column-major arrays (as DataFrame.to_numpy() often returns) are stored row-major."""
    X, y = small_digits
    c_order = BPClassifier(**FAST).fit(np.ascontiguousarray(X), y)
    f_order = BPClassifier(**FAST).fit(np.asfortranarray(X), y)
    np.testing.assert_array_equal(
        c_order.predict_proba(np.asfortranarray(X)), f_order.predict_proba(X)
    )


def test_pipeline_with_scaler(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    pipe = make_pipeline(StandardScaler(), BPClassifier(random_state=0)).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) >= 0.95


def test_grid_search_in_two_processes(small_digits):
    X, y = small_digits
    search = GridSearchCV(
        BPClassifier(max_iter=10, random_state=0),
        {"hidden_layer_sizes": [(16,), (64,)], "learning_rate_init": [1e-3, 3e-3]},
        cv=StratifiedKFold(3),
        n_jobs=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.9
    assert isinstance(search.best_estimator_, BPClassifier)
    assert search.best_estimator_.score(X, y) > 0.9


def test_cross_val_score(small_digits):
    X, y = small_digits
    scores = cross_val_score(BPClassifier(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9


@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est, tmp_path: pickle.loads(pickle.dumps(est)),
        lambda est, tmp_path: copy.deepcopy(est),
        lambda est, tmp_path: joblib.load(joblib.dump(est, tmp_path / "model.joblib")[0]),
    ],
    ids=["pickle", "deepcopy", "joblib"],
)
def test_round_trips_keep_predictions(small_digits, tmp_path, round_trip):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    restored = round_trip(clf, tmp_path)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.loss_curve_, clf.loss_curve_)
    restored.partial_fit(X, y)  # training goes on after the round trip
    assert restored.n_iter_ == clf.n_iter_ + 1


def test_clone_is_unfitted_with_same_params(small_digits):
    X, y = small_digits
    clf = BPClassifier(hidden_layer_sizes=(32,), alpha=0.1, **FAST).fit(X, y)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    assert not hasattr(twin, "module_")


def test_same_seed_is_bitwise_reproducible_and_seeds_differ(small_digits):
    X, y = small_digits
    proba = [BPClassifier(max_iter=3, random_state=s).fit(X, y).predict_proba(X) for s in (1, 1, 2)]
    np.testing.assert_array_equal(proba[0], proba[1])
    assert not np.array_equal(proba[0], proba[2])


def test_warm_start_continues_training(small_digits):
    X, y = small_digits
    clf = BPClassifier(max_iter=3, learning_rate="constant", warm_start=True, random_state=0)
    clf.fit(X, y)
    first_losses = list(clf.loss_curve_)
    clf.fit(X, y)
    assert clf.n_iter_ == 6 and clf.loss_curve_[:3] == first_losses
    assert clf.loss_curve_[-1] < clf.loss_curve_[2] < clf.loss_curve_[0]
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.n_iter_ == 3 and clf.loss_curve_ == first_losses


def test_partial_fit_keeps_lowering_the_loss(small_digits):
    X, y = small_digits
    clf = BPClassifier(random_state=0)
    for _ in range(5):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 5 and clf.t_ == 5 * len(X)
    assert all(b < a for a, b in zip(clf.loss_curve_, clf.loss_curve_[1:], strict=False))


def test_partial_fit_on_chunks_learns(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = BPClassifier(random_state=0)
    for _ in range(10):
        for X_chunk, y_chunk in zip(
            np.array_split(X_train, 4), np.array_split(y_train, 4), strict=True
        ):
            clf.partial_fit(X_chunk, y_chunk, classes=np.arange(10))
    assert clf.score(X_test, y_test) >= 0.95


def test_partial_fit_errors(small_digits):
    X, y = small_digits
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        BPClassifier().partial_fit(X, y)
    clf = BPClassifier().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"y contains labels \[7\] that are not in classes_"):
        clf.partial_fit(X, np.where(y == 2, 7, y))


def test_early_stopping_stops_and_restores_best_epoch(small_digits):
    X, y = small_digits
    params = dict(
        early_stopping=True,
        n_iter_no_change=3,
        learning_rate="constant",
        learning_rate_init=0.01,
        random_state=0,
    )
    clf = BPClassifier(max_iter=200, **params).fit(X, y)
    scores = clf.validation_scores_
    assert clf.n_iter_ < 200 and len(scores) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(scores)
    best_epoch = int(np.argmax(scores)) + 1
    assert clf.n_iter_ == best_epoch + 3
    # The same seed run for exactly best_epoch epochs ends on the best weights: the early
    # stopped model must predict exactly like it.
    best = BPClassifier(max_iter=best_epoch, **params).fit(X, y)
    assert best.validation_scores_ == scores[:best_epoch]
    np.testing.assert_array_equal(clf.predict_proba(X), best.predict_proba(X))


def test_verbose_prints_progress(small_digits, capsys):
    X, y = small_digits
    BPClassifier(max_iter=2, verbose=True, early_stopping=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Iteration 1, loss = ") and "validation score = " in lines[0]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_without_gpu(small_digits):
    with pytest.raises(ValueError, match="device='cuda' was requested, but PyTorch sees no CUDA"):
        BPClassifier(device="cuda").fit(*small_digits)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_model_pickles_to_cpu(small_digits):
    X, y = small_digits
    clf = BPClassifier(device="cuda", **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert next(restored.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X), atol=1e-5)


# -- bad input --------------------------------------------------------------------------


def test_nan_and_inf_in_X(small_digits):
    X, y = small_digits
    bad = X.copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        BPClassifier().fit(bad, y)
    bad[3, 5] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        BPClassifier().fit(bad, y)
    clf = BPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clf.predict(bad)


def test_wrong_number_of_features_at_predict(small_digits):
    X, y = small_digits
    clf = BPClassifier(**FAST).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 5 features, but BPClassifier is expecting 64 features as input"
    ):
        clf.predict(X[:, :5])


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_not_fitted(small_digits, method):
    X, y = small_digits
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError, match="This BPClassifier instance is not fitted yet"):
        getattr(BPClassifier(), method)(*args)


def test_inconsistent_lengths(small_digits):
    X, y = small_digits
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[537, 536\]"):
        BPClassifier().fit(X, y[:-1])


def test_single_class(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match=r"at least 2 classes .* only one class: 4\."):
        BPClassifier().fit(X, np.full(len(X), 4))


def test_multilabel_and_continuous_targets(small_digits):
    X, y = small_digits
    multilabel = np.eye(3, dtype=int)[y]
    with pytest.raises(ValueError, match="binary and multiclass targets only, got a 'multilabel"):
        BPClassifier().fit(X, multilabel)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        BPClassifier().fit(X, y + 0.5)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"batch_size": 0}, "The 'batch_size' parameter of BPClassifier must be an int"),
        ({"learning_rate_init": 0.0}, "'learning_rate_init' parameter of BPClassifier must be"),
        ({"output": "tanh"}, "'output' parameter of BPClassifier must be a str among"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter of BPClassifier"),
        ({"device": "tpu"}, "'device' parameter of BPClassifier must be a str among"),
        ({"max_iter": -1}, "'max_iter' parameter of BPClassifier must be an int"),
    ],
)
def test_invalid_parameters(small_digits, params, message):
    with pytest.raises(InvalidParameterError, match=message):
        BPClassifier(**params).fit(*small_digits)


@pytest.mark.parametrize("hidden", [(0,), (10, -1), (), ("a",)])
def test_invalid_hidden_layer_sizes(small_digits, hidden):
    with pytest.raises(
        ValueError,
        match="hidden_layer_sizes must be a positive integer or a list of positive integers",
    ):
        BPClassifier(hidden_layer_sizes=hidden).fit(*small_digits)


def test_init_only_stores_parameters():
    clf = BPClassifier(hidden_layer_sizes=[5], batch_size=-3)  # validated in fit only
    assert clf.hidden_layer_sizes == [5] and clf.batch_size == -3
