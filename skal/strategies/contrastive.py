"""Contrastive active learning (CAL): rows whose prediction differs from their labelled neighbours'.

Margatina, Vernikos, Barrault and Aletras, "Active Learning by Acquiring
Contrastive Examples" (EMNLP 2021). A contrastive example is close to
labelled rows in the model's representation, yet predicted differently: it
sits where the decision boundary runs through labelled territory. Its score
is the mean Kullback-Leibler divergence between the predictions for its
``k`` nearest labelled neighbours and its own prediction,
``s(x) = 1/k Σ_l KL(p(·|x_l) ‖ p(·|x))``.

The neighbours are searched among the labelled rows only (a few hundred or
thousand), exactly, in chunks: O(N·L·d) time, O(N·k) memory.
"""

import numpy as np
from scipy.special import entr
from sklearn.neighbors import NearestNeighbors

from ..data import check_pool, n_rows
from ..parameters import check_int
from .representation import check_fitted, check_proba, labelled_data, pool_representation
from .selection import select_top

__all__ = ["contrastive_divergence", "contrastive_sampling"]

# Probabilities are clipped here before the log: a hard 0 would make the divergence infinite.
_EPS = 1e-12


def contrastive_divergence(estimator, X, X_labelled=None, n_neighbors=10, metric="euclidean"):
    """CAL's score: mean KL divergence from the labelled neighbours' predictions to the row's own.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the predictions and the representation (its ``embed``, the
        pipeline's features under ``on_transformed=True``, or the raw
        features; see :mod:`skal.strategies.representation`).
    X : array-like, sparse matrix or list of texts
        The pool.
    X_labelled : rows like ``X``, default=None
        The labelled rows; by default an ActiveLearner's (or Committee's)
        training rows. Their labels are not used: CAL compares predictions.
    n_neighbors : int, default=10
        ``k``, the labelled neighbours per row (Margatina et al. use 10);
        fewer when fewer rows are labelled.
    metric : str, default="euclidean"
        A metric of :class:`~sklearn.neighbors.NearestNeighbors`.

    Returns
    -------
    ndarray of shape (n_samples,)
        The mean divergence of each pool row, non-negative.

    Raises
    ------
    ValueError
        Without a labelled set, or for a bad ``n_neighbors``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import contrastive_divergence
    >>> X_lab = np.array([[-2.], [-1.], [1.], [2.]]); clf = LogisticRegression().fit(X_lab, [0, 0, 1, 1])
    >>> scores = contrastive_divergence(clf, np.array([[-1.], [0.2], [1.]]), X_labelled=X_lab, n_neighbors=1)
    >>> int(np.argmax(scores))
    1
    """
    check_int(n_neighbors, "n_neighbors")
    size = n_rows(X)
    check_fitted(estimator)
    if X_labelled is None:
        X_labelled, _ = labelled_data(estimator)
    if X_labelled is None:
        raise ValueError(
            "contrastive_sampling compares a row with its labelled neighbours, but there is no labelled "
            "set: use an ActiveLearner fitted on labelled rows, or pass X_labelled=."
        )
    n_labelled = n_rows(X_labelled)
    P = check_proba(estimator.predict_proba(X), size)
    P_lab = check_proba(estimator.predict_proba(X_labelled), n_labelled, "predict_proba output on X_labelled")
    Z, Z_lab = pool_representation(estimator, X), pool_representation(estimator, X_labelled)
    k = min(n_neighbors, n_labelled)
    neighbours = NearestNeighbors(n_neighbors=k, metric=metric).fit(Z_lab).kneighbors(Z, return_distance=False)
    # KL(p_l ‖ p) = Σ_c p_l,c log p_l,c − Σ_c p_l,c log p_c, averaged over the k neighbours l.
    neg_entropy_lab = -entr(P_lab).sum(axis=1)
    cross = np.einsum("nkc,nc->n", P_lab[neighbours], np.log(np.maximum(P, _EPS))) / k
    return np.maximum(neg_entropy_lab[neighbours].mean(axis=1) - cross, 0.0)


def contrastive_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, X_labelled=None,
                         n_neighbors=10, metric="euclidean"):
    """Contrastive active learning (CAL, Margatina et al., 2021): the largest :func:`contrastive_divergence`.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Gives the predictions and the representation.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking.
    X_labelled : rows like ``X``, default=None
        By default the learner's training rows.
    n_neighbors : int, default=10
        Labelled neighbours compared with each pool row.
    metric : str, default="euclidean"
        The neighbour search's metric (:class:`~sklearn.neighbors.NearestNeighbors`).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most contrastive first.
    scores : ndarray of shape (n_instances,)
        Their mean KL divergences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies import contrastive_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression(), contrastive_sampling, X_training=X[:20], y_training=y[:20])
    >>> idx, rows = learner.query(X[20:], n_instances=3)
    >>> idx.shape
    (3,)
    """
    check_pool(X, n_instances)
    scores = contrastive_divergence(estimator, X, X_labelled=X_labelled, n_neighbors=n_neighbors, metric=metric)
    return select_top(scores, n_instances, random_tie_break, random_state)
