"""Retrieval quality: MRR@10 and Recall@10 of our engine and two Tantivy set-ups.

    python -m benchmarks.quality                       # all sets and variants, writes RESULTS.md
    python -m benchmarks.quality --sets baomoi-title --variants orig noaccent   # quick look
    python -m benchmarks.quality --sets vietnews-title --engines ours --misses 20  # what it misses
    python -m benchmarks.quality --sets topical        # only the topical set
    python -m benchmarks.quality --engines ours --variants orig noaccent mixed --keep /tmp/dq --ranks a.json
                                                       # each query's first right rank, for benchmarks.ranks

For each set in ../shared/eval/dev/ the pool is indexed by `indexer.build_index` and by the
Tantivy set-ups of benchmarks/tantivy_ref.py; every query variant is searched (top 10) in
each. Also scores our own short-query set (benchmarks/short_queries.tsv, on the baomoi-title
pool) with MRR@10, Recall@10 and P@5, and the topical judged set (benchmarks/topical.py:
MAP@10, nDCG@10, P@5, R@10 per half, accented and unaccented). RESULTS.md is rewritten only by
a full run (or --write). With --keep DIR our pools' indexes are kept in DIR and reused by the next
run of the same analysis version; --ranks FILE writes each query's first right rank and top 10
(python -m benchmarks.ranks reads them: MRR@10 per half, and what moved between two runs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import tempfile
import unicodedata
from pathlib import Path

from benchmarks.common import program, REPO, load_indexer, md_table, read_jsonl, require_shared, timer, \
    write_section
from benchmarks.known_items import OurEngine, first_ranks
from benchmarks.tantivy_ref import SETUPS, TantivyEngine

SETS = ["vietnews-title", "vietnews-abstract", "baomoi-title", "baomoi-sapo"]
VARIANTS = ["orig", "lower", "noaccent", "tone", "nfd"]
MIXED = "mixed"  # made from orig here (mixed_accents), no file of its own; asked for by --variants
IY = "iy"  # made from orig here too (other_iy): the qids holding a syllable with either spelling
IY_QIDS = "orig(iy qids)"
IY_SYLLABLE_RE = re.compile(r"(?<!\w)(h|k|l|m|t|s|qu)([iìíỉĩịyỳýỷỹỵ])(?!\w)", re.I)
IY_SWAP = str.maketrans("iìíỉĩịyỳýỷỹỵIÌÍỈĨỊYỲÝỶỸỴ", "yỳýỷỹỵiìíỉĩịYỲÝỶỸỴIÌÍỈĨỊ")
ENGINES = ["ours", *SETUPS]
SHORT_TSV = REPO / "benchmarks" / "short_queries.tsv"
SHORT_POOL_SET = "baomoi-title"
SAME_QIDS = "orig(same qids)"
TOPICAL = "topical"


# ---------------------------------------------------------------- inputs

def read_queries(path: Path) -> list[tuple[str, str]]:
    """(qid, query) pairs of a queries.<variant>.tsv file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip()]


def read_qrels(path: Path, min_grade: int = 1) -> dict[str, set[str]]:
    """qid -> relevant doc ids (or all judged ones, with min_grade=0), from a TREC qrels file."""
    qrels: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, doc_id, grade = line.split()
        if int(grade) >= min_grade:
            qrels.setdefault(qid, set()).add(doc_id)
    return qrels


def read_short_set() -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """Queries and judgements of benchmarks/short_queries.tsv (qid, query, relevant ids)."""
    queries, qrels = [], {}
    for line in SHORT_TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, query, relevant = line.split("\t")
            queries.append((qid, query))
            qrels[qid] = set(relevant.split())
    return queries, qrels


def mixed_accents(qid: str, query: str) -> str:
    """The query with the marks of a random half of its words stripped, seeded by its qid (a reader
    on a phone accenting some words only): "Đinh La Thăng" -> "Dinh La Thăng"."""
    words = query.split(" ")
    stripped = set(random.Random(hashlib.sha1(qid.encode()).hexdigest()).sample(range(len(words)), len(words) // 2))
    return " ".join(_unmarked(w) if i in stripped else w for i, w in enumerate(words))


def _unmarked(word: str) -> str:
    """A word without its Vietnamese marks (đ -> d), its letter case kept."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def other_iy(query: str) -> str | None:
    """The query with each i or y standing alone after h, k, l, m, t, s or qu in the other spelling
    (kĩ sư -> kỹ sư, Mỹ -> Mĩ, bác sĩ -> bác sỹ: both are written), or None when it has none."""
    swapped = IY_SYLLABLE_RE.sub(lambda m: m.group(1) + m.group(2).translate(IY_SWAP),
                                 unicodedata.normalize("NFC", query))
    return swapped if swapped != unicodedata.normalize("NFC", query) else None


def set_queries(set_dir: Path, variants: list[str]) -> dict[str, list[tuple[str, str]]]:
    """variant -> queries; with `tone`, also the orig queries of the same qids; `mixed` and `iy` are
    made from orig (mixed_accents, other_iy; iy with the orig queries of its qids)."""
    queries = {v: read_queries(set_dir / f"queries.{v}.tsv") for v in variants if v not in (MIXED, IY)}
    orig = read_queries(set_dir / "queries.orig.tsv")
    if MIXED in variants:
        queries[MIXED] = [(qid, mixed_accents(qid, q)) for qid, q in orig]
    if IY in variants:
        queries[IY] = [(qid, other) for qid, q in orig if (other := other_iy(q))]
        iy_qids = {qid for qid, _ in queries[IY]}
        queries[IY_QIDS] = [(qid, q) for qid, q in orig if qid in iy_qids]
    if "tone" in queries:
        tone_qids = {qid for qid, _ in queries["tone"]}
        orig = read_queries(set_dir / "queries.orig.tsv")
        queries[SAME_QIDS] = [(qid, q) for qid, q in orig if qid in tone_qids]
    return queries


# ---------------------------------------------------------------- engines

def build_tantivy(setup: str, pool: Path) -> TantivyEngine:
    engine = TantivyEngine(setup)
    engine.add((r["id"], r.get("title", ""), r.get("body", "")) for r in read_jsonl(pool))
    return engine


def build_engines(names: list[str], pool: Path, folder: str, indexer, kept: bool = False) -> tuple[dict, dict]:
    """(name -> engine over the pool, name -> build seconds), printing each build's time (kept: see OurEngine)."""
    engines, seconds = {}, {}
    for name in names:
        with timer() as t:
            if name == "ours":
                engines[name] = OurEngine(indexer, pool, folder, kept)
            else:
                engines[name] = build_tantivy(name, pool)
        seconds[name] = t.seconds
        print(f"  build {name:8s} {t.seconds:7.1f} s", flush=True)
    return engines, seconds


# ---------------------------------------------------------------- scoring

def run_queries(engine, queries: list[tuple[str, str]]) -> dict[str, list[str]]:
    """qid -> top-10 doc ids."""
    return {qid: engine.search(query, limit=10) for qid, query in queries}


def score(runs: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """MRR@10, Recall@10 and P@5 averaged over the queries of `runs`."""
    mrr = recall = p5 = 0.0
    for qid, ranked in runs.items():
        relevant = qrels.get(qid, set())
        first = next((rank for rank, d in enumerate(ranked[:10], 1) if d in relevant), None)
        mrr += 1 / first if first else 0.0
        recall += len(relevant & set(ranked[:10])) / len(relevant) if relevant else 0.0
        p5 += len(relevant & set(ranked[:5])) / 5
    n = max(len(runs), 1)
    return {"n": len(runs), "mrr": mrr / n, "recall": recall / n, "p5": p5 / n}


def print_misses(runs: dict, queries: list, qrels: dict, limit: int) -> None:
    """The first `limit` queries whose relevant article is not ranked first."""
    text = dict(queries)
    shown = 0
    for qid, ranked in runs.items():
        rank = next((r for r, d in enumerate(ranked, 1) if d in qrels.get(qid, ())), None)
        if rank != 1 and shown < limit:
            shown += 1
            print(f"      miss {qid} rank {rank or '>10'}: {text[qid][:100]}")


def evaluate(name: str, engine, queries: dict, qrels: dict, label: str,
             misses: int = 0, ranks: dict | None = None) -> tuple[dict, float]:
    """(variant -> scores, seconds spent searching) for one engine, printing the scores; ranks
    (when given) gets variant -> {"ranks": first_ranks, "tops": qid -> top 10}."""
    results, seconds = {}, 0.0
    for variant, qs in queries.items():
        with timer() as t:
            runs = run_queries(engine, qs)
        results[variant] = scores = score(runs, qrels)
        if ranks is not None:
            ranks[variant] = {"ranks": first_ranks(runs, qrels), "tops": runs}
        seconds += t.seconds
        print(f"  {label:5s} {variant:21s} {name:8s} MRR@10 {scores['mrr']:.3f}  "
              f"R@10 {scores['recall']:.3f}  P@5 {scores['p5']:.3f}  ({len(qs)} q, "
              f"{1000 * t.seconds / max(len(qs), 1):.1f} ms/q)", flush=True)
        if misses and name == "ours":
            print_misses(runs, qs, qrels, misses)
    return results, seconds


# ---------------------------------------------------------------- targets

def check(value: float | None, ok: bool | None, aim: bool | None = None) -> str:
    if value is None or ok is None:
        return "n/a"
    verdict = "PASS" if ok else "FAIL"
    return verdict if aim is None else f"{verdict} (aim {'met' if aim else 'missed'})"


def mrr_of(results: dict, engine: str, variant: str) -> float | None:
    return results.get(engine, {}).get(variant, {}).get("mrr")


def target_rows(set_name: str, results: dict) -> list[list]:
    """[set, target, ours, compared with, verdict] rows for one set."""
    ours = lambda v: mrr_of(results, "ours", v)  # noqa: E731
    rows = []
    orig, tv_orig = ours("orig"), mrr_of(results, "default", "orig")
    if orig is not None and tv_orig is not None:
        rows.append([set_name, "orig >= tantivy default (aim +0.02)", orig, tv_orig,
                     check(orig, orig >= tv_orig, orig >= tv_orig + 0.02)])
    noacc, tv_fold = ours("noaccent"), mrr_of(results, "fold", "noaccent")
    if noacc is not None and tv_fold is not None:
        rows.append([set_name, "noaccent >= tantivy fold noaccent (aim +0.03)", noacc, tv_fold,
                     check(noacc, noacc >= tv_fold, noacc >= tv_fold + 0.03)])
    if noacc is not None and orig is not None:
        rows.append([set_name, "noaccent within 0.08 of our orig", noacc, orig,
                     check(noacc, noacc >= orig - 0.08)])
    for variant, base in (("lower", "orig"), ("nfd", "orig"), ("tone", SAME_QIDS), (IY, IY_QIDS)):
        value, reference = ours(variant), ours(base)
        if value is not None and reference is not None:
            rows.append([set_name, f"{variant} within 0.005 of {base}", value, reference,
                         check(value, abs(value - reference) <= 0.005)])
    return rows


# ---------------------------------------------------------------- tables

def quality_table(all_results: dict) -> str:
    header = ["set", "variant", "queries"] + [f"{e} {m}" for e in ENGINES
                                              for m in ("MRR@10", "R@10")]
    rows = []
    for set_name, results in all_results.items():
        variants = next(iter(results.values())).keys()
        for variant in variants:
            row = [set_name, variant, next(iter(results.values()))[variant]["n"]]
            for engine in ENGINES:
                scores = results.get(engine, {}).get(variant)
                row += [scores["mrr"], scores["recall"]] if scores else ["–", "–"]
            rows.append(row)
    return md_table(header, rows)


def short_table(results: dict) -> str:
    """results: engine -> subset -> scores."""
    rows = []
    subsets = next(iter(results.values()), {}).keys()
    for subset in subsets:
        for engine in ENGINES:
            s = results.get(engine, {}).get(subset)
            if s:
                rows.append([subset, engine, s["n"], s["mrr"], s["recall"], s["p5"]])
    return md_table(["queries", "engine", "n", "MRR@10", "R@10", "P@5"], rows)


def short_subsets(queries) -> dict:
    """all / as written / typed without accents (qids "u..") subsets of the short set."""
    return {"all": queries,
            "as written": [(qid, q) for qid, q in queries if not qid.startswith("u")],
            "typed without accents": [(qid, q) for qid, q in queries if qid.startswith("u")]}


def known_item_parts(all_results: dict) -> list[str]:
    """The known-item sets' intro, table and targets."""
    parts = ["Known-item sets of ../shared/eval/dev (500 queries each; relevant = the source "
             "article and its exact duplicates). `ours` = `indexer.build_index` + "
             "`Index.search(q, limit=10)`; `default` / `fold` = the Tantivy 0.27 set-ups of "
             "benchmarks/tantivy_ref.py (syllables + lowercase; + ascii_fold). "
             f"`{SAME_QIDS}` = the orig queries of the qids that have a `tone` variant; `{IY}` = the "
             "orig queries holding i or y alone after h, k, l, m, t, s or qu, each in the other spelling "
             f"(kĩ/kỹ, lí/lý, sĩ/sỹ), `{IY_QIDS}` the same qids' orig queries.",
             quality_table(all_results)]
    targets = [row for name, res in all_results.items() for row in target_rows(name, res)]
    if targets:
        parts += ["### Targets (MRR@10)",
                  md_table(["set", "target", "ours", "compared with", "result"], targets)]
    return parts


def report(all_results: dict, short_results: dict | None, timings: list[list],
           topical: str | None = None) -> str:
    parts = known_item_parts(all_results) if all_results else []
    if short_results:
        parts += ["### Short queries (benchmarks/short_queries.tsv, baomoi-title pool)",
                  "Queries of 2–4 words as people type them (names, places, events); several "
                  "judged articles per query. How the set was made: see the top of this file.",
                  short_table(short_results)]
    if topical:
        parts += ["### Topical set (benchmarks/topical/)", topical]
    if timings:
        parts += ["### Time", md_table(["pool", "engine", "build s", "search ms/query"], timings)]
    return "\n\n".join(parts)


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", choices=[*SETS, TOPICAL], default=[*SETS, TOPICAL],
                        help=f"known-item sets of ../shared/eval/dev, and '{TOPICAL}' "
                             "(benchmarks/topical/); default: all")
    parser.add_argument("--variants", nargs="+", choices=[*VARIANTS, MIXED, IY], default=VARIANTS)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=ENGINES)
    parser.add_argument("--no-short", action="store_true", help="skip the short-query set")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="print up to N queries per variant that our engine does not rank first")
    parser.add_argument("--write", action="store_true",
                        help="write RESULTS.md even for a subset run")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep our pools' indexes in DIR/<set>, reused by the next run of the same analysis version")
    parser.add_argument("--ranks", metavar="FILE",
                        help="write each query's first right rank and top 10 as JSON (read by benchmarks.ranks)")
    return parser.parse_args(argv)


def run_pool(set_name: str, engine_names: list[str], indexer, jobs: dict, timings: list[list],
             misses: int = 0, keep: str | None = None, ranks: dict | None = None) -> dict:
    """Build the engines on one pool (ours in keep/set_name, when given) and run each job (label ->
    (variant -> queries, qrels)).

    Returns label -> engine -> variant -> scores; appends [pool, engine, build s, ms/query]
    rows to `timings`; fills ranks (when given) as engine -> "label/variant" -> see evaluate.
    """
    pool = require_shared("eval", "dev", set_name, "pool.jsonl.gz")
    print(f"== {set_name}", flush=True)
    results: dict[str, dict] = {label: {} for label in jobs}
    with tempfile.TemporaryDirectory(prefix="vnsearch-quality-") as folder:
        folder = str(Path(keep) / set_name) if keep else folder
        engines, build_seconds = build_engines(engine_names, pool, folder, indexer, kept=bool(keep))
        for name, engine in engines.items():
            searched = n_queries = 0
            for label, (queries, qrels) in jobs.items():
                ranked = {} if ranks is not None else None
                results[label][name], seconds = evaluate(name, engine, queries, qrels, label, misses, ranked)
                for variant, runs in (ranked or {}).items():
                    ranks.setdefault(name, {})[f"{set_name if label == 'eval' else label}/{variant}"] = runs
                searched += seconds
                n_queries += sum(len(qs) for qs in queries.values())
            timings.append([set_name, name, f"{build_seconds[name]:.1f}",
                            f"{1000 * searched / max(n_queries, 1):.1f}"])
            getattr(engine, "close", lambda: None)()
    return results


def set_jobs(set_name: str, variants: list[str], short: bool) -> dict:
    """The jobs of one known-item pool: its queries, and the short-query set on its pool."""
    set_dir = require_shared("eval", "dev", set_name)
    jobs = {"eval": (set_queries(set_dir, variants), read_qrels(set_dir / "qrels.txt"))}
    if set_name == SHORT_POOL_SET and short and SHORT_TSV.exists():
        queries, short_qrels = read_short_set()
        jobs["short"] = (short_subsets(queries), short_qrels)
    return jobs


def run_topical_set(engines: list[str], indexer) -> str:
    """The topical set's report (benchmarks/topical.py, which builds on this module)."""
    from benchmarks.topical import run_topical  # here: topical imports this module
    print("== topical", flush=True)
    return run_topical(engines, indexer)[0]


def main(argv=None) -> int:
    args = parse_args(argv)
    engines = list(args.engines)
    indexer = load_indexer(required=False) if "ours" in engines else None
    if indexer is None and "ours" in engines:
        engines.remove("ours")
    all_results, short_results, timings, ranks = {}, None, [], {} if args.ranks else None
    with timer() as total:
        for set_name in (s for s in args.sets if s != TOPICAL):
            jobs = set_jobs(set_name, args.variants, not args.no_short)
            by_job = run_pool(set_name, engines, indexer, jobs, timings, args.misses, args.keep, ranks)
            all_results[set_name] = by_job["eval"]
            short_results = by_job.get("short", short_results)
        topical = run_topical_set(engines, indexer) if TOPICAL in args.sets else None
    print(f"total {total.seconds:.1f} s\n")
    if args.ranks:
        Path(args.ranks).write_text(json.dumps(ranks, ensure_ascii=False), "utf-8")
    text = report(all_results, short_results, timings, topical)
    print(text)
    full = set(args.sets) == {*SETS, TOPICAL} and args.variants == VARIANTS and not args.no_short
    if full or args.write:
        write_section("quality", "Retrieval quality", text)
    else:
        print("(subset run: RESULTS.md not written; add --write to write it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
