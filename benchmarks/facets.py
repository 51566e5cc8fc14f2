"""What facets add to a search on the full index (issue 14: at most 10 ms at p95).

    python -m benchmarks.facets --full-dir DIR            # every 3rd of search_speed's 300 queries
    python -m benchmarks.facets --full-dir DIR --every 1

Each query runs through index.search with snippets (as search_speed does), twice with the facets
counted and twice with the counting skipped, in alternating order; the times are CPU time of the
searching thread (time.thread_time), so other processes on a shared machine do not inflate them.
Also timed: the counting alone on each query's matches, and making the facet values of the index
(once per generation, when it is opened).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.common import program, load_indexer, md_table, percentile, show_section
from benchmarks.search_speed import DEFAULT_FULL_DIR, DEFAULT_TANTIVY_DIR, make_queries, rare_checker, \
    sample_articles, tantivy_index


def cpu_ms(run) -> float:
    """CPU milliseconds of this thread spent in run()."""
    start = time.thread_time()
    run()
    return (time.thread_time() - start) * 1000


def searcher(index, query: str):
    def run():
        for hit in index.search(query, limit=10):
            hit.snippet  # noqa: B018 - make sure the snippet is produced
    return run


def with_and_without(index, queries, facets_module) -> tuple[list[float], list[float]]:
    """Per query, the mean CPU ms of two searches counting facets and two skipping the count."""
    counting = facets_module.FacetColumns.count
    skipping = lambda self, matched, masks: (facets_module.empty_facets(), facets_module.no_missing())  # noqa: E731
    on, off = [], []
    for n, query in enumerate(queries):
        times = {True: [], False: []}
        for counted in ((True, False, False, True) if n % 2 else (False, True, True, False)):
            facets_module.FacetColumns.count = counting if counted else skipping
            times[counted].append(cpu_ms(searcher(index, query)))
        on.append(statistics.mean(times[True]))
        off.append(statistics.mean(times[False]))
    facets_module.FacetColumns.count = counting
    return on, off


def count_alone(index, queries, search_module) -> list[float]:
    """CPU ms of FacetColumns.count on each query's matches (queries matching nothing left out)."""
    costs = []
    with index._snapshot() as snap:
        for query in queries:
            plan, alternatives = search_module._plan(search_module.TermStats(snap.scorer), query, None, False)
            if plan.empty and not alternatives:
                continue
            matched = index._execute(snap.scorer, plan, alternatives)[1]
            costs.append(cpu_ms(lambda: snap.facets.count(matched, {})))
    return costs


def row(name: str, values: list[float]) -> list:
    return [name, *(f"{percentile(values, q):.2f}" for q in (50, 95, 99)), f"{statistics.mean(values):.2f}"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--full-dir", default=DEFAULT_FULL_DIR)
    parser.add_argument("--every", type=int, default=3, help="take every N-th of the 300 queries")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    from indexer import facets as facets_module, search as search_module
    articles = sample_articles(2017)
    queries = [q for _, q in make_queries(articles, 50, 2017, rare_checker(tantivy_index(DEFAULT_TANTIVY_DIR)))]
    queries = queries[::args.every]
    with indexer.open_index(args.full_dir) as index:
        for _, query in make_queries(articles, 5, 2018):  # warm-up
            searcher(index, query)()
        with index._snapshot() as snap:
            opening = cpu_ms(lambda: facets_module.FacetColumns(snap.reader, snap.recency))
        on, off = with_and_without(index, queries, facets_module)
        alone = count_alone(index, queries, search_module)
        articles_count, segments = index.doc_count, index.segment_count
    table = md_table(["CPU ms", "p50", "p95", "p99", "mean"],
                     [row("search, facets counted", on), row("search, counting skipped", off),
                      row("difference, per query", [a - b for a, b in zip(on, off)]),
                      row("the counting alone", alone)])
    body = (f"{len(queries)} queries (one in {args.every} of search_speed's 300) on {articles_count:,} "
            f"articles in {segments} segments; making the facet values when the index opens: {opening:.0f} ms CPU.\n\n{table}\n")
    show_section("facets", "Facets (cost per search)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
