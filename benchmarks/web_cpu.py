"""CPU per request of the web app, in-process: where a request's time goes beyond the core search.

    python -m benchmarks.web_cpu --index /tmp/m35       # ~2 min on the 35k index
    python -m benchmarks.web_cpu --index /tmp/m35 --dump /tmp/pages.pkl   # also keep every answer

Replays the load benchmark's request mix (benchmarks/load.py: the same 2,000 paths, seed 5)
through the Flask app with its test client, once to warm up (the load run repeats its paths
too), then again measuring each request's thread CPU time (time.thread_time: what a shared,
busy machine disturbs least; wall time is not reported). Split: the core's `search` without
its snippets, the snippets and highlights (`Marks.article`), and the rest (views, templates,
JSON, Flask and its test client, about 0.2 ms of it). --dump pickles (path, status, headers,
body) of every answer, took_ms blanked, to compare two versions' output byte for byte.
Prints its figures; RESULTS.md is not written.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import tempfile
import time
from pathlib import Path

from benchmarks.load import DEFAULT_CORPUS, DEFAULT_INDEX, corpus_titles, write_query_mix

TOOK_HTML = re.compile(rb"\d+,\d\d gi\xc3\xa2y")  # "(0,01 giây)": the time taken, shown on the page


def parse_args(argv=None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", default=DEFAULT_INDEX, help=f"built index (default {DEFAULT_INDEX})")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL(.gz) the queries come from")
    parser.add_argument("--queries", type=int, default=2000, help="request paths (default 2000)")
    parser.add_argument("--seed", type=int, default=5, help="seed of the mix (default 5, as the load run)")
    parser.add_argument("--dump", type=Path, help="pickle every answer here (took_ms blanked)")
    return parser.parse_args(argv)


def timed(owner, name: str, spent: dict) -> None:
    """Wrap owner.name so that the thread CPU time of its calls adds up in spent[name]."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.thread_time() - started
    setattr(owner, name, wrapper)


def comparable(path: str, response) -> tuple:
    """(path, status, headers but Content-Length, body with took_ms blanked) of an answer."""
    body = response.get_data()
    if path.startswith("/api/"):
        body = json.dumps({**json.loads(body), "took_ms": 0}, ensure_ascii=False).encode()
    else:
        body = TOOK_HTML.sub(b"", body)
    return path, response.status_code, [h for h in response.headers.items() if h[0] != "Content-Length"], body


def replay(client, paths: list[str], keep: bool) -> tuple[float, list]:
    """(thread CPU seconds of all the requests, their comparable answers if keep)."""
    spent, answers = 0.0, []
    for path in paths:
        started = time.thread_time()
        response = client.get(path)
        spent += time.thread_time() - started
        if keep:
            answers.append(comparable(path, response))
    return spent, answers


def main(argv=None) -> int:
    """Replay the mix twice; print CPU ms per request, split."""
    args = parse_args(argv)
    from indexer import search, snippets
    from search_app import create_app

    with tempfile.TemporaryDirectory(prefix="vnsearch-web-cpu-") as folder:
        mix = Path(folder) / "paths.txt"
        write_query_mix(corpus_titles(args.corpus), args.queries, args.seed, mix)
        paths = mix.read_text(encoding="utf-8").splitlines()
    spent: dict[str, float] = {}
    timed(search.Index, "search", spent)
    timed(snippets.Marks, "article", spent)
    client = create_app({"INDEX_DIR": args.index}).test_client()
    replay(client, paths, keep=False)
    spent.clear()
    total, answers = replay(client, paths, keep=args.dump is not None)
    if args.dump:
        args.dump.write_bytes(pickle.dumps(answers))
    ms = {name: 1000 * seconds / len(paths) for name, seconds in spent.items()}
    whole = 1000 * total / len(paths)
    print(f"{len(paths)} requests, thread CPU per request: {whole:.2f} ms; core search without snippets "
          f"{ms['search'] - ms['article']:.2f} ms ({(ms['search'] - ms['article']) / whole:.0%}); snippets "
          f"{ms['article']:.2f} ms; the rest (views, templates, JSON, Flask) {whole - ms['search']:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
