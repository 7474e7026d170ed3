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

from pathlib import Path

from ..seeding import draw_seed
from .batch_mode import SessionBatchMode
from .learner_cache import LearnerCache
from .learning import SessionLearning
from .pool import Pool
from .recording import SessionRecording
from .replay import LabelState
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
from .views import SessionViews

__all__ = ["LabellingSession"]


class LabellingSession(SessionViews, SessionRecording, SessionLearning, SessionBatchMode):
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

    The methods live in modules of their own, one concern each: the views
    (:class:`~skal.labelling.views.SessionViews`), the answers
    (:class:`~skal.labelling.recording.SessionRecording`), the model in the
    loop (:class:`~skal.labelling.learning.SessionLearning`) and batch mode
    (:class:`~skal.labelling.batch_mode.SessionBatchMode`); this class opens
    the session's files and holds its settings.

    Parameters
    ----------
    directory : str or path
        A directory holding a session (``session.json``); :meth:`create`
        starts one.
    data : str or path, default=None
        The pool file, when it moved since the session started (see
        :meth:`open`); None uses the stored path.

    Attributes
    ----------
    directory : Path
        The session directory.
    config : dict
        The settings of ``session.json``.
    label_set : tuple of str
        The labels, in their order.
    multi_label : bool
        Whether each answer is a set of labels.

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
            Where the session's files go (created if needed).
        data : str or path
            The pool: a CSV file with a text column.
        text_column : str, default="text"
            The pool's column of texts.
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
            The new session (or, with ``exist_ok``, the existing one).

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling import LabellingSession
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["good", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
        >>> session = LabellingSession.create(f"{tmp}/s", data=f"{tmp}/pool.csv", labels="pos,neg",
        ...                                   classifier="tfidf", batch_size=5)
        >>> session.config["strategy"], session.config["batch_size"], session.label_set
        ('uncertainty', 5, ('pos', 'neg'))
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
            random_state = draw_seed(None)
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
            The session directory.
        data : str or path, default=None
            The pool file, when it moved since the session started: the
            session is repointed to it (and ``session.json`` updated) when it
            holds the same rows — the same ids and texts, or, for a session
            with an id column, every labelled id (edited texts are warned
            about). None uses the stored path.

        Returns
        -------
        LabellingSession
            The session, caught up with its log.

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

        Parameters
        ----------
        data : str or path, default=None
            The pool the session must have been started on.
        text_column : str, default=None
            The text column it must have been started with.
        id_column : str, default=None
            The id column it must have been started with.
        labels : list of str, or a comma-separated str, default=None
            The label set it must have been started with.
        strategy : str, default=None
            A new query strategy (a name from :func:`strategy_names`).
        batch_size : int, default=None
            Retrain every ``batch_size`` labels from now on.
        classifier : {"embedding", "tfidf", "finetune"}, default=None
            A new classifier preset.
        model : str or path, default=None
            A new checkpoint directory for the preset.
        cache_dir : str or path, default=None
            A new embedding cache directory.

        Returns
        -------
        LabellingSession
            The session itself, with the new settings stored.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> session = demo_session()
        >>> session.configure(strategy="margin", batch_size=3).config["strategy"]
        'margin'
        >>> session.configure(labels="yes,no")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ... was started with labels pos,neg, not yes,no; use another session directory for another task.
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
