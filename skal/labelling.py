"""LabellingSession: a person labels what the learner queries, and no label is ever lost.

A session lives in a directory:

* ``session.json``: the configuration (data file, text column, label set, strategy...);
* ``labels.jsonl``: an append-only log of events (``label``, ``skip``, ``undo``), each
  written, flushed and ``fsync``-ed before the next text is shown. The labels are
  this log replayed; a torn last line (the process killed mid-write) is ignored;
* ``learner.joblib``: the last trained learner, written atomically (temporary file,
  then rename) together with the labels it saw. When it is missing, or
  ``batch_size`` or more labels behind the log, the learner is retrained from
  the log, so a crash during training loses nothing.

Examples
--------
>>> import pandas as pd, tempfile, os
>>> folder = tempfile.mkdtemp()
>>> data = os.path.join(folder, "pool.csv")
>>> pd.DataFrame({"text": ["good", "bad", "fine", "awful"]}).to_csv(data, index=False)
>>> session = LabellingSession.create(os.path.join(folder, "s"), data, labels=["pos", "neg"],
...                                   classifier="tfidf")
>>> item = session.next_item()
>>> session.record(item["id"], "pos")
>>> session.status()["labelled"]
1
"""

import json
import os
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from .learners import ActiveLearner
from .presets import default_cache_dir, make_text_classifier

__all__ = ["LabellingSession"]

_CONFIG, _LOG, _MODEL = "session.json", "labels.jsonl", "learner.joblib"


def _atomic_write(path, write):
    """Write through ``write(handle)`` to a temporary file in the same folder, then rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class LabellingSession:
    """An on-disk labelling session over a CSV pool; see the module docstring.

    Use :meth:`create` to start or resume one, and :meth:`open` to reopen it.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        config_path = self.directory / _CONFIG
        if not config_path.is_file():
            raise FileNotFoundError(f"No labelling session in {self.directory} (no {_CONFIG}).")
        self.config = json.loads(config_path.read_text())
        self.pool = self._read_pool()
        self._model_cache = None

    # ------------------------------------------------------------ creation
    @classmethod
    def create(cls, directory, data, text_column="text", labels=("pos", "neg"), strategy="uncertainty",
               batch_size=10, classifier="embedding", id_column=None, random_state=0):
        """Start a session in ``directory``, or resume the one there if it has the same settings."""
        from .cli.simulate import strategy_by_name

        labels = [str(label).strip() for label in labels if str(label).strip()]
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise ValueError(f"Give at least two distinct labels, got {labels}.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        strategy_by_name(strategy)
        config = {"data": str(Path(data).resolve()), "text_column": text_column, "labels": labels,
                  "strategy": strategy, "batch_size": int(batch_size), "classifier": classifier,
                  "id_column": id_column, "random_state": random_state}
        directory = Path(directory)
        existing = directory / _CONFIG
        if existing.is_file():
            previous = json.loads(existing.read_text())
            if previous != config:
                changed = sorted(k for k in config if previous.get(k) != config[k])
                raise ValueError(f"{directory} holds a session with other settings ({', '.join(changed)}); "
                                 "use another --session folder or the same settings to resume.")
            return cls(directory)
        directory.mkdir(parents=True, exist_ok=True)
        session_config = json.dumps(config, indent=2).encode()
        _atomic_write(existing, lambda handle: handle.write(session_config))
        session = cls(directory)
        return session

    @classmethod
    def open(cls, directory):
        """Reopen an existing session."""
        return cls(directory)

    def _read_pool(self):
        path = Path(self.config["data"])
        if not path.is_file():
            raise FileNotFoundError(f"No such data file: {path}")
        try:
            frame = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
        column, id_column = self.config["text_column"], self.config["id_column"]
        for name in filter(None, (column, id_column)):
            if name not in frame.columns:
                raise ValueError(f"{path} has no column {name!r}; its columns are "
                                 f"{', '.join(map(repr, frame.columns))}.")
        ids = frame[id_column].astype(str) if id_column else pd.Series(np.arange(len(frame))).astype(str)
        if ids.duplicated().any():
            raise ValueError(f"{path}: ids are not unique (e.g. {ids[ids.duplicated()].iloc[0]!r}).")
        texts = frame[column].fillna("").astype(str)
        pool = pd.DataFrame({"id": ids.to_numpy(), "text": texts.to_numpy()})
        pool = pool[pool["text"].str.strip() != ""].reset_index(drop=True)
        if pool.empty:
            raise ValueError(f"{path} holds no non-empty texts in column {column!r}.")
        return pool

    # ------------------------------------------------------------ the log
    @property
    def labels(self):
        return list(self.config["labels"])

    def _events(self):
        path = self.directory / _LOG
        if not path.is_file():
            return []
        events = []
        lines = path.read_bytes().split(b"\n")
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                if number < len(lines) - 2:  # only the last line may be torn by a kill
                    raise ValueError(f"{path} is corrupt at line {number + 1}.")
        return events

    def _append(self, event):
        event = dict(event, time=time.time())
        path = self.directory / _LOG
        if path.is_file():
            self._drop_torn_tail(path)
        with open(path, "ab") as handle:
            handle.write(json.dumps(event).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _replay(self):
        labelled, skipped, history = {}, set(), []
        for event in self._events():
            kind = event.get("event")
            if kind == "label":
                labelled[event["id"]] = event["label"]
                skipped.discard(event["id"])
                history.append(("label", event["id"]))
            elif kind == "skip":
                skipped.add(event["id"])
                history.append(("skip", event["id"]))
            elif kind == "undo" and history:
                what, row = history.pop()
                if what == "label":
                    labelled.pop(row, None)
                else:
                    skipped.discard(row)
        return labelled, skipped, history

    @staticmethod
    def _drop_torn_tail(path):
        """Cut a last line left half-written by a kill (never confirmed, so never counted)."""
        with open(path, "rb+") as handle:
            data = handle.read()
            if data and not data.endswith(b"\n"):
                handle.truncate(data.rfind(b"\n") + 1)

    def state(self):
        """Replay the log: ``(labelled, skipped)`` with labelled an ordered ``{id: label}``."""
        labelled, skipped, _ = self._replay()
        return labelled, skipped

    def _check_id(self, row_id):
        if str(row_id) not in set(self.pool["id"]):
            raise ValueError(f"Unknown id {row_id!r}: no such row in {self.config['data']}.")
        return str(row_id)

    def _check_label(self, label):
        if str(label) not in self.labels:
            raise ValueError(f"Unknown label {label!r}; this session's labels are {', '.join(self.labels)}.")
        return str(label)

    def record(self, row_id, label):
        """Log a human label (on disk before this returns)."""
        self._append({"event": "label", "id": self._check_id(row_id), "label": self._check_label(label),
                      "source": "human"})

    def skip(self, row_id):
        """Log that the person skipped this row; it is not shown again in this session."""
        self._append({"event": "skip", "id": self._check_id(row_id)})

    def undo(self):
        """Take back the last label or skip; returns its id, or None if there is nothing to undo."""
        history = self._replay()[2]
        if not history:
            return None
        self._append({"event": "undo"})
        return history[-1][1]

    # ------------------------------------------------------------ the model
    def _texts(self, ids):
        return self.pool.set_index("id").loc[list(ids), "text"].tolist()

    def learner(self, retrain_if_stale=True):
        """The current learner, or None before two classes are labelled.

        The saved learner is used while it was trained on labels that are all
        still in the log and fewer than ``batch_size`` labels behind it; else it
        is retrained (so a run killed during training retrains on resume).
        """
        labelled, _ = self.state()
        if len(set(labelled.values())) < 2:
            return None
        payload = self._model_cache
        path = self.directory / _MODEL
        if payload is None and path.is_file():
            payload = joblib.load(path)
        if payload is not None:
            trained = payload["labels"]
            current = set(labelled.items())
            if set(trained.items()) <= current and len(current) - len(trained) < self.config["batch_size"]:
                self._model_cache = payload
                return payload["learner"]
        return self.retrain() if retrain_if_stale else None

    def retrain(self):
        """Fit a new learner on every logged label and save it atomically."""
        from .cli.simulate import strategy_by_name

        labelled, _ = self.state()
        if len(set(labelled.values())) < 2:
            return None
        estimator = make_text_classifier(self.config["classifier"], cache_dir=default_cache_dir(),
                                         random_state=self.config["random_state"])
        learner = ActiveLearner(estimator, strategy_by_name(self.config["strategy"]),
                                random_state=self.config["random_state"],
                                on_transformed=self.config["classifier"] != "finetune")
        learner.fit(self._texts(labelled), np.asarray(list(labelled.values())))
        payload = {"labels": dict(labelled), "learner": learner}
        _atomic_write(self.directory / _MODEL, lambda handle: joblib.dump(payload, handle))
        self._model_cache = payload
        return learner

    # ------------------------------------------------------------ querying
    def _open_rows(self, include_skipped=False):
        labelled, skipped = self.state()
        closed = set(labelled) | (set() if include_skipped else skipped)
        return self.pool[~self.pool["id"].isin(closed)].reset_index(drop=True)

    def query_batch(self, n=1, include_skipped=False):
        """The next ``n`` rows to label: a DataFrame with id, text, guess, confidence, score.

        Before two classes are labelled, rows come in a fixed random order (cold
        start) with no guess.
        """
        rows = self._open_rows(include_skipped)
        if rows.empty:
            return rows.assign(guess=[], confidence=[], score=[])
        n = min(int(n), len(rows))
        learner = self.learner()
        if learner is None:
            order = np.random.RandomState(self.config["random_state"]).permutation(len(self.pool))
            rank = pd.Series(np.argsort(order), index=self.pool["id"])
            picked = rows.iloc[np.argsort(rank.loc[rows["id"]].to_numpy(), kind="stable")[:n]]
            return picked.assign(guess=None, confidence=np.nan, score=np.nan).reset_index(drop=True)
        idx, _, scores = learner.query(rows["text"].tolist(), n_instances=n, return_metrics=True)
        picked = rows.iloc[idx].reset_index(drop=True)
        proba = learner.predict_proba(picked["text"].tolist())
        return picked.assign(guess=learner.classes_[proba.argmax(axis=1)], confidence=proba.max(axis=1),
                             score=np.asarray(scores, dtype=float))

    def next_item(self):
        """The next row to show as a dict (id, text, guess, confidence), or None when all are done."""
        batch = self.query_batch(1)
        return None if batch.empty else batch.iloc[0].to_dict()

    def teach_batch(self, frame):
        """Take labels back from a table with columns ``id`` and ``label``.

        Returns a report dict: ``accepted`` (ids), ``unknown_ids``, ``unknown_labels``,
        ``duplicates`` (repeated in the file with the same label; taken once),
        ``conflicts`` (repeated in the file with different labels, or already
        labelled differently; not taken) and ``already_labelled`` (same label; not
        logged again). Nothing is dropped silently.
        """
        missing = {"id", "label"} - set(frame.columns)
        if missing:
            raise ValueError(f"The labels table needs the columns id and label; it lacks {sorted(missing)}.")
        frame = frame.assign(id=frame["id"].astype(str), label=frame["label"].astype(str).str.strip())
        labelled, _ = self.state()
        known_ids = set(self.pool["id"])
        report = {k: [] for k in ("accepted", "unknown_ids", "unknown_labels", "duplicates", "conflicts",
                                  "already_labelled")}
        for row_id, group in frame.groupby("id", sort=False):
            values = list(dict.fromkeys(group["label"]))
            if row_id not in known_ids:
                report["unknown_ids"].append(row_id)
            elif any(v not in self.labels for v in values):
                report["unknown_labels"].append((row_id, [v for v in values if v not in self.labels][0]))
            elif len(values) > 1:
                report["conflicts"].append((row_id, values))
            elif row_id in labelled and labelled[row_id] != values[0]:
                report["conflicts"].append((row_id, [labelled[row_id], values[0]]))
            elif row_id in labelled:
                report["already_labelled"].append(row_id)
            else:
                if len(group) > 1:
                    report["duplicates"].append(row_id)
                self.record(row_id, values[0])
                report["accepted"].append(row_id)
        return report

    def labelled_frame(self):
        """The human labels as a DataFrame (id, text, label), in labelling order."""
        labelled, _ = self.state()
        return pd.DataFrame({"id": list(labelled), "text": self._texts(labelled), "label": list(labelled.values())})

    def status(self):
        """Counts: labelled, per label, skipped, remaining."""
        labelled, skipped = self.state()
        counts = pd.Series(list(labelled.values()), dtype=object).value_counts()
        return {"labelled": len(labelled), "per_label": {lab: int(counts.get(lab, 0)) for lab in self.labels},
                "skipped": len(skipped), "remaining": len(self.pool) - len(labelled) - len(skipped)}
