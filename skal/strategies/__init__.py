"""Query strategies, by family.

Every strategy has the signature
``strategy(estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kw)``
and returns ``(indices, scores)``: pool positions sorted from most to least
informative, and their scores (higher is more informative).
"""

from .bayesian import bald, bald_sampling, batch_bald, batch_bald_sampling
from .cold_start import probcover_sampling, typiclust_sampling
from .combinators import make_linear_combination, make_product, make_query_strategy
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
from .density import cosine_similarity, euclidean_similarity, information_density, similarize_distance
from .discriminative import discriminative_sampling
from .diversity import (
    coreset_sampling,
    information_density_sampling,
    kmeans_sampling,
    ranked_batch,
    select_instance,
    uncertainty_batch_sampling,
)
from .error_reduction import expected_error_reduction
from .model_change import badge_sampling, expected_gradient_length, expected_gradient_length_sampling
from .multilabel import (
    SVM_binary_minimum,
    avg_confidence,
    avg_score,
    cvirs_sampling,
    label_cardinality_sampling,
    max_loss,
    max_score,
    mean_entropy_sampling,
    mean_max_loss,
    min_confidence,
    multilabel_batch_sampling,
)
from .neighbours import NeighbourIndex, anchoral, anchoral_sampling, seals, seals_sampling
from .random import random_sampling
from .selection import check_score_rows, multi_argmax, select_top, shuffled_argmax, weighted_random
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
from .unfitted import select_cold_start_instance

__all__ = [
    "KL_max_disagreement",
    "NeighbourIndex",
    "SVM_binary_minimum",
    "anchoral",
    "anchoral_sampling",
    "avg_confidence",
    "avg_score",
    "badge_sampling",
    "bald",
    "bald_sampling",
    "batch_bald",
    "batch_bald_sampling",
    "check_score_rows",
    "classifier_entropy",
    "classifier_margin",
    "classifier_uncertainty",
    "consensus_entropy",
    "consensus_entropy_sampling",
    "contrastive_divergence",
    "contrastive_sampling",
    "coreset_sampling",
    "cosine_similarity",
    "cvirs_sampling",
    "discriminative_sampling",
    "entropy_sampling",
    "euclidean_similarity",
    "expected_error_reduction",
    "expected_gradient_length",
    "expected_gradient_length_sampling",
    "information_density",
    "information_density_sampling",
    "kmeans_sampling",
    "label_cardinality_sampling",
    "make_linear_combination",
    "make_product",
    "make_query_strategy",
    "make_stochastic",
    "margin_sampling",
    "max_disagreement_sampling",
    "max_loss",
    "max_score",
    "max_std_sampling",
    "mean_entropy_sampling",
    "mean_max_loss",
    "min_confidence",
    "multi_argmax",
    "multilabel_batch_sampling",
    "power_bald_sampling",
    "power_entropy_sampling",
    "power_margin_sampling",
    "proba_entropy",
    "proba_margin",
    "proba_uncertainty",
    "probcover_sampling",
    "random_sampling",
    "ranked_batch",
    "seals",
    "seals_sampling",
    "select_cold_start_instance",
    "select_instance",
    "select_top",
    "shuffled_argmax",
    "similarize_distance",
    "stochastic_batch",
    "stochastic_sampling",
    "subsample",
    "subsampled_sampling",
    "typiclust_sampling",
    "uncertainty_batch_sampling",
    "uncertainty_sampling",
    "vote_entropy",
    "vote_entropy_sampling",
    "weighted_random",
]
