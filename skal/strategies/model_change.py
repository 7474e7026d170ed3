"""Expected model change: expected gradient length and BADGE."""

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool
from .diversity import _RunningMin
from .representation import gradient_embedding, representation
from .selection import select_top

__all__ = ["expected_gradient_length", "expected_gradient_length_sampling", "badge_sampling"]


def expected_gradient_length(estimator, X):
    """Expected norm of the last-layer loss gradient if the row were labelled (Settles et al., 2008).

    For a softmax layer over representation ``h`` the gradient for label ``y``
    is (p − e_y) ⊗ h, whose norm is ‖p − e_y‖·‖h‖, so
    EGL = ‖h‖ · Σ_y p_y ‖p − e_y‖ in closed form, with no per-row backward pass.
    """
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    h_norm = np.linalg.norm(representation(estimator, X), axis=1)
    sq = (proba ** 2).sum(axis=1, keepdims=True)
    residual_norms = np.sqrt(np.maximum(sq - 2.0 * proba + 1.0, 0.0))
    return h_norm * (proba * residual_norms).sum(axis=1)


def expected_gradient_length_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows with the largest expected gradient length."""
    check_pool(X, n_instances)
    scores = expected_gradient_length(estimator, X)
    return select_top(scores, n_instances, random_tie_break, random_state)


def badge_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """BADGE (Ash et al., 2020): k-means++ seeding over gradient embeddings.

    The first pick has the largest gradient norm; each next one is drawn with
    probability proportional to its squared distance to the nearest pick
    (D² sampling, seeded by ``random_state``), so the batch is both uncertain
    (large gradients) and diverse. Scores are each pick's squared distance
    at the time it was drawn (the norm for the first).
    """
    check_pool(X, n_instances)
    rng = check_random_state(random_state)
    G = gradient_embedding(estimator, X)
    state = _RunningMin(G)
    first = int(np.argmax(state.norms))
    picks, scores = [first], [float(state.norms[first])]
    state.add(first)
    state.d2[first] = 0.0
    for _ in range(n_instances - 1):
        total = float(state.d2.sum())
        if total <= 0:
            remaining = np.flatnonzero(~np.isin(np.arange(G.shape[0]), picks))
            i = int(rng.choice(remaining))
        else:
            i = int(rng.choice(G.shape[0], p=state.d2 / total))
        picks.append(i)
        scores.append(float(state.d2[i]))
        state.add(i)
        state.d2[i] = 0.0
    return np.asarray(picks), np.asarray(scores)
