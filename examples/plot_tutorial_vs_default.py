"""
The tutorial's training, reproduced
===================================

The classic tutorial trains its 784-200-10 network on one image at a time: show an image,
compute the error, adjust every weight, move on to the next image, three times over the
60,000 training images. It reaches 97.24% on the MNIST test set.

:class:`~bpmnist.BPClassifier` reproduces that recipe with
``BPClassifier(batch_size=1, max_iter=3, learning_rate="constant", alpha=0.0,
shuffle=False, augmentation=None)``: minibatches of one image, three epochs, a constant
learning rate, plain Adam, the images in their stored order and unchanged. This example
trains it next to the default recipe, which learns from minibatches of many images at a
time, and compares their accuracy and their training time on the same digits.

One image at a time is slow, so the tutorial's recipe trains on a subset of the training
digits here (all of them with ``--full``).
"""

import argparse
import os
import time

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample

parser = argparse.ArgumentParser(description="The tutorial's training next to the default.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
n_subset = len(X_train) if args.full else 1000
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    n_subset = 200
# sphinx_gallery_end_ignore

# %%
# Two recipes for the same network
# --------------------------------
# Both build the same network; only the way it is trained differs.
default = BPClassifier()
print(f"default recipe: batch_size={default.batch_size!r}, {default.max_iter} epochs")
recipes = {
    "tutorial": BPClassifier(
        batch_size=1,
        max_iter=3,
        learning_rate="constant",
        alpha=0.0,
        shuffle=False,
        augmentation=None,
    ),
    "default": BPClassifier(),
}
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":
    recipes["default"].set_params(max_iter=3)
# sphinx_gallery_end_ignore

# %%
# Each recipe trains on the first ``n_subset`` training digits, and the default recipe
# once more on all of them, since it has the time to.
runs = [
    ("tutorial", n_subset),
    ("default", n_subset),
    ("default", len(X_train)),
]
results = []
for name, n_rows in runs:
    clf = recipes[name].set_params(random_state=0)
    start = time.perf_counter()
    clf.fit(X_train[:n_rows], y_train[:n_rows])
    seconds = time.perf_counter() - start
    accuracy = clf.score(X_test, y_test)
    label = f"{name}\n{n_rows} digits"
    results.append((label, seconds, accuracy, n_rows * clf.n_iter_ / seconds))
    print(
        f"{name:>8} recipe on {n_rows:>5} digits: {clf.n_iter_:>2} epochs in {seconds:6.1f} s, "
        f"accuracy {accuracy:.2%}"
    )

# %%
# Compare
# -------
# The images per second show why minibatches matter: one update per image spends most of
# its time in the bookkeeping around a tiny computation, while a minibatch of many images
# is a few large matrix products that the processor runs efficiently. The default recipe
# therefore sees its data many more times in less time.
labels, seconds, accuracy, speed = zip(*results, strict=True)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")
colors = ["tab:orange", "tab:blue", "tab:blue"]
axes[0].bar(labels, accuracy, color=colors)
axes[0].set_ylim(min(accuracy) - 0.05, 1)
axes[0].set_title("test accuracy")
axes[1].bar(labels, seconds, color=colors)
axes[1].set_title("training time (s)")
axes[2].bar(labels, speed, color=colors)
axes[2].set_yscale("log")
axes[2].set_title("images per second")
for ax in axes:
    ax.tick_params(axis="x", labelsize=8)
plt.show()
