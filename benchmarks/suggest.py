"""Search as you type: how long `index.suggest(prefix)` takes on a built index (issue 13: p95 <= 20 ms
at the full 179,251 articles).

    python -m benchmarks.suggest --index /tmp/vn179 --write     # ~1 min once the Lexicon is read
    python -m benchmarks.suggest --index /tmp/vn179 --quality-index DIR --write   # and what is offered

Prefixes as a reader types them into the search box: the first 1-3 words of a corpus title (seeded
draw), the last word cut after a random number of its letters, half of them without accents. The
index's Lexicon is made (or read) first and timed apart: the box offers nothing until it is ready.
Each prefix is asked once, in one process (wall time and thread CPU time per call); the load
average is reported, since other work on the machine lengthens wall times.

With --quality-index DIR, what is offered is scored too, on the 1,000 headlines of the dev title
sets (DIR: an index with titles that leaves their articles out; halves by the hash of the query id
as in benchmarks.understand): each cut after 2-4 of its words and a few letters of the next, every other
one without accents. "next word": some completion is the headline's start up to a word's end,
the cut word whole (accents included); "held": the share of completions whose words from the last
one typed whole on some article holds as a phrase (a quoted search), the rest being words glued
that nobody wrote ("giao thông tin"); "cased as the headline": of the prefixes whose next word is
offered, the share where that completion cases its words as the headline does (but for the words that
begin a sentence there, capitalised by their place, compared without case: "Đinh La Thăng", "UBND", "công an").
The same headlines are typed again cut after 1-3 whole words and a space (a second table): "next word"
there is a completion a word longer than typed, the headline's start up to that word's end; and of the
completions adding words to those typed, how many end in a piece of a word (see ends_in_piece: "vận động
hành") or add only function words ("Đà Nẵng đã"), seldom what a reader goes on to type, how many no
title holds as a phrase from the last two words typed (see held_by_no_title: "giá vàng giao"), how many another
one offered goes on from within their last word (see cut_beside_longer: "Thủ tướng Nguyễn Xuân" beside "... Phúc"),
and how many the titles holding them write only across punctuation (see held_across_punctuation). A third
table: those whose second to fourth word is a number or a code beginning with a digit (bão số 10,
quốc lộ 1A), cut before it with a space: is it offered? A fourth: those with such a number or code followed
by a word anywhere, cut after the first with a space: is that word offered (bão số 9 đổ)? A fifth: the
first table's cuts typed without the space before the letters of the next word (giá vàngh), as phones drop it.
A sixth: the same cuts with no space at all (giávàngh). A seventh: the headlines holding a name of 2-3 capitalised
words among their first four, cut after it and typed glued without accents (hanoi, tp hochiminh), as readers with
the input method off type it: is the headline up to the name offered? An eighth: the first table's cuts with one
random edit in one of the whole words typed (giao thogn c), as a reader slips: is the next word offered? A ninth:
the headlines cut after 2-4 whole words, no space after them, one random edit in the last (giao thogn).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tempfile
import time
from itertools import takewhile
from pathlib import Path

from benchmarks.common import md_table, percentile, read_jsonl, require_shared, show_section
from benchmarks.load import DEFAULT_CORPUS, corpus_titles

TARGET_P95_MS = 20
HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")  # between two letters (Jong-un, V-League)


def parse_args(argv=None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suggest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="built index (the target is for all 179,251 articles)")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSONL(.gz) the titles come from")
    parser.add_argument("--prefixes", type=int, default=1000, help="prefixes asked (default 1000)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the draw (default 13)")
    parser.add_argument("--write", action="store_true", help="write the 'suggest' section of RESULTS.md")
    parser.add_argument("--quality-index", help="also score the completions of the dev headlines on this index "
                        "of baomoi without their articles (built there first when absent, ~2-4 min)")
    return parser.parse_args(argv)


def typed_prefixes(titles: list[str], count: int, seed: int, whole: bool = False) -> list[str]:
    """count prefixes of titles as typed: 1-3 words, the last one cut (whole: not cut, and a space
    after it), every other one unaccented."""
    from indexer import fold
    rng, prefixes = random.Random(seed), []
    while len(prefixes) < count:
        words = rng.choice(titles).split()[:rng.randint(1, 3)]
        last = words[-1]
        words[-1] = last + " " if whole else last[:rng.randint(1, len(last))]
        prefix = " ".join(words)
        prefixes.append(fold(prefix) if len(prefixes) % 2 else prefix)
    return prefixes


def headline_prefixes(seed: int, glued: bool = False, spaceless: bool = False) -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of the dev title sets' headlines cut after 2-4 words and 1-3
    letters of the next, lowercase, every other one without accents (glued: those letters typed
    without the space before them, as phones drop it: giá vàngh; spaceless: no space at all, giávàngh)."""
    from benchmarks.understand import half, titles
    from indexer import fold
    rng, out = random.Random(seed), []
    for qid, title in titles():
        words = title.lower().split()
        k = rng.randint(2, 4)
        if len(words) > k:
            prefix = ("" if spaceless else " ").join(words[:k]) + ("" if glued or spaceless else " ") \
                + words[k][:rng.randint(1, 3)]
            out.append((half(qid), fold(prefix) if len(out) % 2 else prefix, title))
    return out


def whole_word_prefixes(seed: int) -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of the dev title sets' headlines cut after 1-3 whole words and a
    space, lowercase, every other one without accents: is the headline's next word offered?"""
    from benchmarks.understand import half, titles
    from indexer import fold
    rng, out = random.Random(seed), []
    for qid, title in titles():
        words = title.lower().split()
        k = rng.randint(1, 3)
        if len(words) > k:
            prefix = " ".join(words[:k]) + " "
            out.append((half(qid), fold(prefix) if len(out) % 2 else prefix, title))
    return out


def number_prefixes(after: bool = False) -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of the dev title sets' headlines whose second to fourth word is a
    number or a code beginning with a digit (bão số 10, quốc lộ 1A), cut before it with a space,
    lowercase, every other one without accents: is that number offered? after: the first number or code
    anywhere that a word follows (and no punctuation ends), cut after it with a space: is that word
    offered (bão số 9 đổ)?"""
    from benchmarks.understand import half, titles
    from indexer import fold
    out = []
    for qid, title in titles():
        words = title.lower().split()
        places = range(len(words) - 1) if after else range(1, min(len(words), 4))
        k = next((k for k in places if words[k][:1].isdigit() and (not after or words[k][-1].isalnum())), None)
        if k is not None:
            prefix = " ".join(words[:k + after]) + " "
            out.append((half(qid), fold(prefix) if len(out) % 2 else prefix, title))
    return out


def typo_prefixes(seed: int) -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of headline_prefixes(seed) with one random edit in one of the whole
    words typed (benchmarks.understand.with_typo: one of 3 letters or more), as a reader slips: is the
    headline's next word offered? Those with no such word are left out."""
    from benchmarks.understand import with_typo
    rng, out = random.Random(seed), []
    for part, prefix, headline in headline_prefixes(seed):
        head, _, last = prefix.rpartition(" ")
        slipped = with_typo(head, rng)
        if slipped != head:
            out.append((part, f"{slipped} {last}", headline))
    return out


def last_typo_prefixes(seed: int) -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of the dev title sets' headlines cut after 2-4 whole words, no space after
    them, every other one without accents, with one random edit in the last (of 3 letters or more; see
    benchmarks.understand.with_typo), as a reader slips before the space: is the headline up to it offered?"""
    from benchmarks.understand import half, titles, with_typo
    from indexer import fold
    rng, out = random.Random(seed), []
    for qid, title in titles():
        words = title.lower().split()
        k = rng.randint(2, 4)
        if len(words) > k and len(words[k - 1]) >= 3 and words[k - 1].isalpha():
            prefix = " ".join(words[:k - 1] + [with_typo(words[k - 1], rng)])
            out.append((half(qid), fold(prefix) if len(out) % 2 else prefix, title))
    return out


def glued_name_prefixes() -> list[tuple[str, str, str]]:
    """(half, prefix, headline) of the dev title sets' headlines holding a name of 2-3 capitalised
    words among their first four (Hà Nội, Đà Nẵng, Hồ Chí Minh), cut after it, lowercase, without
    accents, the name typed glued (hanoi), as readers type it with the input method off: is the
    headline up to the name's end offered?"""
    from benchmarks.understand import half, titles
    from indexer import fold
    out = []
    for qid, title in titles():
        words = title.split()
        for start in range(3):
            run = list(takewhile(lambda w: w[:1].isupper() and w.isalpha(), words[start:start + 3]))
            before_alpha = all(w.isalpha() and not w[:1].isupper() for w in words[1:start]) and words[0].isalpha()
            if len(run) >= 2 and before_alpha and len(words) > start + len(run):
                prefix = " ".join(words[:start] + ["".join(run)])
                out.append((half(qid), fold(prefix.lower()), title))
                break
    return out


def completion_quality(index, prefixes) -> dict[str, tuple[float, float, float, int, float]]:
    """Per half: (share of prefixes whose next word is offered, share of completions some article
    holds as a phrase, completions per prefix, prefixes, share of those offered cased as the headline)."""
    from indexer.understand import canonical
    scores = {}
    for part, prefix, headline in prefixes:
        offered = index.suggest(prefix)
        title = spaced(canonical(headline.lower()))
        right = [s for s in offered if title.startswith(key := spaced(canonical(s))) and not title[len(key):len(key) + 1].isalnum()
                 and len(key.split()) >= len(prefix.split()) + prefix.endswith(" ")]  # after a space: a word more
        joined = [" ".join(s.split()[len(prefix.split()) - 2:]) if len(prefix.split()) > 1 else s for s in offered]
        held = [index.search(f'"{s}"', limit=1, exact=True).total > 0 for s in joined]
        hits, kept, shown, asked, cased = scores.get(part, (0, 0, 0, 0, 0))
        scores[part] = (hits + bool(right), kept + sum(held), shown + len(held), asked + 1,
                        cased + bool(right and cased_as(right[0], headline)))
    return {part: (hits / asked, kept / max(shown, 1), shown / asked, asked, cased / max(hits, 1))
            for part, (hits, kept, shown, asked, cased) in sorted(scores.items())}


def idle_completions(index, prefixes) -> dict[str, tuple[int, ...]]:
    """Per half: (completions adding words to those typed, those ending in a piece of a word, those adding
    only function words, those no title holds, those cut short beside a longer one offered, those titles hold
    only across punctuation) of the prefixes (typed whole and a space; see ends_in_piece, function_words,
    held_by_no_title, cut_beside_longer, held_across_punctuation only)."""
    from indexer.understand import _function_words_only, canonical
    lexicon, pieces, counts = index.lexicon(), two_syllable_words(), {}
    for part, prefix, _ in prefixes:
        typed, offered = len(prefix.split()), index.suggest(prefix)
        for n, completion in enumerate(offered):
            words = canonical(completion.lower()).split()
            if len(words) > typed:
                unheld = held_by_no_title(index, completion.split()[max(typed - 2, 0):])
                found = (1, ends_in_piece(lexicon, words[-2:], pieces), _function_words_only(" ".join(words[typed:])),
                         unheld, cut_beside_longer(completion, offered, pieces),
                         not unheld and held_across_punctuation(index, words[max(typed - 2, 0):]))
                counts[part] = tuple(a + b for a, b in zip(counts.get(part, (0,) * len(found)), found))
    return dict(sorted(counts.items()))


def cut_beside_longer(completion: str, offered: list[str], pieces: set[str]) -> bool:
    """Whether another completion offered goes on from this one's words within its last word: the two
    syllables across the cut are a word of pyvi's list (Bình Định công | bố) or both capitalised there, a
    name (Thủ tướng Nguyễn Xuân | Phúc); a measure, not the suggestion's own rule."""
    from indexer.understand import canonical
    words = completion.split()
    for other in offered:
        longer = other.split()
        if len(longer) > len(words) and longer[:len(words)] == words:
            across = [words[-1], longer[len(words)]]
            if canonical(" ".join(across).lower()) in pieces or all(w[:1].isupper() for w in across):
                return True
    return False


def held_across_punctuation(index, words: list[str]) -> bool:
    """Whether the titles a quoted title search finds for words (canonical, a phrase some title holds) write
    them only across punctuation ("A: B" for "a b"), as far as their first 20 say; words with other
    characters than letters and digits (codes) are not looked at."""
    from indexer.understand import canonical
    if not all(w.isalnum() for w in words):
        return False
    phrase = f" {' '.join(words)} "
    hits = index.search(f'title:"{" ".join(words)}"', limit=20, exact=True).hits
    stretches = (" " + " ".join(re.findall(r"\w+", part)) + " " for hit in hits
                 for part in re.split(r"[^\w\s]+", canonical(hit.title.lower())))
    return bool(hits) and not any(phrase in stretch for stretch in stretches)


def held_by_no_title(index, words: list[str]) -> bool:
    """Whether no title holds words (a completion's last two words typed and those it adds) as a phrase
    (an exact quoted title search: "giá vàng giao", which no title writes; its positions skip punctuation,
    so a phrase across a title's colon counts as held: a measure, not the suggestion's own rule)."""
    phrase = " ".join(words).replace('"', " ")
    return index.search(f'title:"{phrase}"', limit=1, exact=True).total == 0


def two_syllable_words() -> set[str]:
    """The first two syllables of the words of pyvi's word list of two syllables or more (hành lang, hành chính)."""
    import importlib.resources
    from indexer.understand import canonical
    text = importlib.resources.files("pyvi").joinpath("models", "words.txt").read_text("utf-8")
    return {" ".join(canonical(line.lower()).split()[:2]) for line in text.splitlines() if " " in line.strip()}


def ends_in_piece(lexicon, last_two: list[str], words: set[str]) -> bool:
    """Whether a completion's last syllable is a piece of a word: after the syllable before it (the two no
    word of pyvi's list), half or more of its times in the index's counts go on as a word of two syllables
    or more of pyvi's list (vận động hành: hành lang, hành chính); a measure, not the suggestion's own rule."""
    from indexer.understand import _after
    if len(last_two) < 2 or " ".join(last_two) in words:
        return False
    before, word = (lexicon.number.get(w) for w in last_two)
    if before is None or word is None:
        return False
    size = len(lexicon.syllables)
    thirds, times = _after((lexicon._triple_codes, lexicon._triple_counts), before * size + word, lexicon.syllables)
    seen = float(lexicon.pairs([last_two[0]], [last_two[1]])[0, 0])
    going_on = sum(t for third, t in zip(thirds, times.tolist()) if f"{last_two[1]} {third}" in words)
    return seen > 0 and going_on >= 0.5 * seen


def spaced(text: str) -> str:
    """text with a hyphen between two letters read as a space, as the search reads it (V-League, V League)."""
    return HYPHEN_RE.sub(" ", text)


def cased_as(offered: str, headline: str) -> bool:
    """Whether a completion of the headline's start cases its words as the headline does, but for
    the words that begin a sentence there (the first, those after "." ":" "!" "?": capitalised by
    their place, compared without case); the punctuation around a word is not compared (a completion
    "Bộ trưởng Nguyễn Chí Dũng" of "Bộ trưởng Nguyễn Chí Dũng: ..."), nor the spelling of i or y (a
    completion keeps the reader's, see indexer.understand.one_iy)."""
    from indexer.understand import canonical, with_case_of
    words, offered = ([with_case_of(w, canonical(w)) for w in spaced(text).split()] for text in (headline, offered))
    placed, begins = set(), True
    for k, word in enumerate(words):
        if any(c.isalnum() for c in word):
            placed |= {k} if begins else set()
            begins = word.rstrip("'\"“”»)")[-1:] in tuple(".:!?")
    bare = [[re.sub(r"^\W+|\W+$", "", w) for w in pair] for pair in zip(offered, words)]
    return all(a == b or (k in placed and a.lower() == b.lower()) for k, (a, b) in enumerate(bare))


def timed_calls(index, prefixes: list[str]) -> tuple[list[float], list[float], int]:
    """(wall ms, thread CPU ms) of each index.suggest call, and how many got a completion."""
    wall, cpu, answered = [], [], 0
    for prefix in prefixes:
        started, started_cpu = time.perf_counter(), time.thread_time()
        answered += bool(index.suggest(prefix))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu, answered


def markdown(args, doc_count: int, lexicon_s: float, wall, cpu, answered: int, loads, spaced) -> str:
    """The body of the RESULTS.md section (spaced: wall and CPU times of the prefixes typed whole and a space)."""
    rows = [[name] + [f"{percentile(values, q):.2f}" for q in (50, 95, 99)] + [f"{max(values):.2f}"]
            for name, values in (("wall", wall), ("thread CPU", cpu), ("wall, whole words and a space", spaced[0]),
                                 ("thread CPU, whole words and a space", spaced[1]))]
    p95 = max(percentile(wall, 95), percentile(spaced[0], 95))
    return (f"`index.suggest(prefix)` on {args.index} ({doc_count:,} articles): {len(wall)} prefixes (seed "
            f"{args.seed}: the first 1-3 words of corpus titles, the last one cut, every other one without "
            f"accents), each asked once after the Lexicon was made or read ({lexicon_s:.1f} s); "
            f"{answered} got at least one completion; then the same draw with its words whole and a space after "
            f"them ({spaced[2]} got one). Load average (1 min) at the start / end: "
            f"{loads[0]:.2f} / {loads[1]:.2f}.\n\n"
            f"{md_table(['ms per call', 'p50', 'p95', 'p99', 'max'], rows)}\n\n"
            f"- wall p95 (the larger of the two) {p95:.2f} ms <= {TARGET_P95_MS} ms: {'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}\n")


def build_quality_index(folder: str) -> None:
    """Index the baomoi corpus without the dev title sets' right articles (their headlines are typed)."""
    import indexer
    from benchmarks.quality import read_qrels
    from benchmarks.understand import TITLE_SETS
    targets = {doc for name in TITLE_SETS for docs in read_qrels(require_shared("eval", "dev", name, "qrels.txt")).values()
               for doc in docs}
    with tempfile.TemporaryDirectory(prefix="suggest-") as scratch:
        kept = Path(scratch) / "baomoi-without-targets.jsonl"
        with kept.open("w", encoding="utf-8") as out:
            for record in read_jsonl(require_shared("corpus", "baomoi.jsonl.gz")):
                if record["id"] not in targets:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        indexer.build_index([str(kept)], folder)


def quality_markdown(path: str, seed: int) -> str:
    """The table of what is offered for the dev headlines typed on the index at path (built first when absent)."""
    import indexer
    if not Path(path).exists():
        build_quality_index(path)
    with indexer.open_index(path) as index:
        index.lexicon(wait=True)
        whole = whole_word_prefixes(seed)
        tables = [quality_rows(index, prefixes) for prefixes in
                  (headline_prefixes(seed), whole, number_prefixes(), number_prefixes(after=True),
                   headline_prefixes(seed, glued=True), headline_prefixes(seed, spaceless=True), glued_name_prefixes(),
                   typo_prefixes(seed), last_typo_prefixes(seed))]
        idle = idle_table(index, whole)
        count = index.doc_count
    header = ["half", "next word offered", "completions held as phrases", "completions per prefix", "prefixes",
              "cased as the headline"]
    return (f"\nWhat is offered, on {path} ({count:,} articles without the headlines' own): the dev title sets' "
            f"1,000 headlines cut after 2-4 words and 1-3 letters of the next, every other one without accents "
            f"(seed {seed}).\n\n" + md_table(header, tables[0]) + "\n"
            "\nThe same headlines cut after 1-3 whole words and a space (the next word is a word more than typed):"
            "\n\n" + md_table(header, tables[1]) + "\n"
            "\nOf their completions adding words, those ending in a piece of a word (after the syllable before it, "
            "half of its times or more going on as a word of pyvi's list: vận động hành) and those adding only "
            "function words (indexer/function_words.txt: Đà Nẵng đã), and those whose last two words typed and those "
            "it adds no title holds as a phrase (a quoted title: search, exact: giá vàng giao), those whose words "
            "another completion offered goes on from within a word (a word of pyvi's list or a name across the cut: "
            "Thủ tướng Nguyễn Xuân | Phúc), and those the titles found write only across punctuation (A: B):\n\n" + idle
            + "\n"
            "\nThe headlines whose second to fourth word is a number or a code beginning with a digit, cut before it "
            "with a space (bão số 10, quốc lộ 1A: is it offered?):\n\n" + md_table(header, tables[2]) + "\n"
            "\nThe headlines with a number or code beginning with a digit followed by a word (the first such, "
            "anywhere), cut after it with a space (bão số 9 đổ: is the word after it offered?):\n\n" + md_table(header, tables[3]) + "\n"
            "\nThe first table's cuts typed without the space before the letters of the next word, as phones drop it "
            "(giá vàngh: is the next word offered, the two apart?):\n\n" + md_table(header, tables[4]) + "\n"
            "\nThe same cuts typed with no space at all (giávàngh: is the next word offered, the words apart?):\n\n"
            + md_table(header, tables[5]) + "\n"
            "\nThe headlines holding a name of 2-3 capitalised words among their first four, cut after it, without "
            "accents, the name typed glued (hanoi, tp hochiminh: is the headline up to the name offered?):\n\n"
            + md_table(header, tables[6]) + "\n"
            "\nThe first table's cuts with one random edit in one of the whole words typed (a letter dropped, added, "
            "changed or two swapped, in a word of 3 letters or more: giao thogn c): is the next word offered?\n\n"
            + md_table(header, tables[7]) + "\n"
            "\nThe headlines cut after 2-4 whole words, no space after them, with one random edit in the last (giao "
            "thogn): is the headline up to that word offered?\n\n" + md_table(header, tables[8]) + "\n")


def idle_table(index, prefixes) -> str:
    """The table of idle_completions per half."""
    rows = []
    for part, (adding, piece, function, unheld, cut, across) in idle_completions(index, prefixes).items():
        asked = len([p for p in prefixes if p[0] == part])
        rows.append([part, adding, piece, function, f"{(piece + function) / asked:.3f}", unheld, f"{unheld / asked:.3f}",
                     cut, across])
    return md_table(["half", "completions adding words", "ending in a piece of a word", "adding only function words",
                     "both per prefix", "held by no title", "held by no title per prefix",
                     "cut short beside a longer one", "held only across punctuation"], rows)


def quality_rows(index, prefixes) -> list[list]:
    """The rows of a table of completion_quality per half."""
    return [[part, f"{right:.3f}", f"{held:.3f}", f"{shown:.2f}", asked, f"{cased:.3f}"]
            for part, (right, held, shown, asked, cased) in completion_quality(index, prefixes).items()]


def main(argv=None) -> int:
    """Time the suggestions; print (and with --write, record) the figures."""
    args = parse_args(argv)
    import indexer
    load_start = os.getloadavg()[0]
    titles = corpus_titles(args.corpus)
    prefixes = typed_prefixes(titles, args.prefixes, args.seed)
    with indexer.open_index(args.index) as index:
        started = time.perf_counter()
        index.lexicon(wait=True)
        lexicon_s = time.perf_counter() - started
        wall, cpu, answered = timed_calls(index, prefixes)
        spaced = timed_calls(index, typed_prefixes(titles, args.prefixes, args.seed, whole=True))
        body = markdown(args, index.doc_count, lexicon_s, wall, cpu, answered, (load_start, os.getloadavg()[0]), spaced)
    if args.quality_index:
        body += quality_markdown(args.quality_index, args.seed)
    show_section("suggest", "Search as you type (suggestions)", body, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
