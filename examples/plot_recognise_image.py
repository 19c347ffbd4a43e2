"""
Recognising a digit in an image file
====================================

A model trained on MNIST expects what MNIST contains: a white digit on a black 28x28
field, scaled to fit a 20x20 box and centred by its centre of mass.
:func:`~bpmnist.images.preprocess_image` brings a photo or scan of a digit (dark ink on
light paper or the reverse, any size, colour or grey) to that convention.

This example makes two PNG files with Pillow, as a user's scans would be: a test digit
printed large, dark on light, off-centre, with a little noise; and a 7 drawn with two pen
strokes. Then it reads them back and asks a trained classifier what they show.
"""

import argparse
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw
from sklearn.model_selection import train_test_split

from bpmnist import BPClassifier, preprocess_images
from bpmnist.datasets import load_mnist_csv, load_sample

parser = argparse.ArgumentParser(description="Read digits from image files.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
clf = BPClassifier(random_state=0)
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    clf.set_params(max_iter=3)
# sphinx_gallery_end_ignore
clf.fit(X_train, y_train)

# %%
# Two images, as a user would have them
# -------------------------------------
# The first is the first test digit that shows a 2, which the classifier has not seen,
# scaled up six times, inverted to dark ink on white paper and pasted off-centre on a
# larger, slightly noisy page. The second is a 7 drawn with two strokes.
workdir = tempfile.TemporaryDirectory()
folder = Path(workdir.name)
rng = np.random.default_rng(0)

index = np.flatnonzero(y_test == 2)[0]
digit = Image.fromarray(255 - X_test[index].reshape(28, 28))
digit = digit.resize((168, 168), Image.Resampling.BILINEAR)
page = np.full((260, 320), 245.0)
page[30:198, 120:288] = np.asarray(digit)
page += rng.normal(0, 6, page.shape)
scan_path = folder / "scan.png"
Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(scan_path)

drawing = Image.new("L", (200, 240), color=255)
pen = ImageDraw.Draw(drawing)
pen.line([(45, 50), (160, 45), (95, 205)], fill=20, width=16, joint="curve")
drawn_path = folder / "seven.png"
drawing.save(drawn_path)

# %%
# Preprocess and predict
# ----------------------
# :func:`~bpmnist.images.preprocess_images` returns one row of 784 pixels per file, like
# a row of the MNIST data, ready for :meth:`~bpmnist.BPClassifier.predict`.
paths = [scan_path, drawn_path]
rows = preprocess_images(paths)
predicted = clf.predict(rows)
proba = clf.predict_proba(rows)
truths = [y_test[index], 7]
for path, truth, label, p in zip(paths, truths, predicted, proba, strict=True):
    print(f"{path.name}: shows a {truth}, predicted {label} with probability {p.max():.3f}")
print(f"accuracy on the two images: {np.mean(predicted == truths):.0%}")

# %%
# What the classifier sees
# ------------------------
# Top: the files. Middle: the same digits in the MNIST convention. Bottom: the
# probability of each digit.
fig, axes = plt.subplots(3, 2, figsize=(6.4, 7.5), layout="constrained")
for col, (path, row, p) in enumerate(zip(paths, rows, proba, strict=True)):
    with Image.open(path) as image:
        axes[0, col].imshow(np.asarray(image), cmap="gray", vmin=0, vmax=255)
    axes[0, col].set_title(path.name)
    axes[1, col].imshow(row.reshape(28, 28), cmap="gray")
    axes[1, col].set_title("preprocessed, 28x28")
    for ax in axes[:2, col]:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[2, col].bar(clf.classes_, p)
    axes[2, col].set_xticks(clf.classes_)
    axes[2, col].set_ylim(0, 1)
    axes[2, col].set_title(f"predicted: {predicted[col]}")
plt.show()
workdir.cleanup()
