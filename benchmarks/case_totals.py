"""Case consistency: the share of queries whose total (the articles matched) is the same typed,
lowercased, Title Cased and UPPERCASED, for the 500 queries of each dev set and the topical topics,
on an index given (a copy: searching builds its Lexicon there)."""

import argparse
import time
from pathlib import Path

from benchmarks.common import REPO, program, require_shared
from benchmarks.quality import SETS, read_queries

TOPICS = REPO / "benchmarks" / "topical" / "topics.tsv"


def casings(query: str) -> list[str]:
    """The query as typed, lowercased, Title Cased (each word) and UPPERCASED."""
    title = " ".join(w[:1].upper() + w[1:].lower() for w in query.split(" "))
    return [query, query.lower(), title, query.upper()]


def query_sets(n: int):
    """(name, queries) of each dev set (its first n orig queries) and of the topical topics."""
    for name in SETS:
        yield name, [q for _, q in read_queries(require_shared("eval", "dev", name, "queries.orig.tsv"))][:n]
    rows = [line.rstrip("\n").split("\t") for line in TOPICS.read_text(encoding="utf-8").splitlines()]
    yield "topics", [row[1] for row in rows if len(row) > 1 and not row[0].startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__)
    parser.add_argument("--index", required=True, type=Path, help="an index (a copy of it)")
    parser.add_argument("-n", type=int, default=500, help="queries of each dev set")
    parser.add_argument("--out", type=Path, help="a TSV of each query's totals in the 4 casings")
    args = parser.parse_args()
    import indexer
    index = indexer.Index(args.index, background_lexicon=False)
    rows = []
    for name, queries in query_sets(args.n):
        started, same = time.perf_counter(), 0
        for query in queries:
            totals = [index.search(form).total for form in casings(query)]
            same += len(set(totals)) == 1
            rows.append("\t".join([name, query, *map(str, totals)]))
        print(f"{name}: {same}/{len(queries)} = {same / len(queries):.3f} the same total in the 4 casings "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    if args.out:
        args.out.write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
