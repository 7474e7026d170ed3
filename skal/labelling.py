"""Labelling sessions: select -> a person labels -> retrain, without ever losing a label.

A :class:`LabellingSession` lives in a directory:

``session.json``
    The configuration: the pool CSV, its text (and id) column, the label set,
    the query strategy, the retraining batch size, the classifier preset and
    the random seed. Written once (atomically) and read by every command.
``labels.jsonl``
    The append-only event log, one JSON object a line: ``label`` (a row id
    and its label), ``skip`` and ``undo``, each with a UTC timestamp and its
    source. Every event is written, flushed and ``fsync``-ed before the call
    that records it returns, under an exclusive lock, so several processes
    (a terminal session and a ``skal teach``) may share a session. The
    labels *are* this log replayed; nothing else is authoritative.
``learner.joblib``
    The last trained :class:`~skal.ActiveLearner`, the labels it was trained
    on and the queue it chose, saved atomically (a temporary file in the
    same directory, then :func:`os.replace`). It is a cache: when it is
    missing, unreadable or behind the log, the model is retrained from the
    log, so a crash in training loses nothing.

Rows are identified by an id column of the pool, or else by their position
in it. Whatever stops a session (``q``, Ctrl-C, ``kill -9``, a crash in
training), opening it again replays the log and carries on at the next row
of the same queue, with no label lost or duplicated. A ``kill -9`` in the
middle of a write can leave a torn last line; it is ignored (the text it
belonged to had not been answered as far as the person could see: the next
text is shown only after the write is on disk) and cut off at the next write.
"""

import hashlib
import json
import os
import sys
import tempfile
import textwrap
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from . import strategies as _strategies
from .strategies import committee as _committee_strategies
from .learners import ActiveLearner
from .presets import PRESETS, make_text_classifier

try:  # POSIX advisory locks; elsewhere a session should have one writer at a time.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = [
    "LabellingSession",
    "Item",
    "TeachReport",
    "label_in_terminal",
    "strategy_names",
    "read_csv_columns",
]

CONFIG_FILE = "session.json"
LOG_FILE = "labels.jsonl"
STATE_FILE = "learner.joblib"

_FORMAT = 1
_COMMANDS = {"s": "skip", "skip": "skip", "u": "undo", "undo": "undo", "q": "quit", "quit": "quit"}
#: Temporary learner files older than this (seconds) were left by a killed process.
_STALE_TMP_AGE = 3600


# ---------------------------------------------------------------- helpers
def strategy_names():
    """Query strategies a session can use by name: ``"uncertainty"``, ``"entropy"``, ``"coreset"``...

    Committee strategies are left out (a session trains one model); the
    Bayesian ones (``bald``, ``batch_bald``) need the ``"finetune"`` classifier.
    """
    committee_only = set(_committee_strategies.__all__)
    return sorted(n[: -len("_sampling")] for n in _strategies.__all__
                  if n.endswith("_sampling") and n not in committee_only)


def _strategy(name):
    key = name[: -len("_sampling")] if name.endswith("_sampling") else name
    if key not in strategy_names():
        raise ValueError(f"Unknown strategy {name!r}; choose from: {', '.join(strategy_names())}.")
    return getattr(_strategies, f"{key}_sampling")


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _fsync_dir(directory):
    """Make a rename or a new file in ``directory`` durable (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _write_atomically(path, write):
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it, rename it over ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a new file's usual mode
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _blank(values):
    """Mask of missing or whitespace-only entries of a string array."""
    series = pd.Series(values, dtype=object)
    return (series.isna() | series.astype(str).str.strip().eq("")).to_numpy()


def read_csv_columns(path, columns, what="data file"):
    """Read ``columns`` of a CSV as strings, with errors that name the file and the columns.

    Only empty cells are missing (``"NA"`` or ``"null"`` stay texts), and
    ``None`` entries of ``columns`` are ignored.

    Returns
    -------
    DataFrame with the requested columns, dtype object (str or NaN).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such {what}: {path}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} has no column {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, frame.columns))}.")
    return frame[wanted].astype(object)


def _check_label_set(labels):
    if isinstance(labels, str):
        labels = labels.split(",")
    labels = [str(label).strip() for label in labels]
    if any(not label for label in labels):
        raise ValueError(f"Empty label name in {labels}; give labels like 'pos,neg'.")
    if len(set(labels)) != len(labels):
        raise ValueError(f"Duplicate label names in {labels}.")
    if len(labels) < 2:
        raise ValueError(f"A classifier needs at least two labels, got {labels}.")
    clash = [label for label in labels if label.lower() in _COMMANDS]
    if clash:
        raise ValueError(f"Label {clash[0]!r} clashes with a terminal command (s/skip, u/undo, q/quit); "
                         "rename it.")
    return labels


def _check_settings(**settings):
    """The settings that are not None, validated, as stored in ``session.json``."""
    settings = {k: v for k, v in settings.items() if v is not None}
    if "strategy" in settings:
        _strategy(settings["strategy"])
    batch_size = settings.get("batch_size", 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if "batch_size" in settings:
        settings["batch_size"] = int(batch_size)
    if settings.get("classifier", PRESETS[0]) not in PRESETS:
        raise ValueError(f"Unknown classifier {settings['classifier']!r}; choose one of {', '.join(PRESETS)}.")
    for key in ("model", "cache_dir"):
        if key in settings:
            settings[key] = str(settings[key])
    return settings


def _write_config(directory, config):
    _write_atomically(Path(directory) / CONFIG_FILE,
                      lambda f: f.write(json.dumps(config, indent=2).encode("utf-8")))


@dataclass(frozen=True)
class Item:
    """A pool row to label, with the current model's guess.

    ``guess`` and ``confidence`` are None before the first model (cold start).
    """

    id: str
    text: str
    guess: object = None
    confidence: float = None


@dataclass
class TeachReport:
    """What :meth:`LabellingSession.teach_batch` did with each row of a batch.

    Attributes
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
    """

    rows: pd.DataFrame
    applied: bool

    @property
    def counts(self):
        """Number of rows per status."""
        return self.rows["status"].value_counts().to_dict()

    @property
    def n_rejected(self):
        return int((self.rows["status"] == "rejected").sum())

    @property
    def rejected(self):
        """The rejected rows."""
        return self.rows[self.rows["status"] == "rejected"]

    def summary(self):
        """One line: how many rows got each status, and the reasons for rejections."""
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


# -------------------------------------------------------------- event log
class _EventLog:
    """Append-only JSON-lines log; ``apply`` is called on every event, in order, once."""

    def __init__(self, path, apply):
        self.path = Path(path)
        self._apply = apply
        self._offset = 0
        self._line = 0

    def read(self):
        """Apply the complete lines written since the last read (a torn tail waits)."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except FileNotFoundError:
            return
        self._consume(data)

    def _consume(self, data):
        end = data.rfind(b"\n")
        if end < 0:
            return
        events = []
        line = self._line
        for raw in data[:end].split(b"\n"):
            line += 1
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except ValueError as exc:
                raise ValueError(f"{self.path}, line {line}: not a JSON event ({exc}). "
                                 "Fix or remove that line by hand.") from exc
            if (not isinstance(event, dict) or event.get("event") not in ("label", "skip", "undo")
                    or "id" not in event or (event["event"] == "label" and "label" not in event)):
                raise ValueError(f"{self.path}, line {line}: not a label, skip or undo event: {raw[:80]!r}.")
            events.append(event)
        # Advance before applying: an event that fails to apply is not read twice.
        self._offset += end + 1
        self._line = line
        for event in events:
            self._apply(event)

    def write(self, make_events):
        """Under an exclusive lock: catch up, call ``make_events()``, append and fsync its events.

        ``make_events`` sees the state with every event written so far by any
        process; it returns the events to write (possibly none) or raises,
        in which case nothing is written.
        """
        with open(self.path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.seek(self._offset)
            self._consume(handle.read())
            size = handle.seek(0, os.SEEK_END)
            if size > self._offset:
                # Under the lock nobody is writing: an unterminated tail was torn by a crash.
                warnings.warn(f"{self.path}: dropping a torn last line ({size - self._offset} bytes) "
                              "left by an interrupted write.", RuntimeWarning, stacklevel=3)
                handle.truncate(self._offset)
            events = make_events()
            if events:
                data = b"".join(json.dumps(e, ensure_ascii=False).encode("utf-8") + b"\n" for e in events)
                handle.seek(0, os.SEEK_END)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                self._offset += len(data)
                self._line += len(events)
                for event in events:
                    self._apply(event)
        return events


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

    def __init__(self, directory):
        self.directory = Path(directory)
        config_path = self.directory / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"No labelling session in {self.directory} (no {CONFIG_FILE}); "
                                    "start one with LabellingSession.create or `skal label`.")
        try:
            self.config = json.loads(config_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{config_path} is not valid JSON: {exc}") from exc
        if self.config.get("format") != _FORMAT:
            raise ValueError(f"{config_path}: unsupported session format {self.config.get('format')!r}.")
        self.label_set = tuple(self.config["labels"])
        self._load_pool()
        self._labels = {}  # id -> label, in labelling order
        self._skipped = set()
        self._stack = []  # (id, previous label or None, was skipped) of label/skip events
        self._undone = []  # ids whose last label or skip was undone, most recent last
        self._orphans_warned = False
        self._log = _EventLog(self.directory / LOG_FILE, self._apply)
        self._state, self._state_key = None, None
        self._remove_stale_temporaries()
        self._sync()

    # ----------------------------------------------------------- creation
    @classmethod
    def create(cls, directory, data, text_column="text", labels=None, *, id_column=None,
               strategy="uncertainty", batch_size=10, classifier="embedding", model=None, cache_dir=None,
               random_state=0, exist_ok=False):
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
        strategy : str, default="uncertainty"
            A name from :func:`strategy_names`.
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
        labels = _check_label_set(labels)
        settings = _check_settings(strategy=strategy, batch_size=batch_size, classifier=classifier,
                                   model=model, cache_dir=cache_dir)
        data = Path(data).resolve()
        frame = read_csv_columns(data, [text_column, id_column], "pool file")
        ids = _pool_ids(frame, id_column, data)
        if random_state is None:
            random_state = int(np.random.randint(np.iinfo(np.int32).max))
        if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
            raise ValueError(f"random_state must be an int or None, got {random_state!r}.")
        config = {"format": _FORMAT, "data": str(data), "text_column": text_column, "id_column": id_column,
                  "labels": labels, "strategy": "uncertainty", "batch_size": 10, "classifier": "embedding",
                  "model": None, "cache_dir": None, **settings, "random_state": int(random_state),
                  "data_sha256": _fingerprint(ids, frame[text_column].to_numpy()), "created": _now()}
        directory.mkdir(parents=True, exist_ok=True)
        (directory / LOG_FILE).touch()
        _fsync_dir(directory)
        _write_config(directory, config)
        return cls(directory)

    @classmethod
    def open(cls, directory):
        """Reopen the session stored in ``directory``."""
        return cls(directory)

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
        given = {"data": None if data is None else str(Path(data).resolve()), "text_column": text_column,
                 "id_column": id_column, "labels": None if labels is None else _check_label_set(labels)}
        for key, value in given.items():
            stored = self.config[key]
            if value is not None and value != stored:
                show = (lambda v: ",".join(v)) if key == "labels" else repr
                raise ValueError(f"{self.directory} was started with {key} {show(stored)}, not {show(value)}; "
                                 "use another session directory for another task.")
        settings = _check_settings(strategy=strategy, batch_size=batch_size, classifier=classifier,
                                   model=model, cache_dir=cache_dir)
        settings = {k: v for k, v in settings.items() if self.config.get(k) != v}
        if settings:
            config = {**self.config, **settings}
            _write_config(self.directory, config)
            self.config = config
        return self

    def _load_pool(self):
        c = self.config
        frame = read_csv_columns(c["data"], [c["text_column"], c["id_column"]], "pool file")
        self._ids = _pool_ids(frame, c["id_column"], c["data"])
        self._texts = frame[c["text_column"]].to_numpy(dtype=object)
        self._valid = ~_blank(self._texts)
        self._index = pd.Index(self._ids)
        if _fingerprint(self._ids, self._texts) != c["data_sha256"] and c["id_column"] is None:
            raise ValueError(
                f"{c['data']} changed since this session started, and its rows are identified by "
                "position, so the logged labels could point at other texts. Restore the file, or "
                "start a new session with an --id-column."
            )
        self._cold_order = np.random.RandomState(c["random_state"]).permutation(len(self._ids))

    def _remove_stale_temporaries(self):
        now = time.time()
        for path in self.directory.glob(".*.tmp"):
            try:
                if now - path.stat().st_mtime > _STALE_TMP_AGE:
                    path.unlink()
            except OSError:
                pass

    # ------------------------------------------------------------- replay
    def _apply(self, event):
        kind, row = event["event"], str(event["id"])
        if kind == "undo":
            if not self._stack:
                raise ValueError(f"{self._log.path}: an undo event with nothing to undo (id {row}).")
            undone, previous, was_skipped = self._stack.pop()
            if undone != row:
                raise ValueError(f"{self._log.path}: an undo event for id {row} follows an action on id "
                                 f"{undone}; the log was edited out of order.")
            if previous is None:
                self._labels.pop(row, None)
            else:
                self._labels[row] = previous
            (self._skipped.add if was_skipped else self._skipped.discard)(row)
            self._undone.append(row)
            return
        self._stack.append((row, self._labels.get(row), row in self._skipped))
        if kind == "label":
            self._labels[row] = str(event["label"])
            self._skipped.discard(row)
        else:
            self._skipped.add(row)

    def _sync(self):
        """Catch up with the log and the saved learner (other processes may write them)."""
        self._log.read()
        self._load_state()

    def _load_state(self):
        path = self.directory / STATE_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._state, self._state_key = None, None
            return
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key == self._state_key:
            return
        try:
            state = joblib.load(path)
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                raise ValueError("not a skal learner state")
        except Exception as exc:  # any unreadable cache is retrained from the log
            warnings.warn(f"Could not read {path} ({exc}); the model will be retrained from the label log.",
                          RuntimeWarning, stacklevel=3)
            state = None
        self._state, self._state_key = state, key

    def _save_state(self, state):
        path = self.directory / STATE_FILE
        _write_atomically(path, lambda f: joblib.dump(state, f))
        stat = path.stat()
        self._state, self._state_key = state, (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    # ------------------------------------------------------------- views
    @property
    def labels(self):
        """The current labels, ``{row id: label}``, in the order they were given."""
        self._sync()
        return dict(self._labels)

    @property
    def skipped(self):
        """Ids skipped in the terminal and not labelled since."""
        self._sync()
        return set(self._skipped)

    @property
    def learner(self):
        """The fitted :class:`~skal.ActiveLearner` of the last retrain (None before the first)."""
        self._sync()
        state = self._usable_state()
        return None if state is None else state["learner"]

    def _trainable(self):
        """Labels of ids that are rows of the pool (the others are orphans of an edited pool)."""
        ids = list(self._labels)
        known = self._index.get_indexer(ids) >= 0
        if not known.all() and not self._orphans_warned:
            self._orphans_warned = True
            warnings.warn(f"{int((~known).sum())} labelled ids are not in {self.config['data']} any more; "
                          "they stay in the log but are left out of training.", RuntimeWarning, stacklevel=3)
        return {i: self._labels[i] for i, ok in zip(ids, known) if ok}

    def _model_key(self):
        c = self.config
        return (c["classifier"], c["model"], c["random_state"])

    def _usable_state(self):
        state = self._state
        return state if state is not None and tuple(state["model_key"]) == self._model_key() else None

    def _unseen(self, state=None):
        """How many labels differ between the log and the model (added, changed or removed)."""
        trained = state["trained"] if state is not None else {}
        current = self._trainable()
        changed = sum(trained.get(i) != label for i, label in current.items())
        return changed + sum(i not in current for i in trained)

    def _candidates(self, include_skipped=False):
        """Mask of pool rows still to label."""
        mask = self._valid.copy()
        ids = list(self._labels) + ([] if include_skipped else list(self._skipped))
        positions = self._index.get_indexer(ids)
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
        counts = pd.Series(list(trainable.values()), dtype=object).value_counts()
        state = self._usable_state()
        unseen = self._unseen(state)
        two_classes = counts.size >= 2
        return {
            "rows": int(self._valid.sum()),
            "labelled": len(trainable),
            "counts": {label: int(counts.get(label, 0)) for label in self.label_set},
            "skipped": len(self._skipped),
            "left": int(self._candidates().sum()),
            "model_labels": 0 if state is None else len(state["trained"]),
            "unseen": unseen,
            "retrain_in": max(self.config["batch_size"] - unseen, 0) if two_classes else None,
        }

    def labelled_frame(self):
        """The labelled rows: ``id``, ``text`` and ``label`` columns, in labelling order."""
        self._sync()
        trainable = self._trainable()
        ids = np.array(list(trainable), dtype=object)
        positions = self._index.get_indexer(ids)
        return pd.DataFrame({"id": ids, "text": self._texts[positions],
                             "label": np.array(list(trainable.values()), dtype=object)})

    # ---------------------------------------------------------- querying
    def _position(self, row_id):
        row_id = str(row_id)
        position = self._index.get_indexer([row_id])[0]
        if position < 0:
            raise ValueError(f"Unknown row id {row_id!r}: it is not in {self.config['data']}.")
        if not self._valid[position]:
            raise ValueError(f"Row {row_id!r} has no text.")
        return row_id, position

    def _item(self, position, state):
        text = self._texts[position]
        guess = confidence = None
        if state is not None:
            learner = state["learner"]
            proba = learner.predict_proba(self._texts[[position]])[0]
            best = int(np.argmax(proba))
            guess, confidence = learner.classes_[best], float(proba[best])
        return Item(id=self._ids[position], text=text, guess=guess, confidence=confidence)

    def _query(self, learner, n, include_skipped=False):
        """The next ``n`` candidate rows by the strategy: (positions, scores)."""
        candidates = np.flatnonzero(self._candidates(include_skipped))
        n = min(n, candidates.size)
        if n == 0:
            return candidates[:0], np.zeros(0)
        learner.query_strategy = _strategy(self.config["strategy"])
        indices, _, scores = learner.query(self._texts[candidates], n_instances=n, return_metrics=True)
        scores = np.full(len(indices), np.nan) if scores is None else np.asarray(scores, dtype=float)
        return candidates[indices], scores

    def next_item(self):
        """The next row to show, or None when every row is labelled or skipped.

        An undone row comes back first; then the queue the strategy chose at
        the last retrain (random order before the first model). When the
        queue is used up before a retrain is due (rows were skipped), the
        current model picks a new one.

        Returns
        -------
        Item or None
        """
        self._sync()
        candidates = self._candidates()
        if not candidates.any():
            return None
        state = self._usable_state()
        for row in reversed(self._undone):
            position = self._index.get_indexer([row])[0]
            if position >= 0 and candidates[position]:
                return self._item(position, state)
        if state is None:
            order = self._cold_order
            return self._item(order[candidates[order]][0], None)
        queue = self._index.get_indexer(state["queue"])
        queue = queue[queue >= 0]
        queue = queue[candidates[queue]] if state["strategy"] == self.config["strategy"] else queue[:0]
        if queue.size == 0:
            positions, _ = self._query(state["learner"], self.config["batch_size"])
            self._save_state({**state, "queue": self._ids[positions].tolist(),
                              "strategy": self.config["strategy"]})
            queue = positions
        return self._item(queue[0], state)

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
            return self._state is not None or len(trainable) >= self.config["batch_size"]
        unseen = self._unseen(state)
        if unseen >= self.config["batch_size"]:
            return True
        if unseen == 0:
            return False
        queue = self._index.get_indexer(state["queue"])
        queue = queue[queue >= 0]
        return not self._candidates()[queue].any()

    def _classifier(self):
        """A new, unfitted classifier of the session's preset."""
        c = self.config
        cache_dir = c["cache_dir"] or str(self.directory / "embeddings")
        return make_text_classifier(c["classifier"], model=c["model"], cache_dir=cache_dir,
                                    random_state=c["random_state"])

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
        y = np.array(list(trainable.values()), dtype=object)
        learner = ActiveLearner(self._classifier(), query_strategy=_strategy(c["strategy"]),
                                on_transformed=c["classifier"] != "finetune", random_state=c["random_state"])
        learner.fit(self._texts[self._index.get_indexer(ids)], y)
        positions, _ = self._query(learner, c["batch_size"])
        self._save_state({"format": _FORMAT, "learner": learner, "trained": trainable,
                          "model_key": self._model_key(), "strategy": c["strategy"],
                          "queue": self._ids[positions].tolist(), "trained_at": _now()})
        return self

    def score(self, texts, labels):
        """Accuracy of the current model on labelled texts (e.g. a held-out set)."""
        learner = self.learner
        if learner is None:
            raise ValueError("No model yet: label rows of at least two classes first.")
        return float(learner.score(np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)))

    # ---------------------------------------------------------- recording
    def _event(self, kind, row_id, source, **extra):
        return {"event": kind, "id": row_id, **extra, "time": _now(), "source": source}

    def record(self, row_id, label, source="terminal"):
        """Label a row; the label is on disk when this returns.

        Raises a ValueError (and writes nothing) for an unknown id or label,
        or a row labelled already (undo it, or relabel it with
        ``teach_batch(..., overwrite=True)``).
        """
        row_id, _ = self._position(row_id)
        label = str(label)
        if label not in self.label_set:
            raise ValueError(f"Unknown label {label!r}; the labels are {', '.join(self.label_set)}.")

        def events():
            if row_id in self._labels:
                raise ValueError(f"Row {row_id!r} is labelled already ({self._labels[row_id]!r}).")
            return [self._event("label", row_id, source, label=label)]

        self._log.write(events)

    def skip(self, row_id, source="terminal"):
        """Skip a row: it is not shown again in the terminal, but may be labelled in batch mode."""
        row_id, _ = self._position(row_id)

        def events():
            if row_id in self._labels:
                raise ValueError(f"Row {row_id!r} is labelled already ({self._labels[row_id]!r}); undo it first.")
            return [] if row_id in self._skipped else [self._event("skip", row_id, source)]

        self._log.write(events)

    def undo(self, source="terminal"):
        """Take back the last label or skip (by any process); return its row id, or None if none."""
        undone = []

        def events():
            if not self._stack:
                return []
            undone.append(self._stack[-1][0])
            return [self._event("undo", undone[0], source)]

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
            order = self._cold_order
            positions = order[candidates[order]][:n]
            return pd.DataFrame({"id": self._ids[positions], "text": self._texts[positions],
                                 "guess": np.full(len(positions), None, dtype=object),
                                 "confidence": np.nan, "score": np.nan})
        learner = state["learner"]
        positions, scores = self._query(learner, n, include_skipped)
        proba = learner.predict_proba(self._texts[positions])
        best = proba.argmax(axis=1)
        return pd.DataFrame({"id": self._ids[positions], "text": self._texts[positions],
                             "guess": np.asarray(learner.classes_, dtype=object)[best],
                             "confidence": proba[np.arange(len(best)), best], "score": scores})

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
        missing = [c for c in (id_column, label_column) if c not in frame.columns]
        if missing:
            raise ValueError(f"The labels table has no column {', '.join(map(repr, missing))}; "
                             f"its columns are {', '.join(map(repr, frame.columns))}.")
        ids = frame[id_column].astype(object)
        labels = frame[label_column].astype(object)
        blank_id, blank_label = _blank(ids.to_numpy()), _blank(labels.to_numpy())
        ids = np.where(blank_id, None, ids.astype(str).str.strip().to_numpy())
        labels = np.where(blank_label, None, labels.astype(str).str.strip().to_numpy())
        problem = (frame["problem"].to_numpy(dtype=object) if "problem" in frame.columns
                   else np.full(len(frame), None, dtype=object))
        has_problem = ~_blank(problem)
        positions = self._index.get_indexer(pd.Index(ids, dtype=object))
        status = np.full(len(frame), None, dtype=object)
        reason = np.full(len(frame), "", dtype=object)

        def decide(mask, what, why=""):
            mask = mask & (status == None)  # noqa: E711 - elementwise on an object array
            status[mask] = what
            reason[mask] = why[mask] if isinstance(why, np.ndarray) else why

        decide(has_problem, "rejected", problem)
        decide(blank_id, "rejected", "missing id")
        decide(positions < 0, "rejected", "unknown id")
        decide(~self._valid[np.maximum(positions, 0)], "rejected", "row has no text")
        decide(blank_label, "blank", "no label given")
        decide(~pd.Index(labels, dtype=object).isin(self.label_set), "rejected", "unknown label")
        open_rows = pd.DataFrame({"id": ids, "label": labels})[status == None]  # noqa: E711
        n_labels = open_rows.groupby("id")["label"].transform("nunique")
        conflicting = np.zeros(len(frame), dtype=bool)
        conflicting[open_rows.index[n_labels.to_numpy() > 1]] = True
        decide(conflicting, "rejected", "conflicting labels for this id in the batch")
        repeated = np.zeros(len(frame), dtype=bool)
        repeated[open_rows.index[open_rows.duplicated(["id", "label"]).to_numpy()]] = True
        decide(repeated, "duplicate", "repeats an earlier row of the batch")
        existing = np.full(len(frame), None, dtype=object)

        def events():
            existing[:] = [self._labels.get(i) for i in ids]
            same = pd.Series(existing == labels).to_numpy(dtype=bool)
            has_label = pd.notna(existing)
            decide(has_label & same, "unchanged", "already labelled the same")
            if overwrite:
                decide(has_label, "relabelled", "replaces the existing label")
            else:
                decide(has_label, "rejected", "conflicts with the existing label (pass overwrite=True)")
            decide(np.ones(len(frame), dtype=bool), "added")
            accepted = np.flatnonzero((status == "added") | (status == "relabelled"))
            if (status == "rejected").any() and not allow_partial:
                return []
            return [self._event("label", ids[i], source, label=labels[i]) for i in accepted]

        self._log.write(events)
        rows = pd.DataFrame({"id": ids, "label": labels, "existing": existing,
                             "status": status, "reason": reason})
        return TeachReport(rows=rows, applied=allow_partial or not (status == "rejected").any())

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
        from .error_analysis import cross_val_proba, error_table

        self._sync()
        if texts is None:
            frame = self.labelled_frame()
            proba, classes = cross_val_proba(self._classifier(), frame["text"].to_numpy(),
                                             frame["label"].to_numpy(), cv=cv,
                                             random_state=self.config["random_state"])
            return error_table(frame["label"].to_numpy(), proba, classes, ids=frame["id"].to_numpy(),
                               texts=frame["text"].to_numpy(), n=n)
        texts = np.asarray(texts, dtype=object)
        labels = np.asarray(labels, dtype=object)
        unknown = sorted(set(labels.tolist()) - set(self.label_set))
        if unknown:
            raise ValueError(f"Labels {unknown} are not among the session's labels {list(self.label_set)}.")
        if self._usable_state() is None or self._unseen(self._usable_state()):
            if len(set(self._trainable().values())) < 2:
                raise ValueError("No model yet: label rows of at least two classes first.")
            self.retrain()
        learner = self._usable_state()["learner"]
        ids = np.arange(len(texts)).astype(str) if ids is None else np.asarray(ids, dtype=object)
        return error_table(labels, learner.predict_proba(texts), learner.classes_, ids=ids, texts=texts, n=n)


def _pool_ids(frame, id_column, path):
    """Row ids as strings: the id column (unique, none missing) or the row positions."""
    if id_column is None:
        return np.arange(len(frame)).astype(str).astype(object)
    ids = frame[id_column]
    blank = _blank(ids.to_numpy())
    if blank.any():
        raise ValueError(f"{path}: column {id_column!r} is empty in {int(blank.sum())} row(s) "
                         f"(first at row {int(np.flatnonzero(blank)[0])}); every row needs an id.")
    ids = ids.astype(str).str.strip()
    repeated = ids[ids.duplicated()].unique()
    if repeated.size:
        raise ValueError(f"{path}: column {id_column!r} repeats ids {repeated[:5].tolist()}; ids must be unique.")
    return ids.to_numpy(dtype=object)


def _fingerprint(ids, texts):
    digest = hashlib.sha256()
    digest.update("\x1f".join(ids).encode("utf-8"))
    digest.update(b"\x1e")
    digest.update("\x1f".join(pd.Series(texts, dtype=object).fillna("\x00").astype(str)).encode("utf-8"))
    return digest.hexdigest()


# --------------------------------------------------------------- terminal
def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _resolve_label(answer, labels):
    """A typed answer as a label name: exact name, 1-based number, or name in any case."""
    if answer in labels:
        return answer
    numbered = not any(label.isdigit() for label in labels)
    if numbered and answer.isdigit() and 1 <= int(answer) <= len(labels):
        return labels[int(answer) - 1]
    folded = [label for label in labels if label.lower() == answer.lower()]
    return folded[0] if len(folded) == 1 else None


def _progress(status):
    counts = ", ".join(f"{label} {n}" for label, n in status["counts"].items())
    line = f"{status['labelled']} labelled ({counts}) | {status['skipped']} skipped | {status['left']} left"
    if status["retrain_in"] is not None:
        line += f" | retrain in {status['retrain_in']}"
    return line


def label_in_terminal(session, *, stdin=None, stdout=None, eval_set=None, width=100):
    """Label in a plain-text terminal loop until every row is done or the person quits.

    Each text is shown with the model's guess and confidence; answers are a
    label's number or name, ``s`` (skip), ``u`` (undo the last label or
    skip) or ``q`` (quit; end of input and Ctrl-C quit too). Every answer
    is on disk before the next text appears. The model is retrained in the
    foreground when :meth:`LabellingSession.retrain_due` (a line says so,
    and how long it took); when that fails, the error is shown, labelling
    goes on with the previous model, and retraining is tried again
    ``batch_size`` labels later.

    Parameters
    ----------
    session : LabellingSession
    stdin, stdout : text streams, default=sys.stdin, sys.stdout
        Answers are read a line at a time; when ``stdin`` is not a terminal
        each answer is echoed, so a piped session reads like a typed one.
    eval_set : (texts, labels), default=None
        Held-out labelled rows; their accuracy is shown after each retrain.
    width : int, default=100
        Wrap texts at this width.

    Returns
    -------
    dict
        :meth:`LabellingSession.status` plus ``ended``: "done", "quit" or
        "interrupted".
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    echo = not _isatty(stdin)
    labels, c = session.label_set, session.config
    if eval_set is not None:
        eval_texts, eval_labels = (np.asarray(part, dtype=object) for part in eval_set)
        unknown = sorted(set(eval_labels.tolist()) - set(labels))
        if unknown:
            raise ValueError(f"The held-out labels {unknown} are not among the session's labels {list(labels)}.")

    def say(line=""):
        stdout.write(line + "\n")
        stdout.flush()

    def ask(prompt):
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        if not line:
            say()
            return None
        answer = line.strip()
        if echo:
            say(answer)
        return answer

    def retrain(why):
        status = session.status()
        if status["model_labels"] == 0 and c["classifier"] == "embedding":
            why += "; the first model embeds the whole pool once"
        say(f"retraining on {status['labelled']} labels ({why})...")
        start = time.perf_counter()
        session.retrain()
        line = f"model updated in {time.perf_counter() - start:.1f}s"
        if eval_set is not None:
            line += f"; held-out accuracy {session.score(eval_texts, eval_labels):.3f} ({len(eval_labels)} rows)"
        say(line)

    numbered = not any(label.isdigit() for label in labels)
    choices = "  ".join(f"[{i}] {label}" if numbered else label for i, label in enumerate(labels, 1))
    prompt = f"{choices}  [s]kip  [u]ndo  [q]uit > "
    status = session.status()
    say(f"skal label: {status['rows']} texts in {c['data']}, labels {', '.join(labels)}")
    say(f"strategy {c['strategy']}, retrain every {c['batch_size']} labels, classifier {c['classifier']}; "
        f"labels are saved to {session.directory / LOG_FILE} as you go")
    if status["labelled"] or status["skipped"]:
        say(f"resuming: {_progress(status)}")
    failed_at = None
    ended = "done"
    try:
        if session.retrain_due():
            retrain(f"the saved model lags the label log by {status['unseen']}")
        while True:
            item = session.next_item()
            if item is None:
                say("every row is labelled or skipped.")
                break
            status = session.status()
            say()
            say(f"--- {_progress(status)} ---")
            guess = ("no model yet (random order)" if item.guess is None
                     else f"model: {item.guess} ({item.confidence:.2f})")
            say(f"id {item.id} | {guess}")
            say(textwrap.fill(item.text, width=width, initial_indent="  ", subsequent_indent="  "))
            answer = ask(prompt)
            if answer is None:
                ended = "quit"
                break
            if not answer:
                continue
            command = _COMMANDS.get(answer.lower())
            if command == "quit":
                ended = "quit"
                break
            if command == "undo":
                undone = session.undo()
                say("nothing to undo." if undone is None else f"undone: id {undone}")
                continue
            if command == "skip":
                session.skip(item.id)
                continue
            label = _resolve_label(answer, labels)
            if label is None:
                say(f"unknown answer {answer!r}: type a label's number or name, s, u or q.")
                continue
            session.record(item.id, label)
            status = session.status()
            if session.retrain_due() and (failed_at is None or status["unseen"] >= failed_at + c["batch_size"]):
                try:
                    retrain(f"{status['unseen']} new")
                    failed_at = None
                except Exception as exc:  # the labels are safe; keep the person labelling
                    failed_at = status["unseen"]
                    say(f"retraining failed ({type(exc).__name__}: {exc}); every label is saved. Labelling "
                        f"goes on with the previous model; retrying after {c['batch_size']} more labels.")
    except KeyboardInterrupt:
        say()
        ended = "interrupted"
    status = session.status()
    say(f"{_progress(status)}. Every label is saved; run the same command to resume.")
    return {**status, "ended": ended}
