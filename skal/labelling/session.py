"""The session facade: the one API the terminal, the browser and ``skal teach`` share.

A :class:`LabellingSession` lives in a directory:

``session.json``
    The configuration: the pool CSV, its text (and id) column, the label set,
    the query strategy, the retraining batch size, the classifier preset and
    the random seed. Written once (atomically) and read by every command.
``labels.jsonl``
    The append-only event log (:mod:`skal.labelling.storage`), one JSON
    object a line: ``label`` (a row id and its label; on a labelled row, a
    correction), ``skip`` and ``undo``, each with a UTC timestamp, its
    source and its annotator. Every event is written, flushed and
    ``fsync``-ed before the call that records it returns, under an
    exclusive lock, so several processes (a terminal session, a browser
    server and a ``skal teach``) may share a session. The labels *are* this
    log replayed (:mod:`skal.labelling.replay`); nothing else is
    authoritative.
``learner.joblib``
    The last trained :class:`~skal.ActiveLearner`, the labels it was trained
    on and the queue it chose, saved atomically (a temporary file in the
    same directory, then :func:`os.replace`). It is a cache: when it is
    missing, unreadable or behind the log, the model is retrained from the
    log, so a crash in training loses nothing.

Rows are identified by an id column of the pool, or else by their position
in it (:mod:`skal.labelling.pool`). Whatever stops a session (``q``, Ctrl-C,
``kill -9``, a crash in training), opening it again replays the log and
carries on at the next row of the same queue, with no label lost or
duplicated. A ``kill -9`` in the middle of a write can leave a torn last
line; it is ignored (the text it belonged to had not been answered as far as
the person could see: the next text is shown only after the write is on
disk) and cut off at the next write.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import label_sets
from .batch import BatchDecision
from .errors import AlreadyLabelledError
from .learner_cache import LearnerCache
from .model import SessionModel
from .pool import Pool, text_digest
from .replay import LabelState
from .results import Item
from .settings import check_combination, check_label_set, check_random_state, check_settings
from .storage import (
    CONFIG_FILE,
    FORMAT,
    LOG_FILE,
    STATE_FILE,
    EventLog,
    fsync_dir,
    now,
    read_config,
    remove_stale_temporaries,
    write_config,
)

__all__ = ["LabellingSession"]



# ---------------------------------------------------------------- session
class LabellingSession:
    """An active-learning labelling session stored in a directory.

    Create one with :meth:`create` and reopen it with :meth:`open`; the
    module docstring describes the files. The session shows the rows the
    query strategy finds most informative, one at a time
    (:meth:`next_item`), records answers (:meth:`record`, :meth:`skip`,
    :meth:`undo`) and retrains every ``batch_size`` labels
    (:meth:`retrain_due`, :meth:`retrain`). Teams labelling in another tool
    use :meth:`query_batch` and :meth:`teach_batch`.

    Until two classes are labelled and ``batch_size`` labels are in, rows
    come in a random order fixed by ``random_state`` (cold start). After
    each retrain the strategy picks the next ``batch_size`` rows (the
    queue), stored with the model, so a reopened session shows the same
    rows in the same order.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from skal.labelling import LabellingSession
    >>> tmp = tempfile.mkdtemp()
    >>> texts = ["great", "awful", "lovely", "dull", "superb", "boring"]
    >>> pd.DataFrame({"text": texts}).to_csv(f"{tmp}/pool.csv", index=False)
    >>> session = LabellingSession.create(f"{tmp}/session", data=f"{tmp}/pool.csv", text_column="text",
    ...                                   labels=["pos", "neg"], batch_size=2, classifier="tfidf")
    >>> item = session.next_item()
    >>> item.guess is None  # no model yet
    True
    >>> session.record(item.id, "pos" if item.text in ("great", "lovely", "superb") else "neg")
    >>> item = session.next_item()
    >>> session.record(item.id, "pos" if item.text in ("great", "lovely", "superb") else "neg")
    >>> LabellingSession.open(f"{tmp}/session").status()["labelled"]
    2
    """

    def __init__(self, directory, data=None):
        self.directory = Path(directory)
        self.config = read_config(self.directory)
        self.label_set = tuple(self.config["labels"])
        self.multi_label = bool(self.config.get("multi_label", False))
        c = self.config
        moved = data is not None and str(Path(data).resolve()) != c["data"]
        path = Path(data).resolve() if moved else c["data"]
        if not moved and not Path(path).is_file():
            raise FileNotFoundError(f"The pool file of {self.directory}, {path}, is missing; if it moved, give "
                                    "its new place with --data (data= in Python).")
        self._pool = Pool(path, c["text_column"], c["id_column"], random_state=c["random_state"])
        if self._pool.fingerprint() != c["data_sha256"] and c["id_column"] is None:
            raise ValueError(
                f"{path} changed since this session started (as {c['data']}), and its rows are identified "
                "by position, so the logged labels could point at other texts. "
                "Restore the file, or start a new session with an --id-column."
            )
        self._replay = LabelState(where=str(self.directory / LOG_FILE))
        self._warned = set()
        self._log = EventLog(self.directory / LOG_FILE, self._replay.apply)
        self._cache = LearnerCache(self.directory / STATE_FILE)
        remove_stale_temporaries(self.directory)
        self._sync()
        if moved:
            self._repoint(path)

    # ----------------------------------------------------------- creation
    @classmethod
    def create(cls, directory, data, text_column="text", labels=None, *, id_column=None,
               strategy=None, batch_size=10, classifier="embedding", model=None, cache_dir=None,
               random_state=0, exist_ok=False, multi_label=False):
        """Start a session in ``directory`` (created if needed).

        Parameters
        ----------
        directory : str or path
        data : str or path
            The pool: a CSV file with a text column.
        text_column : str, default="text"
        labels : list of str, or a comma-separated str
            The label set (required for a new session); a person may answer
            with a label's name or its number (1-based) in this list.
        id_column : str, default=None
            Column of unique row ids; None identifies rows by their position.
        strategy : str, default=None
            A name from :func:`strategy_names`; None is ``"uncertainty"``,
            or ``"mean_entropy"`` for a multi-label session.
        batch_size : int, default=10
            Retrain every ``batch_size`` labels.
        classifier : {"embedding", "tfidf", "finetune"}, default="embedding"
            The :func:`skal.presets.make_text_classifier` preset.
        model : str or path, default=None
            Checkpoint directory for the preset; None is the bundled BERT.
        cache_dir : str or path, default=None
            Embedding cache of the "embedding" preset; None is
            ``directory/embeddings``.
        random_state : int or None, default=0
            Seeds the cold-start order, the classifier and the strategy. None
            draws a seed, stored so that the session resumes identically.
        exist_ok : bool, default=False
            Open the session when ``directory`` already holds one started on
            the same data, columns and labels (other settings given here
            replace the stored ones); raise a ValueError otherwise.
        multi_label : bool, default=False
            Each answer is a set of labels, possibly empty
            (:mod:`skal.labelling.label_sets`): the classifier becomes one
            model per label (one-vs-rest, or ``multi_label=True`` for
            ``"finetune"``) and the strategy a multi-label one.

        Returns
        -------
        LabellingSession
        """
        directory = Path(directory)
        if (directory / CONFIG_FILE).is_file():
            if not exist_ok:
                raise ValueError(f"{directory} already holds a labelling session; open it instead.")
            session = cls(directory)
            session.configure(data=data, text_column=text_column, id_column=id_column, labels=labels,
                              strategy=strategy, batch_size=batch_size, classifier=classifier, model=model,
                              cache_dir=cache_dir)
            return session
        if labels is None:
            raise ValueError("A new session needs its label set, e.g. labels=['pos', 'neg'].")
        labels = check_label_set(labels, multi_label=bool(multi_label))
        if random_state is not None:
            random_state = check_random_state(random_state)
        strategy = strategy or ("mean_entropy" if multi_label else "uncertainty")
        settings = check_settings(strategy=strategy, batch_size=batch_size, classifier=classifier,
                                   model=model, cache_dir=cache_dir, multi_label=bool(multi_label))
        data = Path(data).resolve()
        pool = Pool(data, text_column, id_column)
        if not pool.valid.any():
            raise ValueError(f"{data} holds no row with a text in column {text_column!r} "
                             f"({len(pool)} row(s)); nothing to label.")
        if random_state is None:
            random_state = int(np.random.randint(np.iinfo(np.int32).max))
        config = {"format": FORMAT, "data": str(data), "text_column": text_column, "id_column": id_column,
                  "labels": labels, "strategy": "uncertainty", "batch_size": 10, "classifier": "embedding",
                  "model": None, "cache_dir": None, **settings, "random_state": int(random_state),
                  "multi_label": bool(multi_label), "data_sha256": pool.fingerprint(), "created": now()}
        directory.mkdir(parents=True, exist_ok=True)
        (directory / LOG_FILE).touch()
        fsync_dir(directory)
        write_config(directory, config)
        return cls(directory)

    @classmethod
    def open(cls, directory, data=None):
        """Reopen the session stored in ``directory``.

        Parameters
        ----------
        directory : str or path
        data : str or path, default=None
            The pool file, when it moved since the session started: the
            session is repointed to it (and ``session.json`` updated) when it
            holds the same rows — the same ids and texts, or, for a session
            with an id column, every labelled id (edited texts are warned
            about). None uses the stored path.

        Returns
        -------
        LabellingSession

        Examples
        --------
        >>> import shutil, tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg").record("0", "pos")
        >>> _ = shutil.move(f"{tmp}/pool.csv", f"{tmp}/moved.csv")
        >>> LabellingSession.open(f"{tmp}/s", data=f"{tmp}/moved.csv").labels
        {'0': 'pos'}
        """
        return cls(directory, data=data)

    def _repoint(self, path):
        """Store ``path`` as the pool file, after checking it holds every labelled row."""
        missing = [i for i in self._replay.labels if self._pool.positions([i])[0] < 0]
        if missing:
            raise ValueError(f"{path} lacks {len(missing)} labelled row id(s) of this session "
                             f"(e.g. {missing[:3]}); it is not the session's pool ({self.config['data']}).")
        config = {**self.config, "data": str(path)}
        write_config(self.directory, config)
        self.config = config

    def configure(self, *, data=None, text_column=None, id_column=None, labels=None, strategy=None,
                  batch_size=None, classifier=None, model=None, cache_dir=None):
        """Check the task and change the settings of an existing session.

        The task (``data``, ``text_column``, ``id_column``, ``labels``) is
        fixed when the session starts: a value given here that differs
        raises a ValueError. Settings given here (``strategy``,
        ``batch_size``, ``classifier``, ``model``, ``cache_dir``) replace
        the stored ones; None keeps them. A new classifier setting makes the
        next :meth:`retrain_due` true.

        Returns
        -------
        self
        """
        if data is not None and str(Path(data).resolve()) != self.config["data"]:
            raise ValueError(f"{self.directory} was started on {self.config['data']}; to point it at the pool's "
                             f"new place, open it with LabellingSession.open(directory, data={str(data)!r}).")
        given = {"text_column": text_column, "id_column": id_column,
                  "labels": None if labels is None else check_label_set(labels, multi_label=self.multi_label)}
        for key, value in given.items():
            stored = self.config[key]
            if value is not None and value != stored:
                show = (lambda v: ",".join(v)) if key == "labels" else repr
                raise ValueError(f"{self.directory} was started with {key} {show(stored)}, not {show(value)}; "
                                 "use another session directory for another task.")
        settings = check_settings(self.config["classifier"], strategy=strategy, batch_size=batch_size,
                                   classifier=classifier, model=model, cache_dir=cache_dir,
                                   multi_label=self.multi_label)
        settings = {k: v for k, v in settings.items() if self.config.get(k) != v}
        if settings:
            config = {**self.config, **settings}
            if {"strategy", "classifier", "model"} & settings.keys():
                check_combination(config["strategy"], config["classifier"], config["model"])
            write_config(self.directory, config)
            self.config = config
        return self

    # ------------------------------------------------------------- replay
    def _sync(self):
        """Catch up with the log and the saved learner (other processes may write them)."""
        self._log.read()
        self._cache.load()

    # ------------------------------------------------------------- views
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

    def status(self):
        """Counts for a progress line.

        Returns
        -------
        dict with ``rows`` (pool size), ``labelled``, ``counts`` (per label),
        ``skipped``, ``left`` (rows still to label), ``model_labels`` (labels
        the model was trained on, 0 before the first), ``unseen`` (labels
        the model has not seen yet) and ``retrain_in`` (labels until the
        next retrain, None while fewer than two classes are labelled).
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

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
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
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
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

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg").texts(["1", "7"])
        ['bad', None]
        """
        positions = self._pool.positions([str(i) for i in ids])
        texts = np.full(len(positions), None, dtype=object)
        texts[positions >= 0] = self._pool.texts[positions[positions >= 0]]
        return texts.tolist()

    # ---------------------------------------------------------- querying
    def _position(self, row_id):
        return self._pool.position(row_id)

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

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
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

        True once two classes are labelled and the model lags the log by
        ``batch_size`` labels (or has no labels left in its queue, or is
        missing or was trained with another classifier setting).
        """
        self._sync()
        trainable = self._trainable()
        if len(set(trainable.values())) < 2:
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

        Returns
        -------
        int, the number of rows embedded (or found in the cache).

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg",
        ...                         classifier="tfidf").prepare()
        0
        """
        return self._model.embed_ahead(self.pool_texts, progress, chunk_size)

    def new_classifier(self):
        """A new, unfitted classifier of the session's preset (sharing the session's embedding cache).

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg",
        ...                                   classifier="tfidf")
        >>> session.new_classifier().fit(["good", "bad"], ["pos", "neg"]).predict(["good"]).tolist()
        ['pos']
        """
        return self._model.new_classifier()

    @property
    def pool_texts(self):
        """The texts of the pool rows that have one, in pool order."""
        return self._pool.texts[self._pool.valid]

    def retrain(self):
        """Fit a new learner on every label in the log; save it with its queue.

        Returns
        -------
        self
        """
        self._sync()
        trainable = self._trainable()
        if len(set(trainable.values())) < 2:
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

        In a multi-label session ``labels`` are label sets (or ``;``-joined
        strings) and the score is the micro-averaged F1 over labels.
        """
        learner = self.learner
        if learner is None:
            raise ValueError("No model yet: label rows of at least two classes first.")
        return self._model.score(learner, texts, labels)

    # ---------------------------------------------------------- recording
    def _event(self, kind, row_id, source, annotator=None, **extra):
        event = {"event": kind, "id": row_id, **extra, "time": now(), "source": source}
        if annotator is not None:
            event["annotator"] = str(annotator)
        return event

    def _label_list(self, label):
        """``{"labels": [...]}``, the label set as a list, for a multi-label session's events."""
        return {"labels": label_sets.split(label)} if self.multi_label else {}

    def _check_label(self, label):
        if self.multi_label:
            return label_sets.canonical(label, self.label_set)
        label = str(label)
        if label not in self.label_set:
            raise ValueError(f"Unknown label {label!r}; the labels are {', '.join(self.label_set)}.")
        return label

    def record(self, row_id, label, source="terminal", annotator=None):
        """Label a row; the label is on disk when this returns.

        Raises a ValueError (and writes nothing) for an unknown id or label,
        or a row labelled already (undo it, or change it with :meth:`correct`).

        Parameters
        ----------
        row_id : str
        label : str, one of the session's labels
        source : str, default="terminal"
            Recorded with the event ("terminal", "web", ...).
        annotator : str, default=None
            Who labelled it, recorded with the event.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
        >>> session.record("0", "pos", annotator="ann")
        >>> session.labels
        {'0': 'pos'}
        """
        row_id, position = self._position(row_id)
        label = self._check_label(label)

        def events():
            if row_id in self._replay.labels:
                raise AlreadyLabelledError(row_id, self._replay.labels[row_id],
                                           self._replay.current[row_id].get("annotator"))
            return [self._event("label", row_id, source, annotator, label=label, **self._label_list(label),
                                text_sha256=text_digest(self._pool.texts[position]))]

        self._log.write(events)

    def correct(self, row_id, label, source="terminal", annotator=None):
        """Change the label of a row labelled earlier; on disk when this returns.

        The correction is a new event in the log (the earlier label stays in
        the row's :meth:`history`, and :meth:`undo` takes the correction
        back). A row that has no label raises a ValueError; the same label
        again writes nothing.

        Returns
        -------
        bool, whether a correction was written.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
        >>> session.record("1", "pos")
        >>> session.correct("1", "neg"), session.labels
        (True, {'1': 'neg'})
        """
        row_id, position = self._position(row_id)
        label = self._check_label(label)

        def events():
            previous = self._replay.labels.get(row_id)
            if previous is None:
                raise ValueError(f"Row {row_id!r} has no label to correct; label it instead.")
            if previous == label:
                return []
            return [self._event("label", row_id, source, annotator, label=label, corrects=previous,
                                **self._label_list(label), text_sha256=text_digest(self._pool.texts[position]))]

        return bool(self._log.write(events))

    def skip(self, row_id, source="terminal", annotator=None):
        """Skip a row: it is not shown again in the terminal or the browser, but may be labelled in batch mode.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
        >>> session.skip("0")
        >>> session.skipped
        {'0'}
        """
        row_id, _ = self._position(row_id)

        def events():
            if row_id in self._replay.labels:
                raise AlreadyLabelledError(row_id, self._replay.labels[row_id],
                                           self._replay.current[row_id].get("annotator"))
            return [] if row_id in self._replay.skipped else [self._event("skip", row_id, source, annotator)]

        self._log.write(events)

    def undo(self, source="terminal", annotator=None):
        """Take back the last label or skip; return its row id, or None if there is none.

        Without ``annotator`` the last action of anyone (any process) is
        undone; with it, that annotator's last action, unless somebody
        changed that row since (a ValueError then says to correct it).

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg")
        >>> session.record("0", "pos", annotator="ann")
        >>> session.record("1", "neg", annotator="bob")
        >>> session.undo(annotator="ann"), session.labels
        ('0', {'1': 'neg'})
        """
        undone = []

        def events():
            row = self._replay.last_action(annotator)
            if row is None:
                return []
            undone.append(row)
            return [self._event("undo", row, source, annotator)]

        self._log.write(events)
        return undone[0] if undone else None

    # ------------------------------------------------------- batch mode
    def query_batch(self, n, include_skipped=False):
        """The next ``n`` rows to label elsewhere, most informative first.

        The model is retrained first when it lags the log. Fewer rows come
        back when fewer are left.

        Returns
        -------
        DataFrame with ``id``, ``text``, ``guess`` (the model's label),
        ``confidence`` (its probability) and ``score`` (the strategy's
        informativeness); the last three are empty before the first model.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        self._sync()
        candidates = self._candidates(include_skipped)
        if not candidates.any():
            raise ValueError("Every row of the pool is labelled" + ("." if include_skipped else " or skipped."))
        trainable = self._trainable()
        state = self._usable_state()
        if len(set(trainable.values())) >= 2 and (state is None or self._unseen(state)):
            self.retrain()
            state = self._usable_state()
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

        Every row gets a status (see :class:`TeachReport`); nothing is
        dropped silently. Rejected: a missing or unknown id, a row without
        text, an unknown label, conflicting labels for one id within the
        batch, a label that differs from the session's (unless
        ``overwrite``), and rows whose ``problem`` column (set by importers)
        is filled. Blank labels are reported and ignored.

        Parameters
        ----------
        frame : DataFrame
        id_column, label_column : str, default="id", "label"
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
        """
        canonical = (lambda value: label_sets.canonical(value, self.label_set)) if self.multi_label else None
        decision = BatchDecision(frame, id_column, label_column, self._pool.index, self._pool.valid,
                                 self.label_set, canonical)

        def events():
            accepted = decision.against(self._replay.labels, overwrite)
            if decision.any_rejected and not allow_partial:
                return []
            texts = self._pool.texts[self._pool.positions(decision.ids[accepted])]
            return [self._event("label", decision.ids[i], source, label=decision.labels[i],
                                **self._label_list(decision.labels[i]), text_sha256=text_digest(text))
                    for i, text in zip(accepted, texts)]

        self._log.write(events)
        return decision.report(applied=allow_partial or not decision.any_rejected)

    # ------------------------------------------------------ error analysis
    def errors(self, texts=None, labels=None, ids=None, n=20, cv=5):
        """The model's most confident mistakes and its most uncertain rows.

        With ``texts`` and ``labels`` (a held-out labelled set), the current
        model predicts them; without, out-of-fold predictions of the
        session's classifier on the session's own labels
        (:func:`skal.error_analysis.cross_val_proba`).

        Returns
        -------
        DataFrame, see :func:`skal.error_analysis.error_table`.
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
        if self._usable_state() is None or self._unseen(self._usable_state()):
            if len(set(self._trainable().values())) < 2:
                raise ValueError("No model yet: label rows of at least two classes first.")
            self.retrain()
        return model.errors(self._usable_state()["learner"], texts, labels, ids=ids, n=n)

