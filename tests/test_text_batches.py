"""Inference batches: length-sorted, padded by indexing, equal to the tokenizer's own padding."""

import numpy as np
import pytest
import torch
from conftest import NEGATIVE, POSITIVE
from transformers import AutoTokenizer

from skal.models import default_model_path
from skal.text_batches import length_sorted_batches


@pytest.mark.parametrize("side", ["right", "left"])
def test_batches_equal_the_tokenizers_padding_and_cover_every_text_once(side):
    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    tokenizer.padding_side = side
    texts = POSITIVE + NEGATIVE + ["a very long review " * 20]
    seen, widths = [], []
    for rows, batch in length_sorted_batches(tokenizer, texts, batch_size=7, max_length=16):
        expected = tokenizer([texts[i] for i in rows], truncation=True, max_length=16, padding=True,
                             return_tensors="pt")
        assert set(batch) == set(expected)
        for key in expected:
            assert batch[key].dtype == torch.int64
            assert torch.equal(batch[key], expected[key]), key
        seen.extend(rows.tolist())
        widths.append(batch["input_ids"].shape[1])
    assert sorted(seen) == list(range(len(texts)))
    assert widths == sorted(widths, reverse=True) and widths[0] == 16, "longest first, truncated"
    assert len(widths) == int(np.ceil(len(texts) / 7))
