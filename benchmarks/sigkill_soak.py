"""SIGKILL soak of a labelling session: no acknowledged label is ever lost, duplicated or misattributed.

A forked child labels rows of one session through the public API (``record``,
``correct``, ``teach_batch``), writing ``BEGIN`` before each call and ``ACK``
lines to a pipe after it returns (the moment a front end tells the person the label is
safe). The parent kills it with SIGKILL after a random delay — inside
``write``, ``fsync``, the config's ``rename`` or anywhere else — reopens the
session, and checks the replayed labels against the acknowledged ones: every
acknowledged label is there with its annotator, each row once, and only the
rows of the one call in flight (begun, not acknowledged) may differ. Forking keeps each round cheap
(skal is imported once).

    python benchmarks/sigkill_soak.py --kills 100

Prints the number of kills, acknowledged calls and violations; exits 1 on any violation.
"""

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from skal.labelling import LabellingSession


def child(directory, write_fd, seed, labels):
    """Label forever: ``BEGIN rows`` before each call, ``ACK row label annotator`` lines once it returned."""
    rng = random.Random(seed)
    session = LabellingSession.open(directory)
    out = os.fdopen(write_fd, "w", buffering=1)
    annotator = f"a{seed}"
    while True:
        current = session.labels
        free = [i for i in map(str, range(400)) if i not in current]
        roll = rng.random()
        if roll < 0.6 and free:
            row, label = rng.choice(free), rng.choice(labels)
            out.write(f"BEGIN {row}\n")
            session.record(row, label, annotator=annotator)
            out.write(f"ACK {row} {label} {annotator}\n")
        elif roll < 0.8 and current:
            row = rng.choice(list(current))
            label = next(lab for lab in labels if lab != current[row])
            out.write(f"BEGIN {row}\n")
            session.correct(row, label, annotator=annotator)
            out.write(f"ACK {row} {label} {annotator}\n")
        elif free:
            rows = rng.sample(free, min(5, len(free)))
            batch = pd.DataFrame({"id": rows, "label": [rng.choice(labels) for _ in rows]})
            out.write(f"BEGIN {','.join(rows)}\n")
            session.teach_batch(batch, source=f"batch-{annotator}")
            for row, label in zip(batch["id"], batch["label"]):
                out.write(f"ACK {row} {label} None\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--max-delay", type=float, default=0.4, help="seconds before each SIGKILL, at most")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    labels = ["pos", "neg"]
    tmp = Path(tempfile.mkdtemp())
    pd.DataFrame({"text": [f"text number {i}" for i in range(400)]}).to_csv(tmp / "pool.csv", index=False)
    directory = tmp / "session"
    LabellingSession.create(directory, data=tmp / "pool.csv", labels=labels, classifier="tfidf")
    rng = random.Random(args.seed)
    expected = {}  # row -> (label, annotator), as acknowledged
    acks = violations = in_flight_kills = 0
    start = time.perf_counter()
    for kill in range(args.kills):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns
            os.close(read_fd)
            try:
                child(directory, write_fd, kill, labels)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.05, args.max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd) as pipe:
            lines = pipe.read().splitlines()
        in_flight = set()
        for line in lines:
            kind, *rest = line.split()
            if kind == "BEGIN":
                in_flight = set(rest[0].split(",")) if rest else set()
            elif len(rest) == 3:  # a complete ACK line (a kill can cut the last one short)
                row, label, annotator = rest
                acks += 1
                expected[row] = (label, None if annotator == "None" else annotator)
        if lines and lines[-1].startswith("ACK") and len(lines[-1].split()) == 4:
            in_flight = set()  # the last call was acknowledged in full (a batch: every row)
        in_flight_kills += bool(in_flight)
        frame = LabellingSession.open(directory).labelled_frame(details=True)
        annotators = frame["annotator"].astype(object).where(frame["annotator"].notna(), None)
        got = dict(zip(frame["id"], zip(frame["label"], annotators)))
        differ = {row for row in set(got) | set(expected) if got.get(row) != expected.get(row)}
        if frame["id"].duplicated().any() or not differ <= in_flight:
            violations += 1
            print(f"kill {kill}: rows {sorted(differ - in_flight)[:10]} differ from the acknowledged labels",
                  file=sys.stderr)
        expected = got  # the call in flight is settled now, one way or the other
    print(f"{args.kills} SIGKILLs ({in_flight_kills} inside a call), {acks} acknowledged labels, "
          f"{violations} violations (a label lost, duplicated, changed or misattributed); "
          f"{time.perf_counter() - start:.0f} s")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
