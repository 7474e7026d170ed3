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
from .unfitted import select_cold_start_instance
from .density import cosine_similarity, euclidean_similarity, information_density, similarize_distance
from .contrastive import contrastive_divergence, contrastive_sampling
from .discriminative import discriminative_sampling
from .diversity import (
    coreset_sampling,
    information_density_sampling,
    kmeans_sampling,
    make_linear_combination,
    make_product,
    make_query_strategy,
    ranked_batch,
    select_instance,
    uncertainty_batch_sampling,
)
from .error_reduction import expected_error_reduction
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
from .model_change import badge_sampling, expected_gradient_length, expected_gradient_length_sampling
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
    "mean_entropy_sampling",
    "label_cardinality_sampling",
    "cvirs_sampling",
    "multilabel_batch_sampling",
    "SVM_binary_minimum",
    "max_loss",
    "mean_max_loss",
    "min_confidence",
    "avg_confidence",
    "max_score",
    "avg_score",
    "multi_argmax",
    "shuffled_argmax",
    "weighted_random",
    "check_score_rows",
    "select_cold_start_instance",
    "select_instance",
    "similarize_distance",
    "cosine_similarity",
    "euclidean_similarity",
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
