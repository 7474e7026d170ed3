"""The model in the labelling loop: which row comes next, when to retrain, retraining and scoring.

:class:`SessionLearning` is the part of
:class:`~skal.labelling.LabellingSession` that uses a model. The model
itself (the classifier of the preset, the strategy, guesses and scores) is
:class:`~skal.labelling.model.SessionModel`; this part decides when it is
trained, saves it with the queue of rows its strategy chose
(:class:`~skal.labelling.learner_cache.LearnerCache`), and hands out rows:
an undone row first, then the queue, a random order fixed by the seed before
the first model.

Examples
--------
>>> from skal.labelling.demo import demo_session
>>> session = demo_session(["good", "bad", "great", "awful"], batch_size=2)
>>> session.record("0", "pos")
>>> session.record("1", "neg")
>>> session.retrain_due(), session.retrain().next_item().guess in ("pos", "neg")
(True, True)
"""

import warnings

import numpy as np

from .model import SessionModel
from .results import Item
from .storage import FORMAT, now

__all__ = ["SessionLearning"]


class SessionLearning:
    """The model side of a :class:`~skal.labelling.LabellingSession` (a part of it, not used alone).

    It uses the session's pool, replayed labels and learner cache, and its
    views (:class:`~skal.labelling.views.SessionViews`).

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.learning import SessionLearning
    >>> session = demo_session()
    >>> isinstance(session, SessionLearning), session.retrain_due()
    (True, False)
    """

    @property
    def _model(self):
        """The model side of the current settings (:class:`~skal.labelling.model.SessionModel`)."""
        return SessionModel(self.config, self.directory, self.label_set)

    def _item(self, position, state):
        text = self._pool.texts[position]
        guess = confidence = None
        if state is not None:
            guesses, confidences = self._model.guesses(state["learner"], self._pool.texts[[position]])
            guess, confidence = guesses[0], float(confidences[0])
        return Item(id=self._pool.ids[position], text=text, guess=guess, confidence=confidence)

    def _query(self, learner, n, include_skipped=False, exclude=()):
        """The next ``n`` candidate rows by the strategy: (positions, scores)."""
        candidates = np.flatnonzero(self._candidates(include_skipped, exclude))
        n = min(n, candidates.size)
        if n == 0:
            return candidates[:0], np.zeros(0)
        indices, scores = self._model.query(learner, self._pool.texts[candidates], n)
        return candidates[indices], scores

    @staticmethod
    def _two_classes(trainable):
        """Whether the labels that train the model hold two different answers (the least a model needs)."""
        return len(set(trainable.values())) >= 2

    def _fresh_state(self, required=False):
        """The saved learner state, retrained first when it lags the log and two classes are labelled.

        With fewer than two classes the state is returned as it is (None
        before the first model), or, with ``required``, a ValueError says so.
        """
        state = self._usable_state()
        if state is None or self._unseen(state):
            if not self._two_classes(self._trainable()):
                if required:
                    raise ValueError("No model yet: label rows of at least two classes first.")
                return state
            self.retrain()
            state = self._usable_state()
        return state

    def next_item(self, exclude=()):
        """The next row to show, or None when every row is labelled or skipped.

        An undone row comes back first; then the queue the strategy chose at
        the last retrain (random order before the first model). When the
        queue is used up before a retrain is due (rows were skipped), the
        current model picks a new one.

        Parameters
        ----------
        exclude : collection of row ids, default=()
            Rows not to hand out now (e.g. leased to other annotators); None
            comes back when only those are left.

        Returns
        -------
        Item or None
            The row, with the model's guess and confidence (None before the
            first model).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> first = session.next_item()
        >>> session.next_item(exclude={first.id}).id != first.id
        True
        """
        self._sync()
        exclude = {str(i) for i in exclude}
        everything = self._candidates()
        candidates = self._candidates(exclude=exclude)
        if not candidates.any():
            return None
        state = self._usable_state()
        for row in reversed(self._replay.undone):
            position = self._pool.positions([row])[0]
            if position >= 0 and candidates[position]:
                return self._item(position, state)
        if state is None:
            order = self._pool.cold_order
            return self._item(order[candidates[order]][0], None)
        queue = self._pool.positions(state["queue"])
        queue = queue[queue >= 0]
        queue = queue[everything[queue]] if state["strategy"] == self.config["strategy"] else queue[:0]
        available = queue[candidates[queue]]
        if available.size == 0:
            positions, _ = self._query(state["learner"], self.config["batch_size"], exclude=exclude)
            if self._cache.unchanged():  # a retrain in another process may have saved a newer model
                try:
                    self._cache.save({**state, "strategy": self.config["strategy"],
                                      "queue": self._pool.ids[np.concatenate([queue, positions])].tolist()})
                except OSError as exc:  # a cache: the queue is chosen again next time
                    warnings.warn(f"Could not save the new queue to {self._cache.path} ({exc}); labelling goes "
                                  "on, the queue is chosen again next time.", RuntimeWarning, stacklevel=2)
            available = positions
        return self._item(available[0], state)

    def retrain_due(self):
        """Whether :meth:`retrain` should run now.

        Returns
        -------
        bool
            True once two classes are labelled and the model lags the log by
            ``batch_size`` labels (or has no labels left in its queue, or is
            missing or was trained with another classifier setting).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session(batch_size=2)
        >>> session.record("0", "pos")
        >>> before = session.retrain_due()
        >>> session.record("1", "neg")
        >>> before, session.retrain_due()
        (False, True)
        """
        self._sync()
        trainable = self._trainable()
        if not self._two_classes(trainable):
            return False
        state = self._usable_state()
        if state is None:
            return self._cache.state is not None or len(trainable) >= self.config["batch_size"]
        unseen = self._unseen(state)
        if unseen >= self.config["batch_size"]:
            return True
        if unseen == 0:
            return False
        queue = self._pool.positions(state["queue"])
        queue = queue[queue >= 0]
        return not self._candidates()[queue].any()

    def prepare(self, progress=None, chunk_size=256):
        """Embed the whole pool into the session's embedding cache, reporting progress.

        Only the ``"embedding"`` classifier embeds; other presets return 0 at
        once. The first retrain embeds the pool anyway: calling this first
        shows how far it got, and a restart finds the embeddings cached.

        Parameters
        ----------
        progress : callable, default=None
            Called as ``progress(done, total)`` after each chunk of rows.
        chunk_size : int, default=256
            Rows embedded between two calls of ``progress``.

        Returns
        -------
        int
            The number of rows embedded (or found in the cache).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> demo_session(classifier="tfidf").prepare()
        0
        """
        return self._model.embed_ahead(self.pool_texts, progress, chunk_size)

    def new_classifier(self):
        """A new, unfitted classifier of the session's preset (sharing the session's embedding cache).

        Returns
        -------
        estimator
            The preset of :func:`skal.presets.make_text_classifier` (one
            model per label in a multi-label session).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.new_classifier().fit(["good", "bad"], ["pos", "neg"]).predict(["good"]).tolist()
        ['pos']
        """
        return self._model.new_classifier()

    def retrain(self):
        """Fit a new learner on every label in the log; save it with its queue.

        Returns
        -------
        LabellingSession
            The session itself.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session(["good", "bad", "fine"])
        >>> session.record("0", "pos")
        >>> session.record("1", "neg")
        >>> session.retrain().status()["model_labels"]
        2
        """
        self._sync()
        trainable = self._trainable()
        if not self._two_classes(trainable):
            raise ValueError("Retraining needs labels of at least two classes; "
                             f"the session holds {len(trainable)} label(s) of "
                             f"{len(set(trainable.values()))} class(es).")
        c = self.config
        ids = np.array(list(trainable), dtype=object)
        learner = self._model.fit(self._pool.texts[self._pool.positions(ids)], trainable.values())
        positions, _ = self._query(learner, c["batch_size"])
        self._cache.save({"format": FORMAT, "learner": learner, "trained": trainable,
                          "model_key": self._model_key(), "strategy": c["strategy"],
                          "queue": self._pool.ids[positions].tolist(), "trained_at": now()})
        return self

    def score(self, texts, labels):
        """Accuracy of the current model on labelled texts (e.g. a held-out set).

        Parameters
        ----------
        texts : sequence of str
            The texts.
        labels : sequence
            Their true labels; in a multi-label session label sets (or
            ``;``-joined strings), and the score is the micro-averaged F1
            over labels.

        Returns
        -------
        float
            The accuracy (micro-F1 in a multi-label session).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.record("0", "pos")
        >>> session.record("1", "neg")
        >>> session.retrain().score(["good", "bad"], ["pos", "neg"])
        1.0
        """
        learner = self.learner
        if learner is None:
            raise ValueError("No model yet: label rows of at least two classes first.")
        return self._model.score(learner, texts, labels)

    def errors(self, texts=None, labels=None, ids=None, n=20, cv=5):
        """The model's most confident mistakes and its most uncertain rows.

        With ``texts`` and ``labels`` (a held-out labelled set), the current
        model predicts them (retrained first when it lags the log); without,
        out-of-fold predictions of the session's classifier on the session's
        own labels (:func:`skal.error_analysis.cross_val_proba`).

        Parameters
        ----------
        texts : sequence of str, default=None
            Held-out texts; None uses the session's labelled rows.
        labels : sequence of str, default=None
            Their true labels (with ``texts``).
        ids : sequence of str, default=None
            Names of the held-out rows in the table; None numbers them.
        n : int, default=20
            Rows of each kind in the table.
        cv : int, default=5
            Folds of the out-of-fold predictions (without ``texts``).

        Returns
        -------
        DataFrame
            See :func:`skal.error_analysis.error_table`.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session(["good", "bad", "fine", "awful"])
        >>> for row, label in [("0", "pos"), ("1", "neg")]:
        ...     session.record(row, label)
        >>> session.errors(["good", "awful"], ["pos", "neg"], n=1)["kind"].tolist()
        ['uncertain']
        """
        self._sync()
        model = self._model
        if texts is None:
            frame = self.labelled_frame()
            return model.errors(None, frame["text"].to_numpy(), frame["label"].to_numpy(),
                                ids=frame["id"].to_numpy(), n=n, cv=cv)
        if self.multi_label:
            return model.errors(None, [], [])  # says it is for single-label sessions
        texts = np.asarray(texts, dtype=object)
        labels = np.asarray(labels, dtype=object)
        unknown = sorted(set(labels.tolist()) - set(self.label_set))
        if unknown:
            raise ValueError(f"Labels {unknown} are not among the session's labels {list(self.label_set)}.")
        return model.errors(self._fresh_state(required=True)["learner"], texts, labels, ids=ids, n=n)
