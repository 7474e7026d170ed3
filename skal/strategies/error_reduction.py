"""Expected error reduction (Roy & McCallum, 2001), with modAL's semantics."""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..data import check_pool, concat_rows, n_rows, take_rows
from .selection import select_top
from .uncertainty import proba_entropy, proba_uncertainty

__all__ = ["expected_error_reduction"]


def expected_error_reduction(learner, X, n_instances=1, random_tie_break=False, random_state=None,
                             p_subsample=1.0, max_candidates=None, loss="binary"):
    """Query the rows whose labelling is expected to reduce the pool error most.

    For every candidate and every possible label, a clone of the learner's
    estimator is refitted on the training data plus that row, and its loss
    over the rest of the pool is weighted by the current probability of the
    label. This refit per candidate and label is the method itself, so its
    cost grows with the candidates: keep them few with ``p_subsample`` (each
    row is a candidate with that probability, as in modAL) and/or
    ``max_candidates``. Non-candidates rank last.

    Parameters
    ----------
    learner : fitted skal.ActiveLearner (its ``X_training_``/``y_training_`` are used)
    loss : {"binary", "log"}
        Least confidence (expected 0/1 loss) or entropy (expected log loss).

    Returns
    -------
    indices, scores : scores are the negated expected errors.
    """
    size = check_pool(X, n_instances)
    if loss not in ("binary", "log"):
        raise ValueError(f"loss must be 'binary' or 'log', got {loss!r}.")
    if not 0.0 < p_subsample <= 1.0:
        raise ValueError(f"p_subsample must lie in (0, 1], got {p_subsample}.")
    if getattr(learner, "X_training_", None) is None:
        raise ValueError("expected_error_reduction needs an ActiveLearner fitted on labelled data.")
    rng = check_random_state(random_state)
    candidates = np.flatnonzero(rng.random_sample(size) <= p_subsample)
    if max_candidates is not None and candidates.shape[0] > max_candidates:
        candidates = np.sort(rng.choice(candidates, max_candidates, replace=False))
    loss_fn = proba_uncertainty if loss == "binary" else proba_entropy
    proba = learner.predict_proba(X)
    classes = np.asarray(learner.classes_)
    expected = np.full(size, np.inf)
    for i in candidates:  # one refit per candidate and label: inherent to the method
        row = take_rows(X, [i])
        error = 0.0
        for k, label in enumerate(classes):
            model = clone(learner.estimator).fit(concat_rows(learner.X_training_, row),
                                                 np.r_[learner.y_training_, [label]])
            losses = loss_fn(model.predict_proba(X))
            error += proba[i, k] * (losses.sum() - losses[i])
        expected[i] = error
    return select_top(-expected, n_instances, random_tie_break, random_state)
