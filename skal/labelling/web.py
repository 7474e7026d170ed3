"""The browser front end: ``skal serve``, a FastAPI app over the same session as the terminal.

The page (``page.html``, served at ``/``) talks to a small JSON API; every
call goes through the public API of :class:`~skal.labelling.LabellingSession`
(and :mod:`skal.labelling.export`), exactly as the terminal does:

``GET /api/next?annotator=NAME``
    The next text for NAME, leased to NAME for a few minutes so nobody else
    gets it meanwhile (:class:`~skal.labelling.leases.Leases`).
``POST /api/label``, ``/api/skip``, ``/api/undo``, ``/api/correct``
    JSON bodies with ``annotator`` (and ``id``, ``label``). The response
    comes after the event is fsync-ed to ``labels.jsonl``; the page shows
    the next text only then. Sending the same label twice is answered as a
    success (a retry after a lost response), a different one as a conflict.
``GET /api/status``, ``/api/history``, ``/api/export?format=csv``
    Counts, the learning curve, the training progress and the stopping
    sentence; the labels in effect, newest first; the replayed labels.

Retraining runs in a background thread (:mod:`skal.labelling.training`);
answers never wait for it. Requests name rows by id and labels by name,
never paths: nothing outside the session directory and the pool file is
read or written on behalf of a request. With a token, every request must
carry it (``X-Skal-Token`` header, ``?token=`` or the cookie the page sets).

Examples
--------
>>> from starlette.testclient import TestClient
>>> from skal.labelling.demo import demo_session
>>> from skal.labelling.web import create_app
>>> session = demo_session(["good", "bad", "fine"])
>>> client = TestClient(create_app(session.directory, background=False))
>>> item = client.get("/api/next", params={"annotator": "ann"}).json()["item"]
>>> client.post("/api/label", json={"id": item["id"], "label": "pos", "annotator": "ann"}).json()["saved"]
True
"""

import hmac
import secrets
import threading
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ..parameters import check_option
from .export import FORMATS, disagreements_frame, history_frame, render_labels
from .leases import Leases
from .session import LabellingSession
from .storage import SessionLock
from .training import BackgroundTrainer

__all__ = ["LOOPBACK_HOSTS", "create_app", "serve"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_NAME = Field(min_length=1, max_length=64, pattern=r"^[\w .@+-]+$")
_ID = Field(min_length=1, max_length=200)
_MEDIA = {"csv": "text/csv", "jsonl": "application/x-ndjson", "label-studio": "application/json"}


class _Who(BaseModel):
    annotator: str = _NAME


class _Row(_Who):
    id: str = _ID


class _Answer(_Row):
    label: str = Field(min_length=1, max_length=200)


def _page():
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


def create_app(directory, *, token=None, eval_set=None, lease_seconds=300.0, background=True, cv=5,
               allowed_hosts=None):
    """The FastAPI app of the labelling page for the session in ``directory``.

    Parameters
    ----------
    directory : str or path
        An existing session directory.
    token : str, default=None
        When given, every request must carry it.
    eval_set : (texts, labels), default=None
        Held-out rows for the accuracy shown; None cross-validates.
    lease_seconds : float, default=300
        How long a handed-out text stays reserved for its annotator.
    background : bool, default=True
        Retrain in a background thread when due (False: never retrain).
    cv : int, default=5
        Folds of the cross-validated accuracy.
    allowed_hosts : list of str, default=None
        Host names a request may be addressed to (Starlette's
        ``TrustedHostMiddleware``: on the loopback interface it stops a web
        page from reaching the server through DNS rebinding); None allows any.

    Returns
    -------
    fastapi.FastAPI
        The app; ``app.state`` holds its ``session``, ``trainer``
        (:class:`~skal.labelling.training.BackgroundTrainer`) and ``leases``.

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> from skal.labelling.demo import demo_session
    >>> from skal.labelling.web import create_app
    >>> directory = demo_session().directory
    >>> TestClient(create_app(directory, token="t0k")).get("/api/status").status_code
    401
    """
    session = LabellingSession.open(directory)
    if session.multi_label:
        raise ValueError(f"{directory} is a multi-label session; the browser page labels single-label sessions "
                         "for now: label it in the terminal (skal label) or in Label Studio (skal query / teach).")
    lock = threading.RLock()
    leases = Leases(lease_seconds)
    trainer = BackgroundTrainer(directory, eval_set=eval_set, cv=cv)
    app = FastAPI(title="skal labelling", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.session, app.state.trainer, app.state.leases = session, trainer, leases
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))

    @app.middleware("http")
    async def require_token(request: Request, call_next):
        if token is not None:
            given = (request.headers.get("x-skal-token") or request.query_params.get("token")
                     or request.cookies.get("skal_token") or "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"detail": "This server needs its token: open the URL it printed "
                                               "(…/?token=...)."}, status_code=401)
        response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        return response

    def poke():
        if background:
            trainer.poke(session)

    def check_row(row_id):
        if session.texts([row_id])[0] is None:
            raise HTTPException(404, f"Unknown row id {row_id!r}: it is not a row of the pool with a text.")

    def check_label(label):
        if label not in session.label_set:
            raise HTTPException(400, f"Unknown label {label!r}; the labels are {', '.join(session.label_set)}.")

    def conflict(exc):
        return HTTPException(409, str(exc))

    def item_json(item):
        if item is None:
            return None
        return {"id": item.id, "text": item.text, "guess": None if item.guess is None else str(item.guess),
                "confidence": item.confidence}

    def status_json():
        status = session.status()
        curve = trainer.curve()
        last = curve[-1] if curve else {}
        return {"labels": list(session.label_set), "status": status, "training": dict(trainer.progress),
                "curve": [{"labels": p["labels"], "accuracy": p.get("accuracy")} for p in curve],
                "accuracy": last.get("accuracy"), "accuracy_kind": last.get("accuracy_kind"),
                "stopping": trainer.sentence(), "leases": leases.count(),
                "disagreements": len(disagreements_frame(session)),
                "strategy": session.config["strategy"], "classifier": session.config["classifier"]}

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request):
        response = HTMLResponse(_page())
        if token is not None:
            response.set_cookie("skal_token", token, httponly=True, samesite="strict")
        return response

    @app.get("/api/next")
    def next_text(annotator: str = Query(min_length=1, max_length=64, pattern=r"^[\w .@+-]+$")):
        with lock:
            item = session.next_item(exclude=leases.held_by_others(annotator))
            if item is not None:
                leases.grant(item.id, annotator)
            payload = {"item": item_json(item), **status_json()}
        poke()
        return payload

    @app.get("/api/status")
    def status():
        with lock:
            return status_json()

    @app.post("/api/label")
    def label(answer: _Answer):
        check_label(answer.label)
        with lock:
            check_row(answer.id)
            already = session.labels.get(answer.id)
            if already != answer.label:
                try:
                    session.record(answer.id, answer.label, source="web", annotator=answer.annotator)
                except ValueError as exc:
                    raise conflict(exc) from None
            leases.release(answer.id)
        poke()
        return {"saved": True, "id": answer.id, "label": answer.label, "repeated": already == answer.label}

    @app.post("/api/skip")
    def skip(row: _Row):
        with lock:
            check_row(row.id)
            try:
                session.skip(row.id, source="web", annotator=row.annotator)
            except ValueError as exc:
                raise conflict(exc) from None
            leases.release(row.id)
        return {"saved": True, "id": row.id}

    @app.post("/api/undo")
    def undo(who: _Who):
        with lock:
            try:
                undone = session.undo(source="web", annotator=who.annotator)
            except ValueError as exc:
                raise conflict(exc) from None
            if undone is not None:
                leases.grant(undone, who.annotator)
        return {"saved": undone is not None, "id": undone}

    @app.post("/api/correct")
    def correct(answer: _Answer):
        check_label(answer.label)
        with lock:
            check_row(answer.id)
            try:
                changed = session.correct(answer.id, answer.label, source="web", annotator=answer.annotator)
            except ValueError as exc:
                raise conflict(exc) from None
        poke()
        return {"saved": True, "changed": changed, "id": answer.id, "label": answer.label}

    @app.get("/api/history")
    def history(limit: int = Query(50, ge=1, le=1000)):
        with lock:
            frame = history_frame(session)
            disagreed = set(disagreements_frame(session)["id"])
        current = frame[(frame["event"] == "label") & frame["in_effect"].astype(bool)].iloc[::-1].head(limit)
        rows = [{"id": r["id"], "text": r["text"], "label": r["label"], "annotator": r["annotator"],
                 "time": r["time"], "disagreement": r["id"] in disagreed}
                for r in current.astype(object).where(current.notna(), None).to_dict("records")]
        return {"rows": rows, "labels": list(session.label_set)}

    @app.get("/api/export")
    def export(format: str = "csv", download: bool = True):
        try:
            check_option(format, "format", FORMATS)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        with lock:
            data = render_labels(session, format)
        suffix = {"csv": "csv", "jsonl": "jsonl", "label-studio": "json"}[format]
        headers = {"Content-Disposition": f'attachment; filename="labels.{suffix}"'} if download else {}
        return Response(data, media_type=_MEDIA[format] if download else "text/plain; charset=utf-8",
                        headers=headers)

    return app


def serve(directory, host="127.0.0.1", port=8765, *, token=None, eval_set=None, say=print):
    """Run the labelling page for the session in ``directory`` until interrupted.

    A second server on the same session is refused (RuntimeError). Off the
    loopback interface a token is required; without ``token`` one is
    generated and printed with the URL.

    Parameters
    ----------
    directory : str or path
        An existing session directory.
    host : str, default="127.0.0.1"
        The interface to listen on.
    port : int, default=8765
        The port to listen on.
    token : str, default=None
        Every request must carry it; None needs none on the loopback
        interface and generates one elsewhere.
    eval_set : (texts, labels), default=None
        Held-out rows for the accuracy shown; None cross-validates.
    say : callable, default=print
        Receives the lines that tell the person where to go.

    Examples
    --------
    >>> from skal.labelling.web import serve
    >>> serve("/nonexistent-session")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: No labelling session in /nonexistent-session (no session.json); ...
    """
    import uvicorn

    session = LabellingSession.open(directory)
    if token is None and host not in LOOPBACK_HOSTS:
        token = secrets.token_urlsafe(18)
    with SessionLock(directory, f"skal serve on {host}:{port}"):
        loopback = host in LOOPBACK_HOSTS
        app = create_app(directory, token=token, eval_set=eval_set,
                         allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"] if loopback else None)
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
        say(f"skal serve: labelling {session.status()['rows']} texts of {session.config['data']} "
            f"with labels {', '.join(session.label_set)}")
        say(f"open {url}")
        say(f"every answer is saved to {Path(directory) / 'labels.jsonl'} before the next text shows; Ctrl-C stops")
        uvicorn.run(app, host=host, port=port, log_level="warning")
