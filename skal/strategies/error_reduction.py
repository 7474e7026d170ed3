"""Expected error reduction (Roy & McCallum, 2001), with modAL's semantics."""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..data import check_consistent_rows, check_pool, concat_rows, n_rows, take_rows
from ..parameters import check_int, check_option, check_real
from .representation import check_fitted, check_proba
from .selection import select_top
from .uncertainty import proba_entropy, proba_uncertainty

__all__ = ["expected_error_reduction"]


def _labelled_models(estimator, X_training, y_training):
    """``[(fitted model, X_train, y_train)]``: what to refit, once per committee member."""
    if X_training is not None or y_training is not None:
        if X_training is None or y_training is None:
            raise ValueError("Pass both X_training and y_training, or neither.")
        check_consistent_rows(X_training, y_training)
        model = getattr(estimator, "estimator_", estimator)
        return [(model, X_training, np.asarray(y_training))]
    if hasattr(estimator, "learners_"):  # Committee: every member is refitted
        members = [(m.estimator_, m.X_training_, m.y_training_) for m in estimator.learners_]
    elif hasattr(estimator, "estimator_"):  # ActiveLearner
        members = [(estimator.estimator_, estimator.X_training_, estimator.y_training_)]
    else:
        members = [(estimator, None, None)]
    if any(X is None for _, X, _ in members):
        raise ValueError(
            "expected_error_reduction refits the model on its labelled data plus each candidate: "
            "use an ActiveLearner (or Committee) fitted on labelled data, or pass X_training and "
            "y_training with a plain estimator."
        )
    return members


def _draw_candidates(size, n_instances, p_subsample, max_candidates, rng):
    """Pool rows to evaluate: each kept with ``p_subsample``, at most ``max_candidates``, at least ``n_instances``."""
    keep = rng.random_sample(size) < p_subsample
    candidates = np.flatnonzero(keep)
    if max_candidates is not None and candidates.shape[0] > max_candidates:
        candidates = rng.choice(candidates, max_candidates, replace=False)
    if candidates.shape[0] < n_instances:
        rest = np.setdiff1d(np.arange(size), candidates)
        candidates = np.r_[candidates, rng.choice(rest, n_instances - candidates.shape[0], replace=False)]
    return np.sort(candidates)


def _refit_proba(models, row, label, X, classes):
    """Class probabilities over ``X`` after refitting every model with ``row`` labelled ``label``."""
    proba = np.zeros((n_rows(X), classes.shape[0]))
    for model, X_train, y_train in models:
        refit = clone(model).fit(concat_rows(X_train, row), np.concatenate([np.asarray(y_train), [label]]))
        proba[:, np.searchsorted(classes, refit.classes_)] += refit.predict_proba(X)
    return proba / len(models)


def expected_error_reduction(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                             loss="binary", p_subsample=1.0, max_candidates=None, X_training=None,
                             y_training=None):
    """Query the rows whose label is expected to lower the model's error on the pool most.

    modAL's ``expected_error_reduction`` semantics: for every candidate ``x``
    and every class ``y`` the model knows, a clone of the model is refitted on
    the labelled data plus ``(x, y)``; its loss summed over the rest of the
    pool is weighted by the current ``P(y | x)``. The rows with the smallest
    expected error are queried.

    Cost: one refit and one ``predict_proba`` over the pool per candidate and
    class (times the members of a Committee). The loop over candidates is the
    method itself; each pool evaluation is vectorised. Keep the candidates
    few with ``p_subsample`` and ``max_candidates``, or wrap the strategy in
    :func:`~skal.strategies.subsampling.subsample`.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        An ActiveLearner is refitted on its ``X_training_``/``y_training_``,
        each Committee member on its own; a plain estimator needs
        ``X_training`` and ``y_training``.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Break ties between equal expected errors at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of candidates (modAL uses the global numpy state).
    loss : {"binary", "log"}, default="binary"
        Per-row loss of the refitted model: least confidence ``1 − max_k p_k``
        (expected 0/1 loss) or the entropy (expected log loss).
    p_subsample : float in (0, 1], default=1.0
        Each pool row is a candidate with this probability, as in modAL.
    max_candidates : int or None, default=None
        At most this many candidates, drawn at random among those kept.
        At least ``n_instances`` candidates are always evaluated.
    X_training, y_training : array-like, default=None
        The labelled data, for a plain estimator (they override a learner's).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        The negated expected pool loss (higher is better).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies import expected_error_reduction
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression()).fit(X[:6], y[:6])
    >>> idx, scores = expected_error_reduction(learner, X[6:], n_instances=2, max_candidates=10,
    ...                                        random_state=0)
    >>> idx.shape
    (2,)
    """
    size = check_pool(X, n_instances)
    check_option(loss, "loss", ("binary", "log"))
    check_real(p_subsample, "p_subsample", 0, 1, closed="right")
    check_int(max_candidates, "max_candidates", allow_none=True)
    check_fitted(estimator)
    models = _labelled_models(estimator, X_training, y_training)
    classes = np.asarray(estimator.classes_)
    proba = check_proba(estimator.predict_proba(X), size, "predict_proba output")
    loss_fn = proba_uncertainty if loss == "binary" else proba_entropy
    rng = check_random_state(random_state)
    expected = np.full(size, np.inf)
    for i in _draw_candidates(size, n_instances, p_subsample, max_candidates, rng):
        row = take_rows(X, [i])
        error = 0.0
        for k, label in enumerate(classes):
            if proba[i, k] == 0.0:  # contributes nothing: skip the refit
                continue
            losses = loss_fn(_refit_proba(models, row, label, X, classes))
            error += proba[i, k] * (losses.sum() - losses[i])  # the rest of the pool, as modAL
        expected[i] = error
    return select_top(-expected, n_instances, random_tie_break, rng)
