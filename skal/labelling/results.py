"""What a session hands back: :class:`Item` (a row to label) and :class:`TeachReport`.

Examples
--------
>>> from skal.labelling import Item
>>> Item(id="3", text="great film").guess is None
True
"""

from dataclasses import dataclass

import pandas as pd

__all__ = ["Item", "TeachReport"]


@dataclass(frozen=True)
class Item:
    """A pool row to label, with the current model's guess.

    Parameters
    ----------
    id : str
        The row's id.
    text : str
        Its text.
    guess : object, default=None
        The model's label (a canonical label-set string in a multi-label
        session); None before the first model (cold start).
    confidence : float, default=None
        The model's probability of ``guess``; None before the first model.

    Examples
    --------
    >>> from skal.labelling import Item
    >>> Item(id="3", text="great film", guess="pos", confidence=0.9)
    Item(id='3', text='great film', guess='pos', confidence=0.9)
    """

    id: str
    text: str
    guess: object = None
    confidence: float = None


@dataclass
class TeachReport:
    """What :meth:`LabellingSession.teach_batch` did with each row of a batch.

    Parameters
    ----------
    rows : DataFrame
        One row per input row: ``id``, ``label``, ``existing`` (the label the
        session held before), ``status`` and ``reason``. Statuses: ``added``
        (a new label), ``relabelled`` (replaced, with ``overwrite=True``),
        ``unchanged`` (already labelled the same), ``duplicate`` (repeats an
        earlier row of the batch), ``blank`` (no label given) and ``rejected``
        (``reason`` says why).
    applied : bool
        Whether the accepted rows were written to the log. Without
        ``allow_partial`` nothing is written when any row is rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.labelling import TeachReport
    >>> report = TeachReport(rows=pd.DataFrame({"status": ["added", "rejected"], "reason": ["", "unknown id"]}),
    ...                      applied=True)
    >>> report.counts, report.n_rejected
    ({'added': 1, 'rejected': 1}, 1)
    """

    rows: pd.DataFrame
    applied: bool

    @property
    def counts(self):
        """Number of rows per status."""
        return self.rows["status"].value_counts().to_dict()

    @property
    def n_rejected(self):
        """Number of rejected rows."""
        return int((self.rows["status"] == "rejected").sum())

    @property
    def rejected(self):
        """The rejected rows."""
        return self.rows[self.rows["status"] == "rejected"]

    def summary(self):
        """One line: how many rows got each status, and the reasons for rejections.

        Returns
        -------
        str
            The line, e.g. ``"2 added, 1 rejected (unknown id: 1)"``.

        Examples
        --------
        >>> import pandas as pd
        >>> from skal.labelling import TeachReport
        >>> rows = pd.DataFrame({"status": ["added", "rejected"], "reason": ["", "unknown id"]})
        >>> TeachReport(rows=rows, applied=False).summary()
        '1 added, 1 rejected (unknown id: 1); nothing was written because rows were rejected'
        """
        counts = self.counts
        order = ("added", "relabelled", "unchanged", "duplicate", "blank", "rejected")
        parts = [f"{counts[s]} {s}" for s in order if counts.get(s)]
        line = ", ".join(parts) or "no rows"
        if self.n_rejected:
            reasons = self.rejected["reason"].value_counts()
            line += " (" + "; ".join(f"{reason}: {n}" for reason, n in reasons.items()) + ")"
        if not self.applied and (counts.get("added") or counts.get("relabelled")):
            line += "; nothing was written because rows were rejected"
        return line

