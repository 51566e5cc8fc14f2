"""Mangled headlines against an index for a bounded time: every search answers or fails clearly.

Real baomoi headlines, cut and mangled as readers and pasting mangle them (accents left off, NFD,
capitals, a letter dropped or added, operators, quotes, codes, keystrokes, invisible characters),
each searched with one of the options the faces pass (exact, newest first, a later page,
copies listed); now and then a prefix of one is completed. Any exception other than QueryError is
printed with its query; at the end, how many searches ran and failed, their wall times and the
slowest (`--write`: into RESULTS.md):

    python -m benchmarks.fuzz --index DIR [--seconds 240] [--seed 1] [--write]
"""
from __future__ import annotations

import argparse
import random
import time
import traceback
import unicodedata

from .common import load_indexer, md_table, percentile, program, read_jsonl, require_shared, show_section

JUNK = ['"', "'", "-", "title:", "body:", "NOT", "OR", "AND", "(", ")", "*", "?", "~", "^", ":", "/", "\\",
        "<b>", "&amp;", "\u200b", "\u0301", "\u00a0", "🙂", "ﬁ", "ＡＢＣ", "１２", "%", "#", "@", "28-NQ/TU",
        "17/11/2019", "TP.HCM", "U23", "1.000", "nghij", "quyeets", "nghi5", "ĐĐ", "ǅ", "\t", "\n", "..",
        "--", "tiêu đề:", "nội dung:", '""', 'title:"', '-"', "x" * 60]
OPTIONS = [{}, {"exact": True}, {"sort": "newest"}, {"page": 3}, {"group": False}]
HEADLINES = 600  # every 50th baomoi headline, up to this many


def headlines() -> list[str]:
    """Every 50th headline of the shared baomoi corpus (HEADLINES of them)."""
    records = read_jsonl(require_shared("corpus", "baomoi.jsonl.gz"), 50 * HEADLINES)
    return [r.get("title") or "" for n, r in enumerate(records) if n % 50 == 0]


def mangled_word(word: str, rng: random.Random, fold) -> str:
    """The word without accents, in NFD, in capitals or with a letter added."""
    how = rng.randrange(4)
    if how == 0:
        return fold(word)
    if how == 1:
        return unicodedata.normalize("NFD", word)
    if how == 2:
        return word.upper()
    at = rng.randrange(len(word) + 1)
    return word[:at] + rng.choice("aeiouydđ.,;-/") + word[at:]


def mangled(title: str, rng: random.Random, fold) -> str:
    """A headline with up to 4 changes (junk inserted, a word mangled or dropped), often cut."""
    words = title.split()
    for _ in range(rng.randint(0, 4)):
        if not words:
            break
        change, i = rng.random(), rng.randrange(len(words))
        if change < 0.3:
            words.insert(i, rng.choice(JUNK))
        elif change < 0.8:
            words[i] = mangled_word(words[i], rng, fold)
        else:
            del words[i]
    size = rng.randint(1, max(1, len(words)))
    start = rng.randrange(max(1, len(words) - size + 1))
    return " ".join(words[start:start + size] if rng.random() < 0.8 else words)


def searched(index, query: str, options: dict, rng: random.Random) -> None:
    """One search with its hits' data (and, one time in ten, a completion of its prefix); a count
    under the hits listed, or more than a page of them, fails."""
    results = index.search(query, **options)
    if not len(results) <= min(results.total, 10):
        raise AssertionError(f"{len(results)} hits listed, total {results.total}")
    for hit in results:
        hit.to_dict()
    if rng.random() < 0.1:
        index.suggest(query[:rng.randint(1, 12)])


def as_cell(query: str) -> str:
    """A query as a Markdown table cell: its repr in code, without the table's bars or backticks."""
    return "`" + repr(query).replace("|", "¦").replace("`", "'") + "`"


def run(index, titles: list[str], seconds: float, rng: random.Random, indexer) -> tuple[int, list[float], tuple]:
    """(failed searches, each search's wall seconds, (the slowest's seconds, query)) over seconds."""
    end, failed, times, slowest = time.monotonic() + seconds, 0, [], (0.0, "")
    while time.monotonic() < end:
        query, options = mangled(rng.choice(titles), rng, indexer.fold), rng.choice(OPTIONS)
        started = time.perf_counter()
        try:
            searched(index, query, options, rng)
        except indexer.QueryError:
            pass
        except Exception:  # noqa: BLE001 - what this benchmark looks for
            failed += 1
            print(f"failed: {query!r} {options}\n{traceback.format_exc(limit=4)}")
        times.append(time.perf_counter() - started)
        slowest = max(slowest, (times[-1], query))
    return failed, times, slowest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="the index folder to search")
    parser.add_argument("--seconds", type=float, default=240.0, help="how long to search (default 240)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    index, titles = indexer.open_index(args.index), headlines()
    index.lexicon(wait=True)
    failed, times, slowest = run(index, titles, args.seconds, random.Random(args.seed), indexer)
    ms = [1000 * t for t in times]
    body = md_table(["searches", "failed", "p50 ms", "p95 ms", "max ms", "slowest query"],
                    [[len(times), failed, *(f"{v:.1f}" for v in (percentile(ms, 50), percentile(ms, 95), max(ms))), as_cell(slowest[1])]])
    show_section("fuzz", "Mangled headlines (any search answers or fails clearly)", body, args.write)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
