"""What a session holds now: its labels, skips, history, progress, and the rows the model may use.

:class:`SessionViews` is the reading side of
:class:`~skal.labelling.LabellingSession`: every view first catches up with
the log and the saved learner (other processes may have written them), then
reads the replayed state (:class:`~skal.labelling.replay.LabelState`), the
pool (:class:`~skal.labelling.pool.Pool`) and the learner cache. It also
decides which labels train the model (labels of rows that left the pool, or
lost their text, are kept in the log but left out, with a warning) and which
rows are still to label.

Examples
--------
>>> from skal.labelling.demo import demo_session
>>> session = demo_session()
>>> session.record("1", "neg")
>>> session.labels, session.status()["left"]
({'1': 'neg'}, 1)
"""

import warnings

import numpy as np
import pandas as pd

from . import label_sets
from .pool import text_digest

__all__ = ["SessionViews"]


class SessionViews:
    """The views of a :class:`~skal.labelling.LabellingSession` (a part of it, not used alone).

    It reads the attributes the session sets up: ``_pool``, ``_replay``,
    ``_log``, ``_cache``, ``config`` and ``label_set``.

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.views import SessionViews
    >>> session = demo_session()
    >>> isinstance(session, SessionViews), session.skipped
    (True, set())
    """

    def _sync(self):
        """Catch up with the log and the saved learner (other processes may write them)."""
        self._log.read()
        self._cache.load()

    @property
    def labels(self):
        """The current labels, ``{row id: label}``, in the order they were given."""
        self._sync()
        return dict(self._replay.labels)

    @property
    def skipped(self):
        """Ids skipped in the terminal and not labelled since."""
        self._sync()
        return set(self._replay.skipped)

    @property
    def learner(self):
        """The fitted :class:`~skal.ActiveLearner` of the last retrain (None before the first)."""
        self._sync()
        state = self._usable_state()
        return None if state is None else state["learner"]

    @property
    def pool_texts(self):
        """The texts of the pool rows that have one, in pool order."""
        return self._pool.texts[self._pool.valid]

    # ------------------------------------------------- what trains the model
    def _warn_once(self, kind, ids, message):
        key = (kind, tuple(ids))
        if ids and key not in self._warned:
            self._warned.add(key)
            shown = ", ".join(map(repr, ids[:5])) + (" ..." if len(ids) > 5 else "")
            warnings.warn(message.format(n=len(ids), ids=shown, data=self.config["data"]), RuntimeWarning,
                          stacklevel=4)

    def _trainable(self):
        """Labels of ids that are rows of the pool with a text (the others are left out, with a warning).

        Rows whose text changed since they were labelled stay in, with a warning naming them.
        """
        ids = list(self._replay.labels)
        positions = self._pool.positions(ids)
        known = positions >= 0
        blanked = known.copy()
        blanked[known] = ~self._pool.valid[positions[known]]
        self._warn_once("orphan", [i for i, ok in zip(ids, known) if not ok],
                        "{n} labelled ids are not in {data} any more ({ids}); they stay in the log but "
                        "are left out of training.")
        self._warn_once("blank", [i for i, b in zip(ids, blanked) if b],
                        "{n} labelled row(s) have no text in {data} any more ({ids}); they stay in the log but "
                        "are left out of training.")
        keep = known & ~blanked
        current = self._replay.current
        edited = [i for i, p, ok in zip(ids, positions, keep)
                  if ok and "text_sha256" in current[i]
                  and current[i]["text_sha256"] != text_digest(self._pool.texts[p])]
        self._warn_once("edited", edited,
                        "The text of {n} labelled row(s) changed in {data} since they were labelled ({ids}); "
                        "their labels are kept: check them (skal export shows the texts).")
        return {i: self._replay.labels[i] for i, ok in zip(ids, keep) if ok}

    def _model_key(self):
        c = self.config
        return (c["classifier"], c["model"], c["random_state"])

    def _usable_state(self):
        """The saved learner state, when it was trained with the current classifier settings; else None."""
        state = self._cache.state
        return state if state is not None and tuple(state["model_key"]) == self._model_key() else None

    def _unseen(self, state=None):
        """How many labels differ between the log and the model (added, changed or removed)."""
        trained = state["trained"] if state is not None else {}
        current = self._trainable()
        changed = sum(trained.get(i) != label for i, label in current.items())
        return changed + sum(i not in current for i in trained)

    def _candidates(self, include_skipped=False, exclude=()):
        """Mask of pool rows still to label (leaving out the ids in ``exclude``)."""
        mask = self._pool.valid.copy()
        ids = list(self._replay.labels) + ([] if include_skipped else list(self._replay.skipped)) + list(exclude)
        positions = self._pool.positions(ids)
        mask[positions[positions >= 0]] = False
        return mask

    # ----------------------------------------------------------------- views
    def status(self):
        """Counts for a progress line.

        Returns
        -------
        dict
            ``rows`` (pool rows with a text), ``labelled``, ``counts`` (rows
            per label), ``skipped``, ``left`` (rows still to label),
            ``model_labels`` (labels the model was trained on, 0 before the
            first), ``unseen`` (labels the model has not seen yet) and
            ``retrain_in`` (labels until the next retrain, None while fewer
            than two classes are labelled).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session(["good", "bad", "fine"], batch_size=2)
        >>> session.record("0", "pos")
        >>> {k: v for k, v in session.status().items() if k in ("labelled", "counts", "left", "retrain_in")}
        {'labelled': 1, 'counts': {'pos': 1, 'neg': 0}, 'left': 2, 'retrain_in': None}
        """
        self._sync()
        trainable = self._trainable()
        answers = pd.Series(list(trainable.values()), dtype=object)
        two_answers = answers.nunique() >= 2  # two classes, or two different label sets
        if self.multi_label:  # rows holding each label
            answers = answers.map(label_sets.split).explode().dropna()
        counts = answers.value_counts()
        state = self._usable_state()
        unseen = self._unseen(state)
        return {
            "rows": int(self._pool.valid.sum()),
            "labelled": len(trainable),
            "counts": {label: int(counts.get(label, 0)) for label in self.label_set},
            "skipped": len(self._replay.skipped),
            "left": int(self._candidates().sum()),
            "model_labels": 0 if state is None else len(state["trained"]),
            "unseen": unseen,
            "retrain_in": max(self.config["batch_size"] - unseen, 0) if two_answers else None,
        }

    def labelled_frame(self, details=False):
        """The labelled rows: ``id``, ``text`` and ``label`` columns, in labelling order.

        These are the labels of the log replayed, undos and corrections
        applied (reading ``labels.jsonl`` line by line is not).

        Parameters
        ----------
        details : bool, default=False
            Add ``annotator``, ``time`` and ``source`` of each row's label in
            effect, and ``corrected`` (how many earlier labels of the row it
            replaced).

        Returns
        -------
        DataFrame
            One row per labelled pool row with a text.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("0", "neg", annotator="ann")
        >>> _ = session.correct("0", "pos", annotator="bob")
        >>> session.labelled_frame(details=True)[["id", "label", "annotator", "corrected"]]
          id label annotator  corrected
        0  0   pos       bob          1
        """
        self._sync()
        trainable = self._trainable()
        ids = np.array(list(trainable), dtype=object)
        positions = self._pool.positions(ids)
        frame = pd.DataFrame({"id": ids, "text": self._pool.texts[positions],
                              "label": np.array(list(trainable.values()), dtype=object)})
        if details:
            current = [self._replay.current[i] for i in ids]
            earlier = pd.Series([e["id"] for e in self._replay.events
                                 if e["event"] == "label" and not e["undone"]], dtype=object).value_counts()
            frame["annotator"] = [e.get("annotator") for e in current]
            frame["time"] = [e.get("time") for e in current]
            frame["source"] = [e.get("source") for e in current]
            frame["corrected"] = (earlier.reindex(ids).fillna(1).to_numpy(dtype=int) - 1) if len(ids) else 0
        return frame

    def events(self):
        """Every label and skip replayed from the log, oldest first (undo events applied).

        Returns
        -------
        list of dict
            The events as logged (``event``, ``id``, ``label``, ``time``,
            ``source``, ``annotator``...) plus ``seq`` (position in this
            list), ``undone`` (taken back by an undo) and ``in_effect`` (the
            row's current label comes from this event).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("1", "neg", annotator="ann")
        >>> _ = session.undo()
        >>> [(e["event"], e["id"], e["undone"]) for e in session.events()]
        [('label', '1', True)]
        """
        self._sync()
        current = self._replay.current
        return [{**e, "in_effect": current.get(e["id"]) is e} for e in self._replay.events]

    def texts(self, ids):
        """The texts of pool rows ``ids`` (None for ids that are not rows of the pool).

        Parameters
        ----------
        ids : iterable of str
            Row ids (other values are read as their string).

        Returns
        -------
        list
            The text of each id, or None.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> demo_session().texts(["1", "7"])
        ['bad', None]
        """
        positions = self._pool.positions([str(i) for i in ids])
        texts = np.full(len(positions), None, dtype=object)
        texts[positions >= 0] = self._pool.texts[positions[positions >= 0]]
        return texts.tolist()
