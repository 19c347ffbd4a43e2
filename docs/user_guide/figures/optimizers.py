"""SGD and Adam: a narrow valley, and training the network on sample digits."""

import matplotlib.pyplot as plt
import numpy as np
import torch

from bpmnist.datasets import load_sample
from bpmnist.network import build_network


def valley_path(optimizer_class, steps=40, **options):
    """Minimise the narrow valley f(u, v) = u**2 / 100 + 2 * v**2 from (-9, 1.5)."""
    w = torch.tensor([-9.0, 1.5], requires_grad=True)
    optimizer = optimizer_class([w], **options)
    path = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = w[0] ** 2 / 100 + 2 * w[1] ** 2
        loss.backward()
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


def digits_losses(optimizer_class, **options):
    """Loss of every minibatch while training the 784-200-10 network for two epochs."""
    X, y = load_sample(return_X_y=True)
    X = torch.from_numpy(X[:1500] / 255.0).float()
    targets = torch.nn.functional.one_hot(torch.from_numpy(y[:1500]), 10).float()
    torch.manual_seed(0)
    net = build_network(784, 10)[:-1]  # the logits; the loss applies the sigmoid
    optimizer = optimizer_class(net.parameters(), **options)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(2):
        for start in range(0, len(X), 32):
            optimizer.zero_grad()
            loss = loss_fn(net(X[start : start + 32]), targets[start : start + 32])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


fig, (ax_valley, ax_digits) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
u, v = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-2.5, 2.5, 200))
ax_valley.contour(u, v, u**2 / 100 + 2 * v**2, levels=15, colors="0.75", linewidths=0.7)
for name, path in [
    ("SGD, lr=0.45", valley_path(torch.optim.SGD, lr=0.45)),
    ("Adam, lr=0.3", valley_path(torch.optim.Adam, lr=0.3)),
]:
    ax_valley.plot(path[:, 0], path[:, 1], marker=".", label=name)
ax_valley.plot(0, 0, "k*", markersize=10)
ax_valley.set_title("40 steps down a narrow valley to the star")
ax_valley.legend(loc="lower right")

for name, optimizer_class, lr in [
    ("SGD, lr=0.1", torch.optim.SGD, 0.1),
    ("SGD, lr=1", torch.optim.SGD, 1.0),
    ("Adam, lr=0.001", torch.optim.Adam, 1e-3),
]:
    ax_digits.plot(digits_losses(optimizer_class, lr=lr), label=name, linewidth=1)
ax_digits.set_title("training on 1,500 sample digits, minibatches of 32")
ax_digits.set_xlabel("minibatch")
ax_digits.set_ylabel("BCE loss")
ax_digits.set_yscale("log")
ax_digits.legend()
