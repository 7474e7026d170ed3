"""The inference side of :class:`skal.TransformerClassifier`: batched, optionally int8, scoring.

:class:`TransformerInference` is the mixin holding the methods that score a
pool: ``predict_proba``, ``predict``, ``score``, ``embed``,
``predict_proba_mc`` (MC dropout, BALD) and ``gradient_embedding`` (BADGE),
all over length-sorted, token-budgeted batches under ``torch.inference_mode``,
through the trained module or its int8 copy (``quantize=True``). It reads the
fitted attributes that :class:`skal.TransformerClassifier` sets (``net_``,
``tokenizer_``, ``device_``, ``classes_``, ``multi_label_``) and its
parameters (``max_length``, ``predict_batch_size``,
``predict_token_budget``, ``threshold``, ``quantize``, ``verbose``).
"""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted

from .parameters import check_int
from .quantization import quantize_linear_int8
from .seeding import draw_seed
from .text_batches import check_texts, length_sorted_batches

__all__ = ["TransformerInference", "final_linear", "seeded", "torch_seed"]


def final_linear(model):
    """The linear layer that produces the logits (registered last in HF classifiers).

    Parameters
    ----------
    model : torch.nn.Module
        A Hugging Face sequence classifier (with ``config.num_labels``).

    Returns
    -------
    layer : torch.nn.Linear
        The last linear layer with ``num_labels`` outputs.

    Raises
    ------
    ValueError
        The model has no such layer.

    Examples
    --------
    >>> from transformers import BertConfig, BertForSequenceClassification
    >>> from skal.transformer_inference import final_linear
    >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                     intermediate_size=8, num_labels=3)
    >>> final_linear(BertForSequenceClassification(config))
    Linear(in_features=8, out_features=3, bias=True)
    """
    n_labels = model.config.num_labels
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == n_labels]
    if not layers:
        raise ValueError(
            f"Could not find the final linear layer (with {n_labels} outputs) of {type(model).__name__}."
        )
    return layers[-1]


def torch_seed(random_state):
    """An int seed drawn from ``random_state`` (:func:`skal.seeding.draw_seed`), or None to leave torch's RNG alone.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        None gives None (torch's global generator then runs on, unseeded).

    Returns
    -------
    seed : int or None
        The seed for :func:`seeded`.

    Examples
    --------
    >>> from skal.transformer_inference import torch_seed
    >>> torch_seed(None) is None, torch_seed(0) == torch_seed(0)
    (True, True)
    """
    return None if random_state is None else draw_seed(random_state)


@contextmanager
def seeded(seed, device):
    """Run the block with torch seeded by ``seed``, restoring the global RNG after.

    Parameters
    ----------
    seed : int or None
        The seed; None runs the block on torch's global generator, unseeded.
    device : str
        The block's device: a CUDA device's generator is forked and seeded too.

    Yields
    ------
    None
        Inside the block, torch is seeded.

    Examples
    --------
    >>> import torch
    >>> from skal.transformer_inference import seeded
    >>> with seeded(0, "cpu"):
    ...     a = torch.rand(2)
    >>> with seeded(0, "cpu"):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
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


class TransformerInference:
    """Pool-scoring methods of :class:`skal.TransformerClassifier` (a mixin; see the module docstring).

    Examples
    --------
    >>> from skal import TransformerClassifier
    >>> from skal.transformer_inference import TransformerInference
    >>> issubclass(TransformerClassifier, TransformerInference)
    True
    """

    def _inference_module(self):
        """The module the inference methods run: the trained one, or its int8 copy when ``quantize``."""
        module = self.net_.module_
        if not self.quantize:
            return module
        if self.device_ != "cpu":
            raise ValueError(f"quantize=True is a CPU inference path; this model runs on {self.device_!r}.")
        if "_int8_module" not in self.__dict__:
            self._int8_module = quantize_linear_int8(module, keep=[final_linear(module.model)])
        return self._int8_module

    def _predict_batches(self, X, compute, dropout=False):
        """Stack ``compute(forward, batch)`` over the batches of ``X``, in ``X``'s order.

        ``forward(batch)`` returns the logits and the final linear layer's
        input (float32). Results go straight into one preallocated array.
        """
        check_is_fitted(self, "net_")
        texts = check_texts(X)
        module = self._inference_module()
        captured = {}
        hook = final_linear(module.model).register_forward_hook(
            lambda layer, args, output: captured.__setitem__("h", args[0])
        )

        def forward(batch):
            logits = module(**batch).float()
            return logits, captured["h"].float()

        _set_dropout(module, dropout)
        result = None
        progress = None
        if self.verbose:
            from tqdm.auto import tqdm

            progress = tqdm(total=len(texts), unit="text", leave=False)
        try:
            with torch.inference_mode():
                batches = length_sorted_batches(self.tokenizer_, texts, self.predict_batch_size,
                                                self.max_length, self.device_, self.predict_token_budget)
                for rows, batch in batches:
                    values = compute(forward, batch).cpu().numpy()
                    if result is None:
                        result = np.empty((len(texts),) + values.shape[1:], dtype=np.float32)
                    result[rows] = values
                    if progress is not None:
                        progress.update(rows.size)
        finally:
            hook.remove()
            module.eval()
            if progress is not None:
                progress.close()
        return result

    def _probabilities(self, logits):
        return self.net_.probabilities(logits)

    def predict_proba(self, X):
        """Class probabilities (multi-label: each label's own probability).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
            Rows sum to 1 for single-label models; multi-label columns are
            independent sigmoids.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> clf.predict_proba(["fine", "dull", "okay"]).shape
        (3, 2)
        """
        return self._predict_batches(X, lambda forward, batch: self._probabilities(forward(batch)[0]))

    def predict(self, X):
        """The most probable class of each text; multi-label: the indicator of labels at or over ``threshold``.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        y : ndarray of shape (n_samples,), or (n_samples, n_labels) of int for multi-label models
            The labels (``classes_`` values), or the label-indicator matrix.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], ["pos", "neg"])
        >>> clf.predict(["fine"]).shape
        (1,)
        """
        proba = self.predict_proba(X)
        if self.multi_label_:
            return (proba >= self.threshold).astype(np.int64)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy (multi-label: subset accuracy, ``y`` in either multi-label form).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.
        y : array-like of shape (n_samples,), indicator matrix or list of label sets
            The true labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the texts.

        Returns
        -------
        score : float
            The (weighted) share of texts whose prediction is exactly right.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> 0 <= clf.score(["good", "bad"], [1, 0]) <= 1
        True
        """
        check_is_fitted(self, "net_")
        truth = self._targets_.encode(y) if self.multi_label_ else y
        return accuracy_score(truth, self.predict(X), sample_weight=sample_weight)

    def embed(self, X):
        """The pooled representation: the input of the final linear layer.

        For BERT this is the pooler output ([CLS] through a dense layer and tanh).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, hidden_size), float32
            One row per text.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> clf.embed(["fine"]).shape
        (1, 384)
        """
        return self._predict_batches(X, lambda forward, batch: forward(batch)[1])

    def predict_proba_mc(self, X, mc_samples=20, random_state=None):
        """Monte Carlo dropout probabilities (Gal et al., 2017), e.g. for BALD.

        Each text is passed ``mc_samples`` times with dropout on (the model in
        training mode, batch-norm layers excepted), without gradients.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.
        mc_samples : int, default=20
            Stochastic passes per text.
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks.

        Returns
        -------
        proba : ndarray of shape (n_samples, mc_samples, n_classes), float32
            The probabilities of each pass.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> clf.predict_proba_mc(["fine"], mc_samples=3, random_state=0).shape
        (1, 3, 2)
        """
        check_int(mc_samples, "mc_samples")
        check_is_fitted(self, "net_")

        def samples(forward, batch):
            return torch.stack([self._probabilities(forward(batch)[0]) for _ in range(mc_samples)], dim=1)

        with seeded(torch_seed(random_state), self.device_):
            return self._predict_batches(X, samples, dropout=True)

    def gradient_embedding(self, X):
        """Gradient of the loss w.r.t. the final layer's weights at the predicted labels (BADGE).

        Computed in closed form as ``(p - ŷ) ⊗ h``, with ``p`` the
        probabilities, ``ŷ`` the predicted labels (one-hot of the argmax;
        multi-label: the labels at or over ``threshold``, the gradient of
        the binary cross-entropy) and ``h`` the input of the final linear
        layer (:meth:`embed`), without a backward pass (Ash et al., 2020).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, n_classes * hidden_size), float32
            Row ``i`` is the flattened ``(n_classes, hidden_size)`` gradient.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> clf.gradient_embedding(["fine"]).shape
        (1, 768)
        """
        def outer(forward, batch):
            logits, h = forward(batch)
            p = self._probabilities(logits)
            if self.multi_label_:
                predicted = (p >= self.threshold).to(p.dtype)
            else:
                predicted = torch.nn.functional.one_hot(p.argmax(dim=-1), p.shape[1]).to(p.dtype)
            return ((p - predicted)[:, :, None] * h[:, None, :]).flatten(1)

        return self._predict_batches(X, outer)


def _set_dropout(module, on):
    """Eval mode, with dropout switched on when ``on`` (batch-norm layers stay in eval)."""
    module.train(on)
    if on:
        for layer in module.modules():
            if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
                layer.eval()
