"""The Dask cluster against the embedded index: sharded build speed, search parity and latency.

    python -m benchmarks.cluster                      # all 35,431 baomoi articles
    python -m benchmarks.cluster --articles 3000      # a shorter run
    python -m benchmarks.cluster --dir DIR --searches-only   # the searches again on DIR's indexes (prints)
    python -m benchmarks.cluster --dir DIR --stalled         # searches with one worker's replicas busy (prints)

Builds the first --articles baomoi articles with the embedded parallel build (one process per
core), then as 2 shards on a local Dask cluster of 1 and of 2 worker processes (one thread each;
real processes, as `dask worker` starts them). Then the 300-query mix of the search-speed
benchmark (drawn from the same articles) runs through the 2-worker cluster with 1 and 2 replicas
per shard and through the embedded index: how many queries give the same top 10 (ids, order,
scores within 1e-4 relative, totals), and the latency each adds (p50, p95; snippets included),
the first time a query is searched and again. --stalled: new searches through the 2-worker
cluster with R = 2 while one worker's actor thread is held by another actor's call (its replicas
of both shards busy: a long call, a merge, a pause), against the same without; then how long the
busy worker takes to answer once free (the calls its replicas were asked meanwhile come first) and
how many of them it ran and skipped.
"""

from __future__ import annotations

import argparse
import math
import pickle
import shutil
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.common import program, article_text, load_indexer, md_table, percentile, read_jsonl, require_shared, \
    write_jsonl_gz, write_section
from benchmarks.search_speed import make_queries, measure, ours_runner

DEFAULT_DIR = "/tmp/vnsearch-cluster"
SHARDS = 2
SEARCH_COLUMNS = ["how", "same top 10, scores and total as embedded", "partial (a shard over 10 s)",
                  "p50 ms, first time", "p95 ms, first time", "p50 ms, again", "p95 ms, again",
                  "p50 added, first", "p95 added, first", "p50 added, again", "p95 added, again"]
STALLED_SECONDS = 25.0  # how long --stalled searches with a worker's replicas busy (up to SHARD_SECONDS a round)
STALLED_COLUMNS = ["how", "new searches", "partial", "p50 ms", "max ms"]
ROUND_COLUMNS = ["search", "round (method)", "rounds per search", "p50 ms", "p95 ms", "p50 bytes sent per shard",
                 "p50 bytes received per shard"]


def local_cluster(workers: int):
    """A Dask cluster of worker processes on this machine, one thread each."""
    from distributed import LocalCluster
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")


def builds(indexer, source: Path, folder: Path) -> list[list]:
    """[how, articles, seconds, articles/s] of the embedded build and of 2 shards on 1 and 2 workers."""
    from indexer.cluster import build_sharded
    rows = []
    report = indexer.build_index([str(source)], str(folder / "embedded"), notice=lambda m: None)
    rows.append(["embedded, one process per core", report.indexed, report.seconds])
    for workers in (1, 2):
        target = folder / f"sharded-{workers}"
        with local_cluster(workers) as cluster:
            report = build_sharded([str(source)], target, cluster.scheduler_address, SHARDS)
        rows.append([f"{SHARDS} shards, {workers} worker process{'es' if workers > 1 else ''}", report.indexed,
                     report.seconds])
        print(f"  {rows[-1]}", flush=True)
    return [[how, n, f"{s:.1f}", f"{n / s:.1f}"] for how, n, s in rows]


def same_top(got, want) -> bool:
    """Whether two results have the same total and top 10: ids, order, scores within 1e-4, copies."""
    return (got.total == want.total and [h.doc_id for h in got] == [h.doc_id for h in want]
            and all(math.isclose(a.score, b.score, rel_tol=1e-4) for a, b in zip(got, want))
            and [h.duplicates for h in got] == [h.duplicates for h in want])


def first_pass(index, texts) -> tuple[list, list[float]]:
    """Each query's results and milliseconds (snippets read), the first time the index sees it."""
    results, ms = [], []
    for text in texts:
        started = time.perf_counter()
        results.append(index.search(text))
        [hit.snippet for hit in results[-1]]  # noqa: B018 - make sure the snippet is produced
        ms.append((time.perf_counter() - started) * 1000)
    return results, ms


def searches(indexer, folder: Path, queries, warmup) -> list[list]:
    """[how, same top 10 / queries, partial results, p50 and p95 the first time and again, and the
    same added to the embedded index's] of the embedded index and the cluster."""
    texts = [q for _, q in queries]
    with indexer.open_index(folder / "embedded") as embedded:
        embedded.lexicon(wait=True)  # both read unaccented queries with a whole Lexicon, not the first without
        want, cold = first_pass(embedded, texts)
        base = measure(ours_runner(embedded), queries, warmup)["overall"]
    base_figures = _quantiles(cold, base)
    rows = [["embedded", "-", "-", *base_figures, *(0.0 for _ in base_figures)]]
    with local_cluster(2) as cluster:
        for replicas in (1, 2):
            with indexer.open_index(folder / "sharded-2", cluster=cluster.scheduler_address,
                                    replicas=replicas) as index:
                index.lexicon(wait=True)
                index.share_table()  # every shard holds the corpus counts: a new search in one round
                got, first = first_pass(index, texts)
                ms = measure(ours_runner(index), queries, warmup)["overall"]
            same = sum(same_top(g, w) for g, w in zip(got, want))
            figures = _quantiles(first, ms)
            rows.append([f"cluster, {SHARDS} shards, 2 workers, R = {replicas}", f"{same} / {len(texts)}",
                         sum(g.partial for g in got), *figures, *(a - b for a, b in zip(figures, base_figures))])
            print(f"  {rows[-1]}", flush=True)
    return [[how, same, partial, *(f"{v:.1f}" for v in values)] for how, same, partial, *values in rows]


class Stall:
    """An actor whose hold(seconds) takes its worker's actor thread (a worker runs its actors'
    calls one at a time: the shard replicas it holds are busy meanwhile) until release()."""

    def __init__(self):
        self.held = self.released = False

    def hold(self, seconds: float) -> None:
        self.held = True
        deadline = time.monotonic() + seconds
        while not self.released and time.monotonic() < deadline:
            time.sleep(0.01)

    async def holding(self) -> bool:  # a coroutine: answered on the worker's event loop while the thread is held
        return self.held

    async def release(self) -> None:
        self.released = True


def stalled(indexer, folder: Path, texts: list[str]) -> tuple[list[list], str]:
    """[how, searches, partial, p50 ms, max ms] of new searches through the 2-worker cluster with R = 2,
    without and with one worker's replicas busy (at most STALLED_SECONDS of them), and a line on the
    hedge delay after them."""
    with local_cluster(2) as cluster, indexer.open_index(folder / "sharded-2", cluster=cluster.scheduler_address,
                                                         replicas=2) as index:
        index.lexicon(wait=True)
        index.share_table()
        first_pass(index, texts[:100])  # the answer times a hedge waits by
        rows = [["no replica busy", *first_pass(index, texts[100:120])]]
        busy = sorted(index.client.scheduler_info()["workers"])[0]  # it holds a replica of both shards
        with index.client.as_current():
            stall = index.client.submit(Stall, workers=[busy], actor=True).result()
        held = stall.hold(3 * STALLED_SECONDS)
        while not stall.holding().result():
            time.sleep(0.01)
        started, got, ms = time.monotonic(), [], []
        for text in texts[120:140]:
            if time.monotonic() - started < STALLED_SECONDS:
                results, times = first_pass(index, [text])
                got, ms = got + results, ms + times
        rows.append(["one worker's replicas busy (of both shards)", got, ms])
        delay = getattr(index, "hedge_delay", lambda: None)()
        line = ("no hedge delay (this code waits SHARD_SECONDS)" if delay is None
                else f"hedge delay of find after them: {1000 * delay:.0f} ms")
        line += "; " + released(index, stall, held)
    return [[how, len(results), sum(r.partial for r in results), f"{percentile(ms, 50):.0f}", f"{max(ms):.0f}"]
            for how, results, ms in rows], line


def released(index, stall, held) -> str:
    """Release the busy worker's actor thread: a line on how long until a call to every replica is
    answered (the calls its replicas were asked meanwhile come first) and, where the code counts
    them, how many of those its replicas ran and skipped (another replica had answered)."""
    counted = getattr(index, "replica_calls", lambda: None)
    before = counted()
    stall.release().result()
    started = time.monotonic()
    held.result()
    index.held_tables()  # one call to every replica, after those asked before it
    line = f"after the release, a call to every replica answered in {1000 * (time.monotonic() - started):.0f} ms"
    after = counted()
    if before is None:
        return line + " (this code counts no calls)"
    run, skipped = (sum(a[i] - b[i] for n in after for a, b in zip(after[n], before[n])) for i in (0, 1))
    return line + f"; calls the replicas ran then {run} (1 each: that call), skipped {skipped}"


def _quantiles(first: list[float], again: list[float]) -> list[float]:
    """p50 and p95 of the first searches, then of the searches again."""
    return [percentile(first, 50), percentile(first, 95), percentile(again, 50), percentile(again, 95)]


class _Rounds:
    """Stands for a ClusterIndex's _each (one round of calls to the shards), noting each round's
    method, milliseconds and pickled bytes sent and received per shard."""

    def __init__(self, index):
        self.each, self.log = index._each, []
        index._each = self

    def __call__(self, method, args_of, shards, *rest):
        shards = list(shards)
        sent = [len(pickle.dumps((method, args_of(n)), pickle.HIGHEST_PROTOCOL)) for n in shards]
        started = time.perf_counter()
        answers, down = self.each(method, args_of, shards, *rest)
        if shards:
            received = [len(pickle.dumps(a, pickle.HIGHEST_PROTOCOL)) for a in answers.values()]
            self.log.append((method, (time.perf_counter() - started) * 1000, sent, received))
        return answers, down


def rounds(indexer, folder: Path, texts) -> tuple[list[list], str]:
    """The rounds of each query's first search and of the same again through the 2-worker cluster
    (R = 1): [search, method, rounds per search, p50 and p95 ms per round, p50 bytes sent and received
    per shard]; and a line on what one call to every shard costs (doc_count, nothing to do)."""
    rows = []
    with local_cluster(2) as cluster, indexer.open_index(folder / "sharded-2", cluster=cluster.scheduler_address) as index:
        index.lexicon(wait=True)
        index.share_table()
        recorder = _Rounds(index)
        for search in ("first", "again"):
            log = []
            for text in texts:
                recorder.log.clear()
                first_pass(index, [text])
                log += _numbered(recorder.log)
            rows += _round_rows(search, log, len(texts))
        recorder.log.clear()
        for _ in range(200):
            index.doc_count  # noqa: B018 - one round to every shard
        idle = percentile([ms for _, ms, _, _ in recorder.log], 50)
    return rows, f"One call to both shards that does nothing (doc_count): p50 {idle:.2f} ms."


def _numbered(log: list) -> list:
    """One search's rounds, a method's second and later rounds named with their number ("find 2")."""
    seen = defaultdict(int)
    numbered = []
    for method, *figures in log:
        seen[method] += 1
        numbered.append((f"{method} {seen[method]}" if seen[method] > 1 or method == "find" else method, *figures))
    return numbered


def _round_rows(search: str, log: list, searches_: int) -> list[list]:
    """Rows of rounds(): each method's rounds in log (of searches_ searches)."""
    rows = []
    for method in sorted(dict.fromkeys(m for m, _, _, _ in log)):
        mine = [(ms, sent, received) for m, ms, sent, received in log if m == method]
        ms = [m for m, _, _ in mine]
        rows.append([search, method, f"{len(mine) / searches_:.2f}", f"{percentile(ms, 50):.1f}",
                     f"{percentile(ms, 95):.1f}", f"{percentile([b for _, s, _ in mine for b in s], 50):.0f}",
                     f"{percentile([b for _, _, r in mine for b in r], 50):.0f}"])
    return rows


def search_tables(indexer, folder: Path, records: list, args) -> tuple[int, list, list, str]:
    """(queries, search rows, round rows, the idle call line) of the search-speed mix drawn from
    records, searched on the indexes in folder."""
    articles = [article_text(r) for r in records]
    queries = make_queries(articles, args.per_category, args.seed)
    warmup = make_queries(articles, max(1, args.warmup // 6), args.seed + 1)
    search_rows = searches(indexer, folder, queries, warmup)
    round_rows, idle = rounds(indexer, folder, [q for _, q in queries])
    return len(queries), search_rows, round_rows, idle


def search_again(indexer, folder: Path, args) -> int:
    """Print the search and rounds tables of the indexes an earlier run left in folder."""
    records = list(read_jsonl(require_shared("corpus", "baomoi.jsonl.gz"), args.articles))
    _, search_rows, round_rows, idle = search_tables(indexer, folder, records, args)
    print(md_table(SEARCH_COLUMNS, search_rows), md_table(ROUND_COLUMNS, round_rows), idle, sep="\n\n")
    return 0


def search_stalled(indexer, folder: Path, args) -> int:
    """Print the stalled() table of the indexes an earlier run left in folder (the search-speed mix)."""
    records = list(read_jsonl(require_shared("corpus", "baomoi.jsonl.gz"), args.articles))
    queries = make_queries([article_text(r) for r in records], args.per_category, args.seed)
    rows, line = stalled(indexer, folder, [q for _, q in queries])
    print(md_table(STALLED_COLUMNS, rows), line, sep="\n\n")
    return 0


def main(argv=None) -> int:
    args = _arguments(argv)
    indexer = load_indexer()
    folder = Path(args.dir)
    if args.stalled:
        return search_stalled(indexer, folder, args)
    if args.searches_only:
        return search_again(indexer, folder, args)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    records = list(read_jsonl(require_shared("corpus", "baomoi.jsonl.gz"), args.articles))
    source = folder / "articles.jsonl.gz"
    write_jsonl_gz(records, source)
    started = time.monotonic()
    build_rows = builds(indexer, source, folder)
    queries, search_rows, round_rows, idle = search_tables(indexer, folder, records, args)
    write_section("cluster", "Cluster", _report(len(records), time.monotonic() - started, build_rows,
                                                queries, search_rows, round_rows, idle))
    return 0


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=35_431)
    parser.add_argument("--dir", default=DEFAULT_DIR)
    parser.add_argument("--per-category", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--searches-only", action="store_true",
                        help="search the indexes an earlier run built in --dir (read only); print, write nothing")
    parser.add_argument("--stalled", action="store_true",
                        help="new searches on --dir's indexes with one worker's replicas busy; print, write nothing")
    return parser.parse_args(argv)


def _report(articles: int, seconds: float, build_rows, queries: int, search_rows, round_rows, idle: str) -> str:
    """The Cluster section's text."""
    ratio = float(build_rows[2][3]) / float(build_rows[1][3])
    against = float(build_rows[2][3]) / float(build_rows[0][3])
    return "\n\n".join([
        f"First {articles:,} baomoi articles; {SHARDS} shards; a local Dask cluster of worker processes "
        f"(one thread each); {seconds:.0f} s in all.",
        "### Build",
        md_table(["how", "articles", "seconds", "articles/s"], build_rows),
        f"2 workers / 1 worker: **{ratio:.2f}x**; 2 workers / embedded parallel build: **{against:.2f}** "
        f"(goal: within 15%, i.e. >= 0.85).",
        f"### Search ({queries} queries of the search-speed mix, top 10 with snippets)",
        md_table(SEARCH_COLUMNS, search_rows),
        "Goal: p50 added <= 5 ms. First time: each query's first search (the parity run); again: the same "
        "queries once more (the cluster's front then knows their corpus-wide counts: one round to the shards).",
        "### Rounds (the same queries through a new 2-worker cluster, R = 1: searched a first time, then again)",
        md_table(ROUND_COLUMNS, round_rows),
        f"{idle} A round is one call to every shard it needs, all at once; ms from the front's call to the "
        "last answer, bytes pickled. find 1, 2, 3: a search's first, second, third round of finds (a shard's "
        "part of the search; the first only counts when the front knows no counts of the search); counts: "
        "corpus-wide counts some shards lacked.",
    ])

if __name__ == "__main__":
    raise SystemExit(main())
