"""Stratified row selection for multi-label targets.

Single-label stratification keeps every class's share; a multi-label row
counts towards several labels at once, so skal uses iterative
stratification (Sechidis et al., 2011; Szymański & Kajdanowicz, 2017), as
implemented by the ``iterative-stratification`` package, for held-out
splits, and for seed sets puts every label in at least once before it.
"""

import numpy as np
from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit
from sklearn.utils import check_random_state

from .seeding import draw_seed

__all__ = ["multilabel_seed_rows", "multilabel_holdout"]


def _stratified_subset(Y, size, rng):
    """Positions of ``size`` rows of ``Y`` drawn by iterative stratification."""
    n = Y.shape[0]
    if size >= n:
        return np.arange(n)
    if size <= 0:
        return np.arange(0)
    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=int(size),
                                                random_state=draw_seed(rng))
    _, picked = next(splitter.split(np.zeros((n, 1)), Y))
    picked = np.asarray(picked, dtype=np.intp)
    # iterstrat's rounding can miss the requested size by a row or so: top up or trim at random.
    if picked.shape[0] < size:
        others = np.setdiff1d(np.arange(n), picked)
        picked = np.r_[picked, rng.choice(others, size - picked.shape[0], replace=False)]
    elif picked.shape[0] > size:
        picked = rng.choice(picked, size, replace=False)
    return picked


def multilabel_seed_rows(Y, n_initial, random_state=None):
    """A seed set holding every label at least once, the rest by iterative stratification.

    Labels are covered rarest first: a random row with the rarest label not
    yet covered joins the seed set, with all its labels, until every label
    that occurs in ``Y`` is in. The remaining ``n_initial`` minus those rows
    are drawn from the other rows by iterative stratification, so label
    frequencies follow ``Y``'s.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 label matrix.
    n_initial : int
        Size of the seed set.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of rows.

    Returns
    -------
    rows : ndarray of int
        The seed rows, sorted.

    Raises
    ------
    ValueError
        If ``n_initial`` is smaller than the rows needed to cover every label.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.stratify import multilabel_seed_rows
    >>> Y = np.zeros((100, 3), dtype=int); Y[:60, 0] = 1; Y[60:95, 1] = 1; Y[95:, 2] = 1
    >>> rows = multilabel_seed_rows(Y, 10, random_state=0)
    >>> len(rows), bool(Y[rows].sum(axis=0).min() >= 1)
    (10, True)
    """
    rng = check_random_state(random_state)
    Y = np.asarray(Y)
    counts = Y.sum(axis=0)
    present = np.flatnonzero(counts > 0)
    covered = np.zeros(Y.shape[1], dtype=bool)
    first = []
    for label in present[np.argsort(counts[present], kind="stable")]:  # one pass per label, rarest first
        if covered[label]:
            continue
        row = int(rng.choice(np.flatnonzero(Y[:, label])))
        first.append(row)
        covered |= Y[row] > 0
    if len(first) > n_initial:
        raise ValueError(
            f"A stratified multi-label seed set needs n_initial >= {len(first)} rows to hold each of the "
            f"{present.shape[0]} labels at least once, got n_initial={n_initial}; raise n_initial or use "
            "initial='random'."
        )
    rest = np.setdiff1d(np.arange(Y.shape[0]), first)
    extra = rest[_stratified_subset(Y[rest], n_initial - len(first), rng)]
    return np.sort(np.r_[np.asarray(first, dtype=np.intp), extra])


def multilabel_holdout(Y, test_size, random_state=None):
    """(train positions, held-out positions) split by iterative stratification.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 label matrix.
    test_size : float in (0, 1)
        Share of the rows held out.
    random_state : int, RandomState instance or None, default=None
        Seeds the split.

    Returns
    -------
    train : ndarray of int
        The training positions, sorted.
    held_out : ndarray of int
        The held-out positions, sorted.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.stratify import multilabel_holdout
    >>> Y = (np.random.RandomState(0).rand(40, 3) < 0.3).astype(int)
    >>> train, held_out = multilabel_holdout(Y, 0.25, random_state=0)
    >>> len(train), len(held_out)
    (30, 10)
    """
    Y = np.asarray(Y)
    n = Y.shape[0]
    size = int(np.ceil(test_size * n))
    if not 1 <= size < n:
        raise ValueError(f"Holding out test_size={test_size} of {n} rows leaves no rows on one side.")
    held_out = np.sort(_stratified_subset(Y, size, check_random_state(random_state)))
    return np.setdiff1d(np.arange(n), held_out), held_out
