"""
Early stopping: when to stop training
=====================================

Training longer always lowers the loss on the training digits, but past some point the
network starts to memorise them rather than learn what makes a 3 a 3, and its accuracy on
new digits stops improving. Early stopping finds that point.

With ``early_stopping=True``, :class:`~bpmnist.BPClassifier` holds back a fraction of the
training digits (``validation_fraction``), measures its accuracy on them after every epoch,
stops once that accuracy has not improved for ``n_iter_no_change`` epochs, and keeps the
weights of the best epoch.
"""

import argparse
import os

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample
from bpmnist.plotting import plot_loss_curve

parser = argparse.ArgumentParser(description="Training curves with early stopping.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# Train with early stopping
# -------------------------
# ``max_iter`` is now only an upper bound. A constant learning rate keeps the
# comparison between epochs simple.
clf = BPClassifier(
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=5,
    max_iter=100,
    learning_rate="constant",
    random_state=0,
)
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    clf.set_params(max_iter=4, n_iter_no_change=2)
# sphinx_gallery_end_ignore
clf.fit(X_train, y_train)

best_epoch = clf.validation_scores_.index(clf.best_validation_score_) + 1
print(f"stopped after {clf.n_iter_} epochs; the best was epoch {best_epoch}")
print(f"best validation accuracy: {clf.best_validation_score_:.2%}")
print(f"accuracy on the test digits (weights of epoch {best_epoch}): ", end="")
print(f"{clf.score(X_test, y_test):.2%}")

# %%
# The curves
# ----------
# The training loss (left axis) keeps falling, while the validation accuracy (right axis)
# levels off: from then on the extra epochs only fit the training digits more closely.
# The dotted line marks the epoch whose weights the classifier kept.
plot_loss_curve(clf)
plt.show()
