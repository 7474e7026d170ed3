"""Query strategies for multi-label classifiers.

A multi-label model gives each row one probability per label,
``P(label present | x)``, as an (n_samples, n_labels) array
(:func:`skal.targets.label_proba` reads every form scikit-learn returns).
Every strategy here has skal's signature
``strategy(estimator, X, n_instances=1, random_tie_break=False, random_state=None)``
and returns ``(indices, scores)``, most informative first; ``estimator`` is
an :class:`skal.ActiveLearner` or :class:`skal.Committee` fitted on a
multi-label ``y``, or a fitted scikit-learn multi-label model.

modAL's seven (same picks as ``modAL.multilabel`` 0.4.1; modAL returns the
picks unordered, skal sorts them by score):
:func:`SVM_binary_minimum`, :func:`max_loss`, :func:`mean_max_loss`,
:func:`min_confidence`, :func:`avg_confidence`, :func:`max_score`,
:func:`avg_score`. And the ones the text literature finds stronger:
:func:`mean_entropy_sampling` (binary entropy averaged over labels),
:func:`label_cardinality_sampling` (Li & Guo, 2013),
:func:`cvirs_sampling` (Reyes et al., 2018) and
:func:`multilabel_batch_sampling` (ranked batch over mean entropy).
:func:`~skal.strategies.badge_sampling`, :func:`~skal.strategies.coreset_sampling`
and :func:`~skal.strategies.kmeans_sampling` take multi-label models too.
"""

import inspect

import numpy as np

from ..data import check_pool, n_rows
from ..targets import encode_like, is_multilabel_model, label_proba
from .diversity import ranked_batch
from .representation import check_fitted
from .selection import select_top

__all__ = [
    "proba_mean_entropy", "label_cardinality_inconsistency", "cvirs",
    "mean_entropy_sampling", "label_cardinality_sampling", "cvirs_sampling", "multilabel_batch_sampling",
    "SVM_binary_minimum", "max_loss", "mean_max_loss", "min_confidence", "avg_confidence", "max_score", "avg_score",
]

_BLOCK = 2048  # pool rows per block where a block × labelled-set product is formed

# The Parameters and Returns sections every strategy here shares; ``_strategy`` fills them in.
_SECTIONS = """Parameters
----------
{estimator} : {model_type}
    {model}
{X} : array-like, sparse matrix or list of texts
    The pool.
n_instances : int, default={n_instances}
    Rows to query.
random_tie_break : bool, default=False
    Break ties between equal scores at random instead of by position.
random_state : int, RandomState instance or None, default=None
    Seeds the tie-breaking.
{extra}
Returns
-------
indices : ndarray of shape (n_instances,)
    Pool positions, {order}.
scores : ndarray of shape (n_instances,)
    {scores}
"""


def _strategy(model, scores, extra="", order="highest score first", model_type=None):
    """Mark a function as a multi-label strategy and write its shared sections where it says ``{sections}``.

    ``model`` describes what the estimator must be, ``scores`` what the
    returned scores are, ``extra`` documents further parameters (numpydoc
    lines, unindented), ``order`` the order of the indices.
    """
    def decorate(strategy):
        parameters = inspect.signature(strategy).parameters
        names = list(parameters)
        sections = _SECTIONS.format(
            estimator=names[0], X=names[1], model=model, scores=scores, extra=extra, order=order,
            model_type=model_type or "ActiveLearner, Committee or fitted multi-label model",
            n_instances=parameters["n_instances"].default,
        )
        if strategy.__doc__ is not None:  # None under python -OO
            strategy.__doc__ = inspect.cleandoc(strategy.__doc__).replace("{sections}", sections)
        strategy.multi_label = True  # read by skal.targets.check_single_label_strategy
        return strategy
    return decorate


def _proba(estimator, X):
    """Checked per-label probabilities of the pool."""
    check_fitted(estimator)
    P = label_proba(estimator, X)
    if P.shape[0] != n_rows(X):
        raise ValueError(f"The per-label probabilities have {P.shape[0]} rows for a pool of {n_rows(X)}.")
    if not np.isfinite(P).all():
        raise ValueError("The per-label probabilities contain NaN or inf.")
    return P


def _predictions(estimator, X):
    """The model's own 0/1 label predictions, shape (n_samples, n_labels)."""
    Y = np.asarray(estimator.predict(X))
    if Y.ndim != 2:
        raise ValueError(
            f"{type(estimator).__name__}.predict returned shape {Y.shape}; a multi-label strategy needs "
            "a model fitted on a multi-label y (an indicator matrix or label sets)."
        )
    return Y.astype(float)


def _labelled_targets(estimator, strategy):
    """The 0/1 label matrix of the learner's labelled rows."""
    holder = estimator
    if hasattr(estimator, "learner_list"):  # a Committee: its first member's labelled set
        holder = (estimator.learners_ if hasattr(estimator, "learners_") else estimator.learner_list)[0]
    Y = getattr(holder, "y_training_", None)
    if Y is None or n_rows(Y) == 0 or not is_multilabel_model(estimator):
        raise ValueError(
            f"{strategy} compares the pool with the labelled rows' label sets: pass an ActiveLearner or "
            "Committee fitted on a multi-label y."
        )
    return encode_like(Y, holder.label_binarizer_).astype(float)


# --------------------------------------------------------------------------- scores
def proba_mean_entropy(proba):
    """Binary entropy (natural log) of each label's probability, averaged over labels.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_labels)
        ``P(label present | x)``.

    Returns
    -------
    ndarray of shape (n_samples,)
        The mean entropy of each row, in ``[0, ln 2]``.

    Examples
    --------
    >>> from skal.strategies.multilabel import proba_mean_entropy
    >>> proba_mean_entropy([[0.5, 0.5], [1.0, 0.0]]).round(4)
    array([0.6931, 0.    ])
    """
    P = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
    Q = 1.0 - P
    with np.errstate(divide="ignore", invalid="ignore"):
        H = -(np.where(P > 0, P * np.log(P), 0.0) + np.where(Q > 0, Q * np.log(Q), 0.0))
    return H.mean(axis=1)


def label_cardinality_inconsistency(predicted, labelled):
    """How far each row's number of predicted labels is from the labelled rows' mean (Li & Guo, 2013).

    ``|Σ_l ŷ_l(x) − mean_i Σ_l y_il|``: rows predicted with unusually many or
    few labels are those the model is least sure how many labels to give.

    Parameters
    ----------
    predicted : array-like of shape (n_samples, n_labels)
        0/1 predictions for the pool.
    labelled : array-like of shape (n_labelled, n_labels)
        0/1 labels of the labelled rows.

    Returns
    -------
    ndarray of shape (n_samples,)
        The absolute difference of label counts for each pool row.

    Examples
    --------
    >>> from skal.strategies.multilabel import label_cardinality_inconsistency
    >>> label_cardinality_inconsistency([[1, 1, 1], [0, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 1, 0]])
    array([1.5, 1.5, 0.5])
    """
    predicted, labelled = np.asarray(predicted, dtype=float), np.asarray(labelled, dtype=float)
    if labelled.shape[0] == 0:
        raise ValueError("label_cardinality_inconsistency needs at least one labelled row.")
    return np.abs((predicted > 0).sum(axis=1) - (labelled > 0).sum(axis=1).mean())


def _binary_entropy_terms(counts, n_labels):
    """Σ −(c/L)·log2(c/L) over the given cell counts (0·log 0 = 0), cell axis last."""
    share = counts / n_labels
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(share > 0, share * np.log2(share), 0.0).sum(axis=-1)


def _category_vector_inconsistency(predicted, labelled):
    """Mean distance between each predicted label vector and the labelled ones (Reyes et al., 2018).

    The distance of two 0/1 vectors over ``L`` labels is 1 when they differ
    in every label (Hamming distance 1) and otherwise the normalised entropy
    distance ``(2·H(u, v) − H(u) − H(v)) / H(u, v)`` over the four cells of
    their contingency table (0 when ``H(u, v) = 0``, the vectors equal and
    constant). Labelled vectors are grouped by value first, and the pool is
    done in blocks, so no pool × labelled-set matrix is held whole.
    """
    n_labels = predicted.shape[1]
    vectors, weights = np.unique(labelled, axis=0, return_counts=True)
    weights = weights / weights.sum()
    v_ones = vectors.sum(axis=1)
    H_v = _binary_entropy_terms(np.c_[v_ones, n_labels - v_ones], n_labels)
    out = np.empty(predicted.shape[0])
    for start in range(0, predicted.shape[0], _BLOCK):
        U = predicted[start:start + _BLOCK]
        a = U @ vectors.T
        b = (1.0 - U) @ vectors.T
        c = U @ (1.0 - vectors).T
        d = n_labels - a - b - c
        u_ones = U.sum(axis=1)
        H_u = _binary_entropy_terms(np.c_[u_ones, n_labels - u_ones], n_labels)
        H_uv = _binary_entropy_terms(np.stack([a, b, c, d], axis=-1), n_labels)
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = np.where(H_uv > 0, (2.0 * H_uv - H_u[:, None] - H_v[None, :]) / H_uv, 0.0)
        dist = np.where(b + c == n_labels, 1.0, dist)
        out[start:start + _BLOCK] = dist @ weights
    return out


def _margin_ranking(proba):
    """Reyes et al.'s ranking score: per label, rows ranked by margin ``|2p − 1|`` ascending."""
    n, n_labels = proba.shape
    if n < 2:
        return np.ones(n)
    margin = np.abs(2.0 * proba - 1.0)
    order = np.argsort(margin, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n + 1)[:, None].repeat(n_labels, axis=1), axis=0)
    return (n - ranks).sum(axis=1) / (n_labels * (n - 1))


def cvirs(proba, labelled, threshold=0.5):
    """CVIRS scores: category vector inconsistency × margin ranking (Reyes et al., 2018).

    For pool row ``i`` with per-label probabilities ``p_i``:

    - the ranking score ``r_i = Σ_l (N − rank_l(i)) / (L·(N − 1))``, where
      ``rank_l`` ranks the ``N`` pool rows by their margin ``|2·p_il − 1|``
      on label ``l``, 1 for the smallest: 1 for a row the most uncertain on
      every label, 0 for the least;
    - the inconsistency ``v_i``: the mean distance between the predicted
      label vector ``p_i > threshold`` and the labelled rows' label vectors
      (1 when they differ in every label, else the normalised entropy
      distance of their contingency table);

    and the score is ``r_i · v_i``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_labels)
        ``P(label present | x)`` for the pool.
    labelled : array-like of shape (n_labelled, n_labels)
        0/1 labels of the labelled rows.
    threshold : float, default=0.5
        Probability above which a label counts as predicted.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``r_i · v_i`` for each pool row, in ``[0, 1]``.

    Notes
    -----
    small-text's ``CategoryVectorInconsistencyAndRanking`` differs from the
    paper in three ways that skal does not follow: its margin is
    ``|p_l − Σ_k p_k|``; it reads ``argsort`` (the row at rank ``i``) as if
    it were row ``i``'s rank; and it computes the entropy distance but then
    uses the Hamming distance.

    Examples
    --------
    >>> from skal.strategies.multilabel import cvirs
    >>> cvirs([[0.5, 0.6], [0.9, 0.1], [0.1, 0.1]], [[1, 0], [1, 0]])
    array([1., 0., 0.])
    """
    P = np.asarray(proba, dtype=float)
    labelled = np.asarray(labelled, dtype=float)
    if labelled.ndim != 2 or labelled.shape[0] == 0 or labelled.shape[1] != P.shape[1]:
        raise ValueError(
            f"cvirs needs the labelled rows' 0/1 labels with {P.shape[1]} columns, got shape {labelled.shape}."
        )
    predicted = (P > threshold).astype(float)
    return _margin_ranking(P) * _category_vector_inconsistency(predicted, (labelled > 0).astype(float))


# --------------------------------------------------------------------------- strategies
_LEARNER = "A learner fitted on a multi-label ``y``: it gives the probabilities and holds the labelled rows."
_PROBA_MODEL = "Gives ``P(label present | x)`` through ``predict_proba`` (see :func:`skal.targets.label_proba`)."


@_strategy(_PROBA_MODEL, "Their mean binary entropies.", order="most informative first")
def mean_entropy_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows whose labels are most uncertain on average: binary entropy averaged over labels.

    See :func:`proba_mean_entropy`.

    {sections}
    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies.multilabel import mean_entropy_sampling
    >>> X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    >>> learner = ActiveLearner(OneVsRestClassifier(LogisticRegression()), mean_entropy_sampling)
    >>> idx, rows = learner.fit(X[:20], Y[:20]).query(X[20:], n_instances=3)
    >>> len(idx)
    3
    """
    check_pool(X, n_instances)
    return select_top(proba_mean_entropy(_proba(estimator, X)), n_instances, random_tie_break, random_state)


@_strategy(_LEARNER, "Their label cardinality inconsistencies.", model_type="multi-label ActiveLearner or Committee")
def label_cardinality_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows with the largest label cardinality inconsistency (Li & Guo, 2013).

    See :func:`label_cardinality_inconsistency`; the predictions are the
    model's ``predict``, the labelled rows the learner's ``y_training_``.

    {sections}
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies.multilabel import label_cardinality_sampling
    >>> X = np.arange(12.).reshape(-1, 1); Y = np.c_[X[:, 0] > 3, X[:, 0] > 7].astype(int)
    >>> learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X[::2], Y[::2])
    >>> label_cardinality_sampling(learner, X, n_instances=2)[1]
    array([1., 1.])
    """
    check_pool(X, n_instances)
    check_fitted(estimator)
    labelled = _labelled_targets(estimator, "label_cardinality_sampling")
    scores = label_cardinality_inconsistency(_predictions(estimator, X), labelled)
    return select_top(scores, n_instances, random_tie_break, random_state)


@_strategy(_LEARNER, "Their CVIRS scores.", model_type="multi-label ActiveLearner or Committee",
           extra="threshold : float, default=0.5\n    Probability above which a label counts as predicted.\n")
def cvirs_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, threshold=0.5):
    """CVIRS: uncertain rows whose predicted label set is unlike the labelled ones (Reyes et al., 2018).

    See :func:`cvirs`. Costs O(N·M'·L) for M' distinct labelled label sets.

    {sections}
    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies.multilabel import cvirs_sampling
    >>> X, Y = make_multilabel_classification(n_samples=50, n_classes=4, random_state=1)
    >>> learner = ActiveLearner(OneVsRestClassifier(GaussianNB())).fit(X[:15], Y[:15])
    >>> len(cvirs_sampling(learner, X[15:], n_instances=4)[0])
    4
    """
    check_pool(X, n_instances)
    labelled = _labelled_targets(estimator, "cvirs_sampling")
    scores = cvirs(_proba(estimator, X), labelled, threshold)
    return select_top(scores, n_instances, random_tie_break, random_state)


@_strategy(_LEARNER, "Each pick's ranked-batch score when it was picked.", order="in pick order",
           model_type="multi-label ActiveLearner or Committee",
           extra="metric : str or callable, default=\"euclidean\"\n    Distance between rows of the representation.\n"
                 "n_jobs : int or None, default=None\n    Parallel jobs for the distances.\n")
def multilabel_batch_sampling(estimator, X, n_instances=20, random_tie_break=False, random_state=None,
                              metric="euclidean", n_jobs=None):
    """Ranked batch (Cardoso et al., 2017) over the mean label entropy, for multi-label models.

    :func:`~skal.strategies.ranked_batch` with uncertainty
    ``proba_mean_entropy / ln 2`` (in ``[0, 1]``): each pick trades that
    uncertainty off against distance to the labelled and already picked rows.

    {sections}
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies.multilabel import multilabel_batch_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 2)); Y = (X > 0).astype(int)
    >>> learner = ActiveLearner(KNeighborsClassifier(3)).fit(X[:20], Y[:20])
    >>> len(set(multilabel_batch_sampling(learner, X[20:], n_instances=5)[0]))
    5
    """
    check_pool(X, n_instances)
    uncertainty = proba_mean_entropy(_proba(estimator, X)) / np.log(2.0)
    return ranked_batch(estimator, X, uncertainty, n_instances, metric=metric, n_jobs=n_jobs,
                        random_tie_break=random_tie_break, random_state=random_state)


# --------------------------------------------------------------------------- modAL's seven
def _fitted_model(estimator):
    return getattr(estimator, "estimator_", estimator)


@_strategy("Its model has ``decision_function`` of shape (n_samples, n_labels), e.g. "
           "``OneVsRestClassifier(LinearSVC())``.", "``−min_l |f_l(x)|`` of the picks.",
           model_type="ActiveLearner or fitted multi-label model")
def SVM_binary_minimum(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """Query the rows closest to some label's SVM boundary (Brinker, 2006; modAL's ``SVM_binary_minimum``).

    Score: ``−min_l |f_l(x)|`` over the per-label decision functions. modAL
    always returns one row and, with its random tie-break, the row *farthest*
    from every boundary; skal returns ``n_instances`` rows and breaks ties at
    random among equal scores.

    {sections}
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from sklearn.svm import LinearSVC
    >>> from skal import ActiveLearner
    >>> from skal.strategies.multilabel import SVM_binary_minimum
    >>> X = np.array([[-2., -2.], [2., 2.], [-2., 2.], [2., -2.], [0.05, 1.]]); Y = (X > 0).astype(int)
    >>> learner = ActiveLearner(OneVsRestClassifier(LinearSVC()), SVM_binary_minimum).fit(X[:4], Y[:4])
    >>> learner.query(X)[0]
    array([4])
    """
    check_pool(X_pool, n_instances)
    check_fitted(classifier)
    model = _fitted_model(classifier)
    if not hasattr(model, "decision_function"):
        raise ValueError(
            f"SVM_binary_minimum needs a model with decision_function (e.g. "
            f"OneVsRestClassifier(LinearSVC())), got {type(model).__name__}."
        )
    F = np.asarray(model.decision_function(X_pool), dtype=float).reshape(n_rows(X_pool), -1)
    return select_top(-np.abs(F).min(axis=1), n_instances, random_tie_break, random_state)


def _hinge_predictions(classifier, X):
    return 2.0 * _predictions(classifier, X) - 1.0


_PREDICTING_MODEL = "Gives ``predict`` (0/1 per label) and ``predict_proba`` per label."


@_strategy(_PREDICTING_MODEL, "Their summed hinge losses.")
def max_loss(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """Max loss (Li et al., 2004; modAL's ``max_loss``).

    With ``s = 2·predict(x) − 1`` and the most probable label taken as the
    only true one (``y* = +1`` there, −1 elsewhere), the score is the
    summed hinge loss ``Σ_l max(1 − y*_l·s_l, 0)``.

    {sections}
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal.strategies.multilabel import max_loss
    >>> X = np.arange(12.).reshape(-1, 1); Y = np.c_[X[:, 0] > 3, X[:, 0] > 7].astype(int)
    >>> clf = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
    >>> max_loss(clf, X, n_instances=2)[1]
    array([2., 2.])
    """
    check_pool(X_pool, n_instances)
    S = _hinge_predictions(classifier, X_pool)
    target = -np.ones_like(S)
    target[np.arange(S.shape[0]), _proba(classifier, X_pool).argmax(axis=1)] = 1.0
    loss = np.maximum(1.0 - target * S, 0.0).sum(axis=1)
    return select_top(loss, n_instances, random_tie_break, random_state)


@_strategy("Gives ``predict``, 0/1 per label.", "Their mean hinge losses.")
def mean_max_loss(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """Mean max loss (Li et al., 2004; modAL's ``mean_max_loss``).

    With ``s = 2·predict(x) − 1``, the hinge loss against each one-label
    vector ``e_j`` (+1 at ``j``, −1 elsewhere), ``max(1 − ⟨s, 2e_j − 1⟩, 0)
    = max(1 − 2·s_j + Σ_l s_l, 0)``, averaged over ``j``.

    {sections}
    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal.strategies.multilabel import mean_max_loss
    >>> X, Y = make_multilabel_classification(n_samples=30, n_classes=3, random_state=2)
    >>> clf = OneVsRestClassifier(DecisionTreeClassifier(max_depth=2, random_state=0)).fit(X, Y)
    >>> mean_max_loss(clf, X, n_instances=2)[0].shape
    (2,)
    """
    check_pool(X_pool, n_instances)
    S = _hinge_predictions(classifier, X_pool)
    loss = np.maximum(1.0 - 2.0 * S + S.sum(axis=1, keepdims=True), 0.0).mean(axis=1)
    return select_top(loss, n_instances, random_tie_break, random_state)


@_strategy(_PROBA_MODEL, "``1 − min_l p_l`` of the picks.")
def min_confidence(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """MinConfidence (Esuli & Sebastiani, 2009; modAL's ``min_confidence``).

    Picks the rows whose least probable label is least probable; the score
    is ``1 − min_l p_l`` (modAL ranks by ``−min_l p_l``: the same order).

    {sections}
    Examples
    --------
    >>> from skal.strategies.multilabel import min_confidence
    >>> class Model:
    ...     def predict_proba(self, X): return X
    >>> min_confidence(Model(), [[0.5, 0.4], [0.9, 0.1], [0.2, 0.3]])[0]
    array([1])
    """
    check_pool(X_pool, n_instances)
    P = _proba(classifier, X_pool)
    return select_top(1.0 - P.min(axis=1), n_instances, random_tie_break, random_state)


@_strategy(_PROBA_MODEL, "Their mean label probabilities.", order="highest mean probability first")
def avg_confidence(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """AvgConfidence (modAL's ``avg_confidence``): the rows with the highest mean label probability.

    Note the orientation, modAL's: the rows the model gives most labels to
    with most confidence come first, not the least confident ones.

    {sections}
    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skal.strategies.multilabel import avg_confidence
    >>> X, Y = make_multilabel_classification(n_samples=40, n_classes=3, random_state=3)
    >>> idx, scores = avg_confidence(KNeighborsClassifier(5).fit(X, Y), X, n_instances=3)
    >>> bool(scores[0] >= scores[-1])
    True
    """
    check_pool(X_pool, n_instances)
    P = _proba(classifier, X_pool)
    return select_top(P.mean(axis=1), n_instances, random_tie_break, random_state)


def _signed_scores(classifier, X_pool):
    """``p_l · (ŷ_l − 1/2)``: +p/2 on predicted labels, −p/2 on the others."""
    return _proba(classifier, X_pool) * (_predictions(classifier, X_pool) - 0.5)


@_strategy(_PREDICTING_MODEL, "Their largest ``p_l · (ŷ_l − 1/2)``.")
def max_score(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """MaxScore (modAL's ``max_score``): the largest ``p_l · (ŷ_l − 1/2)`` over labels.

    {sections}
    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.multilabel import max_score
    >>> class Model:
    ...     def predict_proba(self, X): return np.asarray(X)
    ...     def predict(self, X): return (np.asarray(X) > 0.5).astype(int)
    >>> max_score(Model(), [[0.6, 0.4], [0.9, 0.1], [0.2, 0.3]])
    (array([1]), array([0.45]))
    """
    check_pool(X_pool, n_instances)
    return select_top(_signed_scores(classifier, X_pool).max(axis=1), n_instances, random_tie_break, random_state)


@_strategy(_PREDICTING_MODEL, "Their mean ``p_l · (ŷ_l − 1/2)``.")
def avg_score(classifier, X_pool, n_instances=1, random_tie_break=False, random_state=None):
    """AvgScore (modAL's ``avg_score``): the mean of ``p_l · (ŷ_l − 1/2)`` over labels.

    {sections}
    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skal.strategies.multilabel import avg_score
    >>> X, Y = make_multilabel_classification(n_samples=40, n_classes=2, random_state=4)
    >>> forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, Y)
    >>> avg_score(forest, X, n_instances=2, random_tie_break=True, random_state=0)[0].shape
    (2,)
    """
    check_pool(X_pool, n_instances)
    return select_top(_signed_scores(classifier, X_pool).mean(axis=1), n_instances, random_tie_break, random_state)
