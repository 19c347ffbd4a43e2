"""
Minibatch size: speed and accuracy
==================================

The network learns by adjusting its weights after each *minibatch* of images. With a
minibatch of one image (the tutorial's way) it makes many small, noisy steps; with larger
minibatches it makes fewer, smoother steps, and each step is cheaper per image because the
computer handles many images in one large matrix product.

This example trains the same network for the same number of epochs with minibatches of
different sizes, and records how many images per second it processes and how accurate it
ends up.
"""

import argparse
import os
import time

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample

parser = argparse.ArgumentParser(description="Training speed and accuracy by minibatch size.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# A subset keeps the smallest minibatches affordable.
n_rows, n_epochs = 1500, 3
batch_sizes = [1, 4, 16, 64, 256]
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    n_rows, n_epochs, batch_sizes = 200, 1, [1, 16, 128]
# sphinx_gallery_end_ignore

# %%
# Train with each minibatch size
# ------------------------------
# Only the minibatch size changes; the learning rate stays constant so that the runs
# differ in one thing only.
speeds, accuracies = [], []
for batch_size in batch_sizes:
    clf = BPClassifier(
        batch_size=batch_size, max_iter=n_epochs, learning_rate="constant", random_state=0
    )
    start = time.perf_counter()
    clf.fit(X_train[:n_rows], y_train[:n_rows])
    speed = clf.t_ / (time.perf_counter() - start)  # t_: training images seen
    speeds.append(speed)
    accuracies.append(clf.score(X_test, y_test))
    print(
        f"batch size {batch_size:>3}: {speed:>9,.0f} images/s, test accuracy {accuracies[-1]:.2%}"
    )

# %%
# Results
# -------
# Throughput grows with the minibatch size until the matrix products are large enough to
# keep the processor busy. Accuracy after a fixed number of epochs tells the other side of
# the story: larger minibatches make fewer weight updates per epoch, so they need more
# epochs (or a larger learning rate) to learn as much. The default recipe,
# ``batch_size="auto"``, takes minibatches of 256 on the full MNIST training set (about 200
# updates per epoch on smaller sets), with a larger learning rate that decreases during
# training:
default = BPClassifier()
print(
    f"default: batch_size={default.batch_size!r}, "
    f"learning_rate_init={default.learning_rate_init}, max_iter={default.max_iter} epochs"
)

# %%
fig, (ax_speed, ax_accuracy) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
ax_speed.plot(batch_sizes, speeds, marker="o")
ax_speed.set_xscale("log")
ax_speed.set_yscale("log")
ax_speed.set_xlabel("minibatch size")
ax_speed.set_ylabel("training images per second")
ax_accuracy.plot(batch_sizes, accuracies, marker="o", color="tab:green")
ax_accuracy.set_xscale("log")
ax_accuracy.set_xlabel("minibatch size")
ax_accuracy.set_ylabel(f"test accuracy after {n_epochs} epochs")
for ax in (ax_speed, ax_accuracy):
    ax.set_xticks(batch_sizes, [str(size) for size in batch_sizes], minor=False)
    ax.minorticks_off()
plt.show()
