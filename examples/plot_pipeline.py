"""
A pipeline with a scaler, and the confusion matrix
==================================================

A scikit-learn pipeline chains preprocessing steps and a classifier into one estimator,
which can be cross-validated, searched over or saved as one object. The confusion matrix
then shows which digits the model mixes up.

The :class:`~sklearn.pipeline.Pipeline`'s ``fit`` fits each step on the training data in
turn, and its ``predict`` applies the same, already fitted, steps to new data: the scaler
learns its means and spreads from the training digits only.
"""

import argparse
import os

import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample
from bpmnist.plotting import plot_confusion_matrix

parser = argparse.ArgumentParser(description="A pipeline and its confusion matrix.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# Build and train the pipeline
# ----------------------------
# :class:`~sklearn.preprocessing.StandardScaler` gives every pixel column a mean of 0 and a
# standard deviation of 1 over the training digits.
pipe = make_pipeline(StandardScaler(), BPClassifier(max_iter=10, random_state=0))
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    pipe.set_params(bpclassifier__max_iter=2)
# sphinx_gallery_end_ignore
pipe.fit(X_train, y_train)
y_pred = pipe.predict(X_test)
print(f"pipeline accuracy on the test digits: {pipe.score(X_test, y_test):.2%}")

# %%
# Is the scaler needed? Pixels all share one scale (0-255), and
# :class:`~bpmnist.BPClassifier` already divides its inputs by one overall scale, so for
# images it matters little; compare with the classifier alone. A scaler earns its place
# with tables whose columns come in different units, such as centimetres next to years.
alone = clone(pipe[-1]).fit(X_train, y_train)  # same settings, not fitted yet
print(f"classifier alone, accuracy on the test digits: {alone.score(X_test, y_test):.2%}")

# %%
# Per-digit scores
# ----------------
# *Precision* is the fraction of the images predicted as a digit that really are that
# digit; *recall* the fraction of the images of a digit that were found.
print(classification_report(y_test, y_pred, digits=3))

# %%
# The confusion matrix
# --------------------
# Row ``i``, column ``j`` counts the test images of digit ``i`` predicted as ``j``: the
# diagonal holds the correct answers, everything else is a mistake.
plot_confusion_matrix(y_test, y_pred)
plt.show()
