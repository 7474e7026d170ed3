"""The model side of a labelling session: its classifier, how answers become ``y``, guesses and scores.

:class:`SessionModel` reads the session's settings (``session.json``) and
knows nothing of the log or the pool files: the session hands it texts and
answers. It builds the classifier of the preset (one model per label in a
multi-label session), fits an :class:`~skal.ActiveLearner` with the
session's strategy, asks it for the next rows, turns its probabilities into
the guesses a person sees, and scores it on held-out rows.

Examples
--------
>>> from skal.labelling.model import SessionModel
>>> model = SessionModel({"classifier": "tfidf", "model": None, "cache_dir": None, "random_state": 0,
...                       "strategy": "uncertainty"}, "/tmp/session", ["pos", "neg"])
>>> learner = model.fit(["good", "bad", "great", "awful"], ["pos", "neg", "pos", "neg"])
>>> model.guesses(learner, ["good"])[0].tolist()
['pos']
"""

from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from ..learners import ActiveLearner
from ..presets import make_text_classifier
from ..strategies.registry import resolve_strategy
from . import label_sets

__all__ = ["SessionModel", "per_label"]


def per_label(classifier):
    """A multi-label version of a preset: ``multi_label=True`` where the model has it, else one-vs-rest.

    A pipeline keeps its feature steps shared; only its final classifier is
    replaced by one per label.

    Parameters
    ----------
    classifier : estimator
        A single-label classifier (a preset of
        :func:`skal.presets.make_text_classifier`).

    Returns
    -------
    estimator
        A new, unfitted estimator that fits and predicts label indicator
        rows.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skal.labelling.model import per_label
    >>> type(per_label(make_pipeline(TfidfVectorizer(), LogisticRegression()))[-1]).__name__
    'OneVsRestClassifier'
    """
    if "multi_label" in classifier.get_params(deep=False):
        return clone(classifier).set_params(multi_label=True)
    if isinstance(classifier, Pipeline):
        *steps, (name, last) = classifier.steps
        return Pipeline([*steps, (name, OneVsRestClassifier(last))])
    return OneVsRestClassifier(classifier)


class SessionModel:
    """The classifier, strategy and scoring of a session's settings.

    Parameters
    ----------
    config : dict
        The session's settings (``classifier``, ``model``, ``cache_dir``,
        ``random_state``, ``strategy``, ``multi_label``).
    directory : str or path
        The session directory (its ``embeddings`` folder is the default cache).
    label_set : sequence of str
        The session's labels, in their order.

    Examples
    --------
    >>> from skal.labelling.model import SessionModel
    >>> model = SessionModel({"classifier": "tfidf", "model": None, "cache_dir": None, "random_state": 0,
    ...                       "strategy": "mean_entropy", "multi_label": True}, "/tmp/s", ["a", "b"])
    >>> model.targets(["a;b", ""])
    [['a', 'b'], []]
    """

    def __init__(self, config, directory, label_set):
        self.config = config
        self.directory = Path(directory)
        self.label_set = tuple(label_set)
        self.multi_label = bool(config.get("multi_label", False))

    def new_classifier(self):
        """A new, unfitted classifier of the preset (one model per label in a multi-label session).

        Returns
        -------
        estimator
            The preset of :func:`skal.presets.make_text_classifier`, seeded
            with the session's ``random_state``.

        Examples
        --------
        >>> from skal.labelling.model import SessionModel
        >>> SessionModel({"classifier": "tfidf", "model": None, "cache_dir": None, "random_state": 0},
        ...              "/tmp/s", ["pos", "neg"]).new_classifier()[-1]
        LogisticRegression(max_iter=1000, random_state=0)
        """
        c = self.config
        cache_dir = c["cache_dir"] or str(self.directory / "embeddings")
        classifier = make_text_classifier(c["classifier"], model=c["model"], cache_dir=cache_dir,
                                          random_state=c["random_state"])
        return per_label(classifier) if self.multi_label else classifier

    def targets(self, answers):
        """The answers as ``y`` for the learner: labels, or label sets in a multi-label session.

        Parameters
        ----------
        answers : iterable of str
            Labels as logged (canonical ``a;b`` strings in a multi-label
            session).

        Returns
        -------
        ndarray of object, or list of list of str
            The labels, or each answer's list of labels.

        Examples
        --------
        >>> from skal.labelling.model import SessionModel
        >>> SessionModel({}, "/tmp/s", ["pos", "neg"]).targets(["pos"]).tolist()
        ['pos']
        """
        if self.multi_label:
            return [label_sets.split(answer) for answer in answers]
        return np.array(list(answers), dtype=object)

    def fit(self, texts, answers):
        """An :class:`~skal.ActiveLearner` with the session's strategy, fitted on ``texts`` and their answers.

        Parameters
        ----------
        texts : sequence of str
            The labelled texts.
        answers : iterable of str
            Their labels as logged.

        Returns
        -------
        ActiveLearner
            The fitted learner.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.model import SessionModel
        >>> model = SessionModel(demo_session().config, "/tmp/s", ["pos", "neg"])
        >>> model.fit(["good", "bad"], ["pos", "neg"]).classes_.tolist()
        ['neg', 'pos']
        """
        c = self.config
        learner = ActiveLearner(self.new_classifier(), query_strategy=resolve_strategy(c["strategy"]),
                                on_transformed=c["classifier"] != "finetune", random_state=c["random_state"])
        return learner.fit(np.asarray(texts, dtype=object), self.targets(answers))

    def query(self, learner, texts, n):
        """The ``n`` rows of ``texts`` the session's strategy picks.

        The learner is set to the session's current strategy first (it may
        have been trained under another one).

        Parameters
        ----------
        learner : ActiveLearner
            A learner fitted by :meth:`fit`.
        texts : sequence of str
            The candidate rows.
        n : int
            How many to pick.

        Returns
        -------
        indices : ndarray of int
            Positions in ``texts``, most informative first.
        scores : ndarray of float
            The strategy's scores of those rows (NaN when it gives none).

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.model import SessionModel
        >>> model = SessionModel(demo_session(strategy="margin").config, "/tmp/s", ["pos", "neg"])
        >>> learner = model.fit(["good", "bad"], ["pos", "neg"])
        >>> model.query(learner, ["good", "bad", "good bad"], 1)[0].tolist()
        [2]
        """
        learner.set_params(query_strategy=resolve_strategy(self.config["strategy"]))
        indices, _, scores = learner.query(np.asarray(texts, dtype=object), n_instances=n, return_metrics=True)
        scores = np.full(len(indices), np.nan) if scores is None else np.asarray(scores, dtype=float)
        return indices, scores

    def guesses(self, learner, texts):
        """The model's answers for ``texts`` and their probabilities: (object array, float array).

        A multi-label answer is the canonical string of the labels with
        probability >= 0.5; its probability is that of the whole set, taking
        the labels as independent (the product of max(p, 1 - p)).

        Parameters
        ----------
        learner : ActiveLearner
            A learner fitted by :meth:`fit`.
        texts : sequence of str
            The rows to guess.

        Returns
        -------
        guesses : ndarray of object
            The most probable label (label set) of each row.
        confidences : ndarray of float
            Its probability.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.model import SessionModel
        >>> model = SessionModel(demo_session().config, "/tmp/s", ["pos", "neg"])
        >>> guess, p = model.guesses(model.fit(["good", "bad"], ["pos", "neg"]), ["bad"])
        >>> guess.tolist(), bool(p[0] > 0.5)
        (['neg'], True)
        """
        proba = np.asarray(learner.predict_proba(np.asarray(texts, dtype=object)), dtype=float)
        classes = np.asarray(learner.classes_, dtype=object)
        if not self.multi_label:
            best = proba.argmax(axis=1)
            return classes[best], proba[np.arange(len(best)), best]
        chosen = proba >= 0.5
        guesses = np.array([label_sets.canonical(classes[row], self.label_set) for row in chosen], dtype=object)
        return guesses, np.where(chosen, proba, 1 - proba).prod(axis=1)

    def score(self, learner, texts, labels):
        """Accuracy on labelled ``texts``; micro-averaged F1 over labels in a multi-label session.

        Parameters
        ----------
        learner : ActiveLearner
            A learner fitted by :meth:`fit`.
        texts : sequence of str
            The labelled texts.
        labels : sequence
            Their true labels (label sets, or ``;``-joined strings, in a
            multi-label session).

        Returns
        -------
        float
            The accuracy, or the micro-averaged F1.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.model import SessionModel
        >>> model = SessionModel(demo_session().config, "/tmp/s", ["pos", "neg"])
        >>> model.score(model.fit(["good", "bad"], ["pos", "neg"]), ["good", "bad"], ["pos", "neg"])
        1.0
        """
        texts = np.asarray(texts, dtype=object)
        if not self.multi_label:
            return float(learner.score(texts, np.asarray(labels, dtype=object)))
        truth = [label_sets.split(label_sets.canonical(v, self.label_set)) for v in labels]
        binarizer = MultiLabelBinarizer(classes=list(self.label_set)).fit([])
        predicted, _ = self.guesses(learner, texts)
        return float(f1_score(binarizer.transform(truth), binarizer.transform(map(label_sets.split, predicted)),
                              average="micro", zero_division=0))

    def embed_ahead(self, texts, progress=None, chunk_size=256):
        """Embed ``texts`` into the ``"embedding"`` preset's cache, reporting ``progress(done, total)``.

        Parameters
        ----------
        texts : array of str
            The texts to embed (sliced in chunks).
        progress : callable, default=None
            Called as ``progress(done, total)`` after each chunk.
        chunk_size : int, default=256
            Texts embedded between two calls of ``progress``.

        Returns
        -------
        int
            The number of texts embedded (0 for the other presets).

        Examples
        --------
        >>> from skal.labelling.model import SessionModel
        >>> SessionModel({"classifier": "tfidf"}, "/tmp/s", ["pos", "neg"]).embed_ahead(["good"])
        0
        """
        if self.config["classifier"] != "embedding":
            return 0
        from ..embedder import TextEmbedder

        steps = getattr(self.new_classifier(), "steps", [])
        embedder = next((step for _, step in steps if isinstance(step, TextEmbedder)), None)
        if embedder is None:  # pragma: no cover - the preset always starts with one
            return 0
        embedder.fit()
        for start in range(0, len(texts), chunk_size):
            embedder.transform(texts[start:start + chunk_size])
            if progress is not None:
                progress(min(start + chunk_size, len(texts)), len(texts))
        return len(texts)

    def errors(self, learner, texts, labels, ids=None, n=20, cv=5):
        """Confident mistakes and uncertain rows (:func:`skal.error_analysis.error_table`).

        With ``learner`` (a fitted model), it predicts ``texts``; with None,
        out-of-fold predictions of a new classifier on ``texts`` and
        ``labels`` (:func:`skal.error_analysis.cross_val_proba`).

        Parameters
        ----------
        learner : ActiveLearner or None
            A fitted learner, or None for out-of-fold predictions.
        texts : sequence of str
            The labelled texts.
        labels : sequence of str
            Their true labels.
        ids : sequence of str, default=None
            Row names in the table; None numbers the rows.
        n : int, default=20
            Rows of each kind in the table.
        cv : int, default=5
            Folds of the out-of-fold predictions (with ``learner=None``).

        Returns
        -------
        DataFrame
            See :func:`skal.error_analysis.error_table`.

        Examples
        --------
        >>> from skal.labelling.demo import demo_session
        >>> from skal.labelling.model import SessionModel
        >>> model = SessionModel(demo_session().config, "/tmp/s", ["pos", "neg"])
        >>> table = model.errors(model.fit(["good", "bad"], ["pos", "neg"]), ["good", "bad"], ["pos", "neg"])
        >>> sorted(set(table["kind"]))
        ['uncertain']
        """
        from ..error_analysis import cross_val_proba, error_table

        if self.multi_label:
            raise ValueError("Error analysis (confident mistakes, uncertain rows) is for single-label sessions; "
                             "for a multi-label one, export the labels (skal export) and score per label.")
        texts, labels = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
        ids = np.arange(len(texts)).astype(str) if ids is None else np.asarray(ids, dtype=object)
        if learner is None:
            proba, classes = cross_val_proba(self.new_classifier(), texts, labels, cv=cv,
                                             random_state=self.config["random_state"])
        else:
            proba, classes = learner.predict_proba(texts), learner.classes_
        return error_table(labels, proba, classes, ids=ids, texts=texts, n=n)
