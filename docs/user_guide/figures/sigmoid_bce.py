"""The sigmoid, the binary cross-entropy, and the gradient that reaches the output layer."""

import matplotlib.pyplot as plt
import numpy as np

s = np.linspace(-8, 8, 401)
p = 1 / (1 + np.exp(-s))

fig, axes = plt.subplots(1, 3, figsize=(10, 3), layout="constrained")
axes[0].plot(s, p)
axes[0].set_title("sigmoid: p = 1 / (1 + exp(-s))")
axes[0].set_xlabel("score s")

q = np.linspace(0.001, 0.999, 400)
axes[1].plot(q, -np.log(q), label="target t = 1: -log p")
axes[1].plot(q, -np.log(1 - q), label="target t = 0: -log(1 - p)")
axes[1].set_ylim(0, 5)
axes[1].set_title("binary cross-entropy")
axes[1].set_xlabel("output p")
axes[1].legend(fontsize=8)

# For target t = 1: the gradient of each loss with respect to the score s.
axes[2].plot(s, np.abs(p - 1), label="BCE: |p - t|")
axes[2].plot(s, np.abs((p - 1) * p * (1 - p)), label="squared error: |(p - t) p (1 - p)|")
axes[2].set_title("size of the gradient, target t = 1")
axes[2].set_xlabel("score s (very wrong on the left)")
axes[2].legend(fontsize=8)
