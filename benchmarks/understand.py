"""Understanding the reader: accent restoration, Telex and VNI decoding, typos (issue 13).

    python -m benchmarks.understand --index DIR      # DIR: an index of the dev title pools

Titles are the queries of the dev sets vietnews-title and baomoi-title (1,000 headlines, which
those pools leave out). Each title is stripped of its accents and restored from the statistics
of the index alone (``Index.lexicon()``, choosing among its likeliest readings by the articles
holding their words, as a search does); syllable and whole-title accuracy are reported, and
the same for 2-4-syllable queries cut from the titles, also for each half of the queries (by a
hash of their ids: constants are chosen on the tune half), with the CPU time per query. The
titles are then typed as Telex and VNI keystrokes and decoded word by word as the search does.
500 short queries cut from the baomoi-title headlines are searched as written and with one
random typo (exact=True: without the tolerance): the held-out set of typos. The typo constants are
chosen on a tune set made the same way from the vietnews-title headlines with other seeds
(TUNE_SEEDS: about 1,200 queries found as written). The same queries are then typed with one word's
marks left off and a typo in it (readers leave a word's marks off in haste, or a typo breaks the
Telex keys): read as meant, and found; and typed without accents (as on a phone): found. Cuts around
a word and the number after it are searched with the two glued: a word typed with marks (`bão số10`),
and letters without them (`iphone7`). Finally
no English word or code of benchmarks/short_queries.tsv may change.
Without --index, the two pools are indexed first (~1 min).
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
import unicodedata
import zlib
from pathlib import Path

from benchmarks.common import program, load_indexer, md_table, require_shared, show_section, timer

TITLE_SETS = ["vietnews-title", "baomoi-title"]
SEED = 13
TUNE_SEEDS = (1, 2, 3, 4)  # of the tune set of typos (the held-out one: SEED's)
TYPO_QUERIES = 500
SHORT_SETS = (("held-out", "baomoi-title", (SEED,)), ("tune", "vietnews-title", TUNE_SEEDS))  # (half, title set, seeds) of the short queries
TONE_KEYS = {"\u0301": ("s", "1"), "\u0300": ("f", "2"), "\u0309": ("r", "3"),
             "\u0303": ("x", "4"), "\u0323": ("j", "5")}
LETTER_KEYS = {"â": ("aa", "a6"), "ê": ("ee", "e6"), "ô": ("oo", "o6"), "ă": ("aw", "a8"),
               "ơ": ("ow", "o7"), "ư": ("uw", "u7"), "đ": ("dd", "d9")}


def titles() -> list[tuple[str, str]]:
    """(query id, headline) of the 1,000 headlines used as queries of the title sets."""
    out = []
    for name in TITLE_SETS:
        path = require_shared("eval", "dev", name, "queries.orig.tsv")
        out += [(qid, unicodedata.normalize("NFC", text))
                for qid, text in (line.split("\t", 1) for line in path.read_text("utf-8").splitlines() if "\t" in line)]
    return out


def half(qid: str) -> str:
    """The half of the queries a query id falls in, by its hash: "tune" (constants are chosen on
    it) or "held-out"."""
    return "tune" if zlib.crc32(qid.encode("utf-8")) % 2 == 0 else "held-out"


def words_of(text: str) -> list[str]:
    """The lowercase words of a text, canonical tone placement."""
    from indexer.analysis import canonical
    return [canonical(w) for w in re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())]


def restored_syllables(lexicon, fold, texts: list[str]) -> list[tuple[int, int]]:
    """(syllables restored right, syllables) of each text, restored after its accents were stripped."""
    outcomes = []
    for text in texts:
        expected, got = words_of(text), words_of(lexicon.restore(fold(text)))
        outcomes.append((sum(a == b for a, b in zip(expected, got)), len(expected)))
    return outcomes


def accuracy(outcomes: list[tuple[int, int]]) -> tuple[float, float]:
    """(syllable accuracy, whole-text accuracy) of restored_syllables' outcomes."""
    right, total = sum(r for r, _ in outcomes), sum(n for _, n in outcomes)
    return right / max(total, 1), sum(r == n for r, n in outcomes) / max(len(outcomes), 1)


def restoration_rows(lexicon, fold, queries: list[tuple[str, str]], name: str, unit: str) -> list[list]:
    """Rows of restoration accuracy of (query id, text) queries: all of them, then each half; and
    the CPU time the restoration takes per query."""
    started = time.process_time()
    outcomes = restored_syllables(lexicon, fold, [text for _, text in queries])
    cpu = (time.process_time() - started) / max(len(queries), 1) * 1000
    syl, whole = accuracy(outcomes)
    rows = [[f"{name}: syllables", f"{syl:.3f}", "≥ 0.95"], [f"{name}: whole {unit}", f"{whole:.3f}", "≥ 0.60"]]
    for part in ("tune", "held-out"):
        syl, whole = accuracy([o for (qid, _), o in zip(queries, outcomes) if half(qid) == part])
        rows.append([f"… {part} half: syllables / whole", f"{syl:.3f} / {whole:.3f}", ""])
    return rows + [["… CPU per query (restore)", f"{cpu:.2f} ms", ""]]


def query_cuts(texts: list[str], rng: random.Random) -> list[str]:
    """One run of 2-4 adjacent words (no punctuation between them) from each text."""
    cuts = []
    for text in texts:
        runs = [r.split() for r in re.findall(r"\w+(?:\s+\w+)+", text)]
        runs = [r for r in runs if len(r) >= 2]
        if runs:
            run = rng.choice(runs)
            n = rng.randint(2, min(4, len(run)))
            start = rng.randint(0, len(run) - n)
            cuts.append(" ".join(run[start:start + n]))
    return cuts


def keystrokes(word: str, vni: bool) -> str:
    """How a word is typed in Telex (or VNI) with the input method off: marks, then the tone."""
    keys, tone = [], ""
    for ch in unicodedata.normalize("NFC", word.lower()):
        base = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", "".join(c for c in base if c not in TONE_KEYS))
        tone = next((TONE_KEYS[c][vni] for c in base if c in TONE_KEYS), tone)
        keys.append(LETTER_KEYS[letter][vni] if letter in LETTER_KEYS else letter)
    return "".join(keys) + tone


def decoding(index, heads: list[str], vni: bool) -> float:
    """Share of the titles' words that, typed as keystrokes, the search reads back exactly."""
    from indexer.understand import decode_query
    right = total = 0
    for words in (words_of(t) for t in heads):
        typed = " ".join(keystrokes(w, vni) for w in words)
        got = (decode_query(typed, index.frequency) or typed).split()
        right, total = right + sum(a == b for a, b in zip(words, got)), total + len(words)
    return right / max(total, 1)


def with_typo(query: str, rng: random.Random) -> str:
    """query with one random edit (drop, add, change or swap a letter) in one word of 3+ letters."""
    words = query.split()
    long = [i for i, w in enumerate(words) if len(w) >= 3 and w.isalpha()]
    if not long:
        return query
    i = rng.choice(long)
    w, at, letter = words[i], rng.randrange(len(words[i]) - 1), rng.choice("abcdeghiklmnopqrstuvxy")
    words[i] = rng.choice([w[:at] + w[at + 1:], w[:at] + letter + w[at:], w[:at] + letter + w[at + 1:],
                           w[:at] + w[at + 1] + w[at] + w[at + 2:]])
    return " ".join(words)


def typo_queries(name: str, rng: random.Random) -> tuple[dict, list[tuple[str, str]], list[tuple[str, str]]]:
    """(qrels, 500 short queries cut from the title set's headlines, the same with one typo each)."""
    from benchmarks.quality import read_qrels, read_queries
    folder = require_shared("eval", "dev", name)
    queries = [(qid, cut) for (qid, title) in read_queries(folder / "queries.orig.tsv")
               for cut in query_cuts([title], rng)][:TYPO_QUERIES]
    return read_qrels(folder / "qrels.txt"), queries, [(qid, with_typo(q, rng)) for qid, q in queries]


def found(index, qrels: dict, pairs: list[tuple[str, str]], exact: bool) -> list[bool]:
    """Whether each (query id, query) has its target in the top 10."""
    return [bool({h.doc_id for h in index.search(q, exact=exact)} & qrels[qid]) for qid, q in pairs]


def share(hits: list[bool]) -> str:
    """The share of True among hits, as printed."""
    return f"{sum(hits) / max(len(hits), 1):.3f}"


def typo_rows(index, rng: random.Random) -> list[list]:
    """Top-10 hits of the target for 500 short queries cut from baomoi-title headlines (the
    held-out set), as written and with one typo, with and without the typo tolerance."""
    qrels, queries, typos = typo_queries("baomoi-title", rng)
    written = found(index, qrels, queries, True)
    strict, tolerant = found(index, qrels, typos, True), found(index, qrels, typos, False)
    kept = [t for w, t in zip(written, tolerant) if w]
    return [[f"{len(queries)} short queries, target in top 10: as written", share(written), ""],
            ["… with one typo, no tolerance (exact)", share(strict), ""],
            ["… with one typo, tolerance on", share(tolerant), ""],
            [f"… with one typo, of those found as written ({len(kept)}; held-out)", share(kept), "≥ 0.90"]]


def tune_typo_rows(index) -> list[list]:
    """The same for the tune set the typo constants are chosen on: short queries cut from the
    vietnews-title headlines with other seeds (TUNE_SEEDS), found as written, with one typo."""
    kept = []
    for seed in TUNE_SEEDS:
        qrels, queries, typos = typo_queries("vietnews-title", random.Random(seed))
        written = found(index, qrels, queries, True)
        kept += found(index, qrels, [t for w, t in zip(written, typos) if w], False)
    return [[f"tune set (vietnews-title, seeds {', '.join(map(str, TUNE_SEEDS))}): with one typo, "
             f"of those found as written ({len(kept)})", share(kept), ""]]


def left_off(query: str, rng: random.Random, fold, spelled_right) -> str | None:
    """query with one word of 3+ letters typed with marks typed without them and with one random typo,
    drawn again (10 times at most) until it is no word spelled right; None for a query without such a word."""
    words = query.split()
    marked = [i for i, w in enumerate(words) if w.isalpha() and w != fold(w) and len(w) >= 3]
    if not marked:
        return None
    i = rng.choice(marked)
    for _ in range(10):
        typo = with_typo(fold(words[i]), rng)
        if typo != fold(words[i]) and not spelled_right(typo.lower()):
            return " ".join(words[:i] + [typo] + words[i + 1:])
    return None


def left_off_rows(index, fold) -> list[list]:
    """Short queries with a typo in a word typed without its marks (see left_off), held out (baomoi-title,
    SEED) and tune (vietnews-title, TUNE_SEEDS): read as meant (the suggestion, else the query searched),
    and target in the top 10 of those found as written."""
    rows, spelled_right = [], index.lexicon().spelled_right
    for part, name, seeds in SHORT_SETS:
        right, kept = [], []
        for seed in seeds:
            rng = random.Random(seed)
            qrels, queries, _ = typo_queries(name, rng)
            typed = [(qid, q, t) for qid, q in queries if (t := left_off(q, rng, fold, spelled_right))]
            written = found(index, qrels, [(qid, q) for qid, q, _ in typed], True)
            for (qid, q, t), w in zip(typed, written):
                results = index.search(t)
                right.append(words_of(results.suggestion or results.rewritten or t) == words_of(q))
                kept += [bool({h.doc_id for h in results} & qrels[qid])] if w else []
        rows += [[f"{part}: a typo in a word typed without its marks ({len(right)}), read as meant", share(right), ""],
                 [f"… of those found as written ({len(kept)}), target in top 10", share(kept), ""]]
    return rows


def first_ranks(index, qrels: dict, pairs: list[tuple[str, str]]) -> list[int]:
    """The rank of each (query id, query)'s first target in its top 10 (0: none there)."""
    return [next((n for n, h in enumerate(index.search(q), 1) if h.doc_id in qrels[qid]), 0) for qid, q in pairs]


def unaccented_rows(index, fold) -> list[list]:
    """The short queries of the typo rows (held out: baomoi-title, SEED; tune: vietnews-title,
    TUNE_SEEDS) typed without accents, as readers type on a phone: target in the top 10 and MRR@10,
    beside the same queries as written."""
    rows = []
    for part, name, seeds in SHORT_SETS:
        written, bare = [], []
        for seed in seeds:
            qrels, queries, _ = typo_queries(name, random.Random(seed))
            written += first_ranks(index, qrels, queries)
            bare += first_ranks(index, qrels, [(qid, fold(q)) for qid, q in queries])
        for label, ranks in ((f"{part}: short queries as written ({len(written)})", written),
                             ("… typed without accents", bare)):
            rows.append([f"{label}: target in top 10 / MRR@10",
                         f"{share([r > 0 for r in ranks])} / {sum(1 / r for r in ranks if r) / max(len(ranks), 1):.3f}", ""])
    return rows


def short_set_changes(index) -> list[str]:
    """Words of the short-query set that keystroke decoding would change."""
    from benchmarks.quality import read_short_set
    from indexer.understand import decode_query
    queries, _ = read_short_set()
    return [q for _, q in queries if decode_query(q, index.frequency)]


def _number_after(marked: bool):
    """Whether words[i] is a word (typed with marks, or letters without: marked) with a number after it."""
    return lambda words, i: words[i].isalpha() and words[i].isascii() != marked and words[i + 1].isdigit()


def _foreign_pair(words: list[str], i: int) -> bool:
    """Whether words[i] and the next are capitalised words without marks, one of them no Vietnamese syllable."""
    from indexer.understand import SYLLABLE_SHAPE
    pair = words[i:i + 2]
    return (all(w.isalpha() and w.isascii() and w[:1].isupper() for w in pair)
            and not all(SYLLABLE_SHAPE.fullmatch(w.lower()) for w in pair))


def glued_rows(index, spotted, glue, kind: str) -> list[list]:
    """Short cuts of the title sets' headlines around two words where spotted(words, i), typed with
    the two glued as glue(a, b) makes them (`bão số10`, `worldcup`): target in the top 10, glued and
    spaced, per half."""
    from benchmarks.quality import read_qrels, read_queries
    rng, found = random.Random(SEED), {"tune": [], "held-out": []}
    for name in TITLE_SETS:
        folder = require_shared("eval", "dev", name)
        qrels = read_qrels(folder / "qrels.txt")
        for qid, title in read_queries(folder / "queries.orig.tsv"):
            words = title.split()
            spots = [i for i in range(len(words) - 1) if spotted(words, i)]
            if spots:
                i = rng.choice(spots)
                start, end = max(0, i - rng.randint(0, 1)), i + 2 + rng.randint(0, 1)
                glued = words[start:i] + [glue(words[i], words[i + 1])] + words[i + 2:end]
                found[half(qid)].append([bool({h.doc_id for h in index.search(" ".join(q))} & qrels[qid])
                                         for q in (glued, words[start:end])])
    return [[f"{part}: {kind.format(len(hits))}, target in top 10: glued / spaced",
             f"{share([g for g, _ in hits])} / {share([s for _, s in hits])}", ""] for part, hits in found.items()]


def all_glued_rows(index) -> list[list]:
    """glued_rows of a word typed with marks and its number (số10), letters without marks and their
    number (iphone7), and two capitalised foreign words typed in lowercase (worldcup)."""
    return (glued_rows(index, _number_after(True), str.__add__, "a word glued to its number ({} cuts, `số10`)")
            + glued_rows(index, _number_after(False), str.__add__,
                         "letters without marks glued to their number ({} cuts, `iphone7`)")
            + glued_rows(index, _foreign_pair, lambda a, b: (a + b).lower(), "foreign words glued ({} cuts, `worldcup`)"))


def run(index, fold) -> list[list]:
    """The measured rows."""
    rng = random.Random(SEED)
    headlines = titles()
    heads = [text for _, text in headlines]
    with timer() as took:
        lexicon = index.lexicon()
    rows = [["lexicon build (or read from the generation)", f"{took.seconds:.2f} s", ""]]
    lexicon = lexicon.with_cooccurrence(index.articles_holding)  # as a search reads queries
    rows += restoration_rows(lexicon, fold, headlines, "accent restoration, 1,000 titles", "titles")
    cuts = [(qid, cut) for qid, text in headlines for cut in query_cuts([text], rng)]
    rows += restoration_rows(lexicon, fold, cuts, "2-4-syllable queries from the titles", "queries")
    rows += [["Telex keystrokes decoded exactly (words)", f"{decoding(index, heads, False):.3f}", "≥ 0.98"],
             ["VNI keystrokes decoded exactly (words)", f"{decoding(index, heads, True):.3f}", "≥ 0.98"]]
    rows += typo_rows(index, rng) + tune_typo_rows(index) + left_off_rows(index, fold) + unaccented_rows(index, fold)
    rows += all_glued_rows(index)
    changed = short_set_changes(index)
    shown = str(len(changed)) + (f" {changed}" if changed else "")
    rows.append(["short-query set: queries changed by decoding", shown, "0"])
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=program(), description=__doc__.split("\n")[0])
    parser.add_argument("--index", help="an index of the dev title pools (built if absent)")
    parser.add_argument("--write", action="store_true", help="write the section of RESULTS.md")
    args = parser.parse_args(argv)
    indexer = load_indexer()
    with tempfile.TemporaryDirectory(prefix="understand-") as scratch:
        folder = args.index or scratch
        if not args.index or not Path(args.index).exists():
            pools = [str(require_shared("eval", "dev", n, "pool.jsonl.gz")) for n in TITLE_SETS]
            indexer.build_index(pools, folder)
        with indexer.open_index(folder) as index:
            rows = run(index, indexer.fold)
    table = md_table(["measure", "value", "target"], rows)
    show_section("understand", "Understanding the reader (issue 13)", table, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
