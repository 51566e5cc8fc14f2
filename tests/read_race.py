"""Saved arrays read by three threads at once while a fourth makes cycles whose finalizers run Python
code, with collections and thread switches as frequent as they go (test_storage runs it in a process
of its own): `python tests/read_race.py ARRAY.npy ARRAYS.npz` prints, per file, how many reads, whether
each read the saved values, and the errors. Without store's lock a read fails within a few hundred
(SystemError: AST constructor recursion depth mismatch, numpy parsing headers with ast on CPython 3.11)."""

import gc
import json
import sys
import threading
import time

from indexer.store import read_array, read_arrays


class Finalized:
    """A cycle whose finalizer runs Python code: a collection inside another thread's C code runs it,
    and the interpreter may switch threads there."""

    def __init__(self):
        self.me = self

    def __del__(self):
        for _ in range(20):
            pass


def read_in_threads(read, seconds: float = 60.0, enough: int = 3000) -> tuple[list, list]:
    """Reads by three threads at once until there are enough, seconds pass or one fails, while a fourth
    makes cycles to collect: (what they read, errors)."""
    end, reads, errors = time.monotonic() + seconds, [], []

    def going() -> bool:
        return time.monotonic() < end and not errors and len(reads) < enough

    def reader():
        while going():
            try:
                reads.append(read())
            except Exception as error:  # noqa: BLE001: any failure is the finding
                errors.append(error)

    def churn():
        while going():
            Finalized()

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=churn)]
    gc.set_threshold(50, 1, 1)
    sys.setswitchinterval(1e-6)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads, errors


def main(one: str, many: str) -> dict:
    """Per file, {"reads": n, "right": all read the saved values, "errors": [...]}."""
    found = {}
    for kind, read, right in (("npy", lambda: read_array(one), lambda got: got.tolist() == list(range(7))),
                              ("npz", lambda: read_arrays(many), lambda got: got["a"].tolist() == [0, 1, 2])):
        reads, errors = read_in_threads(read)
        found[kind] = {"reads": len(reads), "right": all(right(got) for got in reads), "errors": [repr(e) for e in errors]}
    return found


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
