"""Batch mode: hand out the next rows to label in another tool, and take a table of labels back.

:class:`SessionBatchMode` is the part of
:class:`~skal.labelling.LabellingSession` behind ``skal query`` and
``skal teach``: :meth:`~SessionBatchMode.query_batch` ranks the rows still
to label by the session's strategy, :meth:`~SessionBatchMode.teach_batch`
writes a table of labels to the log, every row with a status and a reason
(:class:`~skal.labelling.batch.BatchDecision`).

Examples
--------
>>> import pandas as pd
>>> from skal.labelling.demo import demo_session
>>> session = demo_session()
>>> table = session.query_batch(2).assign(label=["pos", "neg"])
>>> session.teach_batch(table).counts
{'added': 2}
"""

import numpy as np
import pandas as pd

from ..parameters import check_int
from . import label_sets
from .batch import BatchDecision

__all__ = ["SessionBatchMode"]


class SessionBatchMode:
    """Batch labelling of a :class:`~skal.labelling.LabellingSession` (a part of it, not used alone).

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.batch_mode import SessionBatchMode
    >>> session = demo_session()
    >>> isinstance(session, SessionBatchMode), len(session.query_batch(5))
    (True, 2)
    """

    def query_batch(self, n, include_skipped=False):
        """The next ``n`` rows to label elsewhere, most informative first.

        The model is retrained first when it lags the log. Fewer rows come
        back when fewer are left.

        Parameters
        ----------
        n : int
            How many rows, at least 1.
        include_skipped : bool, default=False
            Offer skipped rows too.

        Returns
        -------
        DataFrame
            Columns ``id``, ``text``, ``guess`` (the model's label),
            ``confidence`` (its probability) and ``score`` (the strategy's
            informativeness); the last three are empty before the first
            model.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session(["good", "bad", "fine", "awful"])
        >>> session.record("0", "pos")
        >>> session.record("1", "neg")
        >>> batch = session.query_batch(1)
        >>> batch.columns.tolist(), len(batch)
        (['id', 'text', 'guess', 'confidence', 'score'], 1)
        """
        check_int(n, "n")
        self._sync()
        candidates = self._candidates(include_skipped)
        if not candidates.any():
            raise ValueError("Every row of the pool is labelled" + ("." if include_skipped else " or skipped."))
        state = self._fresh_state()
        if state is None:
            order = self._pool.cold_order
            positions = order[candidates[order]][:n]
            return pd.DataFrame({"id": self._pool.ids[positions], "text": self._pool.texts[positions],
                                 "guess": np.full(len(positions), None, dtype=object),
                                 "confidence": np.nan, "score": np.nan})
        positions, scores = self._query(state["learner"], n, include_skipped)
        guesses, confidences = self._model.guesses(state["learner"], self._pool.texts[positions])
        return pd.DataFrame({"id": self._pool.ids[positions], "text": self._pool.texts[positions],
                             "guess": guesses, "confidence": confidences, "score": scores})

    def teach_batch(self, frame, *, id_column="id", label_column="label", overwrite=False,
                    allow_partial=False, source="batch"):
        """Take labels from a table (an edited :meth:`query_batch` file, or an import).

        Every row gets a status (see :class:`~skal.labelling.TeachReport`);
        nothing is dropped silently. Rejected: a missing or unknown id, a row
        without text, an unknown label, conflicting labels for one id within
        the batch, a label that differs from the session's (unless
        ``overwrite``), and rows whose ``problem`` column (set by importers)
        is filled. Blank labels are reported and ignored.

        Parameters
        ----------
        frame : DataFrame
            The labels table.
        id_column : str, default="id"
            Its column of row ids.
        label_column : str, default="label"
            Its column of labels (label sets, ``a;b`` or ``-``, in a
            multi-label session).
        overwrite : bool, default=False
            Replace existing labels that differ instead of rejecting them.
        allow_partial : bool, default=False
            Write the accepted rows even when others are rejected. Without
            it a batch with any rejected row writes nothing.
        source : str, default="batch"
            Recorded with each event.

        Returns
        -------
        TeachReport
            The status of every row, and whether anything was written.

        Examples
        --------
        >>> import pandas as pd
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> report = session.teach_batch(pd.DataFrame({"id": ["0", "7"], "label": ["pos", "neg"]}))
        >>> report.applied, report.rows["reason"].tolist()
        (False, ['', 'unknown id'])
        """
        canonical = (lambda value: label_sets.canonical(value, self.label_set)) if self.multi_label else None
        decision = BatchDecision(frame, id_column, label_column, self._pool.index, self._pool.valid,
                                 self.label_set, canonical)

        def events():
            accepted = decision.against(self._replay.labels, overwrite)
            if decision.any_rejected and not allow_partial:
                return []
            texts = self._pool.texts[self._pool.positions(decision.ids[accepted])]
            return [self._label_event(decision.ids[i], decision.labels[i], source, text=text)
                    for i, text in zip(accepted, texts)]

        self._log.write(events)
        return decision.report(applied=allow_partial or not decision.any_rejected)
