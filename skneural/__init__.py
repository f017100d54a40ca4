"""skneural: small-data neural networks trained by explicit gradient descent."""

from ._logistic import LogisticRegressionGD
from ._stacked import StackedNetClassifier

__all__ = ["LogisticRegressionGD", "StackedNetClassifier"]
__version__ = "0.1.0.dev0"
