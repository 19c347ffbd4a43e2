"""
Saving and loading a model
==========================

Training takes time; a trained classifier can be saved to a file and loaded again later,
on another computer or by someone else. bpmnist offers two ways:

* :meth:`~bpmnist.BPClassifier.save` and :meth:`~bpmnist.BPClassifier.load` write and read
  a *safetensors* file: the weights plus a small JSON description. Loading it cannot run
  any code, so it is safe to load a file from someone you do not know, and it keeps
  working across versions of Python, PyTorch and bpmnist.
* :mod:`pickle` or :mod:`joblib`, the usual scikit-learn way, store any Python object,
  such as a whole :class:`~sklearn.pipeline.Pipeline`. Loading a pickle can run arbitrary
  code, so only load pickles that you made yourself or trust, in the same environment.
"""

import argparse
import os
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample
from bpmnist.persistence import ModelFileError
from bpmnist.plotting import plot_digits

parser = argparse.ArgumentParser(description="Save a trained model and load it back.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
clf = BPClassifier(max_iter=10, random_state=0)
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    clf.set_params(max_iter=2)
# sphinx_gallery_end_ignore
clf.fit(X_train, y_train)
print(f"accuracy of the trained model: {clf.score(X_test, y_test):.2%}")

workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)

# %%
# A safe model file
# -----------------
# The loaded classifier predicts exactly what the saved one did, bit for bit, and keeps its
# parameters and training history.
path = folder / "digits.safetensors"
clf.save(path)
loaded = BPClassifier.load(path)
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
same = np.array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
print(f"identical probabilities: {same}")
print(f"accuracy of the loaded model: {loaded.score(X_test, y_test):.2%}")
print(f"parameters kept: max_iter={loaded.max_iter}, epochs trained: {loaded.n_iter_}")

# %%
# A damaged or foreign file is refused with a clear message instead of being half read:
broken = folder / "broken.safetensors"
broken.write_bytes(path.read_bytes()[:1000])  # a truncated copy
try:
    BPClassifier.load(broken)
except ModelFileError as error:
    print(f"refused: {error}")

# %%
# A pickled pipeline
# ------------------
# A safetensors file holds a single classifier. To keep a whole pipeline (here a scaler
# and a classifier) use joblib, scikit-learn's usual tool, and load it only in a
# trusted environment with the same library versions.
pipe = make_pipeline(StandardScaler(), BPClassifier(max_iter=2, random_state=0))
pipe.fit(X_train, y_train)
joblib.dump(pipe, folder / "pipeline.joblib")
pipe_loaded = joblib.load(folder / "pipeline.joblib")
same = np.array_equal(pipe_loaded.predict(X_test), pipe.predict(X_test))
print(f"pipeline round trip, same predictions: {same}")

# %%
# The loaded classifier at work on a few test digits:
plot_digits(X_test[:20], y_test[:20], loaded.predict(X_test[:20]), n_cols=10)
plt.show()
workdir.cleanup()
