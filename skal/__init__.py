"""skal: scikit-learn-native active learning for text classifiers."""

from . import strategies
from .learners import ActiveLearner, Committee, CommitteeRegressor

__version__ = "0.1.0"

__all__ = [
    "ActiveLearner",
    "Committee",
    "CommitteeRegressor",
    "strategies",
]
