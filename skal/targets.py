"""Single- and multi-label targets: what ``y`` is, and how a learner holds it.

A single-label ``y`` is a vector of class labels, as everywhere in
scikit-learn. A multi-label ``y`` is either

- a label-indicator matrix: a 2-D numpy array, a scipy sparse matrix or a
  pandas DataFrame of 0/1, one column per label (a DataFrame's columns name
  the labels); or
- a list (or Series, or object array) of label sets, e.g.
  ``[["joy"], ["anger", "fear"], []]``, binarised with scikit-learn's
  :class:`~sklearn.preprocessing.MultiLabelBinarizer`. An empty set is a
  valid answer: none of the labels applies.

The type is told by :func:`sklearn.utils.multiclass.type_of_target` for
arrays, and by the rows being collections for label sets. Learners hold a
multi-label ``y`` as a dense 0/1 matrix (``n_rows × n_labels`` is small
next to the features) and the label names in a fitted
``MultiLabelBinarizer`` (``label_binarizer_``), whose ``inverse_transform``
turns predictions back into label sets.

Examples
--------
>>> from skal.targets import encode_targets
>>> Y, binarizer = encode_targets([["joy"], ["anger", "fear"], []])
>>> Y.tolist(), binarizer.classes_.tolist()
([[0, 0, 1], [1, 1, 0], [0, 0, 0]], ['anger', 'fear', 'joy'])
"""

import functools
from collections.abc import Set

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.multiclass import type_of_target

from .data import check_labels, n_rows

__all__ = [
    "is_label_sets",
    "is_multilabel_target",
    "encode_targets",
    "encode_like",
    "multilabel_binarizer",
    "is_multilabel_model",
    "label_proba",
    "positive_proba",
    "adopted_binarizer",
    "committee_binarizer",
    "check_single_label_strategy",
    "check_known_labels",
    "indicator_matrix",
    "fit_per_label",
    "MULTILABEL_STRATEGIES",
]

#: Names of skal's strategies that take multi-label models, for error messages.
MULTILABEL_STRATEGIES = (
    "mean_entropy_sampling", "cvirs_sampling", "label_cardinality_sampling", "min_confidence",
    "avg_confidence", "max_score", "avg_score", "max_loss", "mean_max_loss", "SVM_binary_minimum",
    "multilabel_batch_sampling", "badge_sampling", "coreset_sampling", "kmeans_sampling",
    "random_sampling",
)


@functools.cache
def _multilabel_safe():
    """Names of skal's strategies the registry marks as taking either kind of model (random, core-set...)."""
    from .strategies.registry import STRATEGIES  # here: the registry imports the strategies, which import us

    return frozenset(entry.function.__name__ for entry in STRATEGIES.values() if entry.targets == "both")


def _rows_are_collections(y):
    if isinstance(y, (str, bytes)) or sp.issparse(y) or isinstance(y, pd.DataFrame):
        return False
    if isinstance(y, np.ndarray) and y.dtype != object:
        return False
    try:
        rows = list(y)
    except TypeError:
        return False
    return bool(rows) and all(
        isinstance(row, (list, tuple, Set, np.ndarray)) and not isinstance(row, (str, bytes))
        for row in rows
    )


def is_label_sets(y):
    """Whether ``y`` is a sequence of label sets rather than labels or an indicator matrix.

    A list of equal-length 0/1 lists is an indicator matrix, not label sets.

    Parameters
    ----------
    y : object
        A target.

    Returns
    -------
    bool
        True for a sequence of label sets.

    Examples
    --------
    >>> from skal.targets import is_label_sets
    >>> is_label_sets([["joy"], []]), is_label_sets([[0, 1], [1, 0]]), is_label_sets(["joy"])
    (True, False, False)
    """
    if not _rows_are_collections(y):
        return False
    rows = list(y)
    if any(isinstance(row, Set) for row in rows):
        return True
    try:
        array = np.asarray(rows)
    except ValueError:  # ragged
        return True
    return not (array.ndim == 2 and array.shape[1] > 0 and array.dtype.kind in "biuf"
                and type_of_target(array) == "multilabel-indicator")


def is_multilabel_target(y):
    """Whether ``y`` is a multi-label target (an indicator matrix or label sets).

    Parameters
    ----------
    y : object
        A target.

    Returns
    -------
    bool
        True for an indicator matrix or label sets.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.targets import is_multilabel_target
    >>> is_multilabel_target(np.array([[1, 0], [1, 1]])), is_multilabel_target([0, 1, 1])
    (True, False)
    """
    if y is None:
        return False
    if is_label_sets(y):
        return True
    if sp.issparse(y):  # scikit-learn takes sparse targets as label indicators only
        return y.shape[1] > 0
    if isinstance(y, pd.DataFrame):
        return y.shape[1] > 0 and (y.shape[0] == 0 or type_of_target(y) == "multilabel-indicator")
    if isinstance(y, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(y)
        except ValueError:
            return False
        if array.ndim != 2 or array.dtype.kind not in "biuf" or array.shape[1] == 0:
            return False
        return array.shape[0] == 0 or type_of_target(array) == "multilabel-indicator"
    return False


def multilabel_binarizer(classes):
    """A fitted :class:`~sklearn.preprocessing.MultiLabelBinarizer` over exactly ``classes``.

    Parameters
    ----------
    classes : sequence
        The label names, in order.

    Returns
    -------
    MultiLabelBinarizer
        Fitted, with ``classes_`` equal to ``classes``.

    Examples
    --------
    >>> from skal.targets import multilabel_binarizer
    >>> multilabel_binarizer(["b", "a"]).transform([["a"]]).tolist()
    [[0, 1]]
    """
    return MultiLabelBinarizer(classes=list(classes)).fit([])


def indicator_matrix(y):
    """A dense 0/1 int64 matrix from a label-indicator matrix (array, nested list, sparse or DataFrame).

    Parameters
    ----------
    y : array-like, sparse matrix or DataFrame of shape (n_samples, n_labels)
        0 (label absent) and 1 (label present) only.

    Returns
    -------
    Y : ndarray of shape (n_samples, n_labels)
        The matrix, dense, as int64.

    Raises
    ------
    ValueError
        If ``y`` is not 2-dimensional or holds other values than 0 and 1.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from skal.targets import indicator_matrix
    >>> indicator_matrix(sp.csr_matrix([[0, 1], [1, 0]])).tolist()
    [[0, 1], [1, 0]]
    """
    if sp.issparse(y):
        Y = y.toarray()
    elif isinstance(y, pd.DataFrame):
        Y = y.to_numpy()
    else:
        Y = np.asarray(y)
    if Y.ndim != 2:
        raise ValueError(f"A label-indicator matrix must be 2-dimensional, got shape {Y.shape}.")
    if Y.dtype.kind not in "biuf" or not np.isin(Y, (0, 1)).all():
        bad = np.setdiff1d(np.unique(Y), [0, 1]) if Y.dtype.kind in "biuf" else Y.dtype
        raise ValueError(
            f"A label-indicator matrix holds 0 (label absent) and 1 (label present) only, got {bad!r}: it must "
            "hold only 0 and 1. "
            "Pass label sets such as [['joy'], ['anger', 'fear'], []] for named labels."
        )
    return Y.astype(np.int64, copy=False)


def _label_sets(y):
    return [list(row) for row in y]


def encode_targets(y):
    """Binarise a multi-label ``y`` for fitting; pass a single-label one through.

    Parameters
    ----------
    y : array-like, sparse matrix, DataFrame or list of label sets
        The target.

    Returns
    -------
    Y : ndarray
        ``y`` unchanged for a single-label target; a dense 0/1 matrix of shape
        (n_samples, n_labels) for a multi-label one.
    binarizer : MultiLabelBinarizer or None
        The label space of a multi-label target (names from the label sets,
        a DataFrame's columns, or ``0 .. n_labels-1``); None for single-label.

    Raises
    ------
    ValueError
        If an indicator matrix holds values other than 0 and 1, or if label
        sets name no label at all.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.targets import encode_targets
    >>> Y, binarizer = encode_targets(np.array([[0, 1], [1, 1]]))
    >>> binarizer.classes_.tolist()
    [0, 1]
    """
    if is_label_sets(y):
        sets = _label_sets(y)
        binarizer = MultiLabelBinarizer().fit(sets)
        if binarizer.classes_.shape[0] == 0:
            raise ValueError(
                "Every label set in y is empty: there is no label to learn. A multi-label y needs "
                "at least one row with a label."
            )
        return binarizer.transform(sets).astype(np.int64, copy=False), binarizer
    if is_multilabel_target(y):
        Y = indicator_matrix(y)
        names = list(y.columns) if isinstance(y, pd.DataFrame) else range(Y.shape[1])
        return Y, multilabel_binarizer(names)
    return check_labels(y), None  # missing or mixed-type labels raise here


def encode_like(y, binarizer):
    """Encode new labels in the label space of a fitted learner.

    Parameters
    ----------
    y : array-like, sparse matrix, DataFrame or list of label sets
        Labels, indicator matrix or label sets of the new rows.
    binarizer : MultiLabelBinarizer or None
        The learner's ``label_binarizer_``; None for a single-label learner.

    Returns
    -------
    Y : ndarray
        The labels (single-label) or a 0/1 matrix over the binarizer's labels.

    Raises
    ------
    ValueError
        If label sets name labels outside the label space, if an indicator
        matrix has another width, or if ``y`` is multi-label for a
        single-label learner (or the reverse).

    Examples
    --------
    >>> from skal.targets import encode_like, multilabel_binarizer
    >>> encode_like([["fear"], []], multilabel_binarizer(["anger", "fear"])).tolist()
    [[0, 1], [0, 0]]
    """
    multilabel = is_multilabel_target(y)
    if binarizer is None:
        if multilabel:
            raise ValueError(
                "y is multi-label (an indicator matrix or label sets), but the model was fitted on "
                "single-label targets. Refit with fit() on multi-label y."
            )
        return encode_targets(y)[0]
    classes = binarizer.classes_
    if not multilabel:
        if n_rows(y) == 0:
            return np.zeros((0, classes.shape[0]), dtype=np.int64)
        raise ValueError(
            f"The model is multi-label over {classes.shape[0]} labels, so y must be an indicator "
            f"matrix of {classes.shape[0]} columns or a list of label sets (e.g. [['{classes[0]}'], []]), "
            f"got a single-label target of type {type_of_target(np.asarray(y))!r}."
        )
    if is_label_sets(y):
        sets = _label_sets(y)
        given = {label for row in sets for label in row}
        outside = sorted(given - set(classes.tolist()), key=str)
        if outside:
            raise ValueError(
                f"Labels {outside} are outside the label set {classes.tolist()} the model was fitted "
                "on. Fix the labels, or fit() again on every labelled row to learn a wider label set "
                "(pass an indicator matrix, e.g. from MultiLabelBinarizer(classes=[...]), to fix the "
                "label set up front)."
            )
        return binarizer.transform(sets).astype(np.int64, copy=False)
    Y = indicator_matrix(y)
    if Y.shape[1] != classes.shape[0]:
        raise ValueError(
            f"y has {Y.shape[1]} label columns, but the model was fitted on {classes.shape[0]} labels "
            f"({classes.tolist()}). Pass an indicator matrix with those columns, in that order."
        )
    if isinstance(y, pd.DataFrame) and list(y.columns) != classes.tolist():
        raise ValueError(
            f"y's columns {list(y.columns)} are not the model's labels {classes.tolist()} in order."
        )
    return Y


def is_multilabel_model(estimator):
    """Whether ``estimator`` (an ActiveLearner, Committee or a fitted model) is multi-label.

    skal's learners know it from the ``y`` they were fitted on; a Committee is
    multi-label when its members are; a plain scikit-learn model when its
    ``predict_proba`` is one column per label (``OneVsRestClassifier``,
    ``MLPClassifier``, ``ClassifierChain`` fitted on an indicator matrix) or a
    list of per-label arrays (``MultiOutputClassifier``).

    Parameters
    ----------
    estimator : estimator
        An ActiveLearner, a Committee or a fitted model.

    Returns
    -------
    bool
        True when it predicts several labels per row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal.targets import is_multilabel_model
    >>> X = np.arange(8.).reshape(-1, 1); Y = np.c_[X[:, 0] > 3, X[:, 0] % 2].astype(int)
    >>> is_multilabel_model(OneVsRestClassifier(LogisticRegression()).fit(X, Y))
    True
    """
    if hasattr(estimator, "learner_list"):  # a Committee: multi-label when its members are
        from .strategies.representation import committee_members  # which imports this module

        return any(is_multilabel_model(m) for m in committee_members(estimator))
    if hasattr(estimator, "ensure_fitted"):  # an ActiveLearner: from the y it was fitted on
        if getattr(estimator, "label_binarizer_", None) is not None:
            return True
        fitted = getattr(estimator, "estimator_", None)
        return fitted is not None and is_multilabel_model(fitted)
    if getattr(estimator, "multilabel_", False) or getattr(estimator, "multi_label", False) is True:
        return True
    classes = getattr(estimator, "classes_", None)
    if isinstance(classes, list):  # MultiOutputClassifier, ClassifierChain
        return True
    binarizer = getattr(estimator, "label_binarizer_", None) or getattr(estimator, "_label_binarizer", None)
    if binarizer is None and hasattr(estimator, "steps"):
        return is_multilabel_model(estimator.steps[-1][1])
    return bool(getattr(binarizer, "y_type_", "").startswith("multilabel"))


def adopted_binarizer(estimator):
    """The label space of an already fitted model a learner adopts: None when single-label.

    Parameters
    ----------
    estimator : estimator
        A fitted model.

    Returns
    -------
    MultiLabelBinarizer or None
        Over labels ``0 .. n_labels-1`` for a multi-label model, else None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal.targets import adopted_binarizer
    >>> X = np.arange(8.).reshape(-1, 1); Y = np.c_[X[:, 0] > 3, X[:, 0] % 2].astype(int)
    >>> adopted_binarizer(OneVsRestClassifier(LogisticRegression()).fit(X, Y)).classes_.tolist()
    [0, 1]
    """
    if not is_multilabel_model(estimator):
        return None
    return multilabel_binarizer(range(len(estimator.classes_)))


def committee_binarizer(committee):
    """The label space shared by a fitted Committee's members; None when single-label.

    Parameters
    ----------
    committee : Committee
        A committee (its fitted members, or the members it adopts).

    Returns
    -------
    binarizer : MultiLabelBinarizer or None
        The members' shared label space.

    Raises
    ------
    ValueError
        If members are multi-label over different label sets, or if some are
        multi-label and others not.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.targets import committee_binarizer
    >>> members = [ActiveLearner(OneVsRestClassifier(LogisticRegression(C=c))) for c in (0.1, 1.0)]
    >>> committee = Committee(members).fit(np.arange(4.).reshape(-1, 1), [["a"], ["b"], ["a", "b"], []])
    >>> committee_binarizer(committee).classes_.tolist()
    ['a', 'b']
    """
    from .strategies.representation import committee_members  # which imports this module

    binarizers = [getattr(m, "label_binarizer_", None) for m in committee_members(committee)]
    if all(b is None for b in binarizers):
        return None
    if any(b is None for b in binarizers):
        raise ValueError("A committee cannot mix multi-label and single-label members.")
    first = binarizers[0].classes_
    for b in binarizers[1:]:
        if b.classes_.shape != first.shape or not np.array_equal(b.classes_, first):
            raise ValueError(
                f"The committee's members were fitted on different label sets ({first.tolist()} and "
                f"{b.classes_.tolist()}); fit them on the same y."
            )
    return binarizers[0]


def label_proba(estimator, X, **predict_proba_kwargs):
    """Per-label probabilities P(label present | x), shape (n_samples, n_labels).

    Takes every form scikit-learn's multi-label models return: one column
    per label (``OneVsRestClassifier``, ``MLPClassifier``,
    ``ClassifierChain``, :class:`skal.TransformerClassifier` with
    ``multi_label=True``) or a list of per-label ``(n, 2)`` arrays
    (``MultiOutputClassifier``), from which the positive class is taken.

    Parameters
    ----------
    estimator : estimator
        A fitted multi-label model.
    X : array-like
        The rows to score.
    **predict_proba_kwargs : dict
        Passed to its ``predict_proba``.

    Returns
    -------
    ndarray of shape (n_samples, n_labels)
        P(label present | x).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from skal.targets import label_proba
    >>> X = np.arange(8.).reshape(-1, 1); Y = np.c_[X[:, 0] > 3, X[:, 0] > 5].astype(int)
    >>> label_proba(MultiOutputClassifier(LogisticRegression()).fit(X, Y), X).shape
    (8, 2)
    """
    P = estimator.predict_proba(X, **predict_proba_kwargs)
    return positive_proba(P, getattr(estimator, "classes_", None))


def positive_proba(P, classes=None):
    """``predict_proba`` output of a multi-label model as an (n_samples, n_labels) array.

    Parameters
    ----------
    P : ndarray or list of ndarray
        What ``predict_proba`` returned.
    classes : array-like or list, default=None
        The model's ``classes_`` (per label, for a list), to find the positive column.

    Returns
    -------
    ndarray of shape (n_samples, n_labels)
        P(label present | x).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.targets import positive_proba
    >>> positive_proba([np.array([[0.2, 0.8]]), np.array([[0.9, 0.1]])]).tolist()
    [[0.8, 0.1]]
    """
    if isinstance(P, list) and P and all(np.ndim(part) == 2 for part in P):
        columns = []
        for k, part in enumerate(P):
            part = np.asarray(part, dtype=float)
            own = None if not isinstance(classes, list) else np.asarray(classes[k])
            if part.ndim == 2 and part.shape[1] == 2:
                columns.append(part[:, 1] if own is None or own[-1] == 1 else part[:, 0])
            elif part.ndim == 2 and part.shape[1] == 1:  # a label seen with one value only
                columns.append(part[:, 0] if own is not None and own[0] == 1 else np.zeros(part.shape[0]))
            else:
                columns.append(part.ravel())
        return np.column_stack(columns)
    P = np.asarray(P, dtype=float)
    if P.ndim != 2:
        raise ValueError(f"Per-label probabilities must be 2-dimensional, got shape {P.shape}.")
    return P


def check_known_labels(y, classes, hint="Refit with fit() on data that contains them."):
    """Refuse labels outside ``classes``, for callers whose model cannot learn new classes.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    classes : array-like
        The classes the model knows.
    hint : str, default="Refit with fit() on data that contains them."
        What the error message tells the user to do.

    Raises
    ------
    ValueError
        Naming the labels never seen and the classes the model knows.

    Examples
    --------
    >>> from skal.targets import check_known_labels
    >>> check_known_labels(["a", "b"], ["a", "b", "c"])
    >>> check_known_labels(["a", "d"], ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: Labels ['d'] were never seen by the model, which knows ['a', 'b']. Refit with fit() on data that contains them.
    """
    unseen = np.setdiff1d(np.unique(np.asarray(y)), np.asarray(classes))
    if unseen.size:
        raise ValueError(
            f"Labels {unseen.tolist()} were never seen by the model, which knows "
            f"{np.asarray(classes).tolist()}. {hint}"
        )


def check_single_label_strategy(strategy, learner):
    """Raise a ValueError when a single-label-only skal strategy meets a multi-label learner.

    Strategies of skal are single-label unless written for multi-label
    models (:mod:`skal.strategies.multilabel`) or for none (random,
    core-set, k-means, BADGE); strategies from elsewhere (modAL's own
    multi-label ones, user code) are trusted.

    Parameters
    ----------
    strategy : callable
        The query strategy.
    learner : estimator
        The learner it would score.

    Raises
    ------
    ValueError
        Naming the multi-label strategies to use instead.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from skal import ActiveLearner
    >>> from skal.strategies import entropy_sampling
    >>> from skal.targets import check_single_label_strategy
    >>> learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(
    ...     np.arange(4.).reshape(-1, 1), [["a"], ["b"], ["a", "b"], []])
    >>> check_single_label_strategy(entropy_sampling, learner)
    Traceback (most recent call last):
    ...
    ValueError: entropy_sampling is a single-label strategy, ...
    """
    module = getattr(strategy, "__module__", "") or ""
    name = getattr(strategy, "__name__", type(strategy).__name__)
    if not module.startswith("skal.strategies") or getattr(strategy, "multi_label", False):
        return
    if name in _multilabel_safe() or not is_multilabel_model(learner):
        return
    raise ValueError(
        f"{name} is a single-label strategy, but the model is multi-label (y was an indicator matrix "
        f"or label sets). Use one of skal.strategies.multilabel's strategies: "
        f"{', '.join(MULTILABEL_STRATEGIES)}."
    )


def fit_per_label(estimator, X, Y, binarizer, **fit_params):
    """``estimator.fit(X, Y)``, turning the failure of a label with one value into a clear error.

    Binary-relevance models (``MultiOutputClassifier``, ``ClassifierChain``)
    fit one classifier per label, which needs at least one row with the label
    and one without; ``OneVsRestClassifier`` instead predicts such a label as
    never (or always) and fits.

    Parameters
    ----------
    estimator : estimator
        The model to fit.
    X : array-like
        The rows.
    Y : ndarray
        The labels (a 0/1 matrix when multi-label).
    binarizer : MultiLabelBinarizer or None
        The label names, for the message; None for single-label (errors pass as they are).
    **fit_params : dict
        Passed to ``fit``.

    Returns
    -------
    estimator
        The fitted model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from skal.targets import fit_per_label, multilabel_binarizer
    >>> Y = np.array([[1, 0], [0, 0], [1, 0]])
    >>> fit_per_label(MultiOutputClassifier(LogisticRegression()), np.eye(3), Y,
    ...               multilabel_binarizer(["joy", "fear"]))
    Traceback (most recent call last):
    ...
    ValueError: Label 'fear' is present in no labelled row ...
    """
    try:
        return estimator.fit(X, Y, **fit_params)
    except ValueError as exc:
        if binarizer is None:
            raise
        positives = Y.sum(axis=0)
        absent, everywhere = np.flatnonzero(positives == 0), np.flatnonzero(positives == Y.shape[0])
        if not absent.size and not everywhere.size:
            raise
        names = binarizer.classes_.tolist()
        parts = [f"label {names[j]!r} is present in no labelled row" for j in absent]
        parts += [f"label {names[j]!r} is present in every labelled row" for j in everywhere]
        parts[0] = parts[0][0].upper() + parts[0][1:]
        raise ValueError(
            f"{'; '.join(parts)} (of {Y.shape[0]}). {type(estimator).__name__} fits one binary "
            "classifier per label, which needs at least 1 row with the label and 1 without: label "
            f"at least 1 more row for each of {[names[j] for j in np.r_[absent, everywhere]]}, or wrap "
            "the classifier in OneVsRestClassifier, which predicts such a label as never (or always). "
            f"The model said: {exc}"
        ) from exc
