"""Ready-made text classifiers, named by the short keys the command line takes."""

import os
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

__all__ = ["PRESETS", "make_text_classifier", "default_cache_dir"]

PRESETS = ("embedding", "tfidf", "finetune", "setfit")


def default_cache_dir():
    """The embedding cache of the command line: ``$SKAL_CACHE``, else ``~/.cache/skal``.

    Returns
    -------
    str
        The directory (not created here).

    Examples
    --------
    >>> import os
    >>> from skal.presets import default_cache_dir
    >>> default_cache_dir() == os.environ.get("SKAL_CACHE", os.path.expanduser("~/.cache/skal"))
    True
    """
    return os.environ.get("SKAL_CACHE", str(Path.home() / ".cache" / "skal"))


def make_text_classifier(kind="embedding", model=None, cache_dir=None, random_state=None):
    """A scikit-learn classifier that takes raw strings.

    Parameters
    ----------
    kind : {"embedding", "tfidf", "finetune", "setfit"}, default="embedding"
        ``"embedding"``: frozen sentence embeddings of the BERT model
        (:class:`skal.TextEmbedder`) + logistic regression whose ``C`` is
        chosen by cross-validated log-loss once every class has 3 labels
        (:class:`~skal.regularised_logistic.CrossValidatedLogisticRegression`),
        so its probabilities are usable guesses; the fast CPU path;
        ``"tfidf"``: TF-IDF + logistic regression, no neural network at all;
        ``"finetune"``: :class:`skal.TransformerClassifier`, fine-tuning the
        whole BERT model every round (use a GPU);
        ``"setfit"``: :class:`skal.SetFitClassifier`, contrastive fine-tuning
        of the sentence encoder + logistic regression, the most accurate with
        few labels (minutes per fit on a CPU, seconds on a GPU).
    model : str or path, default=None
        Hugging Face checkpoint directory; None takes the bundled MiniLM BERT.
    cache_dir : str or path, default=None
        On-disk embedding cache for ``"embedding"``.
    random_state : int or None, default=None
        Seeds the classifier (its ``random_state``), for reproducible runs.

    Returns
    -------
    estimator
        An unfitted scikit-learn classifier (a pipeline for ``"embedding"``
        and ``"tfidf"``) whose ``fit`` and ``predict_proba`` take raw texts.

    Examples
    --------
    >>> from skal.presets import make_text_classifier
    >>> clf = make_text_classifier("tfidf").fit(["good", "bad", "great", "awful"], [1, 0, 1, 0])
    >>> clf.predict(["good"]).tolist()
    [1]
    """
    if kind == "tfidf":
        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
            LogisticRegression(max_iter=1000, random_state=random_state),
        )
    if kind == "embedding":
        from .embedder import TextEmbedder
        from .regularised_logistic import CrossValidatedLogisticRegression

        return make_pipeline(
            TextEmbedder(model=model, cache_dir=cache_dir),
            CrossValidatedLogisticRegression(random_state=random_state),
        )
    if kind == "finetune":
        from .transformer import TransformerClassifier

        return TransformerClassifier(model=model, random_state=random_state)
    if kind == "setfit":
        from .setfit_classifier import SetFitClassifier

        return SetFitClassifier(model=model, random_state=random_state)
    raise ValueError(f"Unknown classifier kind {kind!r}; choose one of {', '.join(PRESETS)}.")
