"""TextEmbedder: frozen sentence embeddings as a scikit-learn transformer."""

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .models import check_texts, load_pretrained, resolve_device, resolve_model

__all__ = ["TextEmbedder"]


class TextEmbedder(TransformerMixin, BaseEstimator):
    """Mean-pooled embeddings of a frozen BERT-family model.

    ``Pipeline([TextEmbedder(), LogisticRegression()])`` is the fast CPU path
    for active learning on text: the encoder is never trained, so each text is
    embedded once and, with ``cache_dir``, never again.

    Parameters
    ----------
    model : str or path, default=None
        Local Hugging Face checkpoint directory; None is the bundled MiniLM BERT.
    max_length : int, default=128
    batch_size : int, default=64
    normalize : bool, default=True
        L2-normalise the embeddings (as sentence-transformers does for MiniLM).
    cache_dir : str or path, default=None
        Directory of an on-disk cache keyed by model, ``max_length`` and text;
        None disables it.
    device : {"auto", "cpu", "cuda"}, default="auto"

    Attributes
    ----------
    n_features_out_ : int, the embedding size.
    device_ : str

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression       # doctest: +SKIP
    >>> from sklearn.pipeline import make_pipeline                # doctest: +SKIP
    >>> from skal import TextEmbedder                             # doctest: +SKIP
    >>> clf = make_pipeline(TextEmbedder(), LogisticRegression()) # doctest: +SKIP
    >>> clf.fit(["great film", "awful film"], [1, 0]).predict(["a great story"])  # doctest: +SKIP
    array([1])
    """

    def __init__(self, model=None, max_length=128, batch_size=64, normalize=True, cache_dir=None,
                 device="auto"):
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.cache_dir = cache_dir
        self.device = device

    def fit(self, X=None, y=None):
        """Load the encoder (nothing is learned)."""
        from transformers import AutoModel, AutoTokenizer

        self.device_ = resolve_device(self.device)
        self.tokenizer_ = load_pretrained(AutoTokenizer, self.model)
        self.encoder_ = load_pretrained(AutoModel, self.model).to(self.device_).eval()
        self.n_features_out_ = self.encoder_.config.hidden_size
        return self

    def transform(self, X):
        """Embeddings of the texts in ``X``, shape (n_samples, hidden), float32."""
        check_is_fitted(self, "encoder_")
        texts = check_texts(X)
        keys = [self._key(t) for t in texts]
        cache = self._cache_path()
        known = _load_cache(cache) if cache else {}
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
        if missing:
            vectors = self._encode([t for _, t in missing])
            fresh = dict(zip((k for k, _ in missing), vectors))
            if cache:
                _append_cache(cache, fresh)
            known.update(fresh)
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)

    def _key(self, text):
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def _cache_path(self):
        if self.cache_dir is None:
            return None
        tag = hashlib.sha1(f"{resolve_model(self.model)}|{self.max_length}|{self.normalize}".encode()).hexdigest()[:16]
        return Path(self.cache_dir) / f"embeddings-{tag}"

    def _encode(self, texts):
        """Mean-pooled embeddings, in length-sorted, dynamically padded batches."""
        encodings = self.tokenizer_(texts, truncation=True, max_length=self.max_length)
        order = np.argsort([-len(ids) for ids in encodings["input_ids"]], kind="stable")
        out = np.empty((len(texts), self.n_features_out_), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                batch = self.tokenizer_.pad([{k: encodings[k][i] for k in encodings} for i in rows],
                                            return_tensors="pt")
                batch = {k: v.to(self.device_) for k, v in batch.items()}
                hidden = self.encoder_(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[rows] = pooled.float().cpu().numpy()
        return out

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "n_features_out_")
        return np.asarray([f"embedding{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _load_cache(directory):
    """Every cached vector under ``directory`` (one .npz shard per write)."""
    known = {}
    if directory.is_dir():
        for shard in sorted(directory.glob("*.npz")):
            with np.load(shard) as data:
                known.update(zip(data["keys"].tolist(), data["vectors"]))
    return known


def _append_cache(directory, vectors):
    """Write a new shard atomically (temp file, then rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        np.savez(handle, keys=np.asarray(list(vectors)), vectors=np.stack(list(vectors.values())))
    os.replace(tmp, directory / f"shard-{hashlib.sha1(''.join(vectors).encode()).hexdigest()[:16]}.npz")
