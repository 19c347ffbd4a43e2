"""
Quick start: train, evaluate, look at the mistakes
==================================================

Train a :class:`~bpmnist.BPClassifier` on the MNIST digits that ship with bpmnist, measure
its accuracy on digits it has never seen, and look at the ones it gets wrong.
"""

import argparse
import os

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample
from bpmnist.plotting import plot_digits, plot_loss_curve

parser = argparse.ArgumentParser(description="Train and evaluate BPClassifier on MNIST.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()  # ignore options meant for whoever runs the script

# %%
# Load the digits
# ---------------
# Each row of ``X`` holds the 784 pixels of one 28x28 image, from 0 (background) to 255
# (ink); ``y`` holds the digit it shows. A quarter of the digits is kept aside to test the
# model on images it did not learn from.
X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
print(f"{len(X_train)} training digits, {len(X_test)} test digits, {X.shape[1]} pixels each")

# %%
# Train the network
# -----------------
# The default network is the tutorial's: 784 inputs, 200 hidden units, 10 outputs. The raw
# pixels go in unchanged; the classifier scales them itself.
clf = BPClassifier(random_state=0)
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # set by the test suite: less work
    clf.set_params(max_iter=3)
# sphinx_gallery_end_ignore
clf.fit(X_train, y_train)
print(f"{clf.n_iter_} epochs; accuracy on the test digits: {clf.score(X_test, y_test):.2%}")

# %%
# The training loss falls epoch after epoch: the network's outputs get closer to the
# correct answers on the training digits.
plot_loss_curve(clf)

# %%
# Look at the predictions
# -----------------------
# :meth:`~bpmnist.BPClassifier.predict` gives the most likely digit of each image, and
# :meth:`~bpmnist.BPClassifier.predict_proba` how sure the network is of each of the ten.
y_pred = clf.predict(X_test)
proba = clf.predict_proba(X_test[:1])
print(f"first test digit: a {y_test[0]}, predicted {y_pred[0]} with probability {proba.max():.3f}")

# %%
# The first test digits with their predictions; a red frame marks a mistake.
plot_digits(X_test, y_test, y_pred, max_images=30)

# %%
# Only the mistakes. Many are digits a person would hesitate over too.
wrong = y_pred != y_test
print(f"{wrong.sum()} mistakes out of {len(y_test)} test digits")
if wrong.any():
    plot_digits(X_test[wrong], y_test[wrong], y_pred[wrong], max_images=20)
plt.show()
