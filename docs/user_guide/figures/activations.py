"""ReLU and LeakyReLU, and their slopes: the slope is what learning follows."""

import matplotlib.pyplot as plt
import numpy as np

slope = 0.02
z = np.linspace(-4, 4, 401)
relu = np.maximum(z, 0)
leaky = np.where(z > 0, z, slope * z)

fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
ax_f.plot(z, relu, label="ReLU", linewidth=3, alpha=0.5)
ax_f.plot(z, leaky, label=f"LeakyReLU({slope})", color="tab:red")
ax_f.set_title("activation f(z)")
ax_f.set_xlabel("z")
ax_f.legend()

ax_d.plot(z, (z > 0).astype(float), label="ReLU", linewidth=3, alpha=0.5)
ax_d.plot(z, np.where(z > 0, 1.0, slope), label=f"LeakyReLU({slope})", color="tab:red")
ax_d.set_title("slope f'(z): how much of the error passes back")
ax_d.set_xlabel("z")
ax_d.annotate(
    f"slope {slope}:\nsmall, not zero",
    xy=(-2, slope),
    xytext=(-3.9, 0.3),
    arrowprops={"arrowstyle": "->"},
)
ax_d.legend(loc="upper left")
for ax in (ax_f, ax_d):
    ax.axhline(0, color="0.6", linewidth=0.6)
    ax.axvline(0, color="0.6", linewidth=0.6)
