"""The command line: a thin layer over the Python API.

Exit codes: 0 success; 1 failure (one-line reason on stderr); 2 bad usage; 3 the build or update
succeeded but some inputs were skipped (each listed on stderr with its reason, the first
MAX_SKIPS_LISTED of them, then how many more); 130 interrupted. An article indexed in part (over
MAX_ARTICLE_CHARS characters, stored whole) is a warning on stderr, not a skip: nothing was lost.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from . import build_index, open_index, optimize_index, update_index
from .articles import MAX_ARTICLE_CHARS, SourceError
from .build import Progress, WorkerFailed
from .query import QueryError
from .store import IndexLocked, IndexNotFound, current_generation

EXIT_SKIPPED = 3
MAX_SKIPS_LISTED = 200
IDS_HELP = ("A text file's id is <folder name>/<path in the folder> (given directly: <its folder's name>/<file name>); "
            f"a JSONL record keeps its own id. Articles over {MAX_ARTICLE_CHARS:,} characters are stored "
            "whole, indexed in part, with a warning.")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="Vietnamese news search index.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build a fresh index from folders and JSONL files", epilog=IDS_HELP)
    build.add_argument("sources", nargs="*", default=["seeds"], help="folders, .txt, .jsonl, .jsonl.gz (default: seeds)")
    update = sub.add_parser("update", help="add new/changed articles and remove deleted ones", epilog=IDS_HELP)
    update.add_argument("sources", nargs="+", help="folders, .txt, .jsonl, .jsonl.gz")
    for p in (build, update):
        p.add_argument("--procs", type=int, default=None, help="analysis processes (default: all cores)")
    search = sub.add_parser("search", help="search the index")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--sort", choices=("relevance", "newest"), default="relevance")
    search.add_argument("--from", dest="date_from", type=date.fromisoformat, help="YYYY-MM-DD")
    search.add_argument("--to", dest="date_to", type=date.fromisoformat, help="YYYY-MM-DD")
    search.add_argument("--json", action="store_true", help="print results as JSON")
    stats = sub.add_parser("stats", help="describe the index")
    optimize = sub.add_parser("optimize", help="merge the index to at most one segment per core, "
                              "dropping deleted articles (searches go on meanwhile)")
    for p in (build, update, search, stats, optimize):
        p.add_argument("--index", default="index_data", help="index folder (default: index_data)")
    return parser


def _print_skips(skipped) -> None:
    for skip in skipped[:MAX_SKIPS_LISTED]:
        print(f"skipped {skip.where}: {skip.reason}", file=sys.stderr)
    if len(skipped) > MAX_SKIPS_LISTED:
        print(f"... and {len(skipped) - MAX_SKIPS_LISTED} more skipped", file=sys.stderr)


def _print_truncated(truncated) -> None:
    """Warn about each article indexed in part."""
    for note in truncated:
        print(f"warning {note.where}: article of {note.chars:,} characters; only its first "
              f"{MAX_ARTICLE_CHARS:,} are indexed (it is stored whole)", file=sys.stderr)


def _write(run, args, summary) -> int:
    """Run build_index or update_index with progress, list skips, print the summary line."""
    progress = Progress()
    report = run(args.sources, args.index, procs=args.procs, progress=progress,
                 notice=lambda m: print(m, file=sys.stderr))
    progress.close()
    _print_skips(report.skipped)
    _print_truncated(report.truncated)
    print(summary(report))
    return EXIT_SKIPPED if report.skipped else 0


def cmd_build(args) -> int:
    return _write(build_index, args, lambda r: (
        f"indexed {r.indexed:,} articles, skipped {len(r.skipped):,}, "
        f"in {r.seconds:.1f} s ({r.docs_per_sec:,.1f} docs/s) into {args.index}"))


def cmd_update(args) -> int:
    return _write(update_index, args, lambda r: (
        f"added {r.added:,}, updated {r.updated:,}, removed {r.removed:,}, "
        f"unchanged {r.unchanged:,}, skipped {len(r.skipped):,}, in {r.seconds:.1f} s"))


def cmd_search(args) -> int:
    with open_index(args.index) as index:
        results = index.search(args.query, limit=args.limit, page=args.page, sort=args.sort,
                               date_from=args.date_from, date_to=args.date_to)
    if args.json:
        hits = [hit.to_dict() for hit in results]
        print(json.dumps({"query": args.query, "total": results.total, "page": results.page,
                          "took_ms": round(results.took_ms, 2), "hits": hits}, ensure_ascii=False, indent=2))
        return 0
    print(f"{results.total:,} results ({results.took_ms:.1f} ms), page {results.page} of {results.pages}")
    for rank, hit in enumerate(results, start=(results.page - 1) * results.limit + 1):
        when = hit.date.strftime("%d/%m/%Y %H:%M") if hit.date else "-"
        print(f"\n{rank}. {hit.title_highlight.plain() or '(no title)'}  [{hit.doc_id}]  {when}  score {hit.score:.2f}")
        print(f"   {hit.highlight.plain()}")
    return 0


def cmd_stats(args) -> int:
    gen = current_generation(args.index)
    size = sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
    with open_index(args.index) as index:
        count, segments = index.doc_count, index.segment_count
    print(f"index: {args.index} (generation {gen.name})\narticles: {count:,}\nsegments: {segments:,}\n"
          f"size: {size:,} bytes" + (f" ({size / count:,.0f} bytes/article)" if count else ""))
    return 0


def cmd_optimize(args) -> int:
    merged = optimize_index(args.index, notice=lambda m: print(m, file=sys.stderr))
    with open_index(args.index) as index:
        print(f"{merged} merges; {index.segment_count} segments, {index.doc_count:,} articles in {args.index}")
    return 0


COMMANDS = {"build": cmd_build, "update": cmd_update, "search": cmd_search, "stats": cmd_stats,
            "optimize": cmd_optimize}


def main(argv=None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (IndexNotFound, IndexLocked, SourceError, QueryError, WorkerFailed, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: the live index is unchanged", file=sys.stderr)
        return 130
