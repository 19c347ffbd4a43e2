"""
Grid search over the hidden layer size and the learning rate
============================================================

:class:`~sklearn.model_selection.GridSearchCV` tries every combination of the parameter
values it is given. For each one it trains on part of the training digits and measures the
accuracy on the rest, several times with different parts (cross-validation), then retrains
the best combination on all the training digits. The test digits stay untouched until the
very end.
"""

import argparse
import os

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, train_test_split

from bpmnist import BPClassifier
from bpmnist.datasets import load_mnist_csv, load_sample

parser = argparse.ArgumentParser(description="Grid search over two parameters.")
parser.add_argument("--full", metavar="PATH", help="classic MNIST CSV file to use")
args, _ = parser.parse_known_args()

X, y = load_mnist_csv(args.full) if args.full else load_sample(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# The search
# ----------
# Parameter names are those of the estimator. Six combinations times three splits make
# eighteen trainings, plus the final one: a few epochs each keep the search quick, and
# every combination gets the same budget.
param_grid = {
    "hidden_layer_sizes": [(50,), (200,)],
    "learning_rate_init": [3e-4, 1e-3, 3e-3],
}
search = GridSearchCV(BPClassifier(max_iter=5, random_state=0), param_grid, cv=3)
# sphinx_gallery_start_ignore
if os.environ.get("BPMNIST_EXAMPLE_QUICK") == "1":  # the test suite: less work
    search.set_params(estimator__max_iter=1, cv=2)
    X_train, y_train = X_train[:600], y_train[:600]
# sphinx_gallery_end_ignore
search.fit(X_train, y_train)
print(f"best parameters: {search.best_params_}")
print(f"best cross-validated accuracy: {search.best_score_:.2%}")
print(f"accuracy of the refitted best model on the test digits: {search.score(X_test, y_test):.2%}")

# %%
# All the results
# ---------------
# ``cv_results_`` holds the score of every combination on every split.
results = pd.DataFrame(search.cv_results_)
table = results.pivot_table(
    index="param_hidden_layer_sizes", columns="param_learning_rate_init", values="mean_test_score"
)
print(table.round(4))

fig, ax = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
image = ax.imshow(table.to_numpy(), cmap="viridis")
ax.set_xticks(range(table.shape[1]), [f"{rate:g}" for rate in table.columns])
ax.set_yticks(range(table.shape[0]), [str(size) for size in table.index])
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("hidden_layer_sizes")
middle = (table.min().min() + table.max().max()) / 2
for row in range(table.shape[0]):
    for col in range(table.shape[1]):
        score = table.iat[row, col]
        color = "black" if score > middle else "white"  # readable on light and dark cells
        ax.text(col, row, f"{score:.3f}", ha="center", va="center", color=color)
fig.colorbar(image, label="mean cross-validated accuracy")
plt.show()
