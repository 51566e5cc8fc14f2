"""Search latency on the full index, through the Python API with snippets, beside Tantivy.

    python -m benchmarks.indexing                 # first: builds the full index in /tmp/vnsearch-full
    python -m benchmarks.search_speed             # then this
    python -m benchmarks.search_speed --full-dir DIR --tantivy-dir DIR2 --per-category 50

A fixed mix of queries is drawn (seeded) from the corpus: one word, two or three words, a
phrase in quotes, unaccented words, a whole headline, a rare name. Each query is timed
end to end: `index.search(q, limit=10)` and reading every hit's snippet. Tantivy (default
tokenizer, title + body, the same articles and queries, top 10, with its SnippetGenerator on
the body) is timed beside it; its index is built once into --tantivy-dir.
"""

from __future__ import annotations

import argparse
import random
import re
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.common import program, article_text, corpus_paths, load_indexer, md_table, percentile, \
    read_jsonl, require_shared, timer, write_section
from indexer import fold

if TYPE_CHECKING:  # imported where used: the tests import this module without the bench extra (tantivy)
    from benchmarks.tantivy_ref import TantivyEngine

DEFAULT_FULL_DIR = "/tmp/vnsearch-full"
DEFAULT_TANTIVY_DIR = "/tmp/vnsearch-full-tantivy"
CATEGORIES = ["one word", "two or three words", "phrase in quotes", "unaccented",
              "whole headline", "rare name"]
WORD_RUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")          # letters-only words, single spaces
SAMPLE_RATE = 0.02


# ---------------------------------------------------------------- corpus sample and queries

def sample_articles(seed: int, rate: float = SAMPLE_RATE) -> list[tuple[str, str]]:
    """(title, lead + body) of a seeded random ~2% of the corpus, NFC."""
    rng, sample = random.Random(seed), []
    for path in corpus_paths():
        for record in read_jsonl(path):
            if rng.random() < rate:
                title, body = article_text(record)
                sample.append((unicodedata.normalize("NFC", title),
                               unicodedata.normalize("NFC", body)))
    return sample


def stopwords() -> set[str]:
    path = require_shared("lexicon", "vietnamese-stopwords.txt")
    return {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()}


def words_from(text: str, rng: random.Random, low: int, high: int) -> str | None:
    """`low`..`high` consecutive words of one run of plain words in text, or None."""
    k = rng.randint(low, high)
    runs = [run.split() for run in WORD_RUN.findall(text) if len(run.split()) >= k]
    if not runs:
        return None
    run = rng.choice(runs)
    start = rng.randrange(len(run) - k + 1)
    return " ".join(run[start:start + k])


def one_word(title, body, rng, stop):
    words = [w for w in re.findall(r"[^\W\d_]{3,}", title) if w.lower() not in stop]
    return rng.choice(words) if words else None


def names_in(text: str) -> list[str]:
    """Runs of 2-3 capitalised words that do not start a sentence (Nguyễn Văn A, Hà Tĩnh)."""
    names = []
    for run in WORD_RUN.finditer(text):
        before = text[:run.start()].rstrip()[-1:]
        words = run.group().split()[1 if before in ("", ".", "!", "?", ":", "\n") else 0:]
        group: list[str] = []
        for word in [*words, ""]:
            if word[:1].isupper():
                group.append(word)
                continue
            if 2 <= len(group) <= 3:
                names.append(" ".join(group))
            group = []
    return names


def rare_name(title, body, rng, is_rare):
    names = names_in(body)
    rng.shuffle(names)
    return next((name for name in names[:5] if is_rare(name)), None)


def make_queries(articles, per_category: int, seed: int, is_rare=lambda name: True):
    """[(category, query)], `per_category` of each, drawn deterministically from `articles`."""
    rng, stop = random.Random(seed), stopwords()
    makers = {
        "one word": lambda t, b: one_word(t, b, rng, stop),
        "two or three words": lambda t, b: words_from(t, rng, 2, 3),
        "phrase in quotes": lambda t, b: (lambda w: f'"{w}"' if w else None)(words_from(b, rng, 2, 3)),
        "unaccented": lambda t, b: (lambda w: fold(w).lower() if w else None)(words_from(t, rng, 2, 3)),
        "whole headline": lambda t, b: t.strip() or None,
        "rare name": lambda t, b: rare_name(t, b, rng, is_rare),
    }
    queries = []
    for category, make in makers.items():
        found, tries = [], 0
        while len(found) < per_category and tries < 50 * per_category:
            tries += 1
            query = make(*rng.choice(articles))
            if query and query not in found:
                found.append(query)
        queries += [(category, q) for q in found]
    return queries


# ---------------------------------------------------------------- engines

def ours_runner(index):
    """Time one query through our API, touching every hit's snippet."""
    def run(query: str) -> float:
        start = time.perf_counter()
        try:
            for hit in index.search(query, limit=10):
                hit.snippet  # noqa: B018 - make sure the snippet is produced
        except Exception as exc:  # noqa: BLE001 - an error counts, and is reported
            run.errors.append((query, repr(exc)))
        return (time.perf_counter() - start) * 1000
    run.errors = []
    return run


def tantivy_runner(engine: TantivyEngine):
    def run(query: str) -> float:
        start = time.perf_counter()
        try:
            engine.search_with_snippets(query, limit=10)
        except ValueError as exc:
            run.errors.append((query, repr(exc)))
        return (time.perf_counter() - start) * 1000
    run.errors = []
    return run


def tantivy_index(folder: str, setup: str = "default") -> TantivyEngine:
    """The Tantivy index (set-up `setup`) of the whole corpus in `folder`, built on first use."""
    from benchmarks.tantivy_ref import TantivyEngine
    done = Path(folder) / ".complete"
    engine = TantivyEngine(setup, path=folder if done.exists() else _fresh(folder),
                           stored=True)
    if not done.exists():
        with timer() as t:
            count = engine.add(((r["id"], *article_text(r)) for p in corpus_paths()
                                for r in read_jsonl(p)), heap_size=512_000_000, threads=2)
        print(f"  tantivy: indexed {count:,} articles in {t.seconds:.0f} s", flush=True)
        done.write_text(str(count))
    return engine


def _fresh(folder: str) -> str:
    path = Path(folder)
    if path.exists():
        for f in path.iterdir():
            f.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return folder


def rare_checker(engine: TantivyEngine, limit: int = 5):
    """A name is rare when at most `limit` articles hold it as a phrase."""
    searcher = engine.index.searcher()
    def is_rare(name: str) -> bool:
        query = engine.query(f'"{name}"', phrases=True)
        return 0 < searcher.search(query, 1, count=True).count <= limit
    return is_rare


# ---------------------------------------------------------------- measuring

def measure(runner, queries, warmup) -> dict[str, list[float]]:
    """category -> latencies in ms (after running the warm-up queries untimed)."""
    for _, query in warmup:
        runner(query)
    latencies: dict[str, list[float]] = {}
    for category, query in queries:
        latencies.setdefault(category, []).append(runner(query))
    latencies["overall"] = [ms for c in CATEGORIES for ms in latencies.get(c, [])]
    return latencies


def stats(values: list[float]) -> list[str]:
    return [f"{percentile(values, q):.1f}" for q in (50, 95, 99)] if values else ["–"] * 3


def report(ours: dict, tantivy: dict, errors: dict, examples: dict) -> str:
    rows = [[c, len(ours.get(c) or tantivy.get(c, [])), *stats(ours.get(c, [])),
             *stats(tantivy.get(c, []))] for c in [*CATEGORIES, "overall"]]
    overall = ours.get("overall", [])
    parts = ["Latency in ms per query, end to end in one Python process: ours = "
             "`index.search(q, limit=10)` and reading `hit.snippet` of every hit; Tantivy = "
             "default tokenizer over title + body (the same articles), parse_query, top 10, "
             "and its SnippetGenerator HTML on the body of every hit. Queries drawn with a "
             "fixed seed from a 2% sample of the corpus; rare name = a 2–3 word capitalised "
             "name found as a phrase in at most 5 articles (counted with Tantivy).",
             md_table(["category", "queries", "ours p50", "ours p95", "ours p99",
                       "tantivy p50", "tantivy p95", "tantivy p99"], rows)]
    if overall:
        p50, p95 = percentile(overall, 50), percentile(overall, 95)
        parts.append(f"Targets (ours, overall): p50 {p50:.1f} ms <= 30 ms: "
                     f"{'PASS' if p50 <= 30 else 'FAIL'}; p95 {p95:.1f} ms <= 100 ms: "
                     f"{'PASS' if p95 <= 100 else 'FAIL'}.")
    for name, errs in errors.items():
        if errs:
            parts.append(f"{name}: {len(errs)} queries raised, e.g. `{errs[0][0]}`: {errs[0][1]}")
    parts.append("Example queries: " + "; ".join(f"{c}: `{q}`" for c, q in examples.items()))
    return "\n\n".join(parts)


def main(argv=None) -> int:
    args = _arguments(argv)
    corpus_paths()
    indexer = load_indexer()
    if not Path(args.full_dir).exists():
        raise SystemExit(f"search_speed: no index at {args.full_dir}; build it first with "
                         "`python -m benchmarks.indexing` (or pass --full-dir)")
    engine = tantivy_index(args.tantivy_dir)
    queries, warmup = _query_mix(args, engine)
    with indexer.open_index(args.full_dir) as index:
        ours = ours_runner(index)
        ours_ms = measure(ours, queries, warmup)
    tv = tantivy_runner(engine)
    tantivy_ms = measure(tv, queries, warmup)
    for category in [*CATEGORIES, "overall"]:
        print(f"  {category:20s} ours p50/p95/p99 {'/'.join(stats(ours_ms.get(category, [])))}"
              f"  tantivy {'/'.join(stats(tantivy_ms.get(category, [])))}")
    examples = {c: next(q for cat, q in queries if cat == c) for c in CATEGORIES
                if any(cat == c for cat, _ in queries)}
    write_section("search", "Search speed (full corpus)",
                  report(ours_ms, tantivy_ms, {"ours": ours.errors, "tantivy": tv.errors},
                         examples))
    return 0


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--full-dir", default=DEFAULT_FULL_DIR)
    parser.add_argument("--tantivy-dir", default=DEFAULT_TANTIVY_DIR)
    parser.add_argument("--per-category", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2017)
    return parser.parse_args(argv)


def _query_mix(args, engine) -> tuple[list, list]:
    """(the benchmark's queries, the warm-up queries), drawn from sampled corpus articles."""
    with timer() as t:
        articles = sample_articles(args.seed)
        queries = make_queries(articles, args.per_category, args.seed, rare_checker(engine))
        warmup = make_queries(articles, max(1, args.warmup // len(CATEGORIES)), args.seed + 1)
    print(f"  {len(queries)} queries (+{len(warmup)} warm-up) from {len(articles):,} "
          f"sampled articles in {t.seconds:.0f} s", flush=True)
    return queries, warmup


if __name__ == "__main__":
    raise SystemExit(main())
