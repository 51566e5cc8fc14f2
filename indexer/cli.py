"""The command line: a thin layer over the Python API; it speaks English.

Exit codes: 0 success (a search that finds nothing too); 1 failure (one line on stderr:
"python -m indexer COMMAND: error: why"); 2 bad usage (the command's usage, then that line);
3 the build or update succeeded but some inputs were skipped (each listed on stderr with its
reason, the first MAX_SKIPS_LISTED of them, then how many more; a delete: ids no article has; a
restore: ids not retracted);
130 interrupted; 141 the reader of the output went away (`| head -1`), nothing printed. An article indexed
in part (over MAX_ARTICLE_CHARS characters, stored whole) or without the date it gave (unread) is
a warning on stderr, not a skip; files in the folders not named as articles are counted on one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time

from . import (build_index, delete_articles, open_index, optimize_index, restore_articles, retracted_articles,
               update_index)
from .articles import ARTICLE_FILES, MAX_ARTICLE_CHARS, SourceError, date_forms_hint, site_of
from .build import WorkerFailed
from .cluster import ClusterError, build_sharded, shard_stats, update_sharded
from .facets import facet_filters
from .progress import Progress
from .schema import MAX_FACET_CHARS
from .query import MAX_QUERY_CHARS, QueryError
from . import search as core
from .search import MAX_LIMIT, MAX_PAGE, PAGE, RELATED_LIMIT, SORTS, as_date
from .store import (IndexLocked, IndexNotFound, ShardFolder, current_generation, generation_bytes, is_sharded,
                    retracted_in)
from .tips import DATES, NO_WORDS, has_words, what_to_try

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3
EXIT_READER_GONE = 128 + signal.SIGPIPE  # what a shell reports for a Unix tool stopped by SIGPIPE
MAX_SKIPS_LISTED = 200
MAX_RETRACTED_LISTED = 10  # a build's or update's line of retracted articles kept out names up to this many
UNDATED_WHERE = {(True, False): "left out by the date range", (False, True): "left out by the months chosen",  # (dated, monthly)
                 (True, True): "left out by the date range and the months chosen", (False, False): "listed last"}
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed
IDS_HELP = ("ids: a text file's id is <folder name>/<path in the folder> (given directly: <its folder's name>/"
            "<file name>); a JSONL record keeps its own id (of the records of one id, the article is the record of the "
            "newest file (modified later), within it the last readable one: a correction after the story, or in a "
            "later export, replaces it; of two text files of one id, the first read is kept). "
            f"Articles over {MAX_ARTICLE_CHARS:,} characters are "
            "stored whole, indexed in part, with a warning; so is a date that cannot be read (the article is "
            "indexed undated). Files in the folders not named as articles are counted, not read; an index "
            "folder inside them is not read.\n\n")

QUERY_SYNTAX = f"""\
query syntax:
  words            all of them (fewer when too few articles hold all: stderr says which);
                   with or without accents (nghị quyết, nghi quyet)
  "a phrase"       these words together, in this order (required)
  -word, -"a b"    leave out articles holding the word or phrase (also: NOT word)
  a OR b           either one (a AND b: both, as a b; an AND, OR or NOT joining nothing is dropped)
  title:word       the word (or title:"a phrase") in the title (required; also tiêu đề:word, tieu de:word);
                   body:word is the word (plain words are looked for in bodies and titles)
  31m, 6.81%       a number with its unit is an amount: dropped first when too few articles
                   hold all the words; 31m finds 31 m too, 6.81% finds 6,81%
  a query starting with "-" is still the query: search -bão  (or: search -- -bão)
  a query needs a letter or a digit; when nothing matches, stderr gives tips
  (with several limits, first what the search finds without each one)
  at most {MAX_QUERY_CHARS:,} characters; no wildcards; 12 words or more are taken as pasted text
  (4 words or more: a third of them suffice)
"""

EXAMPLES = """\
examples:
  python -m indexer build                                  # seeds/ into index_data/
  python -m indexer build ../shared/corpus/baomoi.jsonl.gz --index /tmp/baomoi
  python -m indexer update seeds                           # add new/changed, remove deleted
  python -m indexer search "nghi quyet giao thong" --limit 5
  python -m indexer search 'bão -"dự báo"' --sort newest --from 2020-01-01 --to 2020-12-31
  python -m indexer search 'title:"giao thông"' --json
  python -m indexer search bão --source baomoi.com --month 2017-05 --month 2017-06 --facets
  python -m indexer get baomoi-22239698                    # the whole article (--json)
  python -m indexer related baomoi-22239698 --limit 5      # articles like this one
  python -m indexer delete baomoi-22239698                 # remove an article and keep it out (a retraction)
  python -m indexer restore baomoi-22239698                # lift the retraction: the next update adds it back
  python -m indexer retracted                              # the retracted ids, each with when (--json)
  python -m indexer stats
  python -m indexer optimize                               # merge to one segment per core
  python -m indexer build SOURCES --index /shared/news --cluster tcp://10.0.0.1:8786 --shards 4
  python -m indexer search "bão" --index /shared/news --cluster tcp://10.0.0.1:8786 --replicas 2
"""


def plural(n: int, noun: str) -> str:
    """'1 article', '2 articles', '1,000 articles'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def them(n: int) -> str:
    """'it' for one thing, 'them' for others."""
    return "it" if n == 1 else "them"


def _bounded_int(low: int, high: int):
    """An argparse type: a whole number from low to high."""
    def parse(raw: str) -> int:
        if not re.fullmatch(r"[0-9]{1,9}", raw.strip()) or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high:,}, not {raw!r}")
        return int(raw)
    return parse


def _day(raw: str):
    """An argparse type: a day (YYYY-MM-DD or another form the search core reads, search.as_date)."""
    try:
        return as_date(raw, "date")
    except QueryError:
        raise argparse.ArgumentTypeError(f"not a valid date: {raw!r} (use YYYY-MM-DD, e.g. 2024-03-15)") from None


def _facet_value(facet: str):
    """An argparse type: one value of a --source, --category or --month filter, as the search core checks it."""
    def parse(raw: str) -> str:
        try:
            return facet_filters(**{facet: raw})[facet][0]
        except QueryError:
            if facet == "month":
                raise argparse.ArgumentTypeError(f"{raw!r} is not a month (use YYYY-MM, e.g. 2017-05)") from None
            shown = repr(raw) if len(raw) <= MAX_FACET_CHARS else f"{len(raw):,} characters"
            why = f"must be text of 1 to {MAX_FACET_CHARS} characters, not {shown}"
            raise argparse.ArgumentTypeError(why) from None
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexer", epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Full-text search for Vietnamese news: build, update, search "
                                                 "and describe an index.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build, update = _writing_commands(sub)
    search = _command(sub, "search", "search the index", epilog=QUERY_SYNTAX + "\n" + EXAMPLES)
    _search_arguments(search)
    get = _command(sub, "get", "print one whole article by its id")
    get.add_argument("id", help="the article's id (as search prints it)")
    get.add_argument("--json", action="store_true", help="print it as JSON (what /api/article/ID gives)")
    related = _command(sub, "related", "list the articles most like one article (not its syndicated copies)")
    related.add_argument("id", help="the article's id (as search prints it)")
    related.add_argument("--limit", type=_bounded_int(1, MAX_LIMIT), default=RELATED_LIMIT, metavar="N",
                         help=f"how many (default {RELATED_LIMIT})")
    related.add_argument("--json", action="store_true", help="print them as JSON")
    delete = _command(sub, "delete", "remove articles from the index (or a sharded index's shards) by id and "
                      "retract them: builds and updates into the folder keep them out until they are restored")
    delete.add_argument("ids", nargs="+", metavar="ID", help="the articles' ids (as search prints them)")
    restore = _command(sub, "restore", "lift the retraction of articles a delete removed: the next update (or "
                       "build) from sources that hold them adds them back")
    restore.add_argument("ids", nargs="+", metavar="ID", help="the articles' ids (as delete was given them)")
    retracted = _command(sub, "retracted", "list the retracted articles (a delete's, kept out of builds and updates "
                         "until restored): each id with when it was retracted (UTC), oldest first")
    retracted.add_argument("--json", action="store_true", help='print them as JSON: {"retracted": {ID: WHEN, ...}}')
    stats = _command(sub, "stats", "describe the index: articles, segments, size, retracted articles")
    optimize = _command(sub, "optimize", "merge the index (a sharded index's shards, in their folders) to at most "
                        "one segment per core, dropping deleted articles (open indexes keep searching meanwhile)")
    build.add_argument("--index", default="index_data", metavar="DIR",
                       help="index folder (default: index_data): a new or empty one, or an index's (a folder "
                            "holding articles or other folders is refused)")
    for p in (update, search, get, related, delete, restore, retracted, stats, optimize):
        p.add_argument("--index", default="index_data", metavar="DIR", help="index folder (default: index_data)")
    _cluster_arguments(build, update, search)
    return parser


def _writing_commands(sub) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The build and update commands with their sources and processes."""
    build = _command(sub, "build", "build a fresh index from folders and JSONL files (replaces the old one)",
                     epilog=IDS_HELP + EXAMPLES)
    build.add_argument("sources", nargs="*", default=["seeds"],
                       help=f"folders (read recursively: files with {ARTICLE_FILES}), .txt, .jsonl, "
                            ".jsonl.gz (default: seeds)")
    update = _command(sub, "update", "add new and changed articles, remove those gone from the sources",
                      epilog=IDS_HELP + EXAMPLES)
    update.add_argument("sources", nargs="+", help="the folders and files given to build")
    for p in (build, update):
        p.add_argument("--procs", type=_bounded_int(1, 1024), default=None, metavar="N",
                       help="analysis processes (default: one per core)")
    return build, update


def _cluster_arguments(build, update, search) -> None:
    """--cluster on the commands that run on one, --shards for a build, --replicas for a search."""
    for p in (build, update, search):
        p.add_argument("--cluster", metavar="ADDRESS", default=None,
                       help="a Dask scheduler (tcp://HOST:PORT): build, update or search the sharded index in "
                            "DIR on its workers (DIR at the same path on every worker)")
    build.add_argument("--shards", type=_bounded_int(1, 1024), default=None, metavar="N",
                       help="with --cluster: split the index into N shards by a hash of the article id")
    search.add_argument("--replicas", type=_bounded_int(1, 16), default=1, metavar="R",
                        help="with --cluster: copies of each shard held open on different workers (default 1)")


def _command(sub, name: str, text: str, epilog: str = EXAMPLES) -> argparse.ArgumentParser:
    command = sub.add_parser(name, help=text, description=text, epilog=epilog,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    command.set_defaults(command_parser=command)  # whose name and usage its errors give (fail)
    return command


def fail(args, message: str, code: int = EXIT_FAILURE) -> int:
    """Say on stderr why the command failed, in argparse's shape ("python -m indexer build: error: ...",
    after the command's usage for bad usage); returns the exit code."""
    parser = args.command_parser
    if code == EXIT_USAGE:
        parser.print_usage(sys.stderr)
    print(printable(f"{parser.prog}: error: {message}"), file=sys.stderr)
    return code


def _search_arguments(search: argparse.ArgumentParser) -> None:
    search.add_argument("query", help="what to look for (see query syntax below); quote it in the shell")
    search.add_argument("--limit", type=_bounded_int(1, MAX_LIMIT), default=PAGE, metavar="N",
                        help=f"results per page, 1 to {MAX_LIMIT:,} (default {PAGE})")
    search.add_argument("--page", type=_bounded_int(1, MAX_PAGE), default=1, metavar="N",
                        help=f"which page of results, 1 to {MAX_PAGE:,} (default 1)")
    search.add_argument("--sort", choices=SORTS, default="relevance",
                        help="relevance (best first, the default) or newest (undated articles last)")
    search.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD",
                        help="only articles published on or after this day (Vietnam time; also written "
                             "2024/03/15, 15/03/2024 or 'ngày 15 tháng 3 năm 2024')")
    search.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD",
                        help="only articles published on or before this day, all of it (Vietnam time; written "
                             "as --from)")
    for name, text, metavar in (("source", "the outlet, or the URL's site when the article names none", "SOURCE"),
                                ("category", "the category the article came with", "CATEGORY"),
                                ("month", "the month of the article's date", "YYYY-MM")):
        search.add_argument(f"--{name}", action="append", metavar=metavar, type=_facet_value(name),
                            help=f"only articles of this {name} ({text}); repeat for any of several")
    search.add_argument("--facets", action="store_true",
                        help="also print how many results each source, category and month has (what filtering by it lists)")
    search.add_argument("--json", action="store_true",
                        help="print the page of results as JSON (snippets keep their <mark> tags)")
    search.add_argument("--exact", action="store_true",
                        help="search the words as typed: no Telex/VNI decoding, typo fixes, "
                             "restored accents or abbreviations")
    search.add_argument("--no-group", dest="group", action="store_false",
                        help="list syndicated copies (near-identical articles) as results of their own "
                             "(by default each group is one result, its copies' ids listed under it)")


def dash_query_last(argv: list[str]) -> list[str]:
    """Move a search query that starts with '-' (argparse would take it for an option) after '--'."""
    if len(argv) < 2 or argv[0] != "search" or "--" in argv:
        return argv
    dashed = [a for a in argv[1:] if a.startswith("-") and not a.startswith("--") and a not in ("-", "-h")]
    if not dashed:
        return argv
    return [a for a in argv if a not in dashed] + ["--"] + dashed


def _print_skips(skipped) -> None:
    for skip in skipped[:MAX_SKIPS_LISTED]:
        print(f"skipped {skip.where}: {skip.reason}", file=sys.stderr)
    if len(skipped) > MAX_SKIPS_LISTED:
        print(f"... and {len(skipped) - MAX_SKIPS_LISTED:,} more skipped", file=sys.stderr)


def ignored_note(ignored) -> str:
    """A line counting the files of the folders read that hold no articles, by extension."""
    kinds = ", ".join(f"{count:,} {suffix}" for suffix, count in sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"ignored {plural(sum(ignored.values()), 'file')} not named as articles ({kinds}): "
            f"articles are read from files with {ARTICLE_FILES}")


def _print_undated(undated) -> None:
    """Warn about each article whose date could not be read (the first MAX_SKIPS_LISTED)."""
    for note in undated[:MAX_SKIPS_LISTED]:
        value = note.value if len(note.value) <= 60 else note.value[:60] + "…"
        print(printable(f"warning {note.where}: date {value!r} not understood; indexed without a date"),
              file=sys.stderr)
    if len(undated) > MAX_SKIPS_LISTED:
        print(f"... and {len(undated) - MAX_SKIPS_LISTED:,} more without a date", file=sys.stderr)
    for hint in dict.fromkeys(date_forms_hint(note.where) for note in undated):  # JSONL's, text files', or both
        print(hint, file=sys.stderr)


def _print_truncated(truncated) -> None:
    """Warn about each article indexed in part."""
    for note in truncated:
        print(f"warning {note.where}: article of {note.chars:,} characters; only its first "
              f"{MAX_ARTICLE_CHARS:,} are indexed (it is stored whole)", file=sys.stderr)


def _print_replaced(replaced) -> None:
    """Note each JSONL record that a later record of its id (in its file or a newer one) replaced."""
    for note in replaced[:MAX_SKIPS_LISTED]:
        print(printable(replaced_line(note)), file=sys.stderr)
    if len(replaced) > MAX_SKIPS_LISTED:
        print(f"... and {len(replaced) - MAX_SKIPS_LISTED:,} more replaced", file=sys.stderr)


def replaced_line(note) -> str:
    """The line noting one replaced record; a version found indexed is named by its file alone."""
    where = f"the version indexed from {note.where}" if note.indexed == "where" else note.where
    at = "indexed from" if note.indexed == "by" else "at"
    return f"replaced {where}: by the later record of id {note.id!r} {at} {note.by}"


def replaced_note(replaced, before=()) -> str:
    """', N replaced by a later record of the same id' for the summary line (and ', M replaced by a
    later record already indexed (not listed)' for an update's replacements in force before), or ''."""
    note = f", {len(replaced):,} replaced by a later record of the same id" if replaced else ""
    return note + (f", {len(before):,} replaced by a later record already indexed (not listed)" if before else "")


def kept_note(report) -> str:
    """'kept N not read (where they are; for an empty file, how to remove them), ' for an update's
    summary line, or ''."""
    if not report.kept:
        return ""
    files, empty = len(report.kept_empty), sum(report.kept_empty.values())
    parts = []
    if empty:
        advice = "delete it to remove them" if files == 1 else "delete one to remove its articles"
        parts.append(f"{'' if empty == report.kept else f'{empty:,} '}in {plural(files, 'empty file')}: {advice}")
    if report.kept > empty:
        parts.append(f"{report.kept - empty:,} in files not read whole" if empty else "their files were not read whole")
    return f"kept {report.kept:,} not read ({'; '.join(parts)}), "


def _write(run, args, summary) -> int:
    """Run build_index or update_index (or, with --cluster, their sharded versions) with progress,
    list skips, print the summary line."""
    if args.cluster:
        report = run(args.sources, args.index, args.cluster, notice=to_stderr)
    else:
        progress = Progress()
        try:
            report = run(args.sources, args.index, procs=args.procs, progress=progress, notice=to_stderr)
        finally:
            progress.close()
    _print_skips(report.skipped)
    _print_truncated(report.truncated)
    _print_undated(report.undated)
    _print_replaced(report.replaced)
    if report.ignored:
        print(ignored_note(report.ignored), file=sys.stderr)
    print(summary(report))
    if report.retracted:
        print(kept_out_line(report.retracted, args.index))
    if not args.cluster:
        print(lexicon_line(args.index))
    return EXIT_SKIPPED if report.skipped else 0


def lexicon_line(index_dir) -> str:
    """Make (or read) and save the new generation's Lexicon, so that the next search, a command
    line's one search too, restores accents and corrects typos; the line saying how long it took."""
    started = time.perf_counter()
    with open_index(index_dir, background_lexicon=False) as index:
        index.lexicon()
    return f"Lexicon (accents, typos, suggestions) ready in {time.perf_counter() - started:.1f} s"


def to_stderr(message: str) -> None:
    """Print a notice of the library (a stale lock cleared, retractions kept) on stderr."""
    print(printable(message), file=sys.stderr)


def kept_out_line(retracted: list[str], index_dir) -> str:
    """The line saying which retracted articles a build or update kept out (named when few) and how to let them back."""
    named = f": {', '.join(sorted(retracted))}" if len(retracted) <= MAX_RETRACTED_LISTED else ""
    return printable(f"kept out {plural(len(retracted), 'retracted article')}{named} (python -m indexer restore "
                     f"ID... --index {index_dir} to let {them(len(retracted))} back)")


def cmd_build(args) -> int:
    if (args.cluster is None) != (args.shards is None):
        return fail(args, "--cluster and --shards go together (a sharded build on a Dask cluster)", EXIT_USAGE)
    if args.sources == ["seeds"] and not os.path.exists("seeds"):  # the default, run outside the project
        return fail(args, "source not found: seeds (with no SOURCES, build reads seeds/ of the current folder: "
                    "give the folders and files to index)")
    run = build_index if args.cluster is None else (
        lambda sources, index, cluster, notice: build_sharded(sources, index, cluster, args.shards, notice=notice))
    return _write(run, args, lambda r: (
        f"indexed {plural(r.indexed, 'article')}, skipped {plural(len(r.skipped), 'input')}"
        f"{replaced_note(r.replaced)}, in {r.seconds:.1f} s ({r.docs_per_sec:,.1f} articles/s) into {args.index}"))


def cmd_update(args) -> int:
    return _write(update_index if args.cluster is None else update_sharded, args, lambda r: (
        f"added {r.added:,}, updated {r.updated:,}, removed {r.removed:,}, unchanged {r.unchanged:,}"
        + f"{replaced_note(r.replaced, r.replaced_before)}, "
        + kept_note(r)
        + f"skipped {plural(len(r.skipped), 'input')}, in {r.seconds:.1f} s into {args.index}"))


def cmd_delete(args) -> int:
    return _by_ids(args, delete_articles, ("deleted", "deleted", "from"), lambda n: (
        f"retracted: builds and updates of {args.index} keep {them(n)} out "
        f"(python -m indexer restore ID... --index {args.index} lets {them(n)} back)"))


def cmd_restore(args) -> int:
    return _by_ids(args, restore_articles, ("restored", "lifted the retraction of", "in"), lambda n: (
        f"the next update from sources that hold {them(n)} adds {them(n)} back: "
        f"python -m indexer update SOURCES --index {args.index}"))


def cmd_retracted(args) -> int:
    listed = dict(sorted(retracted_articles(args.index).items(), key=lambda item: (item[1], item[0])))
    if args.json:
        print(json.dumps({"retracted": listed}, ensure_ascii=False, indent=1))
        return 0
    print(f"{plural(len(listed), 'retracted article')} in {args.index}" + (
        f", oldest first (builds and updates keep {them(len(listed))} out until python -m indexer restore ID... "
        f"--index {args.index} lifts a retraction):" if listed else ""))
    for doc_id, when in listed.items():
        print(printable(f"{when}  {doc_id}"))
    return 0


def _by_ids(args, run, said: tuple[str, str, str], then) -> int:
    """Run delete_articles or restore_articles on the ids given: list the ids skipped, say what it did
    (said: the report's count, its verb, the folder's preposition), then then(count) if it did anything;
    exit 3 when it skipped an id."""
    report = run(args.ids, args.index, notice=to_stderr)
    _print_skips(report.skipped)
    count, verb, preposition = getattr(report, said[0]), *said[1:]
    print(f"{verb} {plural(count, 'article')}, skipped {plural(len(report.skipped), 'id')}, "
          f"in {report.seconds:.1f} s {preposition} {args.index}")
    if count:
        print(then(count))
    return EXIT_SKIPPED if report.skipped else 0


def _page_of(results) -> str:
    """'page 2 of 4', or 'page 9 (past the last, 4)': no page 9 of 4."""
    if results.page > results.pages:
        return f"page {results.page:,} (past the last, {results.pages:,})"
    return f"page {results.page:,} of {results.pages:,}"


def undated_note(undated: int, dated: bool, monthly: bool) -> str:
    """A line saying how many undated articles the date range or months left out, or newest-first put last."""
    if not undated:
        return ""
    verb = ("has", "is") if undated == 1 else ("have", "are")
    return f"{plural(undated, 'matching article')} {verb[0]} no date and {verb[1]} {UNDATED_WHERE[dated, monthly]}"


def printable(text: str) -> str:
    """text with its control characters shown as U+FFFD: an article's escape sequences must not
    drive the reader's terminal (recolour it, clear it, retitle the window)."""
    return TERMINAL_CONTROLS.sub("\ufffd", text)


def _hit_line(rank: int, hit) -> str:
    when = hit.date.strftime("%d/%m/%Y %H:%M") if hit.date else "undated"
    where = hit.source or hit.site
    return printable(f"{rank}. {hit.title_highlight.plain() or '(no title)'}\n   {when}"
                     + (f" · {where}" if where else "") + f" · [{hit.doc_id}] · score {hit.score:.2f}")


def _facet_lines(results, shown: int = 10) -> str:
    """One line per facet: its most frequent values with their counts, and the results without one."""
    lines = []
    for facet, counts in results.facets.items():
        values = ", ".join(f"{c['value']} ({c['count']:,})" for c in counts[:shown])
        more = f", {len(counts) - shown:,} more" if len(counts) > shown else ""
        missing = results.facet_missing.get(facet, 0)
        lines.append(printable(f"by {facet}: {values or '-'}{more}" + (f"; {missing:,} without one" if missing else "")))
    return "\n".join(lines)


def cmd_search(args) -> int:
    if not has_words(args.query):
        raise QueryError(NO_WORDS.en)
    # one search, then exit: a Lexicon built in the background would be abandoned unsaved
    with open_index(args.index, cluster=args.cluster, replicas=args.replicas, background_lexicon=False) as index:
        results = index.search(args.query, limit=args.limit, page=args.page, sort=args.sort,
                               date_from=args.date_from, date_to=args.date_to, exact=args.exact,
                               source=args.source, category=args.category, month=args.month, group=args.group)
        outdated = index.outdated_analysis
        tips, limits = ([], []) if results.total or results.partial or args.json else what_to_try(
            index, results, args.query, {facet: getattr(args, facet) for facet in ("source", "category", "month")},
            {"date_from": args.date_from, "date_to": args.date_to}, args.exact, args.group)
    if outdated:
        print(f"warning: {outdated}", file=sys.stderr)
    _print_understood(results)
    if args.json:
        print(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{plural(results.total, 'result')} ({results.took_ms:.1f} ms), {_page_of(results)}"
          + (f"; {results.copies:,} syndicated {'copy' if results.copies == 1 else 'copies'} grouped "
             "under them (--no-group lists them)" if results.copies else ""))
    if results.page > results.pages:
        print(f"page {results.page:,} is past the last page: --page {results.pages:,} shows the last results",
              file=sys.stderr)
    note = undated_note(results.undated, bool(args.date_from or args.date_to), bool(args.month))
    if note:
        print(note)
    for limit in limits:
        print(printable(limit_line(limit)), file=sys.stderr)
    if tips:
        print("tips:\n" + "\n".join(printable(f"  - {tip.en}") for tip in tips), file=sys.stderr)
    if args.facets:
        print(_facet_lines(results))
    for rank, hit in enumerate(results, start=(results.page - 1) * results.limit + 1):
        print(f"\n{_hit_line(rank, hit)}\n   {printable(hit.highlight.plain())}")
        if hit.duplicates:
            print(printable(f"   same text: {', '.join(hit.duplicates)}"))
    return 0


def limit_line(limit) -> str:
    """What a search that found nothing finds without one of its limits (a tips.Limit)."""
    without = "the dates (--from/--to)" if limit.facet == DATES else f"--{limit.facet} {limit.value}"
    at_least = "at least " if limit.at_least and limit.found else ""
    return f"without {without}: {at_least}{plural(limit.found, 'article')}"


def _missing_line(results) -> str:
    """What the shards that did not answer mean for these results (nothing searched when none did)."""
    missing = ", ".join(results.missing_shards)
    if results.unreachable:
        return f"no answer from any shard ({missing}): nothing could be searched; try again shortly"
    if not results.total:
        return f"partial results: no answer from {missing}, which may hold matches; try again shortly"
    return f"partial results: no answer from {missing}"


def _print_understood(results) -> None:
    """On stderr: missing shards, the query searched or proposed instead, the words not required."""
    if results.partial:
        print(_missing_line(results), file=sys.stderr)
    shown_for, proposed = results.understood
    if shown_for:
        print(f"showing results for: {shown_for} (search exactly as typed with --exact)", file=sys.stderr)
    if proposed:
        print(f"did you mean: {proposed}", file=sys.stderr)
    if results.dropped:
        holding = ", ".join(results.kept) if results.kept else "any one of the words"
        # fewer than a page, not none: the articles holding them all are among those shown
        print(f"fewer than {core.RELAX_PAGE} articles hold all the words; also showing articles with: {holding} "
              f"(not required: {', '.join(results.dropped)})", file=sys.stderr)


def cmd_get(args) -> int:
    with open_index(args.index) as index:
        article = index.get(args.id)
        copies = index.copies(args.id) or []
    if article is None:
        return fail(args, f"no article has the id {args.id!r}")
    if args.json:
        print(json.dumps(article.to_dict(copies=copies), ensure_ascii=False, indent=2))
        return 0
    print(printable(_article_text(article)))
    if copies:
        print(printable("\nsame text: " + ", ".join(copy.id for copy in copies)))
    return 0


def _article_text(article) -> str:
    """An article as the command line prints it: title, what is known of it, lead and body."""
    when = article.date.strftime("%d/%m/%Y %H:%M") if article.date else "undated"
    about = [when, article.source or site_of(article.url), article.category, article.author and f"by {article.author}"]
    parts = [article.title or "(no title)", " · ".join(filter(None, about)) + f" · [{article.id}]",
             article.url, article.lead_apart(), article.body.strip()]
    return "\n\n".join(part for part in parts if part)


def cmd_related(args) -> int:
    with open_index(args.index) as index:
        related = index.related(args.id, limit=args.limit)
    if related is None:
        return fail(args, f"no article has the id {args.id!r}")
    if args.json:
        print(json.dumps({"id": args.id, "related": [hit.to_dict() for hit in related]}, ensure_ascii=False, indent=2))
        return 0
    for rank, hit in enumerate(related, start=1):
        print(_hit_line(rank, hit))
    return 0


def cmd_stats(args) -> int:
    if is_sharded(args.index):
        return _sharded_stats(args.index)
    gen = current_generation(args.index)
    with open_index(args.index) as index:
        count, segments, outdated = index.doc_count, index.segment_count, index.outdated_analysis
    print(f"index: {args.index} (generation {gen.name})\narticles: {count:,}\nsegments: {segments:,}\n"
          + size_line(count, generation_bytes(gen)) + "\n" + retracted_line(len(retracted_in(gen))))
    if outdated:
        print(f"warning: {outdated}", file=sys.stderr)
    return 0


def _sharded_stats(index_dir: str) -> int:
    """Describe each shard of a sharded index (read from its folder), then the whole."""
    rows = shard_stats(index_dir)
    count = sum(r[1] for r in rows)
    print(f"index: {index_dir} ({plural(len(rows), 'shard')})")
    for name, articles, segments, (own, derived), outdated in rows:
        print(f"{name}: {plural(articles, 'article')}, {plural(segments, 'segment')}, {own:,} bytes "
              f"(derived: {derived:,} bytes)")
        if outdated:
            print(f"warning: {name} {outdated}", file=sys.stderr)
    print(f"articles: {count:,}\n" + size_line(count, tuple(sum(r[3][i] for r in rows) for i in (0, 1)))
          + "\n" + retracted_line(len(retracted_articles(index_dir))))
    return 0


def retracted_line(count: int) -> str:
    """The stats line counting the retracted articles (kept out of builds and updates)."""
    lift = " (kept out of builds and updates until python -m indexer restore ID... lifts it)" if count else ""
    return f"retracted: {count:,}{lift}"


def size_line(count: int, sizes: tuple[int, int]) -> str:
    """The stats line of an index's size: its own files (per article), then those derived from them apart."""
    own, derived = sizes
    return (f"size: {own:,} bytes" + (f" ({own / count:,.0f} bytes/article)" if count else "")
            + f"; derived files (the Lexicon's, made again when missing): {derived:,} bytes")


def cmd_optimize(args) -> int:
    merged = optimize_index(args.index, notice=to_stderr)
    if is_sharded(args.index):
        rows = shard_stats(args.index)
        segments, count = sum(r[2] for r in rows), sum(r[1] for r in rows)
        shards = f" ({plural(len(rows), 'shard')})"
    else:
        with open_index(args.index) as index:
            segments, count, shards = index.segment_count, index.doc_count, ""
    print(f"{plural(merged, 'merge')}: {plural(segments, 'segment')}, {plural(count, 'article')} in {args.index}{shards}")
    return 0


COMMANDS = {"build": cmd_build, "update": cmd_update, "delete": cmd_delete, "restore": cmd_restore,
            "retracted": cmd_retracted,
            "search": cmd_search, "get": cmd_get,
            "related": cmd_related, "stats": cmd_stats, "optimize": cmd_optimize}


def _reader_gone() -> int:
    """Stop quietly when the reader of our output went away (`| head -1`), like other Unix tools."""
    # SIGPIPE's default action is not restored instead: the build's worker processes would inherit it
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
    return EXIT_READER_GONE


def unrecognized(args, unknown: list[str]) -> str:
    """Why the arguments left over are refused; for a search of unquoted words, how to quote them."""
    why = f"unrecognized arguments: {' '.join(unknown)}"
    if args.command == "search" and not any(a.startswith("-") for a in unknown):
        why += f" (quote a query of several words: \"{' '.join([args.query, *unknown])}\")"
    return why


def main(argv=None) -> int:
    """Run the command line; returns the exit code."""
    argv = dash_query_last(list(sys.argv[1:] if argv is None else argv))
    args, unknown = _parser().parse_known_args(argv)
    if unknown:  # argparse names the top-level command; its usage would not show the command's options
        return fail(args, unrecognized(args, unknown), EXIT_USAGE)
    if args.command == "search" and args.date_from and args.date_to and args.date_from > args.date_to:
        return fail(args, f"--from {args.date_from} is after --to {args.date_to}", EXIT_USAGE)
    if args.command == "search" and args.replicas != 1 and args.cluster is None:
        return fail(args, "--replicas goes with --cluster: copies of a sharded index's shards on a Dask cluster",
                    EXIT_USAGE)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except QueryError as e:  # the core refused the query or its parameters: bad usage
        return fail(args, str(e), EXIT_USAGE)
    except (IndexNotFound, IndexLocked, ShardFolder, SourceError, WorkerFailed, ClusterError, OSError) as e:
        return fail(args, str(e))
    except KeyboardInterrupt as e:  # the core says when a change went live before the interrupt
        print(f"\ninterrupted: {str(e) or 'the live index is unchanged'}", file=sys.stderr)
        return 130
