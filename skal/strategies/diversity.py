"""Diversity and batch-mode strategies: core-set, k-means, ranked batch, information density.

All of them work on a representation of the pool (see
:mod:`skal.strategies.representation`) and never build an N×N matrix: the
distance of every pool row to the labelled and already selected rows is kept
as a running minimum, updated with one O(N·d) pass per pick.
"""

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.utils import check_random_state

from ..data import check_pool
from .representation import labelled_representation, representation
from .uncertainty import classifier_uncertainty

__all__ = [
    "coreset_sampling",
    "kmeans_sampling",
    "uncertainty_batch_sampling",
    "ranked_batch",
    "information_density",
]

_CHUNK = 65536


def _sq_norms(Z):
    return np.einsum("ij,ij->i", Z, Z)


def _min_sq_distances(Z, centres, Z_norms=None):
    """Squared euclidean distance of each row of Z to its nearest centre, chunked (N × len(centres))."""
    Z_norms = _sq_norms(Z) if Z_norms is None else Z_norms
    out = np.full(Z.shape[0], np.inf, dtype=np.float32)
    if centres is None or len(centres) == 0:
        return out
    c_norms = _sq_norms(centres)
    for start in range(0, len(centres), 1024):
        C, cn = centres[start:start + 1024], c_norms[start:start + 1024]
        for lo in range(0, Z.shape[0], _CHUNK):
            block = Z_norms[lo:lo + _CHUNK, None] - 2.0 * (Z[lo:lo + _CHUNK] @ C.T) + cn[None, :]
            np.minimum(out[lo:lo + _CHUNK], block.min(axis=1), out=out[lo:lo + _CHUNK])
    return np.maximum(out, 0.0)


class _RunningMin:
    """Squared distance of every pool row to the nearest chosen (or labelled) row."""

    def __init__(self, Z, labelled=None):
        self.Z, self.norms = Z, _sq_norms(Z)
        self.d2 = _min_sq_distances(Z, labelled, self.norms)

    def add(self, i):
        z = self.Z[i]
        d2 = self.norms - 2.0 * (self.Z @ z) + z @ z
        np.minimum(self.d2, np.maximum(d2, 0.0), out=self.d2)


def coreset_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Greedy k-center core-set (Sener & Savarese, 2018).

    Each pick is the pool row farthest from every labelled and already picked
    row. Without labelled rows (a plain estimator), the first pick is the row
    farthest from the pool mean.

    Returns
    -------
    indices : ndarray, in pick order
    scores : ndarray, each pick's distance to the nearest labelled/picked row
        at the time it was picked

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import coreset_sampling
    >>> X = np.array([[0., 0.], [0.1, 0.], [5., 5.], [0., 0.2]])
    >>> coreset_sampling(None, X, n_instances=2)[0]
    array([2, 0])
    """
    check_pool(X, n_instances)
    Z = representation(estimator, X)
    labelled = labelled_representation(estimator) if estimator is not None else None
    state = _RunningMin(Z, labelled)
    if labelled is None:
        state.d2 = _min_sq_distances(Z, Z.mean(axis=0, keepdims=True), state.norms)
    picks, scores = [], []
    for _ in range(n_instances):
        i = int(np.argmax(state.d2))
        picks.append(i)
        scores.append(float(np.sqrt(state.d2[i])))
        state.add(i)
        state.d2[i] = -1.0
    return np.asarray(picks), np.asarray(scores)


def kmeans_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Cluster the pool into ``n_instances`` groups and pick the row nearest each centroid.

    Uses :class:`~sklearn.cluster.MiniBatchKMeans`, so it scales to millions of
    rows. Indices are ordered by cluster size (largest first); scores are the
    cluster sizes.
    """
    size = check_pool(X, n_instances)
    Z = representation(estimator, X)
    km = MiniBatchKMeans(n_clusters=n_instances, random_state=random_state, n_init=3,
                         batch_size=min(4096, size)).fit(Z)
    labels = km.labels_
    d2 = _sq_norms(Z) - 2.0 * np.einsum("ij,ij->i", Z, km.cluster_centers_[labels]) \
        + _sq_norms(km.cluster_centers_)[labels]
    order = np.lexsort((d2, labels))
    first = order[np.r_[True, labels[order][1:] != labels[order][:-1]]]
    counts = np.bincount(labels, minlength=n_instances)[labels[first]]
    if len(first) < n_instances:  # empty clusters: fill with the rows farthest from any pick
        state = _RunningMin(Z, Z[first])
        state.d2[first] = -1.0
        extra = []
        for _ in range(n_instances - len(first)):
            i = int(np.argmax(state.d2))
            extra.append(i)
            state.add(i)
            state.d2[i] = -1.0
        first, counts = np.r_[first, extra], np.r_[counts, np.zeros(len(extra), dtype=int)]
    rank = np.argsort(-counts, kind="stable")
    return first[rank], counts[rank].astype(float)


def ranked_batch(estimator, X, uncertainty, n_instances=1):
    """Cardoso et al. (2017) ranked batch over a precomputed ``uncertainty`` per pool row.

    score = α·(1 − 1/(1 + d_min)) + (1 − α)·uncertainty, with α = |U| / (|U| + |L|)
    and d_min the euclidean distance to the nearest labelled or picked row.
    """
    Z = representation(estimator, X)
    labelled = labelled_representation(estimator) if estimator is not None else None
    n_labelled = 0 if labelled is None else len(labelled)
    state = _RunningMin(Z, labelled)
    uncertainty = np.asarray(uncertainty, dtype=np.float64)
    available = np.ones(Z.shape[0], dtype=bool)
    picks, scores = [], []
    for _ in range(n_instances):
        n_unlabelled = int(available.sum())
        alpha = n_unlabelled / (n_unlabelled + n_labelled)
        if np.isinf(state.d2).all():
            score = (1 - alpha) * uncertainty
        else:
            similarity = 1.0 / (1.0 + np.sqrt(state.d2))
            score = alpha * (1.0 - similarity) + (1 - alpha) * uncertainty
        score = np.where(available, score, -np.inf)
        i = int(np.argmax(score))
        picks.append(i)
        scores.append(float(score[i]))
        available[i] = False
        state.add(i)
        n_labelled += 1
    return np.asarray(picks), np.asarray(scores)


def uncertainty_batch_sampling(classifier, X, n_instances=20, random_tie_break=False, random_state=None,
                               **uncertainty_measure_kwargs):
    """Ranked batch-mode sampling with least-confidence uncertainty (modAL's signature).

    See :func:`ranked_batch`. Picks are returned in rank order with their
    ranked-batch scores.
    """
    check_pool(X, n_instances)
    uncertainty = classifier_uncertainty(classifier, X, **uncertainty_measure_kwargs)
    return ranked_batch(classifier, X, uncertainty, n_instances)


def information_density(estimator, X, metric="cosine"):
    """Mean cosine similarity of each pool row to the whole pool, in O(N·d).

    ``mean_j cos(x_i, x_j) = x̂_i · mean_j x̂_j`` exactly, so no pairwise
    matrix is needed. Only the cosine metric is offered, because only it has
    this exact linear form.
    """
    if metric != "cosine":
        raise ValueError(f"information_density supports metric='cosine' only, got {metric!r}.")
    Z = representation(estimator, X)
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    unit = Z / np.where(norms == 0, 1.0, norms)
    return unit @ unit.mean(axis=0)
