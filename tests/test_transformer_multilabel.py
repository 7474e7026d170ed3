"""TransformerClassifier(multi_label=True): sigmoid outputs, BCE loss, threshold, deep-strategy methods."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import inference_atol
from sklearn.base import clone

from skal import TransformerClassifier

LABEL_SETS = [["good"], ["bad"], ["good", "funny"], [], ["bad", "funny"], ["funny"]] * 10


def _tiny(path, **params):
    settings = dict(model=path, max_epochs=2, lr=1e-3, batch_size=16, predict_batch_size=7,
                    max_length=16, random_state=0)
    return TransformerClassifier(**{**settings, **params})


@pytest.fixture(scope="module")
def multi(tiny_bert_path):
    from conftest import NEGATIVE, POSITIVE

    return _tiny(tiny_bert_path).fit(POSITIVE + NEGATIVE, LABEL_SETS)


def test_label_sets_give_one_sigmoid_per_label(multi, text_data):
    X, _ = text_data
    assert multi.multi_label_ and multi.classes_.tolist() == ["bad", "funny", "good"]
    assert isinstance(multi.net_.criterion_, torch.nn.BCEWithLogitsLoss)
    proba = multi.predict_proba(X)
    assert proba.shape == (60, 3) and proba.dtype == np.float32
    logits = multi.net_.module_(**multi.tokenizer_(X[:4], padding=True, return_tensors="pt"))
    np.testing.assert_allclose(proba[:4], torch.sigmoid(logits).detach().numpy(), atol=1e-5)
    assert not np.allclose(proba.sum(axis=1), 1), "independent labels, not a softmax"
    predicted = multi.predict(X)
    np.testing.assert_array_equal(predicted, (proba >= 0.5).astype(int))
    low = clone(multi).set_params(threshold=0.2)
    low.__dict__.update({k: v for k, v in multi.__dict__.items() if k.endswith("_")})
    np.testing.assert_array_equal(low.predict(X), (proba >= 0.2).astype(int))
    assert 0 <= multi.score(X, LABEL_SETS) <= 1


def test_indicator_matrix_dense_and_sparse(tiny_bert_path, text_data):
    X, _ = text_data
    Y = np.zeros((60, 4), dtype=int)
    Y[np.arange(60), np.arange(60) % 4] = 1
    Y[::5, 0] = 1
    dense = _tiny(tiny_bert_path).fit(X, Y)
    assert dense.classes_.tolist() == [0, 1, 2, 3] and dense.predict(X).shape == (60, 4)
    sparse = _tiny(tiny_bert_path).fit(X, sp.csr_matrix(Y))
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), atol=1e-6)
    with pytest.raises(ValueError, match="3 label columns.*4 labels"):
        dense.set_params(warm_start=True).fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="multi_label=False"):
        _tiny(tiny_bert_path, multi_label=False).fit(X, Y)
    with pytest.raises(ValueError, match="multi_label=True needs"):
        _tiny(tiny_bert_path, multi_label=True).fit(X, ["pos", "neg"] * 30)


def test_bad_multi_label_targets(multi, tiny_bert_path, text_data):
    X, _ = text_data
    with pytest.raises(ValueError, match=r"labels \['scary'\] outside"):
        multi.partial_fit(X[:2], [["scary"], ["good"]])
    with pytest.raises(ValueError, match="mixes label sets"):
        _tiny(tiny_bert_path).fit(X[:3], [["good"], "bad", ["good"]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        _tiny(tiny_bert_path).fit(X[:3], np.array([[0, 2], [1, 0], [0, 1]]))
    with pytest.raises(ValueError, match="one label per row"):
        multi.score(X[:2], ["good", "bad"])


def test_balanced_pos_weight(tiny_bert_path, text_data):
    X, _ = text_data
    clf = _tiny(tiny_bert_path, max_epochs=1, class_weight="balanced").fit(X, LABEL_SETS)
    Y = np.array([[("bad" in s), ("funny" in s), ("good" in s)] for s in LABEL_SETS], dtype=float)
    expected = (60 - Y.sum(axis=0)) / Y.sum(axis=0)
    np.testing.assert_allclose(clf.net_.criterion_.pos_weight.numpy(), expected, rtol=1e-6)


def test_gradient_embedding_is_the_bce_gradient_at_the_predicted_labels(multi, text_data):
    X, _ = text_data
    h, p = multi.embed(X), multi.predict_proba(X)
    grads = multi.gradient_embedding(X)
    assert grads.shape == (60, 3 * 32)
    model = multi.net_.module_.model
    batch = multi.tokenizer_(X[:3], padding=True, return_tensors="pt")
    logits = model(**batch).logits
    for i in range(3):
        predicted = (torch.sigmoid(logits[i:i + 1]) >= 0.5).float()
        # BCEWithLogitsLoss summed over the labels: its gradient w.r.t. the logits is p - y.
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[i:i + 1], predicted, reduction="sum")
        (weight_grad,) = torch.autograd.grad(loss, model.classifier.weight, retain_graph=True)
        np.testing.assert_allclose(grads[i], weight_grad.flatten().numpy(), atol=inference_atol(multi.device_))
    residual = p - (p >= 0.5)
    np.testing.assert_allclose(grads, (residual[:, :, None] * h[:, None, :]).reshape(60, -1), atol=1e-6)


def test_mc_dropout_and_pipeline(multi, text_data, tmp_path):
    from transformers import pipeline

    X, _ = text_data
    mc = multi.predict_proba_mc(X[:10], mc_samples=3, random_state=0)
    assert mc.shape == (10, 3, 3) and mc.std(axis=1).max() > 0 and (mc >= 0).all() and (mc <= 1).all()
    path = multi.save_pretrained(tmp_path)
    classify = pipeline("text-classification", model=str(path), device="cpu")
    answers = classify(X[:4], top_k=None)
    for row, answer in zip(multi.predict_proba(X[:4]), answers):
        scores = {item["label"]: item["score"] for item in answer}
        np.testing.assert_allclose([scores[c] for c in multi.classes_], row, atol=1e-5)  # sigmoids
    again = TransformerClassifier.from_pretrained(path)
    assert again.multi_label_ and again.classes_.tolist() == multi.classes_.tolist()
    np.testing.assert_array_equal(again.predict(X), multi.predict(X))


def test_early_stopping_on_multi_label(tiny_bert_path, text_data):
    X, _ = text_data
    clf = _tiny(tiny_bert_path, max_epochs=3, early_stopping=True).fit(X, LABEL_SETS)
    assert len(clf.net_.history[:, "valid_loss"]) == clf.n_epochs_ and clf.best_epoch_ >= 1
