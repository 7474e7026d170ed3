"""The data users bring: real ``pd.read_csv`` output, every pandas dtype, any index, Hugging Face datasets.

Under pandas 3 ``pd.read_csv`` gives text columns the ``str`` dtype; under
pandas 2 they are ``object``. Both must go through every entry point
(``fit``, ``teach``, ``query``, ``X_training=``, ``Committee``,
``ActiveLearningSimulation.fit``), and the rows handed back keep the input's
container, dtype and index labels.
"""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner, ActiveLearningSimulation, Committee
from skal.data import check_labels, concat_rows, is_numeric
from skal.stream import simulate_stream

PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def _have(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


needs_pyarrow = pytest.mark.skipif(not _have("pyarrow"), reason="string[pyarrow] and ArrowDtype need pyarrow")
needs_pandas3 = pytest.mark.skipif(PANDAS_MAJOR < 3, reason=f"pandas 3's default str dtype needs pandas >= 3, "
                                                            f"this is pandas {pd.__version__}")


@pytest.fixture
def frame(text_data):
    """The 60 sentences as pandas' own CSV reader gives them back (pandas 3: ``str`` columns)."""
    texts, labels = text_data
    csv = pd.DataFrame({"text": texts, "label": labels, "stars": [5 if lab == "pos" else 1 for lab in labels]})
    return pd.read_csv(io.StringIO(csv.to_csv(index=False)))


def _text_pipeline(C=1.0):
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=C))


def _text_as(series, kind):
    """The read_csv text column as one of the dtypes users hand over."""
    if kind == "read_csv":
        return series
    if kind == "arrow":
        import pyarrow as pa

        return series.astype(pd.ArrowDtype(pa.string()))
    return series.astype(kind)


TEXT_KINDS = ["read_csv", "object", "string[python]",
              pytest.param("string[pyarrow]", marks=needs_pyarrow), pytest.param("arrow", marks=needs_pyarrow)]
INDEXES = {"default": None, "strings": lambda n: [f"row{i}" for i in range(n)],
           "duplicates": lambda n: [i // 3 for i in range(n)], "descending": lambda n: list(range(2 * n, 0, -2))}


def _reindexed(frame, index):
    return frame if INDEXES[index] is None else frame.set_axis(INDEXES[index](len(frame)))


@needs_pandas3
def test_read_csv_gives_the_str_dtype_under_pandas_3(frame):
    # What every pandas 3 user gets; the parametrised tests below run on it as "read_csv".
    assert isinstance(frame["text"].dtype, pd.StringDtype)
    assert isinstance(frame["label"].dtype, pd.StringDtype)


@pytest.mark.parametrize("index", list(INDEXES))
@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_text_series_of_every_dtype_through_the_learner(frame, kind, index):
    frame = _reindexed(frame, index)
    texts, labels = _text_as(frame["text"], kind), frame["label"]
    seed = np.r_[0, 1, 2, 30, 31, 32]
    pool_rows = np.setdiff1d(np.arange(60), seed)
    learner = ActiveLearner(_text_pipeline(), random_state=0).fit(texts.iloc[seed], labels.iloc[seed])
    pool = texts.iloc[pool_rows]
    idx, rows = learner.query(pool, n_instances=4)
    assert isinstance(rows, pd.Series) and rows.dtype == texts.dtype
    assert list(rows.index) == list(pool.index[idx])
    assert rows.tolist() == pool.iloc[idx].tolist()
    learner.teach(rows, labels.iloc[pool_rows].iloc[idx])
    assert isinstance(learner.X_training_, pd.Series) and learner.X_training_.dtype == texts.dtype
    assert len(learner.X_training_) == 10 and learner.y_training_.shape == (10,)
    assert sorted(learner.classes_.tolist()) == ["neg", "pos"]
    # modAL's constructor form, and a committee.
    lazy = ActiveLearner(_text_pipeline(), X_training=texts.iloc[seed], y_training=labels.iloc[seed])
    assert lazy.query(pool, n_instances=2)[1].dtype == texts.dtype
    committee = Committee([ActiveLearner(_text_pipeline()), ActiveLearner(_text_pipeline(C=0.1))],
                          random_state=0).fit(texts.iloc[seed], labels.iloc[seed])
    idx, rows = committee.query(pool, n_instances=3)
    assert rows.dtype == texts.dtype and list(rows.index) == list(pool.index[idx])
    committee.teach(rows, labels.iloc[pool_rows].iloc[idx])
    assert all(len(m.X_training_) == 9 for m in committee)


@pytest.mark.parametrize("index", ["default", "duplicates"])
@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_simulation_on_read_csv_columns(frame, kind, index):
    frame = _reindexed(frame, index)
    sim = ActiveLearningSimulation(_text_pipeline(), n_initial=4, batch_size=4, n_queries=3, random_state=0)
    sim.fit(_text_as(frame["text"], kind), frame["label"])
    assert sim.learning_curve_["n_labelled"].tolist() == [4, 8, 12, 16]
    queried = np.concatenate(sim.queried_indices_)
    assert np.unique(queried).shape[0] == 16 and queried.max() < 60
    assert sim.predict(frame["text"]).shape == (60,)


def _labels_as(frame, kind):
    """Labels of every dtype users hand over, and the numpy labels they stand for."""
    stars = frame["stars"]
    if kind == "read_csv":
        return frame["label"], frame["label"].to_numpy(dtype=object)
    if kind == "category":
        return frame["label"].astype("category"), frame["label"].to_numpy(dtype=object)
    if kind == "Int64":
        return stars.astype("Int64"), stars.to_numpy()
    if kind == "boolean":
        return (stars > 3).astype("boolean"), (stars > 3).to_numpy()
    if kind == "int category":
        return stars.astype("category"), stars.to_numpy()
    import pyarrow as pa

    if kind == "arrow int":
        return stars.astype(pd.ArrowDtype(pa.int64())), stars.to_numpy()
    return frame["label"].astype(pd.ArrowDtype(pa.string())), frame["label"].to_numpy(dtype=object)


LABEL_KINDS = ["read_csv", "category", "Int64", "boolean", "int category",
               pytest.param("arrow int", marks=needs_pyarrow), pytest.param("arrow str", marks=needs_pyarrow)]


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_labels_of_every_dtype(frame, kind):
    y, plain = _labels_as(frame, kind)
    seed = np.r_[0, 1, 30, 31]
    learner = ActiveLearner(_text_pipeline(), random_state=0).fit(frame["text"].iloc[seed], y.iloc[seed])
    assert isinstance(learner.y_training_, np.ndarray) and learner.y_training_.dtype != object or \
        learner.y_training_.dtype == plain.dtype
    assert sorted(learner.classes_.tolist()) == sorted(np.unique(plain).tolist())
    idx, rows = learner.query(frame["text"], n_instances=3)
    learner.teach(rows, y.iloc[idx])
    assert learner.y_training_.tolist() == plain[np.r_[seed, idx]].tolist()
    assert np.isin(learner.predict(frame["text"]), plain).all()
    sim = ActiveLearningSimulation(_text_pipeline(), n_initial=4, batch_size=5, n_queries=2, random_state=0)
    assert sim.fit(frame["text"], y).learning_curve_.shape[0] == 3


def test_numeric_frames_with_nullable_and_arrow_dtypes():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.randint(0, 5, size=40)}).astype({"b": "Int64"})
    y = pd.Series((X["a"] > 0).astype(int)).astype("Int64")
    assert is_numeric(X)
    learner = ActiveLearner(LogisticRegression(), X_training=X.iloc[:10], y_training=y.iloc[:10])
    idx, rows = learner.query(X.iloc[10:], n_instances=3)
    assert isinstance(rows, pd.DataFrame) and rows.dtypes.to_dict() == X.dtypes.to_dict()
    learner.teach(rows, y.iloc[10:].iloc[idx])
    assert learner.X_training_.dtypes.to_dict() == X.dtypes.to_dict()
    # A missing value of a nullable column is caught like a NaN, before the model sees it.
    X.loc[3, "b"] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        ActiveLearner(LogisticRegression()).fit(X, y)


@pytest.mark.parametrize("dtype, numeric", [
    ("float64", True), ("int8", True), ("Int64", True), ("Float64", True), ("bool", False), ("boolean", False),
    ("object", False), ("string", False), ("category", False),
])
def test_is_numeric_understands_extension_dtypes(dtype, numeric):
    values = pd.Series([1, 0, 1]).astype(dtype)
    assert is_numeric(values) is numeric
    assert is_numeric(values.to_frame()) is numeric


@needs_pyarrow
def test_is_numeric_on_arrow_dtypes():
    import pyarrow as pa

    assert is_numeric(pd.Series([1.5, 2.0], dtype=pd.ArrowDtype(pa.float64())))
    assert not is_numeric(pd.Series(["a", "b"], dtype=pd.ArrowDtype(pa.string())))


# ------------------------------------------------------- labels that cannot be labels
BAD_LABELS = {
    "int and str": ([0, "a"] * 5, "mixes label types \\(int at position 0, str at position 1\\)"),
    "None": (["pos", None] + ["neg", "pos"] * 4, "missing label\\(s\\) .* position\\(s\\) 1"),
    "NaN": ([0.0, np.nan] + [1.0, 0.0] * 4, "missing label"),
    "NA": (pd.Series([0, pd.NA] + [1, 0] * 4, dtype="Int64"), "missing label"),
    "object str and int": (np.array(["a", 1] * 5, dtype=object), "mixes label types"),
}


@pytest.mark.parametrize("case", list(BAD_LABELS))
def test_mixed_or_missing_labels_are_refused_where_y_enters(case):
    y, message = BAD_LABELS[case]
    with pytest.raises(ValueError, match=message):
        check_labels(y)
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match=message):
        ActiveLearner(LogisticRegression()).fit(X, y)
    good = ActiveLearner(LogisticRegression()).fit(X[:4], [0, 1, 0, 1])
    with pytest.raises(ValueError, match=message):
        good.teach(X, y)
    assert good.y_training_.tolist() == [0, 1, 0, 1]
    with pytest.raises(ValueError, match=message):
        Committee([ActiveLearner(LogisticRegression())]).fit(X, y)
    with pytest.raises(ValueError, match=message):
        ActiveLearningSimulation(LogisticRegression(), n_initial=2, eval_size=0).fit(X, y)
    with pytest.raises(ValueError, match=message):
        simulate_stream(ActiveLearner(SGDClassifier(loss="log_loss")).fit(X[:4], [0, 1, 0, 1]), X, y)


def test_check_labels_keeps_plain_labels_plain():
    assert check_labels(["a", "b"]).tolist() == ["a", "b"]
    assert check_labels(np.array([1, 2])).dtype.kind == "i"
    assert check_labels([1, 2.5]).dtype.kind == "f"
    assert check_labels(np.array([1, 2], dtype=object)).dtype.kind == "i"
    assert check_labels(np.zeros((3, 2), dtype=int)).shape == (3, 2)  # multi-label indicators pass
    assert check_labels([[0, 1], [1, 0]]).shape == (2, 2)
    assert check_labels([["a", "b"], ["c"]]).tolist() == [["a", "b"], ["c"]]  # label sets pass too
    assert check_labels(pd.Series(["x", "y"], dtype="category")).tolist() == ["x", "y"]


# ------------------------------------------------------------ Hugging Face datasets
@pytest.fixture
def hf_dataset(frame):
    datasets = pytest.importorskip("datasets", reason="Hugging Face datasets is not installed")
    return datasets.Dataset.from_pandas(frame[["text", "label"]])


def test_dataset_columns_are_pools_and_training_data(hf_dataset):
    texts, labels = hf_dataset["text"], hf_dataset["label"]
    learner = ActiveLearner(_text_pipeline(), random_state=0).fit(
        hf_dataset.select([0, 1, 30, 31])["text"], hf_dataset.select([0, 1, 30, 31])["label"])
    idx, rows = learner.query(texts, n_instances=3)
    assert isinstance(rows, list) and rows == [texts[i] for i in idx.tolist()]
    learner.teach(rows, [labels[i] for i in idx.tolist()])
    assert len(learner.X_training_) == 7
    sim = ActiveLearningSimulation(_text_pipeline(), n_initial=4, batch_size=4, n_queries=2, random_state=0)
    assert sim.fit(texts, labels).learning_curve_["n_labelled"].tolist() == [4, 8, 12]


def test_a_whole_dataset_is_refused_with_what_to_pass(hf_dataset):
    message = r"whole datasets.Dataset.*Pass one column instead, e.g. dataset\['text'\]"
    learner = ActiveLearner(_text_pipeline()).fit(hf_dataset["text"][:4] + hf_dataset["text"][30:34],
                                                  ["pos"] * 4 + ["neg"] * 4)
    with pytest.raises(ValueError, match=message):
        learner.query(hf_dataset, n_instances=1)
    with pytest.raises(ValueError, match=message):
        ActiveLearner(_text_pipeline()).fit(hf_dataset, hf_dataset["label"])
    with pytest.raises(ValueError, match=message):
        learner.teach(hf_dataset.select([0, 1]), ["pos", "pos"])
    assert len(learner.X_training_) == 8
    with pytest.raises(ValueError, match=message):
        ActiveLearner(_text_pipeline(), X_training=hf_dataset, y_training=hf_dataset["label"]).query(
            hf_dataset["text"])
    with pytest.raises(ValueError, match=message):
        ActiveLearningSimulation(_text_pipeline(), n_initial=4).fit(hf_dataset, hf_dataset["label"])
    from datasets import DatasetDict

    with pytest.raises(ValueError, match=r"pick a split.*dataset\['train'\]\['text'\]"):
        learner.query(DatasetDict({"train": hf_dataset}), n_instances=1)


def test_concat_keeps_the_dtype_and_never_loses_a_value():
    texts = pd.Series(["a", "b"], dtype="string")
    assert concat_rows(texts, ["c"]).dtype == texts.dtype
    categories = pd.Series(["a", "b"], dtype="category")
    assert concat_rows(categories, ["z"]).tolist() == ["a", "b", "z"]  # not NaN
    frame = pd.DataFrame({"n": [1, 2]}).astype("Int64")
    assert concat_rows(frame, np.array([[3]])).dtypes["n"] == "Int64"
    assert concat_rows(frame, np.array([[3.5]]))["n"].tolist() == [1, 2, 3.5]
