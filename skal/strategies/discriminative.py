"""Discriminative active learning (DAL): query the rows that look least like the labelled set.

Gissin and Shalev-Shwartz, "Discriminative Active Learning" (arXiv:1907.06347,
2019). A binary classifier is trained to tell labelled rows (class 0) from
unlabelled ones (class 1) on the model's representation; the rows it is
surest are unlabelled are those the labelled set represents worst. As in the
paper, a batch is chosen in ``n_sub_batches`` steps: after each sub-batch,
its rows count as labelled and the discriminator is trained again, so the
next sub-batch goes to another unrepresented region rather than the same one.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state, gen_batches

from ..data import check_pool, n_rows
from ..parameters import check_int
from ..seeding import draw_seed
from .representation import check_fitted, labelled_data, labelled_representation, pool_representation

__all__ = ["discriminative_sampling"]

# Pool rows scored by the discriminator at once.
_SCORE_ROWS = 65536


def _stack(A, B):
    if sp.issparse(A) or sp.issparse(B):
        return sp.vstack([sp.csr_matrix(A), sp.csr_matrix(B)], format="csr")
    return np.concatenate([A, B.astype(A.dtype, copy=False)])


def discriminative_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                            X_labelled=None, discriminator=None, n_sub_batches=10, max_unlabelled=20000):
    """Discriminative active learning (Gissin & Shalev-Shwartz, 2019).

    For each of ``n_sub_batches`` sub-batches (sizes differing by at most
    one), fit a clone of ``discriminator`` on labelled-plus-picked rows
    (class 0) against the remaining pool rows (class 1), then pick the
    remaining rows with the highest ``P(unlabelled)``.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation (see :mod:`skal.strategies.representation`)
        and, for a learner, the labelled rows.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Size of the batch.
    random_tie_break : bool, default=False
        Accepted for the common signature; has no effect.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample of unlabelled training rows and, when it has a
        ``random_state`` parameter, the discriminator.
    X_labelled : rows like ``X``, default=None
        The labelled rows; by default the learner's training rows.
    discriminator : classifier with ``predict_proba``, default=None
        None means ``LogisticRegression(class_weight="balanced", max_iter=1000)``:
        fast and deterministic. The paper uses a small MLP; pass
        ``sklearn.neural_network.MLPClassifier(...)`` to follow it closely.
    n_sub_batches : int, default=10
        Retrainings per batch (the paper uses 10 to 20); capped at ``n_instances``.
    max_unlabelled : int or None, default=20000
        The discriminator is trained on at most this many remaining pool rows,
        drawn at random (all of them when None), and scores every row.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in pick order.
    scores : ndarray of shape (n_instances,)
        Each pick's ``P(unlabelled)`` under the discriminator of its sub-batch.

    Raises
    ------
    ValueError
        Without a labelled set: there is nothing to discriminate against
        (use :func:`~skal.strategies.typiclust_sampling` to start).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import discriminative_sampling
    >>> rng = np.random.RandomState(0)
    >>> labelled = rng.normal(0, 1, size=(30, 2))
    >>> pool = np.r_[rng.normal(0, 1, size=(50, 2)), rng.normal(6, 0.5, size=(5, 2))]
    >>> idx, _ = discriminative_sampling(None, pool, n_instances=3, X_labelled=labelled, n_sub_batches=1)
    >>> bool((idx >= 50).all())
    True
    """
    size = check_pool(X, n_instances)
    check_int(n_sub_batches, "n_sub_batches")
    check_int(max_unlabelled, "max_unlabelled", allow_none=True)
    if discriminator is not None and not hasattr(discriminator, "predict_proba"):
        raise ValueError(f"discriminator must be a classifier with predict_proba, got {discriminator!r}.")
    check_fitted(estimator)
    if X_labelled is None:
        L = labelled_representation(estimator) if labelled_data(estimator)[0] is not None else None
    else:
        L = pool_representation(estimator, X_labelled) if n_rows(X_labelled) else None
    if L is None:
        raise ValueError(
            "discriminative_sampling trains a labelled-vs-unlabelled classifier, but there is no labelled "
            "set: use an ActiveLearner fitted on labelled rows, or pass X_labelled= (for a first batch "
            "without labels, use typiclust_sampling or probcover_sampling)."
        )
    Z = pool_representation(estimator, X)
    rng = check_random_state(random_state)
    base = LogisticRegression(class_weight="balanced", max_iter=1000) if discriminator is None else discriminator
    n_sub = min(n_sub_batches, n_instances)
    sizes = np.full(n_sub, n_instances // n_sub) + (np.arange(n_sub) < n_instances % n_sub)
    available = np.ones(size, dtype=bool)
    picks, scores = [], []
    for sub_size in sizes:  # over sub-batches, never over pool rows
        remaining = np.flatnonzero(available)
        train = remaining
        if max_unlabelled is not None and remaining.shape[0] > max_unlabelled:
            train = np.sort(rng.choice(remaining, max_unlabelled, replace=False))
        labelled_now = L if not picks else _stack(L, Z[np.concatenate(picks)])
        features = _stack(labelled_now, Z[train])
        target = np.r_[np.zeros(labelled_now.shape[0], dtype=int), np.ones(train.shape[0], dtype=int)]
        model = clone(base)
        if "random_state" in model.get_params():
            model.set_params(random_state=draw_seed(rng))
        model.fit(features, target)
        column = int(np.flatnonzero(model.classes_ == 1)[0])
        # every row scored in place, in chunks: no copy of the remaining pool
        p_all = np.concatenate([model.predict_proba(Z[rows])[:, column] for rows in gen_batches(size, _SCORE_ROWS)])
        p_unlabelled = p_all[remaining]
        best = np.argsort(-p_unlabelled, kind="stable")[:sub_size]
        picks.append(remaining[best])
        scores.append(p_unlabelled[best])
        available[remaining[best]] = False
    return np.concatenate(picks).astype(np.intp), np.concatenate(scores).astype(float)
