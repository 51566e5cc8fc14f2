"""Updates benchmark: an index after many random updates against a fresh build of the same articles.

Starts from the first --articles baomoi articles (in shards of SHARD articles, as a newsroom's
export folders), then applies --updates updates of 1–50 articles each (about a third new, a
third changed, a third deleted), each passing only the shards it touched to `update_index`.
Then builds the same articles afresh and compares segments, opening time, the 300-query search
benchmark's p50/p95 (with snippets) and the top 10 of every query (ids, order, scores within
1e-4 relative). Writes the "updates" section of RESULTS.md.

``--quick INDEX`` only times small updates through the command line, on a copy of INDEX, while an
open index searches unaccented queries (see quick()).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import resource
import statistics
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

from .common import program, REPO, load_indexer, md_table, percentile, read_jsonl, require_shared, show_section, timer
from .search_speed import CATEGORIES, make_queries, ours_runner

SHARD = 500  # articles per source file
QUICK_SHARDS = 4  # shards the quick run adds to its copy of the index before timing updates
QUICK_SIZE = 10  # articles per quick update
SEARCH_ROUNDS = 3  # times the query set is run on each index, the indexes in turn
WATCH_QUERIES = ("nghi quyet giao thong", "gia vang hom nay", "tai nan giao thong", "thu tuong chinh phu",
                 "bao so 3")  # unaccented: a Lexicon restores them (Results.suggestion)
WATCH_PAUSE = 0.05  # seconds between the watcher's searches during a quick update
LEXICON_TIMEOUT = 180  # seconds after its command that a quick update's Lexicon may take


def _records(limit: int) -> list[dict]:
    path = require_shared("corpus", "baomoi.jsonl.gz")
    return [r for r in read_jsonl(path, limit) if r.get("id")]


def _write_shard(folder: Path, name: str, records: list[dict]) -> Path:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _sharded(records: list[dict], count: int, folder: Path) -> tuple[dict[str, list[dict]], list[dict]]:
    """The first count records as shards of SHARD, written to folder; the rest, last first (new articles to add)."""
    base, spare = records[:count], records[count:][::-1]
    shards = {f"shard-{i // SHARD:04d}": base[i:i + SHARD] for i in range(0, len(base), SHARD)}
    for name, rs in shards.items():
        _write_shard(folder, name, rs)
    return shards, spare


def _changed(record: dict, serial: int) -> dict:
    """The record with an edited body, as a newsroom's correction."""
    return dict(record, body=f"{record.get('body', '')}\nCập nhật lần {serial}: bài viết đã được chỉnh sửa.")


def _one_update(rng, shards: dict[str, list[dict]], spare: list[dict], serial: int, folder: Path,
                size: int | None = None) -> list[Path]:
    """Change size articles (1-50 at random if None) of the shards in memory and on disk; the paths
    the update must read."""
    size = size or rng.randint(1, 50)
    kinds = [rng.choice(("new", "changed", "deleted")) for _ in range(size)]
    touched = set()
    for kind in kinds:
        if kind == "new" and spare:
            shards.setdefault(f"update-{serial}", []).append(spare.pop())
            touched.add(f"update-{serial}")
            continue
        name = rng.choice([n for n, rs in shards.items() if rs])
        i = rng.randrange(len(shards[name]))
        if kind == "deleted":
            shards[name].pop(i)
        else:
            shards[name][i] = _changed(shards[name][i], serial)
        touched.add(name)
    return [_write_shard(folder, name, shards[name]) for name in sorted(touched)]


def _open_ms(indexer, index_dirs: list[Path], times: int = 6) -> list[float]:
    """Median ms to open each index, the indexes opened in turn (in alternating order)."""
    samples = [[] for _ in index_dirs]
    for n in range(times):
        for i in (range(len(index_dirs)) if n % 2 == 0 else reversed(range(len(index_dirs)))):
            start = time.perf_counter()
            indexer.open_index(index_dirs[i]).close()
            samples[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(s) for s in samples]


def _top10(index, queries) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.doc_id, h.score) for h in index.search(q, limit=10)] for _, q in queries}


def _same(a: list, b: list) -> bool:
    return [i for i, _ in a] == [i for i, _ in b] and all(
        math.isclose(x, y, rel_tol=1e-4) for (_, x), (_, y) in zip(a, b))


def _search_stats(indexer, index_dirs: list[Path], queries, warmup, rounds: int = SEARCH_ROUNDS) -> list[tuple[dict, dict]]:
    """Each index's segments, opening ms, query p50/p95 and top 10s; the indexes searched in turn
    for each query (which first alternating from query to query), so that a change of load weighs
    on both alike."""
    indexes = [indexer.open_index(d) for d in index_dirs]
    try:
        runners = [ours_runner(index) for index in indexes]
        for _, query in warmup:
            for run in runners:
                run(query)
        _prime(indexer, index_dirs[-1], queries)
        latencies = [[] for _ in indexes]
        for n in range(rounds):
            for k, (_, query) in enumerate(queries):
                for i in (range(len(runners)) if (n + k) % 2 == 0 else reversed(range(len(runners)))):
                    latencies[i].append(runners[i](query))
        found = [(index.segment_count, _top10(index, queries)) for index in indexes]
    finally:
        for index in indexes:
            index.close()
    return [({"segments": segments, "open": opened, "p50": percentile(ms, 50), "p95": percentile(ms, 95)}, tops)
            for (segments, tops), opened, ms in zip(found, _open_ms(indexer, index_dirs), latencies)]


def _prime(indexer, index_dir: Path, queries) -> None:
    """Search each query once, untimed, on another opening of index_dir: what the process keeps
    for any index (a query's analysis, its snippets' patterns) is then paid by neither index
    compared (it fell to whichever searched the query first: the updated index, in all)."""
    with indexer.open_index(index_dir) as index:
        run = ours_runner(index)
        for _, query in queries:
            run(query)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=35_431)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--work-dir", default="/tmp/vnsearch-updates")
    parser.add_argument("--per-category", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--quick", metavar="INDEX", help=f"time --updates updates of {QUICK_SIZE} articles "
                        "through the command line on a copy of INDEX while it is searched, nothing else "
                        "(try --updates 10)")
    args = parser.parse_args(argv)
    if args.quick:
        return quick(args)
    indexer, rng, work = load_indexer(), random.Random(args.seed), Path(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    (work / "src").mkdir(parents=True)
    shards, spare = _sharded(_records(args.articles + 25 * args.updates), args.articles, work / "src")
    with timer() as built:
        indexer.build_index([work / "src"], work / "live", notice=lambda m: None)
    print(f"  built {sum(map(len, shards.values())):,} articles in {built.seconds:.0f} s", flush=True)
    searchable, walls, segments = [], [], []
    for serial in range(args.updates):
        paths = _one_update(rng, shards, spare, serial, work / "src")
        with timer() as wall:
            report = indexer.update_index(paths, work / "live", notice=lambda m: None)
        searchable.append(report.seconds)
        walls.append(wall.seconds)
        with indexer.open_index(work / "live") as index:
            segments.append(index.segment_count)
        if serial % 10 == 9:
            print(f"  {serial + 1} updates, {segments[-1]} segments, last {report.seconds:.2f} s "
                  f"searchable / {wall.seconds:.2f} s with merges", flush=True)
    with timer() as fresh_time:
        indexer.build_index([work / "src"], work / "fresh", notice=lambda m: None)
    articles = [(r.get("title", ""), r.get("body", "")) for rs in shards.values() for r in rs]
    queries = make_queries(articles, args.per_category, args.seed)
    warmup = make_queries(articles, max(1, 30 // len(CATEGORIES)), args.seed + 1)
    (live, live_tops), (fresh, fresh_tops) = _search_stats(indexer, [work / "live", work / "fresh"], queries, warmup)
    differ = [q for q in fresh_tops if not _same(live_tops[q], fresh_tops[q])]
    body = _report(args, built.seconds, fresh_time.seconds, searchable, walls, segments, live, fresh,
                   len(fresh_tops), differ)
    show_section("updates", "Updates", body)
    return 0


def _report(args, built, fresh_build, searchable, walls, segments, live, fresh, queries, differ) -> str:
    rows = [[name, s["segments"], f"{s['open']:.1f}", f"{s['p50']:.1f}", f"{s['p95']:.1f}"]
            for name, s in (("after the updates", live), ("fresh build of the same articles", fresh))]
    merges = [w - s for w, s in zip(walls, searchable)]
    parts = [f"{args.articles:,} baomoi articles (built in {built:.0f} s), then {args.updates} updates of "
             f"1–50 articles (new, changed, deleted; seed {args.seed}), each reading only the source "
             f"files it touched. Fresh build of the result: {fresh_build:.0f} s.",
             md_table(["index", "segments", "open ms", "query p50 ms", "query p95 ms"], rows),
             f"Both indexes open at once; each query first run once, untimed, on a third opening of the fresh "
             f"index (what the process keeps for any index, e.g. the query's analysis, is then paid by "
             f"neither), then on one index and the other (which first alternating from query to query and "
             f"round to round), "
             f"{SEARCH_ROUNDS} times; opening timed 6 times each, in turn (medians).",
             f"Per update: searchable after p50 {percentile(searchable, 50):.2f} s, p95 "
             f"{percentile(searchable, 95):.2f} s, max {max(searchable):.2f} s; merges after it "
             f"p50 {percentile(merges, 50):.2f} s, max {max(merges):.2f} s, total {sum(merges):.0f} s. "
             f"Segments after each update: max {max(segments)}, last {segments[-1]}.",
             f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (times grow with it).",
             f"Top 10 (ids, order, scores within 1e-4 relative) equal to the fresh build's on "
             f"{queries - len(differ)} of {queries} queries"
             + (f"; differing e.g. `{differ[0]}`." if differ else ".")]
    return "\n\n".join(parts)


def quick(args) -> int:
    """Copy an index, add QUICK_SHARDS shards of baomoi articles under new ids (untimed), then run
    updates of QUICK_SIZE articles over them as `python -m indexer update` commands while an open
    index searches unaccented queries; print the time from each command's start until its
    generation is live (searchable), until it ends (merges included), its CPU time, until the open
    index uses the new generation's Lexicon, and the searches that went without one meanwhile."""
    indexer, rng, work = load_indexer(), random.Random(args.seed), Path(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    (work / "src").mkdir(parents=True)
    shutil.copytree(args.quick, work / "live")
    records = [dict(r, id=f"quick-{r['id']}") for r in _records(QUICK_SHARDS * SHARD + QUICK_SIZE * args.updates)]
    shards, spare = _sharded(records, QUICK_SHARDS * SHARD, work / "src")
    with timer() as added:
        indexer.update_index([work / "src"], work / "live", notice=lambda m: None)
    print(f"  added {QUICK_SHARDS * SHARD:,} articles in {QUICK_SHARDS} shards in {added.seconds:.0f} s", flush=True)
    with indexer.open_index(work / "live") as index:
        rounds = [_watched_update(indexer, index, work / "live",
                                  _one_update(rng, shards, spare, serial, work / "src", QUICK_SIZE))
                  for serial in range(args.updates)]
    print(_quick_report(args, rounds))
    return 0


def _quick_report(args, rounds: list[dict]) -> str:
    def p50_max(key: str) -> str:
        values = [r[key] for r in rounds if r[key] is not None]
        return f"p50 {percentile(values, 50):.2f} s, max {max(values, default=math.nan):.2f} s"

    adopted = sum(r["adopted"] is not None for r in rounds)
    return (f"{args.updates} updates of {QUICK_SIZE} articles (`python -m indexer update`) on a copy of {args.quick}: "
            f"searchable after {p50_max('searchable')}; command ends after {p50_max('done')}; "
            f"CPU p50 {statistics.median(r['cpu'] for r in rounds):.2f} s. An open index searching unaccented "
            f"queries meanwhile (one per {WATCH_PAUSE} s) used the new generation's Lexicon after "
            f"{p50_max('adopted')} ({adopted} of {len(rounds)} within {LEXICON_TIMEOUT} s of the command's end); "
            f"{sum(r['without'] for r in rounds)} of its {sum(r['searches'] for r in rounds)} searches went without "
            f"a Lexicon (during {sum(r['without'] > 0 for r in rounds)} updates); the old Lexicon was released "
            f"{p50_max('released')} after the new one was used ({sum(r['released'] is None for r in rounds)} "
            f"not within {LEXICON_TIMEOUT} s); an index opened as the "
            f"command ended had a Lexicon after {sum(r['fresh'] for r in rounds)}. "
            f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")


def _watched_update(indexer, index, index_dir: Path, paths: list[Path]) -> dict:
    """_timed_update while a _LexiconWatch searches index; then whether an index opened as the
    command ended had a Lexicon, and when the old Lexicon was released after the new one was used."""
    watch = _LexiconWatch(index, index.lexicon(wait=True))
    watch.start()
    searchable, done, cpu = _timed_update(index_dir, paths)
    fresh = _fresh_has_lexicon(indexer, index_dir)
    watch.join(LEXICON_TIMEOUT)
    watch.stop.set()
    watch.join()
    return {"searchable": searchable, "done": done, "cpu": cpu, "adopted": watch.adopted, "fresh": fresh,
            "searches": watch.searches, "without": watch.without, "released": _released_after(watch.before)}


def _released_after(lexicon: weakref.ref) -> float | None:
    """Seconds until the Lexicon (held weakly) is collected, checked every 0.25 s; None if not
    within LEXICON_TIMEOUT (a replaced generation's build still running holds what it answered with)."""
    start = time.perf_counter()
    while time.perf_counter() - start < LEXICON_TIMEOUT:
        gc.collect()
        if lexicon() is None:
            return time.perf_counter() - start
        time.sleep(0.25)
    return None


def _fresh_has_lexicon(indexer, index_dir: Path) -> bool:
    """Whether an index opened now (a restarted web app, the command line) restores an unaccented query."""
    with indexer.open_index(index_dir) as fresh:
        return fresh.search(WATCH_QUERIES[0]).suggestion is not None


class _LexiconWatch(threading.Thread):
    """Searches an open index for unaccented queries until it uses another Lexicon than before
    (held weakly): how many searches went without one (no restored reading), and when."""

    def __init__(self, index, before):
        super().__init__(daemon=True)
        self.index, self.before, self.started = index, weakref.ref(before), time.perf_counter()
        self.searches = self.without = 0
        self.adopted: float | None = None  # seconds from the start until another Lexicon was used
        self.stop = threading.Event()

    def run(self) -> None:
        while self.adopted is None and not self.stop.is_set():
            self.without += self.index.search(WATCH_QUERIES[self.searches % len(WATCH_QUERIES)]).suggestion is None
            self.searches += 1
            lexicon = self.index.lexicon(wait=False)
            if lexicon is not None and lexicon is not self.before():
                self.adopted = time.perf_counter() - self.started
            del lexicon
            self.stop.wait(WATCH_PAUSE)


def _timed_update(index_dir: Path, paths: list[Path]) -> tuple[float, float, float]:
    """Run `python -m indexer update paths`: (seconds until CURRENT names a new generation, seconds
    until the command ends, CPU seconds of the command and its workers)."""
    current, before = index_dir / "CURRENT", (index_dir / "CURRENT").read_text()
    cpu, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    command = subprocess.Popen([sys.executable, "-m", "indexer", "update", *map(str, paths), "--index", str(index_dir)],
                               env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL)
    searchable = None
    while command.poll() is None:
        if searchable is None and current.read_text() != before:
            searchable = time.perf_counter() - start
        time.sleep(0.005)
    done = time.perf_counter() - start
    if command.returncode not in (0, 3):  # 3: something skipped (a shard whose articles were all deleted)
        sys.exit(f"benchmarks: the update failed (exit {command.returncode})")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return searchable or done, done, used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime


if __name__ == "__main__":
    raise SystemExit(main())
