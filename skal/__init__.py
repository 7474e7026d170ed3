"""skal: scikit-learn-native active learning for text classifiers."""

from . import strategies
from .learners import ActiveLearner, Committee, CommitteeRegressor
from .optimization import BayesianOptimizer
from .simulation import ActiveLearningSimulation
from .stream import StreamSimulation

__version__ = "0.1.0"

_LAZY = {"TextEmbedder": ".embedder", "TransformerClassifier": ".transformer",
         "SetFitClassifier": ".setfit_classifier"}


def __getattr__(name):
    # torch, transformers and skorch load only when the deep estimators are used
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ActiveLearner",
    "Committee",
    "CommitteeRegressor",
    "BayesianOptimizer",
    "ActiveLearningSimulation",
    "StreamSimulation",
    "strategies",
    "TextEmbedder",
    "TransformerClassifier",
    "SetFitClassifier",
]
