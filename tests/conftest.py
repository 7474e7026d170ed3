"""Shared fixtures: a tiny random BERT checkpoint and a small labelled text set."""

import os
import shutil

# No hub access in tests (or CI): fail fast instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch


@pytest.fixture(scope="session")
def tiny_bert_path(tmp_path_factory):
    """A 2-layer, 32-wide random BertModel saved with the bundled vocabulary."""
    from transformers import BertConfig, BertModel

    from skal.models import default_model_path

    path = tmp_path_factory.mktemp("tiny-bert")
    source = default_model_path()
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(source / name, path / name)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=64)
    BertModel(config).save_pretrained(path)
    return str(path)


POSITIVE = ["a wonderful heartfelt film", "great acting and a moving story", "i loved every minute",
            "brilliant and funny", "a delight from start to finish", "superb cast and a great script",
            "warm, witty and wise", "the best film of the year", "beautifully shot and acted",
            "a joyous triumph", "charming and clever", "an absolute gem"]
NEGATIVE = ["a dull boring mess", "terrible plot and awful acting", "i hated it", "a waste of time",
            "boring, slow and predictable", "an awful script and a dreadful film", "lifeless and flat",
            "the worst film of the year", "clumsy and tedious", "a tiresome disaster", "painfully dull",
            "a complete bore"]


@pytest.fixture(scope="session")
def text_data():
    """24 short movie-review-like sentences with labels "pos"/"neg"."""
    return POSITIVE + NEGATIVE, ["pos"] * len(POSITIVE) + ["neg"] * len(NEGATIVE)
