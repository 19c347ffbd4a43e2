"""The ``bpmnist`` command line, run in-process through ``main`` and once as ``python -m``."""

import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import bpmnist
from bpmnist import BPClassifier
from bpmnist.cli import main
from bpmnist.datasets import load_sample

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    """Keep the parsed-CSV cache of load_mnist_csv out of the home folder."""
    monkeypatch.setenv("BPMNIST_DATA", str(tmp_path / "data_home"))


def _write_csv(path, X, y):
    np.savetxt(path, np.column_stack([y, X]), fmt="%d", delimiter=",")
    return path


@pytest.fixture(scope="module")
def split():
    """100 training and 20 test digits of each class from the packaged sample."""
    X, y = load_sample(return_X_y=True)
    train = np.concatenate([np.flatnonzero(y == digit)[:100] for digit in range(10)])
    test = np.concatenate([np.flatnonzero(y == digit)[100:120] for digit in range(10)])
    return X[train], y[train], X[test], y[test]


@pytest.fixture(scope="module")
def files(split, tmp_path_factory):
    """The split as classic CSV files, and a model trained on it through the API."""
    folder = tmp_path_factory.mktemp("cli")
    X_train, y_train, X_test, y_test = split
    model = folder / "model.safetensors"
    BPClassifier(max_iter=5, random_state=0).fit(X_train, y_train).save(model)
    return {
        "train": _write_csv(folder / "train.csv", X_train, y_train),
        "test": _write_csv(folder / "test.csv", X_test, y_test),
        "model": model,
    }


def _run(capsys, *args):
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_png(path):
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) >= 100


def _assert_one_line_error(code, err, message):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bpmnist: error: "), err
    assert re.search(message, lines[0]), lines[0]


def _render_digit(row, path):
    """Draw an MNIST row the way a person would: dark ink on white paper, 4 times larger."""
    image = Image.fromarray(255 - row.reshape(28, 28)).resize((112, 112), Image.BILINEAR)
    image.save(path)
    return path


# -- help and version ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["demo"], ["train"], ["evaluate"], ["predict"]])
def test_help(capsys, command):
    code, out, _ = _run(capsys, *command, "--help")
    assert code == 0
    assert out.startswith(f"usage: bpmnist {' '.join(command)}".rstrip())


def test_version(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"bpmnist {bpmnist.__version__}"


def test_usage_errors(capsys):
    code, _, err = _run(capsys)
    assert code == 2 and "the following arguments are required: COMMAND" in err
    code, _, err = _run(capsys, "train", "x.csv", "--model", "m.safetensors", "--epochs", "0")
    assert code == 2 and "argument --epochs: '0' is not a positive integer" in err


def test_python_m_bpmnist():
    result = subprocess.run(
        [sys.executable, "-m", "bpmnist", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("usage: bpmnist")
    assert result.stderr == ""


# -- demo ------------------------------------------------------------------------------------


def test_demo(capsys, tmp_path):
    code, out, err = _run(capsys, "demo", "--output-dir", tmp_path / "out")
    assert code == 0
    accuracy = float(re.search(r"Accuracy on 1,000 digits: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.95
    assert "precision" in out and "macro avg" in out
    epochs = BPClassifier().max_iter  # the demo trains with the defaults
    assert f"{epochs}/{epochs}" in err and "loss=" in err  # the progress bar
    _assert_png(tmp_path / "out" / "loss_curve.png")


# -- train, evaluate, predict ----------------------------------------------------------------


def test_train_evaluate_predict(capsys, tmp_path, files, split):
    model = tmp_path / "model.safetensors"
    code, out, err = _run(
        capsys, "train", files["train"], "--model", model, "--test", files["test"],
        "--epochs", 5, "--seed", 0,
    )  # fmt: skip
    assert code == 0
    assert "5/5" in err and "loss=" in err
    assert f"Saved the model to {model}" in out
    accuracy = float(re.search(r"Test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy > 0.7
    loaded = BPClassifier.load(model)
    assert loaded.n_iter_ == 5 and loaded.verbose is False and loaded.random_state == 0

    matrix = tmp_path / "matrix.png"
    code, out, _ = _run(
        capsys, "evaluate", "--model", model, files["test"], "--confusion-matrix", matrix
    )
    assert code == 0
    assert f"Accuracy on 200 digits: {accuracy:.4f}" in out and "macro avg" in out
    _assert_png(matrix)

    X_train, y_train, X_test, y_test = split
    images = [_render_digit(X_train[i], tmp_path / f"digit{i}.png") for i in (0, 250, 999)]
    code, out, _ = _run(capsys, "predict", "--model", model, *images)
    assert code == 0
    lines = out.strip().splitlines()
    for line, image, i in zip(lines, images, (0, 250, 999), strict=True):
        assert re.fullmatch(rf"{re.escape(str(image))}: {y_train[i]} \(p=[01]\.[0-9]{{2}}\)", line)

    code, out, _ = _run(capsys, "predict", "--model", model, files["test"])
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(y_test)
    assert lines[0].startswith(f"{files['test']}, row 1: ")
    predicted = [int(re.search(r": (\d) \(p=", line).group(1)) for line in lines]
    np.testing.assert_array_equal(predicted, loaded.predict(X_test))


def test_train_with_early_stopping_shows_validation(capsys, tmp_path, files):
    code, out, err = _run(
        capsys, "train", files["train"], "--model", tmp_path / "m.safetensors",
        "--epochs", 3, "--hidden", 32, 16, "--batch-size", 64, "--learning-rate", 0.002,
        "--early-stopping", "--seed", 1,
    )  # fmt: skip
    assert code == 0
    assert "validation=" in err and "best validation accuracy" in out
    loaded = BPClassifier.load(tmp_path / "m.safetensors")
    params = loaded.get_params()
    assert params["hidden_layer_sizes"] == (32, 16) and params["batch_size"] == 64
    assert params["learning_rate_init"] == 0.002 and params["early_stopping"] is True


def test_quiet_training_prints_no_progress(capsys, tmp_path, files):
    code, out, err = _run(
        capsys, "train", files["train"], "--model", tmp_path / "m.safetensors",
        "--epochs", 1, "--quiet",
    )  # fmt: skip
    assert code == 0 and err == "" and "Trained 1 epoch on 1,000 digits" in out


# -- bad input: one line on stderr, exit status 2 --------------------------------------------


@pytest.fixture
def bad_files(tmp_path):
    malformed = tmp_path / "malformed.csv"
    malformed.write_text("7," + ",".join(["0"] * 784) + "\n3,1,2\n")
    not_an_image = tmp_path / "not_an_image.png"
    not_an_image.write_text("hello")
    not_a_model = tmp_path / "not_a_model.safetensors"
    not_a_model.write_bytes(b"\x80\x04K\x01.")  # a pickle of the number 1
    return {"malformed": malformed, "image": not_an_image, "model": not_a_model}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "missing.csv", "--model", "{tmp}/m"], "missing.csv: No such file or directory"),
        (["train", "{malformed}", "--model", "{tmp}/m"], r"malformed.csv, line 2: expected 785"),
        (["train", "{train}", "--model", "{tmp}/no/m"], r"/no: No such file or directory"),
        (["evaluate", "--model", "{bad_model}", "{test}"], "Cannot load the model file .*not a"),
        (["evaluate", "--model", "{tmp}/missing", "{test}"], "missing: No such file or directory"),
        (["evaluate", "--model", "{model}", "{malformed}"], "malformed.csv, line 2"),
        (["predict", "--model", "{model}", "{image}"], "not_an_image.png"),
        (["predict", "--model", "{model}", "{tmp}/gone.png"], "gone.png: No such file"),
        (["predict", "--model", "{model}", "{malformed}"], "malformed.csv, line 2"),
        (["predict", "--model", "{bad_model}", "{test}"], "not_a_model.safetensors"),
        (["predict", "--model", "{model}", "{tmp}/model.safetensors"], "model.safetensors"),
    ],
    ids=[
        "train-missing-csv",
        "train-malformed-csv",
        "train-model-folder-missing",
        "evaluate-not-a-model",
        "evaluate-missing-model",
        "evaluate-malformed-csv",
        "predict-unreadable-image",
        "predict-missing-image",
        "predict-malformed-csv",
        "predict-not-a-model",
        "predict-model-as-image",
    ],
)
def test_bad_input(capsys, tmp_path, files, bad_files, args, message):
    (tmp_path / "model.safetensors").write_bytes(files["model"].read_bytes())
    names = {
        "tmp": tmp_path,
        "train": files["train"],
        "test": files["test"],
        "model": files["model"],
        "malformed": bad_files["malformed"],
        "image": bad_files["image"],
        "bad_model": bad_files["model"],
    }
    code, _, err = _run(capsys, *(arg.format(**names) for arg in args))
    _assert_one_line_error(code, err, message)


def test_model_for_other_data(capsys, tmp_path, files):
    from sklearn.datasets import load_digits

    model = tmp_path / "digits8x8.safetensors"
    BPClassifier(max_iter=1).fit(*load_digits(return_X_y=True)).save(model)
    code, _, err = _run(capsys, "predict", "--model", model, files["test"])
    _assert_one_line_error(code, err, "X has 784 features, but BPClassifier is expecting 64")


def test_missing_matplotlib(capsys, monkeypatch, files, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "bpmnist.plotting", raising=False)
    monkeypatch.delattr(bpmnist, "plotting", raising=False)
    code, _, err = _run(capsys, "evaluate", "--model", files["model"], files["test"])
    _assert_one_line_error(code, err, re.escape('pip install "bpmnist[plot]"'))
    assert not (tmp_path / "confusion_matrix.png").exists()
