"""Hugging Face interop and pickling: save_pretrained, transformers.pipeline, from_pretrained, pickle size."""

import json
import pickle

import numpy as np
import pytest
import torch
from conftest import inference_atol
from sklearn.utils import estimator_checks

from skal import SetFitClassifier, TextEmbedder, TransformerClassifier


def _tiny(path, **params):
    settings = dict(model=path, max_epochs=1, lr=1e-3, batch_size=16, predict_batch_size=7,
                    max_length=16, random_state=0)
    return TransformerClassifier(**{**settings, **params})


@pytest.fixture(scope="module")
def fitted(tiny_bert_path):
    from conftest import NEGATIVE, POSITIVE

    return _tiny(tiny_bert_path, max_epochs=2).fit(POSITIVE + NEGATIVE, ["pos"] * 30 + ["neg"] * 30)


def _weight_bytes(clf):
    model = clf.net_.module_.model
    return sum(p.numel() * p.element_size() for p in model.state_dict().values())


def test_pipeline_answers_the_real_label_names(fitted, text_data, tmp_path):
    from transformers import AutoConfig, pipeline

    X, _ = text_data
    path = fitted.save_pretrained(tmp_path / "model")
    config = AutoConfig.from_pretrained(path)
    assert config.id2label == {0: "neg", 1: "pos"} and config.label2id == {"neg": 0, "pos": 1}
    classify = pipeline("text-classification", model=str(path), device="cpu")
    answers = classify(X[:6], top_k=None, truncation=True, max_length=fitted.max_length)
    proba = fitted.predict_proba(X[:6])
    for row, answer in zip(proba, answers):
        scores = {item["label"]: item["score"] for item in answer}
        assert set(scores) == {"neg", "pos"}
        np.testing.assert_allclose([scores["neg"], scores["pos"]], row, atol=inference_atol(fitted.device_))
    top = classify(X[:6], truncation=True, max_length=fitted.max_length)
    assert [item["label"] for item in top] == fitted.predict(X[:6]).tolist()


def test_from_pretrained_and_model_path_round_trip(fitted, text_data, tmp_path):
    X, y = text_data
    path = fitted.save_pretrained(tmp_path / "model")
    again = TransformerClassifier.from_pretrained(path)
    assert again.classes_.tolist() == ["neg", "pos"] and again.max_length == fitted.max_length
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    assert again.get_params()["model"] == str(path)

    # model=path starts from the fine-tuned weights, its head kept for the same labels.
    continued = TransformerClassifier(model=str(path), max_epochs=1, lr=1e-12, max_length=16, random_state=0)
    np.testing.assert_allclose(continued.fit(X, y).predict_proba(X), fitted.predict_proba(X), atol=1e-4)
    with pytest.raises(ValueError, match=r"trained on the labels \['neg', 'pos'\]"):
        TransformerClassifier(model=str(path), max_epochs=1).fit(X, ["good", "bad"] * 30)


def test_integer_labels_round_trip_as_integers(tiny_bert_path, text_data, tmp_path):
    X, _ = text_data
    clf = _tiny(tiny_bert_path).fit(X, np.arange(60) % 3)
    again = TransformerClassifier.from_pretrained(clf.save_pretrained(tmp_path))
    assert again.classes_.tolist() == [0, 1, 2] and again.predict(X[:3]).dtype.kind == "i"
    assert json.loads((tmp_path / "config.json").read_text())["id2label"] == {"0": "0", "1": "1", "2": "2"}


def test_plain_hugging_face_classifier_loads_with_its_label_names(tiny_bert_path, text_data, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    X, _ = text_data
    model = AutoModelForSequenceClassification.from_pretrained(
        tiny_bert_path, num_labels=2, id2label={0: "bad", 1: "good"}, label2id={"bad": 0, "good": 1})
    model.save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_bert_path).save_pretrained(tmp_path)
    clf = TransformerClassifier.from_pretrained(tmp_path, max_length=16)
    assert clf.classes_.tolist() == ["bad", "good"] and set(clf.predict(X[:4])) <= {"bad", "good"}


def test_save_pretrained_checks(fitted, tiny, tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        tiny.save_pretrained(tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="not a directory"):
        fitted.save_pretrained(tmp_path / "file")


@pytest.fixture
def tiny(tiny_bert_path):
    return _tiny(tiny_bert_path)


def test_pickle_holds_the_weights_without_the_optimizer(fitted, text_data):
    X, y = text_data
    weights = _weight_bytes(fitted)
    assert fitted.net_.optimizer_.state, "AdamW has state after fitting"
    light = pickle.dumps(fitted)
    heavy = pickle.dumps(fitted.set_params(keep_optimizer=True))
    fitted.set_params(keep_optimizer=False)
    tokenizer = len(pickle.dumps(fitted.tokenizer_))
    assert len(light) < 1.05 * weights + tokenizer + 200_000, "the weights, the tokenizer, little else"
    assert len(heavy) > len(light) + 1.8 * weights, "AdamW's two moments per weight"
    assert "optimizer_" in fitted.net_.__dict__, "pickling leaves the fitted model alone"

    again = pickle.loads(light)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    assert not again.net_.optimizer_.state, "a fresh AdamW"
    again.set_params(warm_start=True).fit(X, y)  # training continues
    assert pickle.loads(heavy).net_.optimizer_.state


def test_quantized_model_pickles_without_its_int8_copy(tiny_bert_path, text_data):
    X, y = text_data
    clf = _tiny(tiny_bert_path, quantize=True).fit(X, y)
    proba = clf.predict_proba(X)
    assert "_int8_module" in clf.__dict__
    again = pickle.loads(pickle.dumps(clf))
    assert "_int8_module" not in again.__dict__
    np.testing.assert_allclose(again.predict_proba(X), proba, atol=1e-6)
    assert torch.equal(again.net_.module_.model.classifier.weight, clf.net_.module_.model.classifier.weight)


# ------------------------------------------------ scikit-learn's estimator checks
#: The checks of scikit-learn's suite that take no numeric data, run on each estimator of raw texts. The rest of
#: the suite feeds 2-d numeric arrays; these estimators declare string input (``input_tags.string=True``,
#: ``two_d_array=False``), so ``parametrize_with_checks`` skips them itself and runs only its cloning check.
TEXT_ESTIMATOR_CHECKS = (
    estimator_checks.check_param_validation,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_estimator_tags_renamed,
    estimator_checks.check_valid_tag_types,
    estimator_checks.check_mixin_order,
    estimator_checks.check_estimators_unfitted,
)
TEXT_ESTIMATORS = [TransformerClassifier(), TextEmbedder(), SetFitClassifier()]


@estimator_checks.parametrize_with_checks(TEXT_ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", TEXT_ESTIMATORS, ids=lambda est: type(est).__name__)
@pytest.mark.parametrize("check", TEXT_ESTIMATOR_CHECKS, ids=lambda check: check.__name__)
def test_sklearn_checks_that_take_no_numeric_data(estimator, check):
    check(type(estimator).__name__, estimator)
