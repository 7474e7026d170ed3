"""Error analysis: the examples the model gets wrong most confidently, and the most uncertain ones."""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = ["error_table"]


def error_table(learner, texts, labels=None, top=20):
    """Confident mistakes and uncertain rows as one DataFrame.

    With ``labels`` the learner's own predictions on ``texts`` are used
    (held-out data). Without, ``texts``/labels are the learner's training rows
    and predictions are cross-validated, so each row is judged by a model that
    did not see it.

    Returns
    -------
    DataFrame with columns kind ("confident mistake" | "uncertain"), text, label,
    prediction, confidence; at most ``top`` rows of each kind.
    """
    if labels is None:
        texts, labels = list(learner.X_training_), np.asarray(learner.y_training_)
        folds = int(min(5, pd.Series(labels).value_counts().min()))
        if folds < 2:
            raise ValueError("Cross-validated errors need at least two labelled rows of every class.")
        proba = cross_val_predict(clone(learner.estimator), texts, labels,
                                  cv=StratifiedKFold(folds, shuffle=True, random_state=0), method="predict_proba")
        classes = np.unique(labels)
    else:
        texts, labels = list(texts), np.asarray(labels)
        if len(texts) != len(labels):
            raise ValueError(f"texts and labels have mismatched lengths: {len(texts)} vs {len(labels)}.")
        proba, classes = learner.predict_proba(texts), learner.classes_
    frame = pd.DataFrame({"text": texts, "label": labels, "prediction": classes[proba.argmax(axis=1)],
                          "confidence": proba.max(axis=1)})
    mistakes = frame[frame["label"] != frame["prediction"]].nlargest(top, "confidence")
    uncertain = frame.nsmallest(top, "confidence")
    return pd.concat([mistakes.assign(kind="confident mistake"), uncertain.assign(kind="uncertain")],
                     ignore_index=True)[["kind", "text", "label", "prediction", "confidence"]]
