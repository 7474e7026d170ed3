"""Shared fixtures and helpers: a tiny random BERT checkpoint, small labelled text sets and problems, a
labelling session factory, the `skal` command with a given stdin, and the query-strategy contract."""

import io
import os
import shutil
import sys

# No hub access in tests (or CI): fail fast instead of trying the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

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


# ----------------------------------------------------------------------------- labelling data
#: Words of the labelling tests' 60 reviews ("a wonderful film", ..., "a lifeless ending").
GOOD = ["wonderful", "moving", "brilliant", "funny", "charming", "superb"]
BAD = ["dull", "boring", "awful", "tedious", "clumsy", "lifeless"]
THINGS = ["film", "story", "cast", "script", "ending"]


@pytest.fixture
def review_phrases():
    """60 short reviews ``"a {word} {thing}"``, 30 "pos" then 30 "neg", as two new lists ``(texts, labels)``.

    The labelling, interchange and error-analysis tests' own data: fewer distinct words than
    ``text_data``, so a TF-IDF model separates them after a few labels.
    """
    texts = [f"a {word} {thing}" for word in GOOD + BAD for thing in THINGS]
    return texts, ["pos"] * 30 + ["neg"] * 30


@pytest.fixture
def labelling_directory(tmp_path):
    """Factory: ``make(texts)`` writes ``pool.csv`` and creates a TF-IDF session on it (labels pos/neg,
    batches of 4) in ``tmp_path / "s"``; returns that folder."""
    from skal.labelling import LabellingSession

    def make(texts):
        path = tmp_path / "pool.csv"
        pd.DataFrame({"text": texts}).to_csv(path, index=False)
        LabellingSession.create(tmp_path / "s", data=path, labels="pos,neg", classifier="tfidf", batch_size=4)
        return tmp_path / "s"

    return make


def run_cli(args, stdin=""):
    """Run ``skal.cli.main`` on ``args`` (each turned into ``str``) with ``stdin`` as standard input."""
    from skal.cli import main

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main([str(a) for a in args])
    finally:
        sys.stdin = old


# ----------------------------------------------------------------------------- small problems
@pytest.fixture(scope="module")
def digits():
    """The first 400 of scikit-learn's digits, features scaled to [0, 1]: ``(X, y)``."""
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


@pytest.fixture
def one_blas_thread():
    """One BLAS thread for the test (``pytestmark = pytest.mark.usefixtures("one_blas_thread")``).

    Tiny BLAS calls on a busy 2-core machine are far faster without thread hand-offs.
    """
    with threadpool_limits(limits=1):
        yield


# ----------------------------------------------------------------------------- strategy contract
def check_strategy_contract(strategy, X, y, n_instances):
    """Assert the query-strategy contract on a scikit-learn estimator, an ActiveLearner and a Committee.

    Each is fitted on ``X[:30], y[:30]``; ``strategy(estimator, X[30:], n_instances, random_state=0)``
    must return ``n_instances`` distinct integer row indices of the pool with one score each, the
    same ones when called again; both learners' ``query`` must return distinct picks with metrics.
    """
    from skal import ActiveLearner, Committee

    plain = LogisticRegression().fit(X[:30], y[:30])
    learner = ActiveLearner(LogisticRegression(), strategy, random_state=0).fit(X[:30], y[:30])
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.1, 10.0)], strategy).fit(
        X[:30], y[:30])
    pool = X[30:]
    for estimator in (plain, learner, committee):
        idx, scores = strategy(estimator, pool, n_instances=n_instances, random_state=0)
        assert idx.shape == (n_instances,) and scores.shape == (n_instances,) and len(set(idx)) == n_instances
        assert idx.dtype.kind == "i" and 0 <= idx.min() and idx.max() < len(pool)
        again = strategy(estimator, pool, n_instances=n_instances, random_state=0)
        np.testing.assert_array_equal(idx, again[0])
    for model in (learner, committee):
        idx, rows, scores = model.query(pool, n_instances=4, return_metrics=True)
        assert len(set(idx)) == 4 and scores.shape == (4,)


def check_strategy_bad_input(strategy, X, y):
    """Assert that ``strategy`` refuses an empty pool, too many instances, zero instances, NaN rows and
    an unfitted scikit-learn estimator, with errors that say so."""
    from skal import ActiveLearner

    learner = ActiveLearner(LogisticRegression()).fit(X[:30], y[:30])
    with pytest.raises(ValueError, match="empty"):
        strategy(learner, np.empty((0, X.shape[1])), n_instances=1)
    with pytest.raises(ValueError, match="larger than the pool"):
        strategy(learner, X[:3], n_instances=4)
    with pytest.raises(ValueError, match="at least 1"):
        strategy(learner, X, n_instances=0)
    with pytest.raises(ValueError, match="NaN"):
        strategy(learner, np.full((5, X.shape[1]), np.nan), n_instances=1)
    with pytest.raises(NotFittedError):
        strategy(LogisticRegression(), X, n_instances=1)


class TableModel:
    """A fitted 'deep model' whose embedding, probabilities (and gradient embedding, if given) are looked
    up by row id: the pool ``X`` holds row indices into the tables."""

    def __init__(self, embeddings, proba, gradients=None):
        self.embeddings, self.proba = np.asarray(embeddings, float), np.asarray(proba, float)
        self.classes_ = np.arange(self.proba.shape[1])
        if gradients is not None:
            self.gradients = np.asarray(gradients, float)
            self.gradient_embedding = lambda X: self.gradients[np.asarray(X).ravel()]

    def embed(self, X):
        """The embedding rows of the ids in ``X``."""
        return self.embeddings[np.asarray(X).ravel()]

    def predict_proba(self, X):
        """The probability rows of the ids in ``X``."""
        return self.proba[np.asarray(X).ravel()]
