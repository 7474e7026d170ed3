"""Query strategies, by family.

Every strategy has the signature
``strategy(estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kw)``
and returns ``(indices, scores)``: pool positions sorted from most to least
informative, and their scores (higher is more informative).
"""

from .bayesian import bald, bald_sampling, batch_bald, batch_bald_sampling
from .cold_start import probcover_sampling, typiclust_sampling
from .committee import (
    KL_max_disagreement,
    consensus_entropy,
    consensus_entropy_sampling,
    max_disagreement_sampling,
    max_std_sampling,
    vote_entropy,
    vote_entropy_sampling,
)
from .contrastive import contrastive_divergence, contrastive_sampling
from .discriminative import discriminative_sampling
from .diversity import (
    coreset_sampling,
    information_density,
    information_density_sampling,
    kmeans_sampling,
    make_linear_combination,
    make_product,
    make_query_strategy,
    ranked_batch,
    uncertainty_batch_sampling,
)
from .error_reduction import expected_error_reduction
from .model_change import badge_sampling, expected_gradient_length, expected_gradient_length_sampling
from .neighbours import NeighbourIndex, anchoral, anchoral_sampling, seals, seals_sampling
from .random import random_sampling
from .selection import select_top
from .stochastic import (
    make_stochastic,
    power_bald_sampling,
    power_entropy_sampling,
    power_margin_sampling,
    stochastic_batch,
    stochastic_sampling,
)
from .subsampling import subsample, subsampled_sampling
from .uncertainty import (
    classifier_entropy,
    classifier_margin,
    classifier_uncertainty,
    entropy_sampling,
    margin_sampling,
    proba_entropy,
    proba_margin,
    proba_uncertainty,
    uncertainty_sampling,
)

__all__ = [
    "select_top",
    "random_sampling",
    "proba_uncertainty",
    "proba_margin",
    "proba_entropy",
    "classifier_uncertainty",
    "classifier_margin",
    "classifier_entropy",
    "uncertainty_sampling",
    "margin_sampling",
    "entropy_sampling",
    "vote_entropy",
    "consensus_entropy",
    "KL_max_disagreement",
    "vote_entropy_sampling",
    "consensus_entropy_sampling",
    "max_disagreement_sampling",
    "max_std_sampling",
    "coreset_sampling",
    "kmeans_sampling",
    "uncertainty_batch_sampling",
    "ranked_batch",
    "information_density",
    "bald",
    "bald_sampling",
    "batch_bald_sampling",
    "expected_gradient_length",
    "expected_gradient_length_sampling",
    "badge_sampling",
    "expected_error_reduction",
    "subsample",
    "batch_bald",
    "information_density_sampling",
    "make_linear_combination",
    "make_product",
    "make_query_strategy",
    "subsampled_sampling",
    "contrastive_divergence",
    "contrastive_sampling",
    "discriminative_sampling",
    "typiclust_sampling",
    "probcover_sampling",
    "stochastic_batch",
    "stochastic_sampling",
    "make_stochastic",
    "power_entropy_sampling",
    "power_margin_sampling",
    "power_bald_sampling",
    "NeighbourIndex",
    "seals",
    "seals_sampling",
    "anchoral",
    "anchoral_sampling",
]
