"""The targets of :class:`skal.TransformerClassifier`: single-label classes or multi-label indicators.

:class:`LabelTargets` turns ``y`` (labels; or, multi-label, an indicator
matrix or a list of label sets) into what the network trains on (class
indices, or a float indicator matrix), names the model's outputs in the
Hugging Face config, and computes class weights; :func:`validation_split`
holds out the validation rows of early stopping.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils import check_random_state, column_or_1d

from .targets import check_known_labels, indicator_matrix, multilabel_binarizer

__all__ = ["LabelTargets", "validation_split"]

_SET_TYPES = (list, tuple, set, frozenset)


def _form(y):
    """``"sets"`` (a list of label sets), ``"indicator"`` (a 0/1 matrix) or ``"labels"``.

    Nested lists of numbers with one width over 1 are an indicator matrix, as
    scikit-learn reads them; other nested sequences are label sets.
    """
    if y is None:
        raise ValueError("TransformerClassifier requires y to be passed, but the target y is None.")
    if sp.issparse(y):
        return "indicator"
    if isinstance(y, (pd.DataFrame, np.ndarray)) and y.ndim == 2:
        return "indicator" if y.shape[1] > 1 else "labels"
    if isinstance(y, (list, tuple, pd.Series, np.ndarray)):
        values = list(y)
        is_set = [isinstance(v, _SET_TYPES) or isinstance(v, np.ndarray) for v in values]
        if values and all(is_set):
            widths = {len(v) for v in values}
            if len(widths) == 1 and widths.pop() > 1 and all(
                    isinstance(x, (int, float, np.number)) and not isinstance(x, bool) or isinstance(x, np.bool_)
                    for v in values for x in v):
                return "indicator"
            return "sets"
        if any(is_set):
            raise ValueError("y mixes label sets and single labels; give every row a label set for multi-label.")
    return "labels"


def _indicator(y, n_labels=None, what="y"):
    matrix = indicator_matrix(y)
    if n_labels is not None and matrix.shape[1] != n_labels:
        raise ValueError(
            f"{what} has {matrix.shape[1]} label columns, but the model has {n_labels} labels."
        )
    return matrix.astype(np.float32)


def _check_labels(y, what="y"):
    """``y`` as a 1-d numpy array without missing labels."""
    y = column_or_1d(y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y), warn=True)
    missing = np.flatnonzero(pd.isna(y))
    if missing.size:
        raise ValueError(
            f"{what} holds {missing.size} missing labels (None or NaN) at positions {missing[:5].tolist()}; "
            "drop those rows or label them."
        )
    return y


class LabelTargets:
    """The label set of a model, single- or multi-label, and how ``y`` maps onto its outputs.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        Sorted labels: the model's outputs, in order.
    multi_label : bool
        Whether each row may have several labels (an indicator matrix of outputs).

    Examples
    --------
    >>> from skal.label_targets import LabelTargets
    >>> targets = LabelTargets.from_y([["joy"], [], ["anger", "joy"]], "auto")
    >>> targets.multi_label, targets.classes.tolist()
    (True, ['anger', 'joy'])
    >>> targets.encode([["joy"], []]).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    >>> LabelTargets.from_y(["b", "a", "b"], "auto").encode(["b", "a"]).tolist()
    [1, 0]
    """

    def __init__(self, classes, multi_label):
        self.classes = classes
        self.multi_label = bool(multi_label)

    @classmethod
    def from_y(cls, y, multi_label="auto", classes=None):
        """The targets of ``y`` (and ``classes``, all the labels to expect), checked.

        ``multi_label="auto"`` is multi-label when ``y`` is an indicator
        matrix or a list of label sets; True requires one of those forms,
        False rejects them.

        Parameters
        ----------
        y : array-like, sparse matrix or list of label sets
            The training target.
        multi_label : {"auto", True, False}, default="auto"
            Whether the model is multi-label.
        classes : array-like, default=None
            Every label to expect, also those absent from ``y``; None takes them from ``y``.

        Returns
        -------
        LabelTargets
            The label set, checked against ``y``.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["b", "a"], classes=["a", "b", "c"]).classes.tolist()
        ['a', 'b', 'c']
        """
        form = _form(y)
        multi = form != "labels"
        if multi_label is True and not multi:
            raise ValueError(
                "multi_label=True needs y as a label-indicator matrix (n_samples, n_labels) or a list of "
                "label sets such as [['joy'], [], ['anger', 'fear']]; got one label per row."
            )
        if multi_label is False and multi:
            raise ValueError(
                "y is multi-label (an indicator matrix or label sets) but multi_label=False; "
                "pass multi_label=True or 'auto', or one label per row."
            )
        if not multi:
            labels = _check_labels(y)
            found = np.unique(labels if classes is None else _check_labels(classes, "classes"))
            targets = cls(found, False)
            targets.encode(labels)  # every label of y among the classes
            if len(found) < 2:
                raise ValueError(f"y holds one class only ({found[0]!r}); a classifier needs at least two.")
            return targets
        if form == "sets":
            values = list(y)
            binarizer = MultiLabelBinarizer(classes=None if classes is None else sorted(classes))
            binarizer.fit(values if classes is None else [])
            targets = cls(np.asarray(binarizer.classes_, dtype=object if classes is None else None), True)
        else:
            width = _indicator(y).shape[1]
            found = np.arange(width) if classes is None else np.asarray(list(classes))
            targets = cls(found, True)
        if len(targets.classes) < 1:
            raise ValueError("y holds no label at all; a multi-label model needs at least one label.")
        targets.encode(y)
        return targets

    def encode(self, y, what="y"):
        """``y`` as training targets: int64 class indices, or a float32 indicator matrix.

        Parameters
        ----------
        y : array-like, sparse matrix or list of label sets
            Labels of the model's kind.
        what : str, default="y"
            How error messages name ``y``.

        Returns
        -------
        ndarray
            Class indices (single-label) or a 0/1 float32 matrix (multi-label).

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["b", "a"]).encode(["a", "a"]).tolist()
        [0, 0]
        """
        if not self.multi_label:
            if _form(y) != "labels":
                raise ValueError(f"{what} is multi-label, but the model is single-label ({self.classes.tolist()}).")
            labels = _check_labels(y, what)
            check_known_labels(labels, self.classes, "Refit with fit() (warm_start=False) on data that contains them.")
            return np.searchsorted(self.classes, labels).astype(np.int64)
        form = _form(y)
        if form == "sets":
            values = [list(v) for v in y]
            known = set(self.classes.tolist())
            unseen = sorted({label for row in values for label in row} - known, key=str)
            if unseen:
                raise ValueError(
                    f"{what} holds labels {unseen} outside the model's labels {self.classes.tolist()}."
                )
            binarizer = multilabel_binarizer(self.classes.tolist())
            return binarizer.transform(values).astype(np.float32)
        if form == "labels":
            raise ValueError(
                f"{what} has one label per row, but the model is multi-label: pass a label-indicator matrix "
                "or a list of label sets."
            )
        return _indicator(y, len(self.classes), what)

    def same_classes(self, classes):
        """Whether ``classes`` are exactly the model's labels.

        Parameters
        ----------
        classes : array-like
            Labels, in any order.

        Returns
        -------
        bool
            True when they are the model's labels.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["b", "a"]).same_classes(["b", "a"])
        True
        """
        return np.array_equal(np.unique(np.asarray(list(classes), dtype=self.classes.dtype)), self.classes)

    def loss_weights(self, encoded, class_weight):
        """Keyword arguments of the loss: ``weight`` (cross-entropy) or ``pos_weight`` (binary cross-entropy).

        Parameters
        ----------
        encoded : ndarray
            The encoded training targets (:meth:`encode`).
        class_weight : None, "balanced" or dict
            None for no weights; "balanced" weighs by inverse frequency; a
            dict maps labels to weights (single-label only).

        Returns
        -------
        dict
            ``{}``, ``{"weight": tensor}`` or ``{"pos_weight": tensor}``.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y([0, 1]).loss_weights(np.array([0, 0, 0, 1]), "balanced")["weight"].tolist()
        [0.6666666865348816, 2.0]
        """
        k = len(self.classes)
        if class_weight is None:
            return {}
        if self.multi_label:
            if class_weight != "balanced":
                raise ValueError("class_weight for a multi-label model must be None or 'balanced'.")
            positives = encoded.sum(axis=0)
            negatives = len(encoded) - positives
            weights = np.where(positives > 0, negatives / np.maximum(positives, 1), 1.0)
            return {"pos_weight": torch.as_tensor(weights, dtype=torch.float32)}
        if class_weight == "balanced":
            counts = np.bincount(encoded, minlength=k)
            weights = np.where(counts > 0, len(encoded) / (k * np.maximum(counts, 1)), 1.0)
        else:
            unknown = [label for label in class_weight if label not in set(self.classes.tolist())]
            if unknown:
                raise ValueError(f"class_weight names labels {unknown} that are not classes {self.classes.tolist()}.")
            weights = np.asarray([float(class_weight.get(c, 1.0)) for c in self.classes.tolist()])
            if not (np.isfinite(weights).all() and (weights > 0).all()):
                raise ValueError(f"class_weight values must be positive numbers, got {class_weight!r}.")
        return {"weight": torch.as_tensor(weights, dtype=torch.float32)}

    # ------------------------------------------------ Hugging Face config
    def config_kwargs(self):
        """``num_labels``, ``id2label``, ``label2id`` and ``problem_type`` for the Hugging Face config.

        Returns
        -------
        dict
            Keyword arguments for ``AutoConfig.from_pretrained``.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["neg", "pos"]).config_kwargs()["id2label"]
        {0: 'neg', 1: 'pos'}
        """
        names = [str(c) for c in self.classes.tolist()]
        return {"num_labels": len(names), "id2label": dict(enumerate(names)),
                "label2id": {name: i for i, name in enumerate(names)},
                "problem_type": "multi_label_classification" if self.multi_label else "single_label_classification"}

    def check_checkpoint(self, name):
        """A ValueError when the checkpoint ``name`` has a head trained on other label names.

        Parameters
        ----------
        name : str or path
            A local checkpoint folder (others are not checked).

        Raises
        ------
        ValueError
            When its ``config.json`` names other labels.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["neg", "pos"]).check_checkpoint("no/such/folder")
        """
        config_file = Path(name) / "config.json"
        if not config_file.is_file():
            return
        saved = json.loads(config_file.read_text()).get("id2label") or {}
        names = [saved[key] for key in sorted(saved, key=int)]
        if not names or all(label == f"LABEL_{i}" for i, label in enumerate(names)):
            return  # no head, or one with anonymous labels
        wanted = [str(c) for c in self.classes.tolist()]
        if len(names) == len(wanted) and names != wanted:
            raise ValueError(
                f"The checkpoint {name!r} has a classification head trained on the labels {names}, "
                f"but y has the labels {wanted}. Use the same labels, or a checkpoint without a head."
            )

    def to_dict(self):
        """The label set as JSON-ready data (what :meth:`from_dict` reads back).

        Returns
        -------
        dict
            ``classes``, their ``kind`` and ``multi_label``.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_y(["neg", "pos"]).to_dict()
        {'classes': ['neg', 'pos'], 'kind': 'str', 'multi_label': False}
        """
        kind = "int" if self.classes.dtype.kind in "iu" else "str" if all(
            isinstance(c, str) for c in self.classes.tolist()) else "other"
        return {"classes": self.classes.tolist(), "kind": kind, "multi_label": self.multi_label}

    @classmethod
    def from_dict(cls, saved):
        """The label set saved by :meth:`to_dict`.

        Parameters
        ----------
        saved : dict
            What :meth:`to_dict` returned.

        Returns
        -------
        LabelTargets
            The label set.

        Examples
        --------
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_dict({"classes": [0, 1], "kind": "int", "multi_label": False}).classes.tolist()
        [0, 1]
        """
        dtype = np.int64 if saved["kind"] == "int" else object
        return cls(np.asarray(saved["classes"], dtype=dtype), saved["multi_label"])

    @classmethod
    def from_config(cls, config):
        """The labels of a plain Hugging Face sequence classifier: its ``id2label`` names.

        Parameters
        ----------
        config : transformers.PretrainedConfig
            The model's config.

        Returns
        -------
        LabelTargets
            Its label names, in output order.

        Examples
        --------
        >>> from transformers import BertConfig
        >>> from skal.label_targets import LabelTargets
        >>> LabelTargets.from_config(BertConfig(num_labels=2)).classes.tolist()
        ['LABEL_0', 'LABEL_1']
        """
        names = [config.id2label[i] for i in range(config.num_labels)]
        return cls(np.asarray(names, dtype=object), config.problem_type == "multi_label_classification")


def validation_split(encoded, multi_label, fraction, random_state):
    """``(train_rows, valid_rows)``: ``ceil(fraction * n)`` rows held out, at least one per class.

    Stratified (scikit-learn's ``StratifiedShuffleSplit``) when every
    class has two rows or more and the split can hold each class, else a
    plain random split (and always for multi-label targets).

    Parameters
    ----------
    encoded : ndarray
        The encoded targets (class indices, or an indicator matrix).
    multi_label : bool
        Whether ``encoded`` is an indicator matrix.
    fraction : float
        Share of the rows to hold out.
    random_state : int, RandomState instance or None
        Seeds the split.

    Returns
    -------
    train_rows : ndarray of int
        Sorted positions to train on.
    valid_rows : ndarray of int
        Sorted positions held out.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.label_targets import validation_split
    >>> train, valid = validation_split(np.array([0, 1] * 10), False, 0.1, random_state=0)
    >>> len(train), sorted(np.array([0, 1] * 10)[valid].tolist())
    (18, [0, 1])
    """
    n = len(encoded)
    if n < 2:
        raise ValueError(f"early_stopping holds out validation rows, but there are only {n} training rows.")
    rng = check_random_state(random_state)
    n_valid = math.ceil(fraction * n)
    if not multi_label:
        counts = np.bincount(encoded)
        counts = counts[counts > 0]
        n_valid = max(n_valid, counts.size)
        if counts.min() >= 2 and n - n_valid >= counts.size:
            split = StratifiedShuffleSplit(n_splits=1, test_size=n_valid, random_state=rng)
            train, valid = next(split.split(np.zeros(n), encoded))
            return np.sort(train), np.sort(valid)
    n_valid = min(n_valid, n - 1)
    order = rng.permutation(n)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])
