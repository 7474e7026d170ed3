"""skal: scikit-learn-native active learning for text classifiers."""

from . import strategies
from .embedder import TextEmbedder
from .learners import ActiveLearner, Committee, CommitteeRegressor
from .simulation import ActiveLearningSimulation
from .transformer import TransformerClassifier

__version__ = "0.1.0"

__all__ = [
    "ActiveLearner",
    "Committee",
    "CommitteeRegressor",
    "ActiveLearningSimulation",
    "strategies",
    "TextEmbedder",
    "TransformerClassifier",
]
