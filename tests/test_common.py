"""scikit-learn's estimator contract, checked with its own test suite."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from bpmnist import BPClassifier


@parametrize_with_checks([BPClassifier(max_iter=20, random_state=0)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
