"""The row-by-row decisions of :meth:`LabellingSession.teach_batch`, as a pure function of the table.

:class:`BatchDecision` gives every row of a labels table a status and a
reason: first from the table alone (missing or unknown id, no text,
unknown label, conflicts and repeats within the batch), then, under the
log's lock, against the labels the session holds.

Examples
--------
>>> import pandas as pd
>>> from skal.labelling.batch import BatchDecision
>>> table = pd.DataFrame({"id": ["0", "9", "1"], "label": ["pos", "pos", "meh"]})
>>> decision = BatchDecision(table, "id", "label", pd.Index(["0", "1"]), [True, True], ["pos", "neg"])
>>> decision.against({}, overwrite=False).tolist()
[0]
>>> decision.report(applied=False).rows["reason"].tolist()
['', 'unknown id', 'unknown label']
"""

import numpy as np
import pandas as pd

from .pool import blank
from .results import TeachReport

__all__ = ["BatchDecision"]


class BatchDecision:
    """Statuses of the rows of a labels table (see :class:`~skal.labelling.TeachReport`).

    Parameters
    ----------
    frame : DataFrame
        The labels table.
    id_column : str
        Its column of row ids.
    label_column : str
        Its column of labels.
    index : pandas.Index
        The pool's row ids, in pool order.
    valid : array of bool
        Which pool rows have a text.
    label_set : sequence of str
        The session's labels.
    canonical : callable, default=None
        For a multi-label session: maps a written label set (``"a;b"``,
        ``"-"``) to its canonical string, raising ValueError for an unknown
        label (:func:`skal.labelling.label_sets.canonical`). None takes the
        labels as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.labelling.batch import BatchDecision
    >>> table = pd.DataFrame({"id": ["0", "0"], "label": ["pos", "neg"]})
    >>> BatchDecision(table, "id", "label", pd.Index(["0"]), [True], ["pos", "neg"]).any_rejected
    True
    """

    def __init__(self, frame, id_column, label_column, index, valid, label_set, canonical=None):
        missing = [c for c in (id_column, label_column) if c not in frame.columns]
        if missing:
            raise ValueError(f"The labels table has no column {', '.join(map(repr, missing))}; "
                             f"its columns are {', '.join(map(repr, frame.columns))}.")
        ids = frame[id_column].astype(object)
        labels = frame[label_column].astype(object)
        blank_id, blank_label = blank(ids.to_numpy()), blank(labels.to_numpy())
        self.ids = np.where(blank_id, None, ids.astype(str).str.strip().to_numpy())
        self.labels = np.where(blank_label, None, labels.astype(str).str.strip().to_numpy())
        known = pd.Index(self.labels, dtype=object).isin(list(label_set))
        if canonical is not None:
            known = np.zeros(len(frame), dtype=bool)
            for i in np.flatnonzero(~blank_label):  # the rows of a labels table, not of the pool
                try:
                    self.labels[i], known[i] = canonical(self.labels[i]), True
                except ValueError:
                    pass
        problem = (frame["problem"].to_numpy(dtype=object) if "problem" in frame.columns
                   else np.full(len(frame), None, dtype=object))
        positions = index.get_indexer(pd.Index(self.ids, dtype=object))
        self.status = np.full(len(frame), None, dtype=object)
        self.reason = np.full(len(frame), "", dtype=object)
        self.existing = np.full(len(frame), None, dtype=object)
        self._decide(~blank(problem), "rejected", problem)
        self._decide(blank_id, "rejected", "missing id")
        self._decide(positions < 0, "rejected", "unknown id")
        self._decide(~np.asarray(valid, dtype=bool)[np.maximum(positions, 0)], "rejected", "row has no text")
        self._decide(blank_label, "blank", "no label given")
        self._decide(~known, "rejected", "unknown label")
        open_rows = pd.DataFrame({"id": self.ids, "label": self.labels})[self._undecided()]
        n_labels = open_rows.groupby("id")["label"].transform("nunique")
        conflicting = np.zeros(len(frame), dtype=bool)
        conflicting[open_rows.index[n_labels.to_numpy() > 1]] = True
        self._decide(conflicting, "rejected", "conflicting labels for this id in the batch")
        repeated = np.zeros(len(frame), dtype=bool)
        repeated[open_rows.index[open_rows.duplicated(["id", "label"]).to_numpy()]] = True
        self._decide(repeated, "duplicate", "repeats an earlier row of the batch")

    def _undecided(self):
        return pd.isna(self.status)

    def _decide(self, mask, what, why=""):
        mask = np.asarray(mask, dtype=bool) & self._undecided()
        self.status[mask] = what
        self.reason[mask] = why[mask] if isinstance(why, np.ndarray) else why

    def against(self, current, overwrite):
        """Decide the remaining rows against the session's labels; the positions to write.

        Parameters
        ----------
        current : dict
            The labels the session holds, ``{row id: label}``.
        overwrite : bool
            Whether a label that differs from the session's replaces it
            (``relabelled``) instead of being rejected.

        Returns
        -------
        ndarray of int
            The rows of the table to write as label events (``added`` or
            ``relabelled``).

        Examples
        --------
        >>> import pandas as pd
        >>> from skal.labelling.batch import BatchDecision
        >>> table = pd.DataFrame({"id": ["0", "1"], "label": ["pos", "neg"]})
        >>> decision = BatchDecision(table, "id", "label", pd.Index(["0", "1"]), [True, True], ["pos", "neg"])
        >>> decision.against({"0": "neg"}, overwrite=True).tolist(), decision.status.tolist()
        ([0, 1], ['relabelled', 'added'])
        """
        self.existing[:] = [current.get(i) for i in self.ids]
        same = pd.Series(self.existing == self.labels).to_numpy(dtype=bool)
        has_label = pd.notna(self.existing)
        self._decide(has_label & same, "unchanged", "already labelled the same")
        if overwrite:
            self._decide(has_label, "relabelled", "replaces the existing label")
        else:
            self._decide(has_label, "rejected", "conflicts with the existing label (pass overwrite=True)")
        self._decide(np.ones(len(self.status), dtype=bool), "added")
        return np.flatnonzero((self.status == "added") | (self.status == "relabelled"))

    @property
    def any_rejected(self):
        """Whether any row is rejected."""
        return bool((self.status == "rejected").any())

    def report(self, applied):
        """The :class:`~skal.labelling.TeachReport` of these decisions.

        Parameters
        ----------
        applied : bool
            Whether the accepted rows were written.

        Returns
        -------
        TeachReport
            One row per row of the table, with its status and reason.

        Examples
        --------
        >>> import pandas as pd
        >>> from skal.labelling.batch import BatchDecision
        >>> decision = BatchDecision(pd.DataFrame({"id": ["0"], "label": [""]}), "id", "label",
        ...                          pd.Index(["0"]), [True], ["pos", "neg"])
        >>> decision.report(applied=True).counts
        {'blank': 1}
        """
        rows = pd.DataFrame({"id": self.ids, "label": self.labels, "existing": self.existing,
                             "status": self.status, "reason": self.reason})
        return TeachReport(rows=rows, applied=applied)
