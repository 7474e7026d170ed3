"""Shared fixtures: a tiny random BERT checkpoint and a small labelled text set."""

import os
import shutil

# No hub access in tests (or CI): fail fast instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest
import torch

# The test models are tiny: one thread is fastest, and it keeps parallel test runs on a
# shared 2-core machine from oversubscribing it (torch's spinning threads then crawl).
torch.set_num_threads(1)

def inference_atol(device):
    """Tolerance of model outputs against a float32 reference: CUDA runs under bfloat16/float16 autocast."""
    return 1e-5 if str(device) == "cpu" else 2e-2


#: Tokenizer files copied from the bundled checkpoint next to the tiny model.
TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


@pytest.fixture(scope="session")
def tiny_bert_path(tmp_path_factory):
    """Directory of a tiny random ``BertModel`` checkpoint (no classification head).

    2 layers, hidden size 32, 2 heads, intermediate size 37, with the bundled
    MiniLM vocabulary and tokenizer files, so it loads with
    ``AutoModelForSequenceClassification``/``AutoTokenizer`` like a real one.
    """
    from transformers import BertConfig, BertModel

    from skal.models import default_model_path

    path = tmp_path_factory.mktemp("tiny-bert")
    source = default_model_path()
    for name in TOKENIZER_FILES:
        shutil.copy(source / name, path / name)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=64)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        BertModel(config).save_pretrained(path)
    return str(path)


POSITIVE = [
    "a wonderful heartfelt film", "great acting and a moving story", "i loved every minute",
    "brilliant and funny", "a delight from start to finish", "superb cast and a great script",
    "warm, witty and wise", "the best film of the year", "beautifully shot and acted",
    "a joyous triumph", "charming and clever", "an absolute gem", "a touching and tender drama",
    "smart, sharp and very funny", "the performances are terrific", "a gripping thriller",
    "funny, moving and true", "a rare treat", "an inspired and original comedy",
    "a stunning debut", "the music is lovely", "a masterpiece of suspense", "fresh and exciting",
    "a thoroughly enjoyable ride", "an intelligent, rewarding film", "it made me laugh and cry",
    "a beautiful story, well told", "gorgeous to look at", "a clever and playful script",
    "one of the most satisfying films in years",
]
NEGATIVE = [
    "a dull boring mess", "terrible plot and awful acting", "i hated it", "a waste of time",
    "boring, slow and predictable", "an awful script and a dreadful film", "lifeless and flat",
    "the worst film of the year", "clumsy and tedious", "a tiresome disaster", "painfully dull",
    "a complete bore", "a lazy, cynical sequel", "the jokes fall flat", "stupid and pointless",
    "a confused and muddled plot", "wooden acting throughout", "an ugly, joyless film",
    "far too long and far too dull", "a forgettable thriller", "the script is a mess",
    "nothing works here", "a shallow and silly comedy", "it drags on forever",
    "a tedious, empty spectacle", "badly written and badly acted", "a numbing bore",
    "dreary and unfunny", "a pale imitation of the original", "an embarrassing failure",
]


@pytest.fixture
def text_data():
    """60 short movie-review sentences (30 "pos", then 30 "neg") as two new lists ``(texts, labels)``."""
    return POSITIVE + NEGATIVE, ["pos"] * len(POSITIVE) + ["neg"] * len(NEGATIVE)


@pytest.fixture
def modal_batch_numpy(monkeypatch):
    """Let modAL 0.4.1's ranked batch run on numpy 1.24-1.26 (the oldest environment CI tests).

    ``modAL.batch`` calls ``np.bool``, an alias numpy removed in 1.24 and brought back in 2.0;
    the comparison with modAL would otherwise fail in modAL's own code. Our code still runs
    on the numpy as installed: only the missing alias is put back, for the test's duration.
    """
    import numpy as np

    if not hasattr(np, "bool"):
        monkeypatch.setattr(np, "bool", np.bool_, raising=False)
