"""Hidden values of an untrained network for a few digits, before and after LayerNorm."""

import matplotlib.pyplot as plt
import numpy as np
import torch

from bpmnist.datasets import load_sample
from bpmnist.network import build_network

X, y = load_sample(return_X_y=True)
rows = [np.flatnonzero(y == digit)[0] for digit in range(10)]
x = torch.from_numpy(X[rows] / 255.0).float()

torch.manual_seed(0)
net = build_network(784, 10)
with torch.no_grad():
    before = net[:2](x).numpy()  # Linear then LeakyReLU
    after = net[:3](x).numpy()  # ... then LayerNorm

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained", sharey=False)
for ax, values, title in [
    (axes[0], before, "after LeakyReLU, before LayerNorm"),
    (axes[1], after, "after LayerNorm"),
]:
    ax.boxplot(values.T, showfliers=False)
    ax.set_xticks(range(1, 11), [str(digit) for digit in range(10)])
    ax.set_xlabel("input digit")
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("the 200 hidden values")
