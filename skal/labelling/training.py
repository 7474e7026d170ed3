"""Retraining in the background, with progress, accuracy estimates and a stopping sentence.

:class:`BackgroundTrainer` retrains a session in a thread of its own, on a
:class:`~skal.labelling.LabellingSession` instance of its own (the two
instances share only the files, as two processes would), so answering never
waits for a model. After each retrain it records one point of the learning
curve in ``metrics.jsonl``: the labels used, the estimated accuracy (on a
held-out set when given, else cross-validated on the labelled rows) and the
stopping criterion's measure (:class:`skal.stopping.StabilizingPredictions`
by default: Cohen's kappa between the previous and the new model's
predictions on a fixed sample of the pool).

Examples
--------
>>> from skal.labelling.demo import demo_session
>>> from skal.labelling.training import BackgroundTrainer
>>> session = demo_session(["good", "bad", "great", "awful", "fine", "poor"], batch_size=2)
>>> for row, label in [("0", "pos"), ("1", "neg"), ("2", "pos"), ("3", "neg")]:
...     session.record(row, label)
>>> trainer = BackgroundTrainer(session.directory, cv=2)
>>> trainer.poke(session).join()
>>> point = trainer.curve()[-1]
>>> point["labels"], 0 <= point["accuracy"] <= 1
(4, True)
"""

import json
import math
import threading
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone

from ..error_analysis import cross_val_proba
from ..stopping import StabilizingPredictions
from .session import LabellingSession
from .storage import now

__all__ = ["METRICS_FILE", "BackgroundTrainer", "stopping_sentence"]

METRICS_FILE = "metrics.jsonl"


def stopping_sentence(criterion, history):
    """The stopping criterion's verdict on ``history`` as a plain sentence.

    Parameters
    ----------
    criterion : StoppingCriterion
        A criterion of :mod:`skal.stopping` (its ``should_stop``, and its
        ``threshold`` and ``window`` when it has them, are used).
    history : sequence of float or None
        The criterion's measure after each retrain (None or NaN where there
        was none, as for the first model).

    Returns
    -------
    str
        The verdict, for a person deciding whether to label more.

    Examples
    --------
    >>> from skal.stopping import StabilizingPredictions
    >>> from skal.labelling.training import stopping_sentence
    >>> stopping_sentence(StabilizingPredictions(window=2), [float("nan"), 1.0, 1.0])
    'predictions have stopped changing: labelling more is unlikely to help much.'
    """
    values = [v for v in history if v is not None and not math.isnan(v)]
    if not values:
        return "too early to tell whether labelling more helps: the model needs a few retrains first."
    if criterion.should_stop(np.asarray(history, dtype=float)):
        return "predictions have stopped changing: labelling more is unlikely to help much."
    need = getattr(criterion, "threshold", None)
    window = getattr(criterion, "window", None)
    line = f"predictions still change between retrains (agreement {values[-1]:.3f}"
    if need is not None and window is not None:
        line += f"; {need} needed over {window} retrains in a row"
    return line + "): labelling more still helps."


class BackgroundTrainer:
    """Retrains a session in a background thread when :meth:`LabellingSession.retrain_due`.

    Parameters
    ----------
    directory : str or path
        The session directory.
    eval_set : (texts, labels), default=None
        Held-out labelled rows for the accuracy estimate; None
        cross-validates on the labelled rows.
    criterion : StoppingCriterion, default=None
        None is ``StabilizingPredictions(stop_set_size=1000, random_state=0)``.
    cv : int, default=5
        Folds of the cross-validated accuracy.

    Attributes
    ----------
    progress : dict
        ``running`` (bool), ``phase`` (what it is doing, in words),
        ``done`` and ``total`` (rows embedded so far), ``error`` (the last
        failure, or None), ``started`` (epoch seconds of the current run).

    Examples
    --------
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.training import BackgroundTrainer
    >>> trainer = BackgroundTrainer(demo_session().directory)
    >>> trainer.progress["phase"], trainer.curve()
    ('idle', [])
    """

    def __init__(self, directory, eval_set=None, criterion=None, cv=5):
        self.directory = Path(directory)
        self.eval_set = eval_set
        self.criterion = (StabilizingPredictions(stop_set_size=1000, random_state=0)
                          if criterion is None else criterion)
        self.cv = cv
        self.progress = {"running": False, "phase": "idle", "done": 0, "total": 0, "error": None,
                         "started": None}
        self._thread = None
        self._lock = threading.Lock()
        self._failed_at = None  # labels held when the last retrain failed

    # ------------------------------------------------------------ metrics
    def curve(self):
        """The learning curve so far, read from ``metrics.jsonl``.

        Returns
        -------
        list of dict
            One point per retrain: ``labels``, ``time``, ``seconds``,
            ``accuracy``, ``accuracy_kind`` and ``stop_value``.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.training import BackgroundTrainer
        >>> BackgroundTrainer(demo_session().directory).curve()
        []
        """
        path = self.directory / METRICS_FILE
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        points = []
        for line in lines:
            try:
                points.append(json.loads(line))
            except ValueError:  # a torn last line of a killed server
                continue
        return points

    def sentence(self):
        """:func:`stopping_sentence` on the recorded curve.

        Returns
        -------
        str
            The stopping criterion's verdict, in words.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.training import BackgroundTrainer
        >>> BackgroundTrainer(demo_session().directory).sentence().startswith("too early to tell")
        True
        """
        return stopping_sentence(self.criterion, [p.get("stop_value") for p in self.curve()])

    def _append(self, point):
        with open(self.directory / METRICS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(point) + "\n")

    # ----------------------------------------------------------- training
    def poke(self, session):
        """Start a retrain in the background when one is due and none runs.

        After a failed retrain the next one waits until ``batch_size`` more
        labels are in.

        Parameters
        ----------
        session : LabellingSession
            The caller's session (asked whether a retrain is due); the
            thread retrains a session instance of its own.

        Returns
        -------
        threading.Thread or None
            The thread started, or None when none was.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.training import BackgroundTrainer
        >>> session = demo_session()
        >>> BackgroundTrainer(session.directory).poke(session) is None  # nothing labelled yet
        True
        """
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return None
            if not session.retrain_due():
                return None
            labelled = session.status()["labelled"]
            if self._failed_at is not None and labelled < self._failed_at + session.config["batch_size"]:
                return None  # after a failure, try again a batch later (the labels are safe meanwhile)
            self.progress.update(running=True, phase="starting", done=0, total=0, started=time.time())
            self._thread = threading.Thread(target=self._run, name="skal-retrain", daemon=True)
            self._thread.start()
            return self._thread

    def _run(self):
        labelled = 0
        try:
            session = LabellingSession.open(self.directory)
            previous = session.learner
            status = session.status()
            labelled = status["labelled"]
            if status["model_labels"] == 0 and session.config["classifier"] == "embedding":
                self.progress.update(phase="embedding the pool for the first model", total=status["rows"])
                session.prepare(progress=lambda done, total: self.progress.update(done=done, total=total))
            self.progress.update(phase=f"retraining on {status['labelled']} labels")
            session.retrain()
            self.progress.update(phase="estimating accuracy")
            point = {"labels": session.status()["model_labels"], "time": now(),
                     "seconds": round(time.time() - self.progress["started"], 2)}
            point.update(self._accuracy(session))
            point["stop_value"] = self._stop_value(session, previous)
            self._append(point)
            self.progress.update(error=None)
            self._failed_at = None
        except Exception as exc:  # noqa: BLE001 - labels are safe; show the failure and retry later
            self.progress.update(error=f"{type(exc).__name__}: {exc}")
            self._failed_at = labelled
        finally:
            self.progress.update(running=False, phase="idle")

    def _accuracy(self, session):
        if self.eval_set is not None:
            texts, labels = self.eval_set
            return {"accuracy": session.score(texts, labels), "accuracy_kind": f"held-out ({len(labels)} rows)"}
        frame = session.labelled_frame()
        counts = frame["label"].value_counts()
        folds = int(min(self.cv, counts.min())) if len(counts) >= 2 else 0
        if folds < 2:
            return {"accuracy": None, "accuracy_kind": "cross-validation needs 2 labels of each class"}
        proba, classes = cross_val_proba(session.new_classifier(), frame["text"].to_numpy(),
                                         frame["label"].to_numpy(), cv=folds,
                                         random_state=session.config["random_state"])
        predicted = np.asarray(classes, dtype=object)[np.asarray(proba).argmax(axis=1)]
        return {"accuracy": float(np.mean(predicted == frame["label"].to_numpy())),
                "accuracy_kind": f"{folds}-fold cross-validated on {len(frame)} labels"}

    def _stop_value(self, session, previous):
        if previous is None:
            return None
        criterion = clone(self.criterion)
        pool = session.pool_texts
        criterion.update(previous, pool)
        criterion.update(session.learner, pool)
        value = criterion.history_[-1]
        return None if math.isnan(value) else float(value)

    def join(self, timeout=None):
        """Wait for the running retrain (if any) to finish.

        Parameters
        ----------
        timeout : float, default=None
            Seconds to wait at most; None waits until it ends.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.training import BackgroundTrainer
        >>> BackgroundTrainer(demo_session().directory).join(1)  # none running: returns at once
        """
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
