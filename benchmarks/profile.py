"""Where the time goes: pyinstrument profiles of indexing 1,000 articles and of 100 searches.

    python -m benchmarks.profile
    python -m benchmarks.profile --articles 1000 --searches 100 --full-dir /tmp/vnsearch-full

Indexes the first 1,000 baomoi articles with `indexer.build_index`, then runs 100 searches
(the benchmarks.search_speed mix, reading every snippet) on the full index when it exists
(else on the 1,000-article one), and writes the functions with the most time of their own
and the heaviest call paths into RESULTS.md. Only the calling process is sampled (time spent
in worker processes shows up as waiting), so one worker's job (analysing the articles and
writing their segment) is also profiled on its own, in this process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from pyinstrument import Profiler

from benchmarks.common import program, article_text, load_indexer, md_table, read_jsonl, \
    require_shared, write_section
from benchmarks.indexing import write_sample
from benchmarks.search_speed import DEFAULT_FULL_DIR, make_queries

TOP = 15


def profiled(call) -> tuple[object, Profiler]:
    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        result = call()
    finally:
        profiler.stop()
    return result, profiler


def frames(root):
    stack = [root]
    while stack:
        frame = stack.pop()
        yield frame
        stack.extend(frame.children)


def where(frame) -> str:
    path = frame.file_path_short or frame.file_path or "?"
    return f"{frame.function} ({path}:{frame.line_no})"


def is_wrapper(frame) -> bool:
    """Frames of this script (the profiling scaffolding) or pyinstrument's synthetic ones."""
    return frame.is_synthetic or (frame.file_path or "").endswith("benchmarks/profile.py")


def self_times(root) -> list[tuple[str, float]]:
    """Function -> seconds spent in its own code (summed over all call paths).

    pyinstrument records a frame's own time as a synthetic "[self]" child (and hides very
    short calls the same way); that time is given to the real parent frame.
    """
    totals: dict[str, float] = defaultdict(float)
    for frame in frames(root):
        owner = frame.parent if frame.is_synthetic else frame
        if owner is None or is_wrapper(owner):
            continue
        own = frame.time - sum(child.time for child in frame.children)
        if own > 0:
            totals[where(owner)] += own
    return sorted(totals.items(), key=lambda kv: -kv[1])[:TOP]


def inclusive_times(root) -> list[tuple[str, float]]:
    """Function -> seconds with it on the stack (counted once per path, not per recursion)."""
    totals: dict[str, float] = defaultdict(float)

    def walk(frame, seen: frozenset):
        key = where(frame)
        if key not in seen and not is_wrapper(frame):
            totals[key] += frame.time
        for child in frame.children:
            walk(child, seen | {key})
    walk(root, frozenset())
    return sorted(totals.items(), key=lambda kv: -kv[1])[:TOP]


def table(profiler: Profiler) -> str:
    root = profiler.last_session.root_frame()
    total = root.time or 1e-9
    own = [[name, f"{sec:.2f}", f"{100 * sec / total:.0f}%"] for name, sec in self_times(root)]
    incl = [[name, f"{sec:.2f}", f"{100 * sec / total:.0f}%"]
            for name, sec in inclusive_times(root)]
    return "\n\n".join([
        f"Sampled {total:.1f} s.",
        "Own time (the function's own code):",
        md_table(["function", "s", "share"], own),
        "Inclusive time (the function and what it calls):",
        md_table(["function", "s", "share"], incl)])


def profile_indexing(indexer, sample: Path, folder: str) -> Profiler:
    _, profiler = profiled(lambda: indexer.build_index([str(sample)], folder))
    return profiler


def profile_worker(indexer, sample: Path, folder: str) -> Profiler | None:
    """One build worker's job (analyse each article, write a Whoosh segment), run in this process.

    Uses the core's internals (indexer.build._analyse, indexer.storage.segment_writer) when present.
    """
    analyse = getattr(sys.modules.get("indexer.build"), "_analyse", None)
    storage = sys.modules.get("indexer.storage")
    if analyse is None or storage is None:
        return None
    articles = list(indexer.iter_articles([str(sample)]))
    ix = storage.create(Path(folder))

    def run():
        writer = storage.segment_writer(ix)
        for article in articles:
            writer.add_document(**analyse(article))
        storage.commit(ix, [writer.finish_segment()])
    _, profiler = profiled(run)
    return profiler


def profile_searches(indexer, folder: str, queries: list[str]) -> Profiler:
    def run():
        with indexer.open_index(folder) as index:
            for query in queries:
                for hit in index.search(query, limit=10):
                    hit.snippet  # noqa: B018
    _, profiler = profiled(run)
    return profiler


def main(argv=None) -> int:
    args = _arguments(argv)
    require_shared("corpus")
    indexer = load_indexer()
    with tempfile.TemporaryDirectory(prefix="vnsearch-profile-") as tmp:
        sample = write_sample(args.articles, Path(tmp))
        small = str(Path(tmp) / "index")
        print(f"== indexing {args.articles:,} articles", flush=True)
        indexing = profile_indexing(indexer, sample, small)
        (Path(tmp) / "worker").mkdir()
        worker = profile_worker(indexer, sample, str(Path(tmp) / "worker"))
        articles = [article_text(r) for r in read_jsonl(sample)]
        per_category = -(-args.searches // 6)
        queries = [q for _, q in make_queries(articles, per_category, seed=7)][:args.searches]
        target = args.full_dir if Path(args.full_dir).exists() else small
        print(f"== {len(queries)} searches on {target}", flush=True)
        searching = profile_searches(indexer, target, queries)
    print(indexing.output_text(unicode=True, show_all=False)[:3000])
    print(searching.output_text(unicode=True, show_all=False)[:3000])
    where = "the full index" if target == args.full_dir else f"the {args.articles:,}-article index"
    body = _report(args.articles, indexing, worker, len(queries), where, searching)
    write_section("profile", "Profile (pyinstrument)", body)
    return 0


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--full-dir", default=DEFAULT_FULL_DIR)
    return parser.parse_args(argv)


def _report(articles: int, indexing, worker, searches: int, where: str, searching) -> str:
    """The Profile section's text: a table of each profile."""
    sections = [f"### Indexing {articles:,} baomoi articles (`indexer.build_index`, "
                "main process: reading the source, dealing batches to the workers, waiting for them)",
                table(indexing)]
    if worker is not None:
        sections += ["### One worker's job on the same articles, in one process (analysis: "
                     "`indexer.build._analyse` per article; then the segment: "
                     "`indexer.storage.segment_writer` and its commit)", table(worker)]
    return "\n\n".join([*sections, f"### {searches} searches with snippets on {where}"
                         " (the search_speed query mix, opening the index included)", table(searching)])


if __name__ == "__main__":
    raise SystemExit(main())
