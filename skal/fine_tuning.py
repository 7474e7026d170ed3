"""The training machinery under :class:`skal.TransformerClassifier`: a skorch net and its callbacks.

- :class:`LogitsModule`: a Hugging Face classifier as a module returning
  float32 logits (under autocast on CUDA);
- :class:`FineTuningNet`: skorch's classifier net with length-grouped
  training batches fetched whole (no per-row collation), gradient clipping
  to norm 1 and, for float16, a gradient scaler, the Hugging Face Trainer's
  defaults;
- :class:`WarmupLinearDecay`: the Trainer's ``"linear"`` schedule (linear
  warm-up, then linear decay to 0), for skorch's ``LRScheduler``;
- :func:`training_callbacks`: skorch's ``LRScheduler``, ``EarlyStopping``
  (keeping the best epoch's weights) and, when verbose, ``ProgressBar`` and
  ``PrintLog``.
"""

import functools
import math

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, LRScheduler, ProgressBar
from skorch.dataset import unpack_data
from skorch.utils import noop

from .text_batches import TokenizedTexts, as_batch, length_grouped_batches

__all__ = [
    "fused_adamw_supported",
    "MAX_GRAD_NORM",
    "FineTuningNet",
    "LengthGroupedSampler",
    "LogitsModule",
    "WarmupLinearDecay",
    "training_callbacks",
]

#: Gradients are clipped to this norm before each step, as the Hugging Face Trainer does by default.
MAX_GRAD_NORM = 1.0


@functools.lru_cache(maxsize=8)
def fused_adamw_supported(device):
    """Whether torch's fused AdamW kernel runs on ``device`` (CUDA; the CPU from torch 2.4).

    The Hugging Face Trainer's default optimiser (``adamw_torch_fused``): one
    kernel for all the parameters, instead of a Python loop over ~100 tensors
    at each step, measured at about a fifth of a CPU training step for MiniLM.

    Parameters
    ----------
    device : str
        A torch device name.

    Returns
    -------
    bool
        True when one fused AdamW step ran there.

    Examples
    --------
    >>> from skal.fine_tuning import fused_adamw_supported
    >>> isinstance(fused_adamw_supported("cpu"), bool)
    True
    """
    try:
        parameter = torch.zeros(1, device=device, requires_grad=True)
        parameter.grad = torch.zeros_like(parameter)
        torch.optim.AdamW([parameter], fused=True).step()
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


class LogitsModule(torch.nn.Module):
    """A Hugging Face sequence classifier as a module that returns float32 logits.

    With ``amp_dtype`` set, the forward pass runs under ``torch.autocast``.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A sequence classifier whose output has ``logits``.
    amp_dtype : torch.dtype or None, default=None
        The autocast dtype (bfloat16 or float16 on CUDA); None runs in full precision.

    Examples
    --------
    >>> import torch
    >>> from transformers import BertConfig, BertForSequenceClassification
    >>> from skal.fine_tuning import LogitsModule
    >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                     intermediate_size=8, num_labels=3)
    >>> LogitsModule(BertForSequenceClassification(config))(input_ids=torch.ones(2, 4, dtype=torch.long)).shape
    torch.Size([2, 3])
    """

    def __init__(self, model, amp_dtype=None):
        super().__init__()
        self.model = model
        self.amp_dtype = amp_dtype

    def forward(self, **batch):
        """The model's logits on one batch, as float32.

        Parameters
        ----------
        **batch : dict of str to torch.Tensor
            The tokenizer's tensors (``input_ids``, ``attention_mask``...).

        Returns
        -------
        logits : torch.Tensor of shape (batch_size, num_labels)
            float32, also under autocast.

        Examples
        --------
        >>> import torch
        >>> from transformers import BertConfig, BertForSequenceClassification
        >>> from skal.fine_tuning import LogitsModule
        >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        ...                     intermediate_size=8, num_labels=2)
        >>> LogitsModule(BertForSequenceClassification(config)).forward(input_ids=torch.ones(1, 3, dtype=torch.long)).dtype
        torch.float32
        """
        if self.amp_dtype is None:
            return self.model(**batch).logits
        with torch.autocast(batch["input_ids"].device.type, dtype=self.amp_dtype):
            logits = self.model(**batch).logits
        return logits.float()


class LengthGroupedSampler:
    """A batch sampler drawing fresh length-grouped batches at each epoch.

    Parameters
    ----------
    lengths : ndarray of shape (n_texts,)
        Token count of each text.
    batch_size : int
        Texts per batch.
    rng : numpy.random.Generator
        Draws the batches of each epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.fine_tuning import LengthGroupedSampler
    >>> sampler = LengthGroupedSampler(np.array([3, 9, 4, 8]), 2, np.random.default_rng(0))
    >>> len(sampler), sorted(sorted(b.tolist()) for b in sampler)
    (2, [[0, 2], [1, 3]])
    """

    def __init__(self, lengths, batch_size, rng):
        self.lengths = lengths
        self.batch_size = batch_size
        self.rng = rng

    def __len__(self):
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self):
        return iter(length_grouped_batches(self.lengths, self.batch_size, self.rng))


class FineTuningNet(NeuralNetClassifier):
    """The skorch classifier net, with the Trainer's batching, clipping and float16 scaling.

    Training batches are length-grouped (:class:`LengthGroupedSampler`, drawn
    from ``batch_rng``, a numpy Generator the caller sets before training);
    validation batches are length-sorted, ``valid_batch_size`` rows each.
    Both come padded whole from :class:`~skal.text_batches.TokenizedTexts`.
    Gradients are clipped to ``MAX_GRAD_NORM``. With ``grad_scaling``
    (float16 autocast on CUDA), the loss is scaled, and gradients unscaled
    before clipping.

    Parameters
    ----------
    *args : tuple
        skorch's ``NeuralNetClassifier`` arguments (``module`` first).
    grad_scaling : bool, default=False
        Scale the loss with a ``torch.amp.GradScaler`` (float16 autocast).
    valid_batch_size : int, default=64
        Rows per validation batch.
    **kwargs : dict
        skorch's ``NeuralNetClassifier`` keyword arguments (``criterion``,
        ``lr``, ``batch_size``, ``callbacks``...).

    Examples
    --------
    >>> import torch
    >>> from skal.fine_tuning import FineTuningNet
    >>> FineTuningNet(torch.nn.Linear(2, 2), valid_batch_size=8).valid_batch_size
    8
    """

    def __init__(self, *args, grad_scaling=False, valid_batch_size=64, **kwargs):
        super().__init__(*args, **kwargs)
        self.grad_scaling = grad_scaling
        self.valid_batch_size = valid_batch_size
        self.batch_rng = None

    def initialize(self):
        """The skorch initialisation, plus the gradient scaler (``grad_scaler_``, None without ``grad_scaling``).

        Returns
        -------
        self : FineTuningNet
            Initialised.

        Examples
        --------
        >>> import torch
        >>> from skal.fine_tuning import FineTuningNet
        >>> FineTuningNet(torch.nn.Linear(2, 2), criterion=torch.nn.CrossEntropyLoss).initialize().grad_scaler_ is None
        True
        """
        super().initialize()
        device_type = torch.device(self.device).type
        self.grad_scaler_ = torch.amp.GradScaler(device_type) if self.grad_scaling else None
        return self

    def get_iterator(self, dataset, training=False):
        """Batches of ``dataset``: length-grouped for training, length-sorted for validation.

        Parameters
        ----------
        dataset : TokenizedTexts or torch.utils.data.Dataset
            Other datasets get skorch's own iterator.
        training : bool, default=False
            Training batches (``batch_size`` rows, drawn from ``batch_rng``)
            or validation ones (``valid_batch_size`` rows, longest first).

        Returns
        -------
        torch.utils.data.DataLoader
            Yields ``(batch, labels)`` pairs, padded whole.

        Examples
        --------
        >>> import numpy as np, torch
        >>> from transformers import AutoTokenizer
        >>> from skal.fine_tuning import FineTuningNet
        >>> from skal.models import default_model_path
        >>> from skal.text_batches import PaddedTokens, TokenizedTexts
        >>> tokenizer = AutoTokenizer.from_pretrained(default_model_path())
        >>> tokens = PaddedTokens(tokenizer, tokenizer(["a", "a much longer text", "b"]))
        >>> net = FineTuningNet(torch.nn.Linear(2, 2), valid_batch_size=2)
        >>> [X["input_ids"].shape for X, y in net.get_iterator(TokenizedTexts(tokens, np.zeros(3, dtype=int)))]
        [torch.Size([2, 6]), torch.Size([1, 3])]
        """
        if not isinstance(dataset, TokenizedTexts):
            return super().get_iterator(dataset, training=training)
        if training:
            rng = self.batch_rng if self.batch_rng is not None else np.random.default_rng()
            batches = LengthGroupedSampler(dataset.tokens.lengths, self.batch_size, rng)
        else:
            order = np.argsort(-dataset.tokens.lengths, kind="stable")
            batches = [order[i:i + self.valid_batch_size] for i in range(0, order.size, self.valid_batch_size)]
        return torch.utils.data.DataLoader(dataset, batch_sampler=batches, collate_fn=as_batch)

    def train_step_single(self, batch, **fit_params):
        """Forward and backward pass on one batch, with clipping (or loss scaling under float16).

        Parameters
        ----------
        batch : tuple
            ``(X, y)`` from the iterator.
        **fit_params : dict
            Passed to the module's forward.

        Returns
        -------
        dict
            ``{"loss": ..., "y_pred": ...}``, as skorch expects.

        Examples
        --------
        >>> import torch
        >>> from skal.fine_tuning import FineTuningNet
        >>> net = FineTuningNet(torch.nn.Linear(2, 2), criterion=torch.nn.CrossEntropyLoss).initialize()
        >>> step = net.train_step_single((torch.ones(3, 2), torch.tensor([0, 1, 0])))
        >>> sorted(step), step["y_pred"].shape
        (['loss', 'y_pred'], torch.Size([3, 2]))
        """
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.grad_scaler_ is None:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.module_.parameters(), MAX_GRAD_NORM)
        else:
            self.grad_scaler_.scale(loss).backward()
        return {"loss": loss, "y_pred": y_pred}

    def probabilities(self, logits):
        """Probabilities from the module's logits: sigmoids under a binary cross-entropy (multi-label), else softmax.

        What ``predict_proba`` applies, as a public method (skorch's own
        inferred non-linearity would turn multi-label logits into pairs).

        Parameters
        ----------
        logits : torch.Tensor of shape (n_samples, n_outputs)
            The module's output.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_outputs)
            Rows sum to 1 (single-label), or each entry is a label's probability.

        Examples
        --------
        >>> import torch
        >>> from skal.fine_tuning import FineTuningNet
        >>> net = FineTuningNet(torch.nn.Linear(2, 2), criterion=torch.nn.CrossEntropyLoss).initialize()
        >>> net.probabilities(torch.zeros(1, 2)).tolist()
        [[0.5, 0.5]]
        """
        if isinstance(self.criterion_, torch.nn.BCEWithLogitsLoss):
            return torch.sigmoid(logits)
        return torch.softmax(logits, dim=-1)

    def _step_optimizer(self, step_fn):
        if self.grad_scaler_ is None:
            return super()._step_optimizer(step_fn)
        # GradScaler cannot step with a closure (as skorch's AccelerateMixin notes).
        step_fn()
        self.grad_scaler_.unscale_(self.optimizer_)
        torch.nn.utils.clip_grad_norm_(self.module_.parameters(), MAX_GRAD_NORM)
        self.grad_scaler_.step(self.optimizer_)
        self.grad_scaler_.update()


class WarmupLinearDecay:
    """Learning-rate factor at step ``t``: linear warm-up to 1, then linear decay to 0.

    The Hugging Face Trainer's ``"linear"`` schedule
    (``get_linear_schedule_with_warmup``), as a picklable callable for
    ``torch.optim.lr_scheduler.LambdaLR`` (restarted at step 0 by each training call);
    ``total_steps=None`` is a constant factor of 1.

    Parameters
    ----------
    warmup_steps : int
        Steps of the linear warm-up.
    total_steps : int or None
        Step at which the factor reaches 0; None for a constant 1.

    Examples
    --------
    >>> from skal.fine_tuning import WarmupLinearDecay
    >>> schedule = WarmupLinearDecay(warmup_steps=2, total_steps=10)
    >>> [round(schedule(t), 3) for t in (0, 1, 2, 6, 10)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, warmup_steps, total_steps):
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):
        if self.total_steps is None:
            return 1.0
        if step < self.warmup_steps:
            return step / max(1, self.warmup_steps)
        return max(0.0, (self.total_steps - step) / max(1, self.total_steps - self.warmup_steps))


class _Schedule(LRScheduler):
    """skorch's LRScheduler, forgetting its torch scheduler (which holds the optimizer) after training."""

    def on_train_end(self, net, **kwargs):
        self.lr_scheduler_ = None


class _BestWeights(EarlyStopping):
    """skorch's EarlyStopping with ``load_best``, dropping the copy of the best weights once restored."""

    def on_train_end(self, net, **kwargs):
        super().on_train_end(net, **kwargs)
        self.best_model_weights_ = None


def training_callbacks(early_stopping, patience, verbose):
    """The skorch callbacks of a fine-tuning run, as ``(name, callback)`` pairs.

    They join skorch's defaults (``train_loss``/``valid_loss`` scoring, and
    ``print_log``, which prints when the net is verbose; drop the default
    ``valid_acc``, an argmax that is wrong for multi-label, with
    ``callbacks__valid_acc=None``). The learning-rate schedule is
    ``"schedule"``: set its ``lr_lambda`` (a :class:`WarmupLinearDecay`)
    before each training call. With ``early_stopping``, ``"early_stopping"``
    stops after ``patience`` epochs without a lower validation loss and
    restores the best epoch's weights. ``verbose`` adds skorch's tqdm
    progress bar over each epoch's batches.

    Parameters
    ----------
    early_stopping : bool
        Add the early-stopping callback.
    patience : int
        Its patience, in epochs.
    verbose : int
        > 0 adds the progress bar.

    Returns
    -------
    list of (str, skorch.callbacks.Callback)
        The callbacks, for the net's ``callbacks``.

    Examples
    --------
    >>> from skal.fine_tuning import training_callbacks
    >>> [name for name, _ in training_callbacks(True, 3, verbose=0)]
    ['schedule', 'early_stopping']
    """
    callbacks = [("schedule", _Schedule(policy=torch.optim.lr_scheduler.LambdaLR, lr_lambda=WarmupLinearDecay(0, None),
                                        last_epoch=-1, step_every="batch"))]
    if early_stopping:
        callbacks.append(("early_stopping", _BestWeights(monitor="valid_loss", patience=patience,
                                                         load_best=True, sink=print if verbose else noop)))
    if verbose:
        callbacks.append(("progress", ProgressBar()))
    return callbacks
