"""Latency of search_speed's query mix (300 queries, snippets read) on any index, by category.

A quick check for a change to ranking on an index you already have (search_speed itself needs
the whole corpus indexed, and a Tantivy index). Run it with each version of the code on the
same index, alternating, on a quiet machine:

    python -m benchmarks.query_mix --index DIR
"""
from __future__ import annotations

import argparse
import time

import indexer

from .common import program
from .search_speed import make_queries, sample_articles


def percentile(values: list[float], share: float) -> float:
    """The value below which share of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def timed(index, query: str) -> float:
    """Milliseconds for one search of the top 10, every snippet made."""
    start = time.perf_counter()
    for hit in index.search(query, limit=10):
        hit.snippet  # noqa: B018 - the snippet is made on first use
    return (time.perf_counter() - start) * 1000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="an index built by this version")
    parser.add_argument("--per-category", type=int, default=50)
    args = parser.parse_args(argv)
    articles = sample_articles(2017)
    with indexer.open_index(args.index) as index:
        for _, query in make_queries(articles, 5, 2018):  # warm-up
            index.search(query)
        by_category: dict[str, list[float]] = {}
        for category, query in make_queries(articles, args.per_category, 2017):
            by_category.setdefault(category, []).append(timed(index, query))
    every = [ms for values in by_category.values() for ms in values]
    print(f"{len(every)} queries: p50 {percentile(every, .5):.1f} ms, p95 {percentile(every, .95):.1f} ms, "
          f"p99 {percentile(every, .99):.1f} ms")
    for category, values in by_category.items():
        print(f"  {category}: p50 {percentile(values, .5):.1f} ms, p95 {percentile(values, .95):.1f} ms")


if __name__ == "__main__":
    main()
