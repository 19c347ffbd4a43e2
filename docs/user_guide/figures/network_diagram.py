"""The 784-200-10 network: a sample digit, its pixels, and the three layers."""

from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np

from bpmnist.datasets import load_sample

X, y = load_sample(return_X_y=True)
digit = X[np.flatnonzero(y == 3)[0]].reshape(28, 28)

fig = plt.figure(figsize=(8.5, 3.8))
ax_image = fig.add_axes((0.0, 0.25, 0.22, 0.5))
ax_image.imshow(digit, cmap="gray")
ax_image.set_title("28x28 image")
ax_image.set_xticks([])
ax_image.set_yticks([])

ax = fig.add_axes((0.24, 0.0, 0.76, 1.0))
ax.set_xlim(-0.6, 3.6)
ax.set_ylim(-1.4, 11)
ax.set_axis_off()

layers = [
    (0.3, 12, "784 inputs\n(one per pixel)"),
    (1.7, 9, "200 hidden units\nLeakyReLU, LayerNorm"),
    (3.1, 10, "10 outputs\nSigmoid"),
]
positions = []
for x, n_shown, label in layers:
    ys = np.linspace(0.5, 9.5, n_shown)
    positions.append((x, ys))
    ax.text(x, -0.9, label, ha="center", va="center", fontsize=9)
for (x0, ys0), (x1, ys1) in pairwise(positions):
    for y0 in ys0:
        for y1 in ys1:
            ax.plot([x0, x1], [y0, y1], color="0.75", linewidth=0.4, zorder=1)
for i, (x, ys) in enumerate(positions):
    colors = "tab:blue" if i < 2 else "tab:orange"
    ax.scatter(np.full_like(ys, x), ys, s=110, color=colors, edgecolor="k", zorder=2)
for digit_label, y_out in enumerate(positions[2][1]):
    ax.text(3.3, y_out, str(digit_label), va="center", fontsize=9)
ax.text(0.3, 10.3, "...", ha="center", fontsize=14)
ax.text(1.7, 10.3, "...", ha="center", fontsize=14)
ax.annotate(
    "",
    xy=(0.12, 5),
    xytext=(-0.55, 5),
    arrowprops={"arrowstyle": "->", "color": "k"},
)
ax.text(-0.2, 5.5, "flatten", ha="center", fontsize=9)
