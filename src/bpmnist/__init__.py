"""bpmnist: recognise handwritten digits with a small back-propagation network.

The tutorial's 784-200-10 network as a scikit-learn classifier, with loaders for the
classic MNIST CSV files.
"""

from bpmnist.estimator import BPClassifier

__version__ = "0.1.0"

__all__ = ["BPClassifier", "__version__"]
