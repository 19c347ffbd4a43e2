"""bpmnist: recognise handwritten digits with a small back-propagation network.

The tutorial's 784-200-10 network as a scikit-learn classifier, with loaders for the
classic MNIST CSV files.
"""

from bpmnist.estimator import BPClassifier
from bpmnist.images import preprocess_image, preprocess_images

__version__ = "0.1.0"

__all__ = ["BPClassifier", "__version__", "preprocess_image", "preprocess_images"]
