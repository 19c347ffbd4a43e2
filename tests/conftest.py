"""Shared fixtures: small, offline data sets."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@pytest.fixture(scope="session")
def digits_split():
    """scikit-learn's 8x8 digits, split 75/25 with stratification."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, stratify=y, random_state=0)


@pytest.fixture(scope="session")
def small_digits():
    """A quick 3-class subset of the 8x8 digits for behavioural tests."""
    X, y = load_digits(n_class=3, return_X_y=True)
    return X.astype(np.float32), y
