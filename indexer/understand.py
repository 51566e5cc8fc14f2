"""What the reader meant: Telex and VNI keystrokes, missing accents, typos.

Everything here is computed from the index's own statistics (a ``Lexicon``: how many articles
hold each accented syllable, and how often two syllables follow each other); nothing is
downloaded. The functions are pure: the search core decides when to use them.

- ``decode_keystrokes("quyeets")`` -> ``"quyết"`` (Telex), ``"quye61t"`` -> ``"quyết"`` (VNI);
- ``Lexicon.restore("nghi quyet giao thong")`` -> ``"nghị quyết giao thông"`` (Viterbi over a
  bigram model of the index's syllables);
- ``Lexicon.typo_candidates("thogn")`` -> ``[("thông", 5210), ...]`` (one edit; a tone or vowel
  mark counts as one edit), and ``Lexicon.correct("nghi quyte giao thogn")`` -> ``"nghi quyet
  giao thong"`` (the likeliest near syllables in context, for the words the index lacks that are
  no syllable of pyvi's word list either: a small index lacks "Việt", which is no typo).
"""

from __future__ import annotations

import copy
import heapq
import math
import re
import unicodedata
import zipfile
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path

import numpy as np

from .analysis import (CODE_RE, HYPHENATED_RE, NUMBERED_RE, SPACED_CODE_RE, canonical, code_parts, codes_in,
                       date_spellings, fold, glued_cut, iy_spelled, iy_spellings, one_iy, plain_text, pyvi_syllables,
                       tone_place)
from .query import OPERATORS, fields_read, is_pasted
from .store import read_arrays, replaced
from .storage.flat import present

WORD_RE = re.compile(r"\w+")
WORDS_RUN_RE = re.compile(r"\w+(?:\s+\w+)*")  # words between punctuation: read as one chain
OPERATORS_RE = re.compile(r'["“”«»„:]|(?:^|\s)-|\bOR\b|\S\s+AND\s+\S|(?:^|\s)NOT\s+\S')  # AND, NOT: query.parse
VOWELS = "aăâeêioôơuưy"
TONE_MARKS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
VNI_TONES = {"1": "s", "2": "f", "3": "r", "4": "x", "5": "j"}
VNI_TONE_DIGITS = frozenset("012345")  # a tone, or (0) none
HAT = {"a": "â", "e": "ê", "o": "ô"}
HORN = {"o": "ơ", "u": "ư"}
# A Vietnamese syllable without its tone: onset, one to three vowels, final consonant.
SYLLABLE_SHAPE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?")
VOWEL_RE = re.compile(r"[aeiouy]")
MISSPELLED_ONSET = re.compile(r"c[eiy]|k[aou]|ge|gh[aou]|ng[ei]|ngh[aou]")  # Vietnamese writes ke, ghe, nghe; ca, ga, nga
MAX_READINGS = 16  # accented readings of a folded syllable tried by the restoration
UNMARKED_SHARE = 0.2  # of a query's words that could bear marks, the least share typed without: partly accented
NAME_RATIO = 10  # a capitalised name typed without marks is read so when the index has its reading this much more often
NAME_EVIDENCE = 3  # articles holding the reading of a capitalised word typed without marks, unless seen beside the others
KEPT_COST = 2.0  # log-cost of accenting a word typed without marks in a partly accented query (it may be meant so)
PAIR_WEIGHT = 0.8  # share of the bigram estimate against the syllable's own frequency
TRIPLE_WEIGHT = 0.5  # share of the trigram estimate against the bigram one, where the pair before was seen
MAX_STATES = 64  # pairs of readings of the last two words the restoration keeps at each word (the likeliest)
PAIR_PATHS = 4  # likeliest readings of the words before kept per such pair where co-occurrence chooses (k-best)
COMMON_SHARE = 2000  # an abbreviation the index lacks is read as another only where 1 article in this many holds that
GLUED_RATIO = 10  # a word is read as the syllables it glues when they stand together this many times more often
# times (titles and sampled bodies) two syllables stand together for a word to be read as them: 1 article
# in GLUED_SHARE (rounded: 300 at the full corpus's 181,737, as the absolute count had been), GLUED_MIN at least
GLUED_SHARE = 606
RARE_SHARE = 100  # a word in fewer than 1 article in this many may be a typo a search reads otherwise (completions)
GLUED_MIN = 3  # as NAME_EVIDENCE: under 1,515 articles
SURE_RATIO = 100  # a keystroke word (or a typo's) this much rarer than the word read is a slip: searched as that
PAIR_SYLLABLES = 8000  # neighbours are counted for the most frequent syllables only (build time)
MAX_NEAR = 48  # near syllables a word the index lacks may become
NEAR_CACHE = 50_000  # words whose near syllables are remembered
EDIT_COST = 4.0  # log-probability a typo costs the reading that assumes it
# Edits weighed as a noisy channel: a letter left out or two swapped is one edit; a tone or
# vowel mark less (a slip on the accent keys); a letter added or changed more, as it is one of
# many letters that could have been typed there, unless it is next to it on the keyboard.
MARK_EDIT, KEY_EDIT, LETTER_EDIT = 0.75, 1.25, 1.6
# A word the index lacks typed without marks among accented words may have been typed without
# them (in haste, or a typo broke the Telex keys): all its marks left off weigh this, once
# (2 nats at EDIT_COST; 0.5, 0.75 and 1 tried on a tune set of such typos).
MARKS_LEFT_OFF = 0.5
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
RESPELL_COST = 5.0  # the same for a typo that made another indexed word: the context must say so
RUNNER_UP = 3.0  # log-odds within which another candidate for a word a typo changed is searched too
MAX_RUNNERS_UP = 3  # such other readings of a query
COMPLETION_POOL = 256  # most frequent completions of a prefix looked at for the accents typed
CONTINUATION_SHARE = 0.02  # of the likeliest continuation's probability, the least another one shown needs
NEXT_POOL = 32  # syllables most often after a word typed whole whose title phrases are offered after it
NEXT_PHRASES = 4  # title phrases beginning with each of them looked at (the most frequent)
WORD_PIECE = 0.8  # share of the times a syllable after a word goes on as one phrase for it to be offered only in it
BEGINS_SHARE = 0.8  # share of its times after a word a syllable begins a compound to be no word there alone
REST_SHARE = 0.5  # share of its times there the rest of such a syllable needs to be offered with it (else: IDLE_SHARE)
PIECE_PRIOR = 10.0  # times a syllable is taken to go on otherwise too: one seen 8 times, always so, is no piece yet
IDLE_SHARE = 0.5  # of its probability, a continuation ending in a piece of a word (no usual rest) scores
FUNCTION_SHARE = 0.75  # of its probability, a continuation adding only function words scores (Đà Nẵng đã)
EXTEND_MIN = 0.1  # share of the times its two syllables before it go on with it, each later syllable of a completion needs
COUNTING_SHARE = 0.1  # of their share after any number, the least a number's words keep after the word before it
COUNTING_PRIOR = 10.0  # times of prior (their share after any number) smoothing that share after the word before
UNHELD_SHARE = 0.05  # of its probability, a continuation no title writes after the words typed scores (see _written_in_titles)
TITLE_EVIDENCE = 10  # times titles write the words typed last in a row for a continuation none of them writes to be dropped
TITLE_DISCOUNT = 1.0  # times taken off each word's the titles write next (see _title_weighted): one title says little
TITLE_WEIGHT = 0.7  # share the titles' own next words take in the likelihood of a syllable after words they write TITLE_EVIDENCE times
TITLE_PRIOR = 2.0  # times two words are taken to end a title stretch too, beside those the titles count (see _title_rest)
WORD_END_DEPTH = 3  # syllables a completion held in the titles is taken on by to where a word ends (see _word_ends)
TITLE_TABLES = ("title_codes", "title_counts", "title_four_firsts", "title_fourths", "title_four_counts")  # saved
TITLE_END, TITLE_OTHER = 0, 1  # past the syllables' numbers: a stretch of title words ended, a word no syllable (see title_triples)
MIN_COMPOUND_DF = 2  # compounds in fewer articles are mostly segmentation noise
# of a saved Lexicon: another one is rebuilt (2: bodies sampled by id; 3: triples; 4: numbers; 5: pairs inside
# words; 6: the table of near syllables, saved: making it cost a first search 0.5 s at 179k articles;
# 7: the completions as the titles write them; 8: codes among the completions, looked up without their separators;
# 9: the compounds of 2-3 syllables, which glued words may spell; 10: the numbers and codes after two syllables or one;
# 11: the words after such a number or code, or after it and the word before it: bão số 9 đổ bộ;
# 12: the titles' three words in a row with no punctuation between; 13: and four: see title_triples)
LEXICON_FORMAT = 14  # 14: the pairs of words titles join by a hyphen
KEPT_FORMAT = 7  # of the segments' kept casing votes and runs (search.py): unchanged by formats 8-14
TITLE_WORDS_FORMAT = 13  # of the segments' kept title words: 12 the stretches punctuation parts, 13 hyphens
TITLE_RUNS_FORMAT = 10  # of the segments' kept title runs: numbers and codes beginning with a digit kept as themselves
TOKEN_MIN = 2  # titles a number or code is in for the counts to keep it as itself, and follows words in ("bão số 10")
TYPED_TOKEN_MIN = 2  # titles writing a number or code after the words typed for it to complete digits typed there
PAIR_CASING_MIN = 2  # times titles case two phrases in a row so for that casing to be theirs
HYPHEN_MIN = 2  # times titles join two words by a hyphen for completions to write them so
SENTENCE_ENDS = frozenset(".:!?…")  # the word after one is capitalised by its place
WORD_SPLIT_RE = re.compile(r"(\w+)")
APART_SHARE = 0.5  # share of a pair's times a word ends between its syllables for the second to begin a word there
WORD_EDGE_KEEP = 0.25  # share of a query edge's pair counted where it ends or begins a compound (0-1 compared)
NEW_WORD_SHARE = 0.25  # a query lists words and names: one may begin another at this share of its frequency (_begun_anew)
COOC_WEIGHT = 0.5  # weight of a reading's co-occurrence log-odds (Lexicon._cooccurrence) against its log-probability
COOC_ALPHA = 30.0  # articles of prior (the shared words' share of all articles) smoothing a reading's co-occurrence
COOC_PATHS = 8  # likeliest whole readings (of the k-best Viterbi, PAIR_PATHS) that co-occurrence chooses among
COOC_MARGIN = 4.0  # log-odds against the likeliest within which a reading is chosen among them
SURE_SHARE = 0.8  # of the pair counts of a syllable's readings with its neighbours, the share that makes its reading sure
NAME_SHARE = 4.0  # begun anew (or first), a name's first word counts this share of its frequency (NEW_WORD_SHARE a word's)
NAME_SYLLABLE_SHARE = 0.5  # of the titles holding a syllable, the share writing it capitalised in a name, at least (_name_syllables)
CAPITAL_COST = 2.0  # log-cost of a reading titles never capitalise, for a word the reader capitalised among lowercase ones
NUMBER = "#"  # the one syllable all numbers stand for in the Lexicon (no word is "#"): "thứ 6", "4 giây"
NUMBER_GLUED_RE = re.compile(r"([^\W\d_]{2,})(\d+)")  # a word glued to the number after it: số10, lớp12
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")  # a number as the analysis indexes it: 17, 1.000, 1,5
# a code's separator but after a digit: TP.HCM and TPHCM, U.23 and U23 are looked up alike; 5/6 not as 56
SEPARATOR_RE = re.compile(r"(?<!\d)[-./]")
SEPARATORS_RE = re.compile(r"[-./]")
CODE_TYPED_RE = re.compile(r"[-/]")  # a separator no number holds: a code (5/6, 28-NQ) is being typed, not a number
LETTER_SEPARATOR_RE = re.compile(r"(?<=[^\W\d_])([-./])(?=[^\W\d_])")  # VN-I, TP.H: not 5/6, U.23
DIGIT_SEPARATORS = str.maketrans("-.", "//")
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # what reading a damaged Lexicon raises


# ---------------------------------------------------------------- keystrokes

def place_tone(syllable: str, tone: str | None) -> str:
    """Put a Telex tone key (s f r x j, or None) on a toneless syllable, canonically."""
    at = tone_place(syllable) if tone else None
    if at is None:
        return syllable
    return canonical(unicodedata.normalize("NFC", syllable[:at + 1] + TONE_MARKS[tone] + syllable[at + 1:]))


def _horn(letters: list[str]) -> bool:
    """Apply Telex w / VNI 7 to the letters typed so far: uo -> ươ, else the last o or u."""
    run = [i for i, c in enumerate(letters) if c in VOWELS]
    if not run:
        return False
    last = run[-1]
    vowels = [i for i in run if last - i < 3 and all(letters[j] in VOWELS for j in range(i, last + 1))]
    word = "".join(letters)
    for i in vowels:
        after_q = word[:i].endswith("q")  # the u of qu is no vowel
        if letters[i] == "u" and i + 1 < len(letters) and letters[i + 1] in "oơ" and not after_q:
            letters[i], letters[i + 1] = "ư", "ơ"
            return True
    for i in reversed(vowels):
        if letters[i] in HORN and not (letters[i] == "u" and word[:i].endswith("q")):
            letters[i] = HORN[letters[i]]
            return True
    return False


def _mark(letters: list[str], table: dict) -> bool:
    """Apply a hat (â ê ô) or breve (ă) to the last vowel of the letters that takes it."""
    for i in range(len(letters) - 1, -1, -1):
        if letters[i] in table:
            letters[i] = table[letters[i]]
            return True
    return False


def _telex(word: str) -> tuple[list[str], str | None] | None:
    """Letters and tone key of a Telex word, or None when it cannot be one."""
    letters, tone = [], None
    for ch in word:
        vowel_seen = any(c in VOWELS for c in letters)
        if vowel_seen and ch in "sfrxjz":
            tone = None if ch == "z" else ch
        elif ch == "w":
            if letters and letters[-1] == "a":
                letters[-1] = "ă"
            elif not _horn(letters):
                letters.append("ư")
        elif ch == "d" and letters == ["d"]:
            letters[0] = "đ"
        elif ch in HAT and letters and letters[-1] == ch:
            letters[-1] = HAT[ch]
        elif ch.isalpha():
            letters.append(ch)
        else:
            return None
    return letters, tone


def _vni_mark(letters: list[str], digit: str) -> bool:
    """Apply a VNI vowel digit (6 hat, 7 horn, 8 breve, 9 đ); False when nothing takes it."""
    if digit == "6":
        return _mark(letters, HAT)
    if digit == "7":
        return _horn(letters)
    if digit == "8":
        return _mark(letters, {"a": "ă"})
    if digit == "9" and letters[:1] == ["d"]:
        letters[0] = "đ"
        return True
    return False


def _vni(word: str) -> tuple[list[str], str | None] | None:
    """Letters and tone of a VNI word (digits 1-9 after the letters they mark), or None; None too for
    two tone digits (0-5) in a row, a number typed, not a tone typed over (U20, U23: not u, ủ)."""
    letters, tone = [], None
    for ch, before in zip(word, " " + word):
        if ch in VNI_TONE_DIGITS and before in VNI_TONE_DIGITS:
            return None
        if ch.isalpha():
            letters.append(ch)
        elif ch in VNI_TONES and any(c in VOWELS for c in letters):
            tone = VNI_TONES[ch]
        elif ch == "0":
            tone = None
        elif not _vni_mark(letters, ch):
            return None
    return letters, tone


def decode_keystrokes(word: str) -> str | None:
    """The syllable a Telex or VNI word types ("nghij", "nghi5" -> "nghị"), or None."""
    lowered = word.lower()
    if not lowered.isascii() or not lowered.isalnum() or not lowered[:1].isalpha():
        return None
    decoded = _vni(lowered) if any(c.isdigit() for c in lowered) else _telex(lowered)
    if decoded is None:
        return None
    letters, tone = decoded
    bare = "".join(letters)
    if not SYLLABLE_SHAPE.fullmatch(bare):
        return None
    syllable = one_iy(place_tone(bare, tone))
    return syllable if syllable != one_iy(lowered) else None


def decode_query(text: str, frequency) -> str | None:
    """text with its keystroke words decoded ("nghij quyeets" -> "nghị quyết"), or None.

    frequency(word): in how many articles the index has a word. A word is decoded when the
    index lacks it as typed (or has it SURE_RATIO times less than decoded); a word the index
    has less often than decoded ("cos" for "có") only beside such a word; else it stays ("as").
    Beside words typed with marks (the input method was on), one such word alone is a slip
    ("điều tar" for "điều tra", not "điều tả"; "Cuxa") and stays; two or more are decoded.
    """
    sure, likely = {}, {}
    in_codes = _words_in_codes(text)
    for word in set(WORD_RE.findall(text)) - in_codes:
        decoded = decode_keystrokes(word)
        if decoded is None:
            continue
        typed, meant = frequency(canonical(word)), frequency(decoded)
        if meant and typed * SURE_RATIO < meant:
            sure[word] = decoded
        elif typed < meant and word.isalpha():  # an indexed word with digits is a code: U23
            likely[word] = decoded
    if not sure or len(sure) + len(likely) < 2 and not is_unaccented(text):
        return None
    chosen = {**likely, **sure}
    return WORD_RE.sub(lambda m: with_case_of(m.group(), chosen.get(m.group(), m.group())), text)


def _words_in_codes(text: str) -> set[str]:
    """The words inside the codes of text ("Tor-M1": tor, m1), which are never respelled."""
    return {w for code in codes_in(text) for w in WORD_RE.findall(code)}


def _plainly_cased(typed: str, word: str) -> str:
    """word in the casing of typed when that is lowercase, capitalised or all capitals, else
    capitalised: the reader pressed shift for the word, and a slip moved the capital (uHy: Huy)."""
    plain = typed.islower() or typed.isupper() or typed[:1].isupper() and typed[1:].islower()
    return with_case_of(typed, word) if plain else word[:1].upper() + word[1:].lower()


def with_case_of(typed: str, word: str) -> str:
    """word in the letter case of typed: letter for letter when as long ("QD-TTg" -> "QĐ-TTg"),
    else "HA NOI" -> upper, "Ha" -> capitalised."""
    if len(typed) == len(word):
        return "".join(w.upper() if t.isupper() else w for t, w in zip(typed, word))
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _initials_in_codes(text: str) -> set[str]:
    """The words of text's codes that are initials ("NQ", "TU" of "28-NQ/TU"; "TTg": two capitals
    first; any word of a code holding a number: "nq", "tu" of "28-nq/tu") or the name of a numbered
    code ("Covid" of "Covid-19"), lowercase and folded; not the words a slash or hyphen only joins
    ("USD/thùng", "Nga-Mỹ")."""
    kept = set()
    for code in codes_in(text):
        numbered_code = any(w.isdigit() for w in WORD_RE.findall(code))  # a document's code in any case
        for word in WORD_RE.finditer(code):
            numbered = NUMBERED_RE.match(code, word.start())
            if word.group()[:2].isupper() or (numbered_code and not word.group().isdigit()) or (numbered and numbered.group(1) == word.group()):
                kept.add(fold(canonical(word.group().lower())))
    return kept


def _initials_reading(typed: str, read: str) -> str:
    """The reading of initials: as typed but for d read as đ, the one initial with a mark
    ("ND-CP" -> "NĐ-CP", but "NQ/TU" stays)."""
    typed = typed.lower()
    return read if read.replace("đ", "d") == typed else typed


def _with_words(text: str, words: dict[int, str]) -> str:
    """text with its words at these places (counted in WORD_RE's words) replaced, in their letter case."""
    place = iter(range(len(text)))
    return WORD_RE.sub(lambda m: with_case_of(m.group(), words.get(next(place), m.group())), text)


def _capitalised_among_lowercase(text: str) -> list[bool]:
    """For each word of text, whether the reader capitalised it (a capital, then lowercase letters) where
    a query's first word or a sentence's is not, in a query holding a word typed lowercase too: a name
    ("du hoc Uc"), not a Title Cased query's or a heading's capitals."""
    words = list(WORD_RE.finditer(text))
    if not any(m.group()[:1].islower() for m in words):
        return [False] * len(words)
    return [n > 0 and m.group()[:1].isupper() and m.group()[1:] == m.group()[1:].lower()
            and text[:m.start()].rstrip()[-1:] not in SENTENCE_ENDS for n, m in enumerate(words)]


def has_operators(text: str) -> bool:
    """Whether a query uses the query language (quotes, title:, -word, OR, AND, NOT): its operands
    are understood one by one (search.understand_query)."""
    return bool(OPERATORS_RE.search(text))


def is_unaccented(text: str) -> bool:
    """Whether a query has letters but no Vietnamese diacritics (nor đ)."""
    return any(c.isalpha() for c in text) and fold(text) == text


@lru_cache(maxsize=1)
def vietnamese_syllables() -> frozenset[str]:
    """The syllables of pyvi's word list (31,157 words), canonical, and without their accents."""
    syllables = pyvi_syllables()
    return frozenset(syllables | {fold(s) for s in syllables})  # "viet" is việt's; "biệt" no more than itself


def foreign_word(word: str) -> bool:
    """Whether a word (without accents) is one of pyvi's list with a vowel but not spelled as a Vietnamese
    syllable: its shape (SYLLABLE_SHAPE) or the spelling of k, gh and ngh before e, i, y (c, g, ng elsewhere)
    is not Vietnamese: the loanwords of the list (ceo, video, taxi), typed as meant, never a slip."""
    spelled = SYLLABLE_SHAPE.fullmatch(word) and not MISSPELLED_ONSET.match(word)
    return word in vietnamese_syllables() and bool(VOWEL_RE.search(word)) and not spelled  # cc, kt: a vowel dropped


FUNCTION_WORDS = Path(__file__).with_name("function_words.txt")


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The function words of indexer/function_words.txt, canonical: đã, và, của (from an MIT stopword list)."""
    lines = FUNCTION_WORDS.read_text("utf-8").splitlines()
    return frozenset(canonical(word) for line in lines if not line.startswith("#") for word in line.split())


# ---------------------------------------------------------------- abbreviations and codes

ABBREVIATIONS = Path(__file__).with_name("abbreviations.tsv")


def _form(text: str) -> tuple[str, ...]:
    """A spelling as search terms: one code (tp.hcm) or its canonical words (letters joined by hyphens,
    GD-ĐT, are words to the analysis, as GD&ĐT and GD - ĐT)."""
    text = text.strip()
    code = CODE_RE.fullmatch(text) and not HYPHENATED_RE.fullmatch(text)
    return (canonical(text),) if code else tuple(canonical(w) for w in WORD_RE.findall(text))


@lru_cache(maxsize=1)
def abbreviations() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Folded spelling -> the other spellings of the same thing, from abbreviations.tsv."""
    return {tuple(fold(t) for t in form): sorted(group - {form})
            for group in _abbreviation_groups() for form in group}


@lru_cache(maxsize=1)
def _abbreviation_groups() -> list[set[tuple[str, ...]]]:
    """The spellings of abbreviations.tsv as search terms (see _form), one set per thing they stand for."""
    groups = defaultdict(set)
    for line in ABBREVIATIONS.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            short, words = line.split("\t")
            groups[_form(words)].update([_form(short), _form(words)])
    return list(groups.values())


def is_abbreviation(word: str) -> bool:
    """Whether a word is a one-word spelling of abbreviations.tsv (CQĐT, HN; cqdt without its marks, not đn
    for DN): known, so never respelled."""
    word = canonical(word)
    spelled, folded = _one_word_spellings()
    return word in spelled or word == fold(word) and word in folded


@lru_cache(maxsize=1)
def _one_word_spellings() -> tuple[frozenset[str], frozenset[str]]:
    """The spellings of abbreviations.tsv that are one word, canonical (cqđt, hn) and without their marks (cqdt)."""
    spelled = frozenset(form[0] for group in _abbreviation_groups() for form in group if len(form) == 1)
    return spelled, frozenset(map(fold, spelled))


SYNONYMS = Path(__file__).with_name("synonyms.tsv")


class Written(tuple):
    """A query's words as written, accents counting (a synonym's), unlike the folded words an abbreviation stands for."""


@lru_cache(maxsize=1)
def synonyms() -> tuple[dict[tuple[str, ...], list[tuple[str, ...]]], tuple[tuple[str, ...], ...]]:
    """(canonical words -> the other spellings of their meaning, the phrases whose words keep their
    own meaning), from synonyms.tsv."""
    groups, kept = {}, []
    for line in SYNONYMS.read_text("utf-8").splitlines():
        if line.startswith("!"):
            kept.append(_form(line[1:]))
        elif line.strip() and not line.startswith("#"):
            forms = [_form(spelling) for spelling in line.split("\t")]
            groups.update({form: [other for other in forms if other != form] for form in forms})
    return groups, tuple(kept)


def kept_phrases(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The phrases of synonyms.tsv holding these words in which they keep their own meaning (heo hút of heo)."""
    return [phrase for phrase in synonyms()[1] if _holds(list(phrase), words)]


def synonym_spellings(text: str, reading: str | None = None) -> list[tuple[Written, tuple[str, ...]]]:
    """(the words as written, another spelling of their meaning) of each synonyms() spelling that the
    query holds with its accents (typed without them: as its reading spells them), except inside a
    phrase whose words keep their own meaning (heo hút)."""
    words = [canonical(w) for w in WORD_RE.findall(reading if reading and is_unaccented(text) else text)]
    groups, kept = synonyms()
    covered = {i + k for phrase in kept for i in _places(words, phrase) for k in range(len(phrase))}
    return [(Written(form), other) for form, others in groups.items()
            if any(covered.isdisjoint(range(i, i + len(form))) for i in _places(words, form)) for other in others]


@lru_cache(maxsize=1)
def _abbreviations_by_first() -> dict[str | None, list[tuple[int, tuple[str, ...]]]]:
    """The first term of each spelling of abbreviations() -> (its place there, the spelling)."""
    index = defaultdict(list)
    for place, spelling in enumerate(abbreviations()):
        index[spelling[0] if spelling else None].append((place, spelling))
    return dict(index)


def _spellings_from(firsts) -> list[tuple[str, ...]]:
    """The spellings of abbreviations() that start with one of firsts (or are empty), in its order:
    only those can be held by words or codes beginning so (the others need not be tried)."""
    index = _abbreviations_by_first()
    return [spelling for _, spelling in sorted(entry for first in {*firsts, None} for entry in index.get(first, ()))]


def _folded_codes(text: str) -> list[str]:
    """The codes of text (found with its letter case: TP.HCM of TP.HCM-Hà Nội), canonical and folded."""
    return [fold(canonical(code)) for code in codes_in(unicodedata.normalize("NFC", text))]


def _places(words: list[str], part: tuple[str, ...]) -> list[int]:
    """Where part begins among words."""
    n = len(part)
    return [i for i in range(len(words) - n + 1) if tuple(words[i:i + n]) == part]


def _holds(words: list[str], part: tuple[str, ...]) -> bool:
    """Whether part stands among words."""
    return bool(_places(words, part))


def variants(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Other spellings of the query's abbreviations and codes, each as (the spelling typed, folded;
    the other's terms): "UBND" -> (("ubnd",), ("ủy", "ban", "nhân", "dân")), "U 23" -> (("u", "23"),
    ("u23",)) (U23, U.23 and U-23 are one code for the analysis already)."""
    folded = fold(canonical(text))
    words, codes = WORD_RE.findall(folded), {(c,) for c in _folded_codes(text)}
    apart = WORD_RE.findall(CODE_RE.sub(" | ", folded))  # TP.HCM does not type "TP HCM", another spelling
    found = [(spelling, other) for spelling in _spellings_from([*words, *(c for c, in codes)])
             if spelling in codes or (len(spelling) > 1 or spelling[0] not in codes) and _holds(words, spelling)
             for other in abbreviations()[spelling]]
    found.sort(key=lambda pair: pair[0] not in codes)  # a code typed is what its other spellings stand in for
    found += [((a, b), (a + b,)) for a, b in SPACED_CODE_RE.findall(folded)]
    if not is_pasted(text):  # pasted text quotes an article: its dates stand as written there
        found += [((c,), (other,)) for c, in codes for other in date_spellings(c)]

    def typed(form: tuple[str, ...]) -> bool:
        key = tuple(fold(t) for t in form)
        return key in codes or _holds(words if len(key) == 1 else apart, key)

    first_typed: dict[tuple[str, ...], tuple[str, ...]] = {}
    for spelling, other in found:
        if not typed(other):
            first_typed.setdefault(other, spelling)
    return [(spelling, other) for other, spelling in first_typed.items()]


def glued_spellings(text: str) -> list[tuple[tuple[str], tuple[str, str]]]:
    """The spaced spelling of each word or code of letters joined to a number, as (its term, folded:
    Su-30's is su30; its letters and number): "iphone7" -> (("iphone7",), ("iphone", "7")), found in "iPhone 7";
    Su-30 in "Su -30" (U 23 is u23's already)."""
    words = [*WORD_RE.findall(canonical(text)), *map(canonical, codes_in(unicodedata.normalize("NFC", text)))]
    return list(dict.fromkeys(((fold("".join(n.groups())),), n.groups()) for w in words if (n := NUMBERED_RE.fullmatch(w))))


def _paired_words(text: str, reading: str | None) -> tuple[list[str], list[str]]:
    """(text's words, the reading's words), each canonical (lowercase, NFC, new tone placement)."""
    return WORD_RE.findall(canonical(text)), [canonical(w) for w in WORD_RE.findall(reading or "")]


def _respellings(text: str, reading: str | None) -> tuple[list[str], list[str], list[int]]:
    """(text's folded words, the reading's words, where the reading spells a word otherwise: other
    letters, or other accents on a word typed with accents)."""
    words, read = _paired_words(text, reading)
    typed = [fold(w) for w in words]
    if len(typed) != len(read):
        return typed, read, []
    return typed, read, [i for i, (w, a, b) in enumerate(zip(words, typed, read))
                         if a != fold(b) or (w != a and w != b)]


def decoded_respelled(typed: str, decoded: str, reading: str | None) -> str | None:
    """decoded (a query's keystrokes decoded) with each word the keystrokes made that the reading
    spells with other letters replaced by the reading's ("tai naj": nạ, read nạn), or None when none."""
    typed_words, decoded_words = WORD_RE.findall(canonical(typed)), WORD_RE.findall(canonical(decoded))
    if len(typed_words) != len(decoded_words):
        return None
    folded, read, changed = _respellings(decoded, reading)
    meant = {i: read[i] for i in changed if typed_words[i] != decoded_words[i] and folded[i] != fold(read[i])}
    return _with_words(decoded, meant) if meant else None


def respelled_forms(text: str, reading: str) -> list[tuple[str, ...]]:
    """The pairs of neighbouring words of a reading of text around the words it spells
    otherwise (a typo that made another word), as search terms: looked up besides text's own."""
    _, read, changed = _respellings(text, reading)
    return list(dict.fromkeys(tuple(read[j:j + 2]) for i in changed for j in (i - 1, i) if 0 <= j < len(read) - 1))


def meant_words(text: str, reading: str) -> list[tuple[str]]:
    """The words of a reading of text that spell its words otherwise, each as a search term."""
    _, read, changed = _respellings(text, reading)
    return [(read[i],) for i in changed]


def respelled(text: str, reading: str | None = None) -> set[str]:
    """The query's folded words and codes that other spellings may stand for: those of the
    abbreviations and synonyms it holds, its codes (a numbered one's term too: u23 of U.23), its words
    with digits and the words the reading proposed
    spells otherwise (so that an article holding the reading holds them too)."""
    folded = fold(canonical(text))
    words, codes = WORD_RE.findall(folded), _folded_codes(text)
    held = [s for s in _spellings_from([*words, *codes]) if _holds(words, s) or s[0] in codes]
    return ({t for s in held for t in s} | set(codes) | {w for w in words if any(c.isdigit() for c in w)}
            | mistyped(text, reading) | {fold(t) for typed, _ in synonym_spellings(text, reading) for t in typed}
            | {term for (term,), _ in glued_spellings(text)})


def _name_words(typed: list[str]) -> list[bool]:
    """Which words typed are capitalised without marks among marked words in lowercase, apart from
    any capitalised marked word: a foreign or unaccented name ("U vụ De": De, not Để), the first
    word aside (a headline's, a sentence's capital says nothing)."""
    named = [w[:1].isupper() and w != fold(w) for w in typed]
    return [i > 0 and w[:1].isupper() and w == fold(w) and not any(named[max(i - 1, 0):i + 2])
            for i, w in enumerate(typed)]


def _kept_as_typed(typed: list[str], read: list[str], kept: list[bool], reading: str) -> str:
    """The reading (its words read, aligned with the words typed) with the kept words as typed."""
    words = iter(w if keep else r for w, r, keep in zip(typed, read, kept))
    return WORD_RE.sub(lambda m: next(words), reading)


def _capitalised_runs(typed: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of words typed capitalised without marks (Ha Noi, Kim Jong Un)."""
    runs, start = [], None
    for i, word in enumerate([*typed, ""]):
        if word[:1].isupper() and word == fold(word):
            start = i if start is None else start
        elif start is not None:
            runs.append((start, i))
            start = None
    return runs


def unmarked(word: str) -> bool:
    """Whether a word is letters typed without marks (park, hang; not hàng, u23)."""
    return word.isalpha() and fold(word) == word


def _titled(word: str) -> bool:
    """Whether a word is written as a name is: a capital, then lowercase letters (Park, Hà; not HLV, A)."""
    return word.isalpha() and word[:1].isupper() and word[1:].islower()


def _name_groups(text: str) -> tuple[list[tuple[list[int], list[int]]], set[int]]:
    """([(places, among WORD_RE's words, of two or more words in a row that may make one name: each
    joined to the next by a hyphen (Jong-un) or by spaces, both capitalised (Park Hang Seo) or, in text
    typed in lowercase, both typed without marks (park hang seo); the places i a hyphen joins to i + 1)],
    the places i side by side with i + 1: spaces or a hyphen between) of text. The initials of a code
    (ND-CP) make none."""
    spans, initials = list(WORD_RE.finditer(text)), _initials_in_codes(text)
    groups, hyphens, beside = [[0]] if spans else [], [], set()
    spaced = unmarked if text == text.lower() else _titled
    for i, (a, b) in enumerate(zip(spans, spans[1:])):
        between, words = text[a.end():b.start()], (a.group(), b.group())
        hyphen = between == "-" and all(w.isalpha() for w in words)
        joined = (hyphen or (between.isspace() and all(map(spaced, words)))) \
            and not any(fold(canonical(w.lower())) in initials for w in words)
        groups[-1] += [i + 1] if joined else []
        groups += [] if joined else [[i + 1]]
        hyphens += [i] if hyphen and joined else []
        beside |= {i} if between == "-" or between.isspace() else set()
    return [(g, [i for i in hyphens if i in g]) for g in groups if len(g) > 1], beside


def accents_added(text: str, reading: str | None) -> set[str]:
    """The words of a query typed partly with accents that it typed without and the reading
    accents (the same letters: "noi" of "Hà Noi" read "Hà Nội"), lowercase; none for a query
    typed without accents at all (its every word is read)."""
    words, read = _paired_words(text, reading)
    if len(words) != len(read) or all(w == fold(w) for w in words):
        return set()
    return {w for w, r in zip(words, read) if w == fold(w) and r != w and fold(r) == w}


def mistyped(text: str, reading: str | None) -> set[str]:
    """The query's folded words that the reading proposed spells otherwise (likely typos)."""
    typed, _, changed = _respellings(text, reading)
    return {typed[i] for i in changed}


# ---------------------------------------------------------------- edit distance

@lru_cache(maxsize=1 << 16)
def _marks(word: str) -> str:
    """The tone and vowel marks of a word (đ's bar too), sorted."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d\u0335"))
    return "".join(sorted(c for c in decomposed if unicodedata.combining(c)))


def typo_distance(typed: str, syllable: str, bound: int, letters: int | None = None) -> int:
    """Edits from typed to syllable: letters moved, added, dropped or changed (letters, when
    already known), plus marks added, dropped or changed (one edit each), unless the letter
    bearing them was changed and no other mark was typed (đvu -> đấu: one edit); capped at bound+1."""
    if letters is None:
        letters = edit_distance(fold(typed), fold(syllable), bound)
    marks_a, marks_b = _marks(typed), _marks(syllable)
    if marks_a == marks_b:
        return letters
    if letters < bound:
        marks = max(_unmatched(marks_a, marks_b), _unmatched(marks_b, marks_a))
        if letters + marks <= bound:
            return letters + marks
    if set(marks_a) - set(marks_b):  # a mark typed that the syllable lacks was not lost with a letter
        return bound + 1
    return min(edit_distance(typed, syllable, bound), bound + 1)


def _affixed(typed: str, syllable: str) -> bool:
    """Whether one of two words is the other with two letters or more added at one end (unboxing and
    boxing, streamer and stream): a word of its own, an affix, not a slip of the keys."""
    short, long = sorted((typed, syllable), key=len)
    return len(long) - len(short) >= 2 and (long.startswith(short) or long.endswith(short))


def marks_left_off(typed: str, syllable: str, letters: int) -> bool:
    """Whether a syllable has marks that the letters edited to type it as typed (without marks)
    do not account for: "phcu" left off the marks of "phúc"; "phc" lost them with its ú."""
    return bool(_marks(syllable)) and edit_distance(typed, syllable, letters) > letters


def _unmatched(a: str, b: str) -> int:
    """How many of a's characters b lacks, repeats counted (Counter(a) - Counter(b), summed)."""
    rest, missing = list(b), 0
    for c in a:
        if c in rest:
            rest.remove(c)
        else:
            missing += 1
    return missing


def _key_position(letter: str) -> tuple[float, float] | None:
    row = next((r for r, keys in enumerate(KEYBOARD) if letter in keys), None)
    return None if row is None else (row, KEYBOARD[row].index(letter) + row / 2)


@lru_cache(maxsize=None)
def keys_near(a: str, b: str) -> bool:
    """Whether two letters are the same key or neighbours on a QWERTY keyboard."""
    pa, pb = _key_position(a), _key_position(b)
    return pa is not None and pb is not None and abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def letter_edit(typed: str, meant: str) -> float:
    """The weight of the one letter edit that makes meant typed (both without accents): a letter
    left out or two swapped weigh 1, one added or changed KEY_EDIT when its key is next to the
    one meant (or to its neighbours'), else LETTER_EDIT."""
    if len(typed) < len(meant):
        return 1.0
    i = next((i for i, (x, y) in enumerate(zip(typed, meant)) if x != y), len(meant))
    if len(typed) == len(meant):
        if typed[i:i + 2] == meant[i:i + 2][::-1] and typed[i + 2:] == meant[i + 2:]:
            return 1.0
        return KEY_EDIT if keys_near(typed[i], meant[i]) else LETTER_EDIT
    beside = typed[i - 1:i] + typed[i + 1:i + 2]
    return KEY_EDIT if any(keys_near(typed[i], c) for c in beside) else LETTER_EDIT


def edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), capped at bound+1."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    if bound == 1:
        return _one_edit(a, b)
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return min(prev[-1], bound + 1)


def _one_edit(a: str, b: str) -> int:
    """edit_distance(a, b, 1) without the table (the common case, ten times faster)."""
    if a == b:
        return 0
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if len(a) != len(b):
        shorter, longer = (a, b) if len(a) < len(b) else (b, a)
        return 1 if shorter[i:] == longer[i + 1:] else 2
    swapped = a[i + 1:i + 2] == b[i:i + 1] and a[i:i + 1] == b[i + 1:i + 2] and a[i + 2:] == b[i + 2:]
    return 1 if a[i + 1:] == b[i + 1:] or swapped else 2


def _deletions(word: str, depth: int) -> set[str]:
    """word with up to depth letters removed (word itself included)."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _weighed(typed: str, meant: str, letters: int, distance: int) -> float:
    """The weight of distance edits from meant to typed, letters of them on the letters."""
    if letters == 0:
        return MARK_EDIT * distance
    return letter_edit(typed, meant) if distance == 1 else float(distance)


def _vietnamese(parts) -> bool:
    """Whether each of the folded parts has the shape of a Vietnamese syllable."""
    return all(SYLLABLE_SHAPE.fullmatch(part) for part in parts)


def _pieces(word: str, cuts: tuple[int, ...]) -> list[str]:
    """word cut at the places cuts (ascending): hồchíminh, (2, 5) -> hồ, chí, minh."""
    return [word[a:b] for a, b in zip((0, *cuts), (*cuts, len(word)))]


def _word_splits(word: str, readings: dict):
    """The ways to cut a folded word into 2 or 3 words that readings holds: syllables of Vietnamese
    shape, or words of 3 letters or more (worldcup: world, cup; not boost: bo, o, st, nor tnmt: tn, mt)."""
    n = len(word)
    cuts = [(i,) for i in range(1, n)] + [(i, j) for i in range(1, n) for j in range(i + 1, n)]
    for cut in cuts:
        parts = _pieces(word, cut)
        if all(part in readings for part in parts) and (min(map(len, parts)) > 2 or _vietnamese(parts)):
            yield parts


def _number_off(word: str) -> tuple[str, list[str]]:
    """(a word's letters, [the number glued after them] or []): worldcup2018 -> (worldcup, [2018])."""
    glued = NUMBER_GLUED_RE.fullmatch(word)
    return (glued.group(1), [glued.group(2)]) if glued else (word, [])


def _vowelless(word: str) -> bool:
    """Whether a folded word has no vowel: an abbreviation (csgt, xsmb), no syllable."""
    return not any(letter in VOWELS for letter in word)


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word: none under 3 letters, one, two from 8 letters."""
    return 0 if len(word) < 3 else 1 if len(word) < 8 else 2


# ---------------------------------------------------------------- lexicon

def is_syllable(term: str) -> bool:
    """Whether an index term is a syllable the Lexicon counts: letters only, tone marks canonical."""
    return term.isalpha() and term == canonical(term)


def is_title_token(term: str) -> bool:
    """Whether an index term is a number or a code beginning with a digit (10, 1.000, 1a), which the
    title runs count as itself."""
    return bool(NUMBER_RE.fullmatch(term)) or term[:1].isdigit() and term.isalnum()


def _title_tokens(titles) -> list[str]:
    """The numbers and codes beginning with a digit of TOKEN_MIN titles or more, most frequent first."""
    counts = Counter()
    for term, df in titles:
        if is_title_token(term):
            counts[term] += df
    return sorted((t for t, n in counts.items() if n >= TOKEN_MIN), key=lambda t: (-counts[t], t))


def run_digits(codes: np.ndarray, base: int, order: int) -> np.ndarray:
    """The digits over base of runs' codes, an (order, runs) array, the first term first."""
    digits, codes = [], np.asarray(codes, dtype=np.int64)
    for _ in range(order):
        codes, digit = np.divmod(codes, base)
        digits.append(digit)
    return np.array(digits[::-1], dtype=np.int64).reshape(order, -1)


def runs_coded(digits: np.ndarray, base: int) -> np.ndarray:
    """The codes over base of the runs whose digits (see run_digits) are given."""
    codes = np.zeros(digits.shape[1], dtype=np.int64)
    for digit in digits:
        codes = codes * base + digit
    return codes


def summed_runs(codes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted and distinct, counts) with the counts of the same code summed."""
    found, where = np.unique(codes, return_inverse=True)
    return found, np.bincount(where.ravel(), weights=counts, minlength=len(found))


def _merged(runs: tuple, more: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Runs (codes, sorted and distinct, counts) with more (the same) added: their counts where
    the runs have their codes, else inserted in order (no sort of them all)."""
    (codes, counts), (extra, added) = runs, more
    at = np.searchsorted(codes, extra)
    held = np.zeros(len(extra), dtype=bool)
    held[at < len(codes)] = codes[at[at < len(codes)]] == extra[at < len(codes)]
    counts = np.asarray(counts, dtype=np.float64).copy()
    np.add.at(counts, at[held], added[held])
    return np.insert(codes, at[~held], extra[~held]), np.insert(counts, at[~held], added[~held])


def _tokens_apart(runs, tokens: list[str], top: list[str], size: int) -> tuple[tuple, tuple, tuple]:
    """Adjacent runs (see Lexicon.build: pairs, triples; sorted codes) over the top syllables and
    then the tokens, as (the same runs, numbers among the tokens counted as NUMBER and codes left
    out, as before the tokens were counted apart), (the runs ending with a token: codes
    context * len(tokens) + token, the syllables before it over size, and counts) and (the runs
    whose word before the last is a token, each word over the syllables then the tokens: see
    _after_tokens)."""
    number, base = top.index(NUMBER) if NUMBER in top else -1, len(top) + len(tokens)
    as_syllable = np.r_[np.arange(len(top)), [number if NUMBER_RE.fullmatch(t) else -1 for t in tokens]]
    apart, ending, after_token = [], [], []
    for order, (codes, counts) in zip((2, 3), runs):
        digits = run_digits(codes, base, order)
        counts = np.asarray(counts, dtype=np.float64)
        plain = (digits < len(top)).all(axis=0)  # most runs: kept as they are
        read = as_syllable[digits[:, ~plain]].astype(np.int64)
        whole = (read >= 0).all(axis=0)
        folded = summed_runs(runs_coded(read[:, whole], base), counts[~plain][whole])
        apart.append(_merged((np.asarray(codes)[plain], counts[plain]), folded))
        ends = (digits[-1, ~plain] >= len(top)) & (read[:-1] >= 0).all(axis=0)
        context = runs_coded(read[:-1, ends], size) * len(tokens) + digits[-1, ~plain][ends] - len(top)
        found, times = summed_runs(context, counts[~plain][ends])
        ending.append((found, times.astype(np.float32)))
        after_token.append(_after_tokens(digits[:, ~plain], counts[~plain], len(top), size - len(top),
                                         size + len(tokens)))
    return tuple(apart), tuple(ending), tuple(after_token)


def _after_tokens(digits: np.ndarray, counts: np.ndarray, top: int, shift: int, base: int) -> tuple:
    """The runs (digits over the top syllables then the tokens, see run_digits; counts) with a token
    before their last word (bão số 9 đổ bộ: số 9 đổ, 9 đổ, 9 đổ bộ), their words renumbered over all the
    Lexicon's syllables then the tokens (a token's number moved by shift; base of them in all):
    (codes, sorted, counts)."""
    chosen = (digits[:-1] >= top).any(axis=0)
    joint = np.where(digits[:, chosen] >= top, digits[:, chosen] + shift, digits[:, chosen])
    found, times = summed_runs(runs_coded(joint, base), counts[chosen])
    return found, times.astype(np.float32)


def _syllables_and_compounds(terms) -> tuple[dict[str, int], dict[str, int]]:
    """Document frequencies of the syllables, and of the pyvi compounds in MIN_COMPOUND_DF articles or more."""
    freq, compounds = defaultdict(int), defaultdict(int)
    for term, df in terms:  # a term comes once per segment holding it: summed before any threshold
        if "_" not in term:
            if is_syllable(term):
                freq[term] += df
            elif NUMBER_RE.fullmatch(term):
                freq[NUMBER] += df
        else:
            compounds[term] += df
    return {s: df for s, df in freq.items() if df}, {c: df for c, df in compounds.items() if df >= MIN_COMPOUND_DF}


def _compound_pairs(compounds: dict[str, int]) -> dict[tuple[str, str], int]:
    """Document frequencies of the adjacent pairs inside compounds."""
    pairs = defaultdict(int)
    for term, df in compounds.items():
        parts = term.split("_")
        for a, b in zip(parts, parts[1:]):
            pairs[a, b] += df
    return pairs


def _compound_code(numbers, size: int) -> int:
    """One code of a run of 2-3 syllable numbers (of size syllables), distinct for every run of any length."""
    code = 0
    for n in numbers:
        code = code * (size + 1) + int(n) + 1
    return code


def _compound_table(compounds: dict[str, int], number: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(codes, sorted, document frequencies) of the compounds of 2-3 syllables (see _compound_code)."""
    found = [(_compound_code([number[p] for p in parts], len(number)), df) for parts, df in
             ((term.split("_"), df) for term, df in compounds.items())
             if len(parts) <= 3 and all(p in number for p in parts)]
    codes = np.array([c for c, _ in found], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    return codes[order], np.array([df for _, df in found], dtype=np.float32)[order]


def _of_this_format(saved) -> bool:
    """Whether a saved Lexicon (np.load's) is of LEXICON_FORMAT."""
    return saved["format"].tolist() == [LEXICON_FORMAT]


def blob(strings: list[str]) -> np.ndarray:
    """Strings (without newlines) as one array of UTF-8 bytes, for np.savez."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def unblob(data: np.ndarray) -> list[str]:
    """The strings of a blob (see blob)."""
    text = data.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _completion_table(titles, written=(), votes=None) -> tuple[list[str], list[str], np.ndarray, list[str],
                                                               dict[str, str]]:
    """Title words and pyvi words (nghị quyết), sorted without accents, with their counts; as the
    titles as written (written, or votes: see _title_casings) case them, and pairs of them."""
    counts = defaultdict(int)
    for term, df in titles:
        phrase = term.replace("_", " ")
        if df and (phrase.replace(" ", "").isalnum() or _as_code(phrase)) and phrase == canonical(phrase):
            counts[phrase] += df
    entries = sorted((completion_key(p), p, df) for p, df in counts.items()
                     if df >= MIN_COMPOUND_DF or " " not in p)  # single words: all of them
    phrases = [phrase for _, phrase, _ in entries]
    return ([key for key, _, _ in entries], phrases, np.array([df for _, _, df in entries], dtype=np.int64),
            *_title_casings(written, phrases, votes))


def _iy_spelled_typed(typed: str, whole: bool) -> str:
    """A prefix being typed with its words' i and y spelled as the titles' (iy_spelled): the last one too
    when typed whole or spelled with y (sy: si), not with i (ki may still become kinh)."""
    head, space, last = typed.rpartition(" ")
    respelled = iy_spelled(last)
    return iy_spelled(head) + space + (respelled if whole or fold(last).lower().endswith("y") else last)


def spelled_as_typed(typed: str, text: str | None, prefix: bool = False) -> str | None:
    """text (a query as read; prefix: a completion of one being typed) with each word typed in the other
    spelling of i or y than the terms' spelled as typed (hi hung: "hí hửng", not the terms' "hý hửng"; ti vi:
    "ti vi …", not "ty vi …"), where its words are those typed one for one (prefix: its first ones)."""
    words = WORD_RE.findall(typed)
    if not text or not prefix and len(words) != len(WORD_RE.findall(text)):
        return text
    typed_words = iter(words)
    return WORD_RE.sub(lambda m: _typed_spelling(next(typed_words, ""), m.group()), text)


def _typed_spelling(typed: str, written: str) -> str:
    """written in the spelling of i or y of the word typed for it, where only that differs (ti: tỉ, not tỷ)."""
    letters = fold(typed).lower()
    if not typed or letters == fold(written).lower():
        return written
    spelled = [s for s in iy_spellings(written.lower()) if fold(s) == letters]
    return with_case_of(written, spelled[0]) if spelled else written


def completion_key(text: str) -> str:
    """The folded text completions are looked up by: a code's separators dropped but after a digit,
    where they are all "/" (a date's spellings: 5/6, 5-6, 5.6; 28-NQ/TW: 28/nqtw)."""
    return SEPARATOR_RE.sub("", fold(text)).translate(DIGIT_SEPARATORS)


def _respelled(phrase: str, typed: str) -> str | None:
    """A code completing typed (a code or word being typed, canonical), with the separators typed
    where the reader put them and its own after them (U.2: u23 as u.23; TPH: tp.hcm), or None
    where they differ but in a date (5-: 5-6 of 5/6, its later ones alike; not 5-000 of 5.000) or
    typed has one elsewhere that phrase has not, but between letters and digits (U.2: U23 as U.23,
    as NUMBERED_RE reads them alike; TP.: not TPBank), or goes on past it."""
    out, at, date, chosen = [], 0, bool(date_spellings(phrase)), ""
    for n, char in enumerate(phrase):
        sep = typed[at] if at < len(typed) and typed[at] in "-./" else ""
        if char in "-./":
            if sep and sep != char and not date:
                return None
            chosen = sep or chosen if date else ""
            out.append(chosen or char)
            at += bool(sep)
            continue
        if sep and not (n and phrase[n - 1].isalpha() and char.isdigit()):
            return None
        out.append(sep + char)
        at += bool(sep) + (at + bool(sep) < len(typed))
    return "".join(out) if at >= len(typed) else None


def _spelled_as_typed(phrase: str, typed: str) -> str | None:
    """A title phrase completing typed, a code's separators as typed (see _respelled); None for
    words after a word typed with a separator (a.: not "an toàn")."""
    if " " in typed or not SEPARATORS_RE.search(phrase + typed):
        return phrase
    return None if " " in phrase else _respelled(phrase, typed)


def _separators_to_type(key: str, found: str) -> bool:
    """Whether a completion's key (found) has a separator still to type after the digits typed
    (key, see completion_key): no number or code so completes them (14: not 14/6)."""
    return key[-1:].isdigit() and "/" not in key and "/" in found[len(key):]


def _as_code(phrase: str) -> bool:
    """Whether a title term is a code to complete: no word of it with marks but đ's (TP.Hà of
    TP.Hà Tĩnh is a name the analysis reads as one)."""
    plain = phrase.replace("đ", "d")
    return bool(CODE_RE.fullmatch(phrase)) and fold(plain) == plain


def _last_syllable(word: str) -> str:
    """A word, or a code's last part as the Lexicon counts it (TP.HCM: hcm; U23: #, NUMBER); a number
    stays a number, no syllable (what follows a number typed is too little said by numbers' neighbours)."""
    if word.isalpha() or NUMBER_RE.fullmatch(word) or not CODE_RE.fullmatch(word) and not NUMBERED_RE.fullmatch(word):
        return word
    last = code_parts(word)[-1]
    return NUMBER if last.isdigit() else last


def _goes_on_whole(completion: str, text: str) -> bool:
    """Whether a completion (canonical) spells text (canonical) word for word, the accents of each
    word typed with them (nghị quyết of "nghi quyet", "hà nội công bố" of "ha noi"; not "nghị
    quyết" of "nghi quy", "ống" of "ông")."""
    words, typed = completion.split(), text.split()
    return len(words) >= len(typed) and all(w == t or t == fold(t) and fold(w) == t for w, t in zip(words, typed))


def _beginning_with(codes: np.ndarray, first: int, size: int) -> np.ndarray:
    """The places in sorted codes (first * size + last) of those whose first part is first."""
    return np.arange(*np.searchsorted(codes, [first * size, (first + 1) * size]))


def _after(table: tuple, context: int, names: list[str]) -> tuple[list[str], np.ndarray]:
    """The names counted right after context in a table of runs (codes context * len(names) +
    name, sorted; counts), and their counts."""
    codes, counts = table
    found = _beginning_with(codes, context, len(names))
    named = (np.asarray(codes[found]) % max(len(names), 1)).tolist()
    return [names[n] for n in named], np.asarray(counts[found], dtype=np.float64)


def _alone_rescored(scored: dict[str, float]) -> dict[str, float]:
    """scored (title phrases after some words), each syllable alone scored by the times it goes on as
    none of those beginning with it (U15 quốc: not its times in "quốc tế", "quốc gia"), and left out
    where they take WORD_PIECE of its times ("giá vàng hôm nay", not "giá vàng hôm")."""
    taken: dict[str, dict[str, float]] = defaultdict(dict)
    for phrase, value in scored.items():
        words = phrase.split()
        if len(words) > 1:  # phrases sharing a second syllable share their times: the likeliest counts
            taken[words[0]][words[1]] = max(value, taken[words[0]].get(words[1], 0.0))
    alone = {word: scored[word] - sum(taken[word].values()) for word in taken if word in scored}
    return {p: alone.get(p, v) for p, v in scored.items() if alone.get(p, v) > (1 - WORD_PIECE) * v}


def _times_of(words: list[str], counted: list[str], times: np.ndarray) -> tuple[np.ndarray, float]:
    """(the times of each of words among those counted, all the times counted): see Lexicon._counting."""
    found = dict(zip(counted, times.tolist()))
    return np.array([found.get(w, 0.0) for w in words], dtype=np.float64), max(float(times.sum()), 1.0)


def _function_words_only(phrase: str) -> bool:
    """Whether every word of a phrase is a function word (see function_words: "đã", "và các")."""
    return all(word in function_words() for word in phrase.split())


def _first_unique(items, limit: int) -> list:
    """The first limit distinct items that are not None, in their order."""
    found = {}
    for item in items:
        if item is not None:
            found[item] = None
            if len(found) == limit:
                break
    return list(found)


def _title_words(title: str) -> tuple[list[str], list[str], list[bool]]:
    """Each word of a title as written (with canonical tone marks), canonical, and whether it
    begins a sentence; no words of a title in capitals (its casing says nothing)."""
    return _title_pieces(title)[:3]


def _title_pieces(title: str) -> tuple[list[str], list[str], list[bool], list[bool], list[bool]]:
    """_title_words of a title, whether each word begins a stretch of words with no punctuation
    between them (the title's first, one after a colon, a comma, a dash or a quote), and whether a
    hyphen alone joins it to the word before, both of letters (Jong-un, V-League; not U-23)."""
    title = plain_text(title)[0]  # as the analysis reads it: Biển Ðông's Ð as Đ
    if title.isupper():
        return [], [], [], [], []
    pieces = WORD_SPLIT_RE.split(title)  # what is before each word, the word, ..., what ends the title
    words, before = pieces[1::2], pieces[0:-1:2]
    lowered = [canonical(w) for w in words]
    written = [w if w == low else with_case_of(w, low) for w, low in zip(words, lowered)]
    return written, lowered, [k == 0 or not SENTENCE_ENDS.isdisjoint(gap) for k, gap in enumerate(before)], \
        [k == 0 or bool(gap.strip()) for k, gap in enumerate(before)], \
        [k > 0 and gap == "-" and words[k - 1].isalpha() and words[k].isalpha() for k, gap in enumerate(before)]


def title_word_arrays(titles) -> dict[str, np.ndarray]:
    """The words of titles as the casing votes read them (see _title_words), as arrays to keep:
    each word as written and canonical (blobs), whether it begins a sentence, whether it begins a
    stretch without punctuation and whether a hyphen joins it to the one before (see _title_pieces),
    the words per title."""
    written, lowered, begins, apart, hyphened, counts = [], [], [], [], [], []
    for title in titles:
        words, low, first, alone, joined = _title_pieces(title)
        written += words
        lowered += low
        begins += first
        apart += alone
        hyphened += joined
        counts.append(len(words))
    return {"written": blob(written), "lowered": blob(lowered), "begins": np.array(begins, dtype=bool),
            "apart": np.array(apart, dtype=bool), "hyphened": np.array(hyphened, dtype=bool),
            "counts": np.array(counts, dtype=np.int64)}


def counting_hyphens(stretches, joined: Counter):
    """stretches (see TitleWords.live_stretches) as they are, counting in joined as they pass the pairs
    of canonical title words ("a\tb") a hyphen joins."""
    for words, apart, hyphened in stretches:
        joined.update(f"{words[k - 1]}\t{words[k]}" for k in np.flatnonzero(hyphened).tolist())
        yield words, apart, hyphened


def title_triples(stretches, number: dict[str, int], size: int) -> tuple[np.ndarray, ...]:
    """(codes, sorted, counts) of each three words in a row of titles with no punctuation between them,
    (first * B + second) * B + third over B = size + 2 (see _title_word_numbers; TITLE_END after a
    stretch's last word, so that two words in a row are counted too), and (the codes of the first three,
    sorted, the fourth, counts) of each four (three, then TITLE_END, too); stretches yields (the canonical
    words of titles in a row, whether each begins a stretch, ...: see TitleWords.live_stretches)."""
    base, none = _title_base(size), np.zeros(0, dtype=np.int64)
    triples, quads = [none], [np.zeros((0, 2), dtype=np.int64)]
    for words, apart, _ in stretches:
        n, end = len(words), size + TITLE_END
        ids = np.array(_title_word_numbers(words, number, size) + [end] * 3, dtype=np.int64)
        begun = np.cumsum(np.r_[np.asarray(apart, dtype=bool), True, True, True])  # stretches begun so far
        after = [np.where(begun[k:n + k] != begun[:n], end, ids[k:n + k]) for k in (1, 2, 3)]
        codes = (ids[:n] * base + after[0]) * base + after[1]
        triples.append(codes[after[0] != end])
        quads.append(np.c_[codes, after[2]][after[1] != end])
    codes, counts = np.unique(np.concatenate(triples), return_counts=True)
    fours = np.concatenate(quads)
    fours = fours[np.lexsort((fours[:, 1], fours[:, 0]))]
    starts = np.flatnonzero(np.r_[len(fours) > 0, (fours[1:] != fours[:-1]).any(axis=1)])  # np.unique(axis=0): slower
    times = np.diff(np.r_[starts, len(fours)])
    return codes, counts.astype(np.int32), fours[starts, 0], fours[starts, 1].astype(np.int32), times.astype(np.int32)


def _title_base(size: int) -> int:
    """The base of title_triples' codes over size syllables: their numbers, then TITLE_END and TITLE_OTHER."""
    return size + 2


def _title_word_numbers(words: list[str], number: dict[str, int], size: int) -> list[int]:
    """The numbers of titles' canonical words among the syllables (size of them), a number as NUMBER's,
    any other word (a code: u23, 1a) as size + TITLE_OTHER."""
    other = size + TITLE_OTHER
    numeral = number.get(NUMBER, other)
    return [number.get(w, numeral if NUMBER_RE.fullmatch(w) else other) for w in words]


class TitleWords:
    """A segment's titles' words kept by title_word_arrays, read title by title."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.ends = np.cumsum(arrays["counts"])
        self.starts = self.ends - arrays["counts"]
        self._breaks: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ends)

    def title(self, n: int) -> tuple[list[str], list[str], list[bool]]:
        """Title n's words as _title_words gives them."""
        start, end = int(self.starts[n]), int(self.ends[n])
        return self._words("written", start, end), self._words("lowered", start, end), \
            self.arrays["begins"][start:end].tolist()

    def _words(self, name: str, start: int, end: int) -> list[str]:
        """Words start to end (numbered over all titles) of a blob."""
        if start == end:
            return []
        if name not in self._breaks:  # the newline before each word, and one after the last
            data = self.arrays[name]
            self._breaks[name] = np.r_[-1, np.flatnonzero(data == ord("\n")), len(data)]
        breaks = self._breaks[name]
        return self.arrays[name][breaks[start] + 1:breaks[end]].tobytes().decode("utf-8").split("\n")

    def live_stretches(self, live: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The canonical words of the titles live says are live, in a row, whether each begins a
        stretch with no punctuation before it, and whether a hyphen joins it to the one before (see
        title_word_arrays)."""
        kept = np.repeat(live, self.arrays["counts"])
        words = self._words("lowered", 0, len(kept))
        return [w for w, k in zip(words, kept.tolist()) if k], self.arrays["apart"][kept], self.arrays["hyphened"][kept]

    def holding(self, phrases) -> np.ndarray:
        """The titles (numbers, sorted) in which one of the phrases is words in a row, and maybe a few
        more (a phrase's words ending one title and beginning the next)."""
        text = b"\n" + self.arrays["lowered"].tobytes() + b"\n"
        found = []
        for phrase in phrases:
            needle = ("\n" + phrase.replace(" ", "\n") + "\n").encode("utf-8")
            at = text.find(needle)
            while at >= 0:
                found.append(at)
                at = text.find(needle, at + 1)
        if not found:
            return np.zeros(0, dtype=np.int64)
        words = np.searchsorted(np.flatnonzero(np.frombuffer(text, np.uint8) == ord("\n")), found)
        return np.unique(np.searchsorted(self.ends, words, side="right"))


def casing_vote_arrays(words: TitleWords, phrases: list[str]) -> dict[str, np.ndarray]:
    """The casing votes of all the titles of words read with phrases (see _CasingVotes), as arrays to keep."""
    votes = _CasingVotes(phrases)
    for n in range(len(words)):
        votes.add(*words.title(n))
    return votes.arrays()


def summed_casing_votes(segments, phrases: list[str]) -> "_CasingVotes":
    """The casing votes of the live titles of segments read with phrases: segments yields (votes
    kept, the titles' words, live mask) of each (see kept_casing_votes)."""
    total = None
    for kept, words, live in segments:
        votes = kept_casing_votes(kept, words, live, phrases)
        if total is None:  # the first segment's (the largest) are the total: not copied
            total = votes
        else:
            total.merge(votes)
    return total if total is not None else _CasingVotes(phrases)


def kept_casing_votes(kept: dict[str, np.ndarray], words: TitleWords, live: np.ndarray,
                      phrases: list[str]) -> "_CasingVotes":
    """The casing votes of the live titles of words read with phrases, from those kept of all its
    titles (maybe read with other phrases: the titles holding a phrase of one set and not the other,
    and the deleted ones, are counted again)."""
    votes = _CasingVotes(phrases)
    votes.absorb(kept)
    then = unblob(kept["phrases"])
    redo = np.union1d(np.flatnonzero(~live), words.holding(set(then).symmetric_difference(phrases)))
    if len(redo):
        before = _CasingVotes(then)
        for n in redo.tolist():
            before.add(*words.title(n))
            if live[n]:
                votes.add(*words.title(n))
        votes.absorb(before.arrays(), -1)
    return votes


def _segments(words: list[str], phrases: dict[str, int], prefixes: set[str]):
    """Yield (start, end, the phrase) of the longest phrases (keys of phrases) of the words, from
    left to right; prefixes: the phrases' first words (joined by spaces) that other words continue."""
    i = 0
    while i < len(words):
        key, j, end, found = words[i], i, None, None
        while True:
            if key in phrases:
                end, found = j + 1, key
            if key not in prefixes or j + 1 == len(words):
                break
            j += 1
            key += " " + words[j]
        if end is not None:
            yield i, end, found
        i = end or i + 1


def _phrase_prefixes(phrases) -> set[str]:
    """The first words of the phrases (joined by spaces) that more words follow."""
    return {" ".join(words[:k]) for words in map(str.split, phrases) for k in range(1, len(words))}


def _chosen_casing(written: list[str], lowered: list[str], begins: bool) -> str | None:
    """A title phrase as its writer chose to case it (its words as written and canonical; begins:
    whether it begins a sentence), or None where its place may have chosen: a sentence's first
    word capitalised, unless the next word is too (Hà Nội: a name; Thủ tướng, Công an: either)
    or it is a code (U23); or a word in it is in capitals for emphasis (see _shouted)."""
    first = written[0]
    if begins and first[1:] == lowered[0][1:] and first[:1].isupper() and first.isalpha():
        if len(written) == 1 or not written[1][:1].isupper():
            return None
    return None if any(map(_shouted, written)) else " ".join(written)


def _shouted(word: str) -> bool:
    """Whether a word is in capitals for emphasis (TRỰC TIẾP: a word with marks), not as
    initials are (UBND, HĐND: no mark but đ's)."""
    return len(word) > 1 and word.isupper() and fold(word) != word.replace("Đ", "D")


def _title_casings(titles, phrases: list[str], votes=None) -> tuple[list[str], dict[str, str]]:
    """Each phrase as the titles (written, cased) most often write it where the casing is chosen
    (see _chosen_casing), each title read as its longest phrases, else a word as they write it
    inside longer ones (Asian of Asian Cup), "" where that is lowercase; and two phrases in a row
    (tab-joined) that the titles most often case otherwise than each alone (Nguyễn Xuân, Sở Xây dựng).
    votes(phrases), when given, counts the titles' votes instead (see kept_casing_votes). Codes
    get no votes ("" for each: the votes read titles' words, which a code's separators part)."""
    worded = [p for p in phrases if not SEPARATORS_RE.search(p)]
    if votes is None:
        counted = _CasingVotes(worded)
        for title in titles:
            counted.add(*_title_words(title))
    else:
        counted = votes(worded)
    cased = dict(zip(worded, counted.commonest()))
    return [cased.get(p, p) if cased.get(p, p) != p else "" for p in phrases], counted.pairs_cased(cased)


def _reader_cased(typed: str, written: str, caps: bool) -> bool:
    """Whether a completed word keeps the casing the reader typed rather than the titles' (written):
    a reader typing in lowercase chose no casing, one typing a capital did, but a word typed all in
    capitals (or any, caps: the whole prefix is) is often the caps lock's: it takes the titles'
    casing unless they write it so too (HA N: "Hà Nội", CONG A: "công an"; UBN: "UBND"); one typed as
    they begin it chose no other casing (VN-Ind: "VN-Index", not "Vn-index")."""
    if typed == typed.lower() or written.startswith(typed):
        return False
    return not (caps or len(typed) > 1 and typed.isupper()) or written.isupper()


_VOTE_TABLES = ("votes", "inside", "pairs", "pair_votes")  # the Counters of _CasingVotes


class _CasingVotes:
    """How titles case their phrases, and pairs of phrases in a row (see _title_casings)."""

    def __init__(self, phrases: list[str]):
        self.phrases, self.prefixes = phrases, _phrase_prefixes(phrases)
        self.number = {p: n for n, p in enumerate(phrases)}
        self.votes, self.inside = Counter(), Counter()  # (phrase, form) -> times; the phrase itself (lowercase) too
        self.pairs = Counter()  # (phrase, phrase after it) -> times
        self.pair_votes = Counter()  # (phrase, phrase after it, their form where not lowercase) -> times

    def add(self, written: list[str], lowered: list[str], begins: list[bool]) -> None:
        """Count the casing of a title's phrases and of the pairs of them in a row in a sentence
        (its words as _title_words gives them)."""
        before = None
        for start, end, phrase in _segments(lowered, self.number, self.prefixes):
            form = _chosen_casing(written[start:end], lowered[start:end], begins[start])
            if form is not None:
                self.votes[phrase, form] += 1
                if before is not None and not begins[start]:
                    self.pairs[before[0], phrase] += 1
                    if before[1] != before[0] or form != phrase:
                        self.pair_votes[before[0], phrase, before[1] + " " + form] += 1
            before = (phrase, form) if form is not None else None
            for k in range(start, end) if end - start > 1 else ():
                if not begins[k] and lowered[k] in self.number:
                    self.inside[lowered[k], written[k]] += 1

    def arrays(self) -> dict[str, np.ndarray]:
        """The votes, and the phrases they were counted with, as arrays to keep."""
        kept = {"phrases": blob(self.phrases)}
        for name in _VOTE_TABLES:
            table = getattr(self, name)
            kept[name + "_keys"] = blob(["\t".join(key) for key in table])
            kept[name + "_times"] = np.array(list(table.values()), dtype=np.int64)
        return kept

    def absorb(self, kept: dict[str, np.ndarray], sign: int = 1) -> None:
        """Add the votes kept as arrays (see arrays; sign -1: take them away), those left at 0 dropped."""
        for name in _VOTE_TABLES:
            table = getattr(self, name)
            found = dict(zip([tuple(key.split("\t")) for key in unblob(kept[name + "_keys"])],
                             (kept[name + "_times"] * sign).tolist()))
            table.update(found)  # a dict's update when the table is empty (the first segment's: the largest)
            for key in [key for key in found if not table[key]] if sign < 0 else ():
                del table[key]

    def merge(self, other: "_CasingVotes") -> None:
        """Add the votes of other (counted with the same phrases)."""
        for name in _VOTE_TABLES:
            getattr(self, name).update(getattr(other, name))

    def commonest(self) -> list[str]:
        """Each phrase's commonest written form in votes (lowercase wins a tie, else the form
        sorting last: not the first counted, so the titles' order does not matter), else in inside."""
        best = {}
        for table in (self.inside, self.votes):  # votes last: they replace inside's
            chosen = {}
            for (phrase, form), times in table.items():
                chosen[phrase] = max(chosen.get(phrase, (0, False, "")), (times, form == phrase, form))
            best.update({phrase: form for phrase, (_, _, form) in chosen.items()})
        return [best.get(p, p) for p in self.phrases]

    def pairs_cased(self, cased: dict[str, str]) -> dict[str, str]:
        """The pairs of phrases (tab-joined) that titles case otherwise than each phrase alone
        (cased), in more than half of the sentences holding them and PAIR_CASING_MIN times or
        more, and that casing."""
        forms = {}
        for (first, second, form), times in self.pair_votes.items():
            alone = f"{cased[first]} {cased[second]}"
            if times >= PAIR_CASING_MIN and 2 * times > self.pairs[first, second] and form != alone:
                forms[f"{first}\t{second}"] = form
        return dict(sorted(forms.items()))  # not in the order counted: kept votes are counted in another


def _tone(word: str) -> str:
    """A word's tone mark (as a combining character), or "" for none."""
    return next((c for c in unicodedata.normalize("NFD", word) if c in TONE_MARKS.values()), "")


def _toneless(text: str) -> str:
    """text without its tone marks (its vowel marks kept): "quyết" -> "quyêt"."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                if c not in TONE_MARKS.values()))


def _accents_as_typed(text: str) -> Callable[[str], bool]:
    """A test of whether a phrase completing text (by their keys) begins with the accents typed in it, if any."""
    if fold(text) == text:
        return lambda phrase: True
    bare = SEPARATOR_RE.sub("", text)
    return lambda phrase: _begins_as_typed(SEPARATOR_RE.sub("", phrase), bare)


def _begins_as_typed(phrase: str, text: str) -> bool:
    """Whether phrase begins with text typed with accents: as typed, its last word maybe before
    its tone (quyê: quyết, as an input method shows a word being typed)."""
    if phrase.startswith(text):
        return True
    head, _, last = text.rpartition(" ")
    start = len(head) + bool(head)
    return (phrase.startswith(text[:start]) and _toneless(last) == last
            and _toneless(phrase[start:start + len(last) + 1]).startswith(last))


def _pair_table(syllables: list[str], compound_pairs: dict, adjacent, base: int) -> tuple:
    """Pair counts (about how many articles) as sorted codes first * V + second, and counts:
    the larger of the compounds' and the neighbours' estimate (adjacent: their codes over base
    syllables, and counts); and how often each syllable has a neighbour, with a last 0 for the
    number -1 (not a syllable)."""
    size, number = len(syllables), {s: n for n, s in enumerate(syllables)}
    known = [(number[a] * size + number[b], df) for (a, b), df in compound_pairs.items()
             if a in number and b in number]
    codes = [np.array([c for c, _ in known], dtype=np.int64)]
    counts = [np.array([df for _, df in known], dtype=np.float32)]
    followed = np.zeros(size + 1, dtype=np.float32)
    if adjacent is not None:
        found, first = adjacent[1], adjacent[0] // base
        codes.append(first * size + adjacent[0] % base)
        counts.append(found.astype(np.float32))
        followed[:size] = np.bincount(first, weights=found, minlength=size)[:size]
    codes, counts = np.concatenate(codes), np.concatenate(counts)
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, np.int64)
    return codes[starts], np.maximum.reduceat(counts, starts) if len(codes) else counts, followed


def _triple_table(size: int, adjacent, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Triple counts as sorted codes (first * V + second) * V + third, from their codes over base
    syllables (the order stays), and counts."""
    if adjacent is None:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    codes, counts = adjacent
    first, rest = np.divmod(codes, base * base)
    return (first * size + rest // base) * size + rest % base, counts.astype(np.float32)


def _pairs_in_words(size: int, triples: tuple[np.ndarray, np.ndarray], compound_pairs: dict,
                    number: dict[str, int]) -> tuple[tuple, tuple]:
    """The pairs' occurrences whose first syllable ends a compound begun before it ("báo lũ" in
    "cảnh_báo lũ"), and those whose second begins a compound going on after it, each as (codes
    first * V + second, sorted, counts), from the triples (codes over V syllables)."""
    codes, counts = triples
    compound = np.unique(np.array([number[a] * size + number[b] for a, b in compound_pairs
                                   if a in number and b in number], dtype=np.int64))
    heads, tails = codes // size, codes % (size * size)
    return _pairs_where(compound, heads, tails, counts), _pairs_where(compound, tails, heads, counts)


def _pairs_where(compound: np.ndarray, inside: np.ndarray, pairs: np.ndarray, counts: np.ndarray) -> tuple:
    """(codes, sorted, summed counts) of pairs where the code beside them in inside is a compound pair."""
    at = np.searchsorted(compound, inside).clip(max=max(len(compound) - 1, 0))
    held = compound[at] == inside if len(compound) else np.zeros(len(inside), dtype=bool)
    found, where = np.unique(pairs[held], return_inverse=True)
    return found, np.bincount(where, weights=counts[held], minlength=len(found)).astype(np.float32)


def _counted(table: np.ndarray, counts: np.ndarray, codes: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The counts of codes in a sorted table of codes (0 where absent or not known)."""
    if not len(table):
        return np.zeros(codes.shape)
    at = np.searchsorted(table, codes).clip(max=len(table) - 1)
    return np.where(known & (table[at] == codes), counts[at], 0.0)


def _best_states(total: np.ndarray, last: np.ndarray, first: np.ndarray, paths: int = 1) -> tuple:
    """The best states after a Viterbi step, total[s, r] scoring reading r after state s (whose
    last reading is last[s]; first[s]: s is the likeliest path to its pair of readings): of the
    MAX_STATES * paths best scores, the pairs (reading before, reading) among the MAX_STATES best
    after first states, each with its `paths` likeliest paths within COOC_MARGIN of its likeliest,
    best first; their scores, parent states, (reading before, reading) and whether each is its
    pair's likeliest."""
    ranked = np.arange(total.size)
    if total.size > MAX_STATES * paths:  # a partition, not a sort of all of them
        ranked = np.argpartition(-total, MAX_STATES * paths - 1, axis=None)[:MAX_STATES * paths]
    ranked = ranked[np.argsort(-total.ravel()[ranked], kind="stable")]
    parent, reading = np.divmod(ranked, total.shape[1])
    pair, score = last[parent] * total.shape[1] + reading, total.ravel()[ranked]
    beam = np.zeros(pair.max() + 1, dtype=bool)
    beam[pair[first[parent]][:MAX_STATES]] = True
    rank = _ranks_in_groups(pair)
    best = np.zeros(len(beam))
    best[pair[rank == 0]] = score[rank == 0]
    # a path further behind its pair's likeliest stays as far behind it: never within COOC_MARGIN of the best
    kept = np.flatnonzero((rank < paths) & beam[pair] & (score >= best[pair] - COOC_MARGIN))
    return score[kept], parent[kept], (last[parent[kept]], reading[kept]), rank[kept] == 0


def _ranks_in_groups(groups: np.ndarray) -> np.ndarray:
    """Each item's rank among the earlier items of its group (equal values): 0 for the first."""
    order = np.argsort(groups, kind="stable")
    ordered, at = groups[order], np.arange(len(groups))
    begins = np.ones(len(groups), dtype=bool)
    begins[1:] = ordered[1:] != ordered[:-1]
    ranks = np.empty(len(groups), dtype=np.int64)
    ranks[order] = at - np.maximum.accumulate(np.where(begins, at, 0))
    return ranks


def _backtrack(options: list[list[str]], trail: list[tuple], state: int) -> list[str]:
    """The readings along a trail of (parent state, last reading) arrays, from the last state back."""
    path = []
    for (parent, last), option in zip(reversed(trail), reversed(options)):
        path.append(option[last[state]])
        if parent is not None:
            state = parent[state]
    return path[::-1]


class Lexicon:
    """The index's accented syllables and adjacent pairs, with their document frequencies."""

    def __init__(self, syllables: list[str], folded: list[str], counts: np.ndarray, pairs: tuple,
                 completions: tuple, triples: tuple, in_words: tuple, compounds: tuple, after: tuple,
                 near: tuple | None = None, title_runs: tuple | None = None, hyphened: frozenset[str] = frozenset()):
        """syllables, most frequent first, without accents, and their document frequencies; pairs: (codes
        first * V + second, sorted, their counts, how often each syllable has a neighbour);
        completions: (folded keys, sorted, phrases, their counts, the phrases as titles case them
        or "", pairs of them cased otherwise than alone); triples: (codes (first * V +
        second) * V + third, sorted, their counts); in_words: the same of the pairs whose first
        syllable ends a compound, and of those whose second begins one (see _pairs_in_words); compounds:
        (codes, sorted, document frequencies) of the compounds of 2-3 syllables (see _compound_table); after:
        (the title tokens counted as themselves, the runs ending with one after a syllable and after two,
        the pairs and triples whose word before the last is one: see _tokens_apart); near:
        the table of near syllables as saved ((its keys, their syllables tab-joined) as blobs), made
        when first needed otherwise; title_runs: (codes, sorted, counts) of three words in a row in the
        titles with no punctuation between them (see title_triples; none: any phrase is taken as held);
        hyphened: the pairs of words the titles join by a hyphen (see _hyphen_pairs)."""
        self.syllables, self.folded = syllables, folded
        self.freq = dict(zip(syllables, counts.tolist()))
        self.total = int(counts.sum()) or 1
        self.number = {s: n for n, s in enumerate(syllables)}
        self.readings: dict[str, list[str]] = defaultdict(list)
        for bare, syllable in zip(folded, syllables):
            self.readings[bare].append(syllable)
        self.readings = dict(self.readings)
        self._codes, self._counts, self._followed = pairs
        self._keys, self._phrases, self._phrase_counts, self._cased, self._pairs_cased = completions
        self._triple_codes, self._triple_counts = triples
        self._continued, self._continuing = in_words
        self._compound_codes, self._compound_counts = compounds
        self._tokens, self._token_pairs, self._token_triples, *self._after_token = after
        self._title_codes, self._title_counts, *self._title_fours = title_runs if title_runs is not None else (None,) * 5
        self._hyphened = hyphened
        self._near_cache: dict[tuple, list] = {}  # words repeat across queries
        self._saved_near = near
        self._articles_holding = None  # see with_cooccurrence

    @classmethod
    def build(cls, terms, adjacent=None, titles=(), written=(), votes=None, stretches=None) -> "Lexicon":
        """The Lexicon of terms: (term, document frequency) of the exact fields; adjacent(syllables):
        how often they follow each other, ((codes, counts) of pairs, the same of triples), a pair's
        code first * len(syllables) + second (see Reader.adjacent_runs); titles: (term, document
        frequency) of the titles, whose words and pyvi words complete what is typed; written: the
        titles as written, which say how to case the completions and which words they write in a row,
        or votes(phrases): their casing votes counted otherwise (see kept_casing_votes), and stretches: their
        words in a row (see title_triples)."""
        freq, compounds = _syllables_and_compounds(terms)
        syllables = sorted(freq, key=lambda s: (-freq[s], s))  # ties by spelling: not by segment order
        counts = np.array([freq[s] for s in syllables], dtype=np.int64)
        top, tokens = syllables[:PAIR_SYLLABLES], _title_tokens(titles)
        none = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        (pairs, triples), *after = _tokens_apart(adjacent(top + tokens), tokens, top, len(syllables)) if adjacent \
            else ((None, None), (none, none), (none, none))
        written = list(written)
        if stretches is None and written:
            arrays = title_word_arrays(written)
            stretches = [(unblob(arrays["lowered"]), arrays["apart"], arrays["hyphened"])]
        joined = Counter()
        base = len(top) + len(tokens)  # the runs' codes, no token among their syllables now
        compound_pairs, triples = _compound_pairs(compounds), _triple_table(len(syllables), triples, base)
        in_words = _pairs_in_words(len(syllables), triples, compound_pairs, {s: n for n, s in enumerate(syllables)})
        lexicon = cls(syllables, [fold(s) for s in syllables], counts,
                      _pair_table(syllables, compound_pairs, pairs, base),
                      _completion_table(titles, written, votes),
                      triples, in_words, _compound_table(compounds, {s: n for n, s in enumerate(syllables)}),
                      (tokens, *after[0], *after[1]),
                      title_runs=None if stretches is None else title_triples(
                          counting_hyphens(stretches, joined), {s: n for n, s in enumerate(syllables)}, len(syllables)))
        lexicon._hyphened = lexicon._hyphen_pairs(joined)
        lexicon.prepare_typos()  # saved with it
        return lexicon

    def save(self, path: Path) -> None:
        """Write the Lexicon to path atomically (a temporary file renamed over it)."""
        with replaced(path) as f:
            np.savez(f, format=np.array([LEXICON_FORMAT]), syllables=blob(self.syllables),
                     folded=blob(self.folded),
                     counts=np.array([self.freq[s] for s in self.syllables], dtype=np.int64),
                     codes=self._codes, pair_counts=self._counts, followed=self._followed,
                     keys=blob(self._keys), phrases=blob(self._phrases), phrase_counts=self._phrase_counts,
                     cased=blob(self._cased), pair_keys=blob(list(self._pairs_cased)),
                     pair_forms=blob(list(self._pairs_cased.values())),
                     triple_codes=self._triple_codes, triple_counts=self._triple_counts,
                     continued_codes=self._continued[0], continued_counts=self._continued[1],
                     continuing_codes=self._continuing[0], continuing_counts=self._continuing[1],
                     compound_codes=self._compound_codes, compound_counts=self._compound_counts,
                     tokens=blob(self._tokens), token_pair_codes=self._token_pairs[0],
                     token_pair_counts=self._token_pairs[1], token_triple_codes=self._token_triples[0],
                     token_triple_counts=self._token_triples[1],
                     after_token_pair_codes=self._after_token[0][0], after_token_pair_counts=self._after_token[0][1],
                     after_token_triple_codes=self._after_token[1][0],
                     after_token_triple_counts=self._after_token[1][1],
                     near_keys=blob(list(self._deleted)), near_words=blob(list(self._deleted.values())),
                     hyphened=blob(sorted(self._hyphened)),
                     **({} if self._title_codes is None else dict(zip(TITLE_TABLES, (
                         self._title_codes, self._title_counts, *self._title_fours)))))

    @classmethod
    def load(cls, path: Path) -> "Lexicon | None":
        """The Lexicon saved in path, or None when there is none (or it is unreadable, or of
        another format)."""
        try:
            saved = read_arrays(path)
            if not _of_this_format(saved):
                return None
            pairs = (saved["codes"], saved["pair_counts"], saved["followed"])
            phrases = unblob(saved["phrases"])
            completions = (unblob(saved["keys"]), phrases, saved["phrase_counts"],
                           unblob(saved["cased"]) or [""] * len(phrases),  # one lowercase phrase: no newline
                           dict(zip(unblob(saved["pair_keys"]), unblob(saved["pair_forms"]))))
            triples = (saved["triple_codes"], saved["triple_counts"])
            in_words = ((saved["continued_codes"], saved["continued_counts"]),
                        (saved["continuing_codes"], saved["continuing_counts"]))
            compounds = (saved["compound_codes"], saved["compound_counts"])
            after = (unblob(saved["tokens"]), (saved["token_pair_codes"], saved["token_pair_counts"]),
                     (saved["token_triple_codes"], saved["token_triple_counts"]),
                     (saved["after_token_pair_codes"], saved["after_token_pair_counts"]),
                     (saved["after_token_triple_codes"], saved["after_token_triple_counts"]))
            return cls(unblob(saved["syllables"]), unblob(saved["folded"]), saved["counts"], pairs,
                       completions, triples, in_words, compounds, after, (saved["near_keys"], saved["near_words"]),
                       tuple(saved[name] for name in TITLE_TABLES) if "title_codes" in saved else None,
                       frozenset(unblob(saved["hyphened"])))
        except _UNREADABLE:
            return None

    @staticmethod
    def saved_in(path: Path) -> bool:
        """Whether path holds a Lexicon of this format (reading only its format)."""
        try:
            return _of_this_format(read_arrays(path, ["format"]))
        except _UNREADABLE:
            return False

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to limit title words and phrases that complete prefix (typed with or without
        accents, or as Telex or VNI keystrokes), most frequent first; then the words before the
        last one, read with each completion of it, likeliest first (see _continuations); after a
        space, those spelling its last word whole, then the words likeliest after it (see
        _next_words); as the titles write them, but for the words typed with capitals (see _as_written).
        Where a search reads apart words typed without marks or digits (see unglued), the completions
        of the prefix so read too: first, up to half of them, when the last word is one (hanoi: Hà Nội,
        then Hanoi Lotus). Two words the titles join by a hyphen are joined so (see _hyphen_pairs: V-League)."""
        found, typed = self._completed(prefix, limit), prefix.split()
        apart = self.unglued(prefix) if any(word.isascii() and word.isalpha() for word in typed) else None
        glued = [word for word in typed if word not in (apart or "").split()]
        if apart and all(word.isascii() and word.isalpha() for word in glued):  # not số10, họcho
            read = self._completed(apart, limit)
            first = read[:limit // 2] if typed[-1] in glued else []
            found = list(dict.fromkeys(first + found + read))[:limit]
        return list(dict.fromkeys(map(self._hyphened_as_titles, found))) if self._hyphened else found

    def _hyphen_pairs(self, joined: Counter) -> frozenset[str]:
        """The pairs of joined (pairs of canonical title words, "a\tb", and how many times a hyphen joins
        them) joined HYPHEN_MIN times or more and more often than the titles write them in a row with a space."""
        return frozenset(key for key, times in joined.items()
                         if times >= HYPHEN_MIN and times > self._title_times(key.split("\t")))

    def _hyphened_as_titles(self, completion: str) -> str:
        """A completion with a hyphen between two words the titles join so (see _hyphen_pairs), not a space."""
        words = completion.split(" ")
        joins = ["-" if f"{canonical(a)}\t{canonical(b)}" in self._hyphened else " " for a, b in zip(words, words[1:])]
        return words[0] + "".join(join + word for join, word in zip(joins, words[1:]))

    def _completed(self, prefix: str, limit: int) -> list[str]:
        """The completions of prefix as typed (see complete)."""
        decoded = self._decoded(" ".join(unicodedata.normalize("NFC", prefix).split()))
        typed = _iy_spelled_typed(decoded, prefix[-1:].isspace())
        text = canonical(typed)
        head, _, last = text.rpartition(" ")
        found = self._completions(text, limit)
        if len(found) < limit and head:
            options = self._completions(last, COMPLETION_POOL)
            numbers = self._numbers_after(head, last, limit) if last[:1].isdigit() and not prefix[-1:].isspace() else []
            if numbers:  # a number being typed after words: one they are seen followed by (quốc lộ 1: not 100),
                found += numbers  # or as typed; typed whole, it is kept as typed; none of them: the titles' commonest
                options = [o for o in options if o == last or not o[:1].isdigit()
                           or CODE_TYPED_RE.search(last) and not is_title_token(o)]  # 1: not 150km/h, as not 14/6
            found += self._next_words(head, limit, last)  # u23 v: U23 Việt Nam, as after "u23 " (not U23 và)
            found += self._continuations(head, options, limit)
        if text and prefix[-1:].isspace():  # the last word typed whole: the words likeliest after it
            count = len(text.split())
            found = self._uncut([self._to_word_end(f, count) for f in found if _goes_on_whole(f, text)]
                                + self._next_words(text, limit), count)
        return [spelled_as_typed(decoded, self._as_written(typed.split(), s.split()), prefix=True)
                for s in dict.fromkeys(found)][:limit]

    def _decoded(self, typed: str) -> str:
        """typed with its Telex or VNI words decoded and its glued words read apart: those before
        the last as a search does (see decode_query; unglued, where no title phrase begins with
        typed as it is: vietnam a, Vietnam Airlines), the last one, still being typed,
        decoded when only its decoding begins some title word (nghij, quyee: quyết; not as, asi: Asia),
        else read as two glued when it begins none (see _typed_apart: worldc, world c)."""
        head, space, last = typed.rpartition(" ")
        head = decode_query(head, self._frequency) or head
        if not self._completions(canonical(typed), 1):  # vietnam a: Vietnam Airlines, as typed
            head = self.unglued(head) or head  # hanoi m: ha noi m, as a search reads it
        decoded, completed = decode_keystrokes(last), self._completions(canonical(last), 1)
        if decoded and not completed and self._completions(decoded, 1):
            last = with_case_of(last, decoded)
        elif not completed:  # worldc: world c, a space dropped
            last = self._typed_apart(last) or last
        return head + space + last

    def _typed_apart(self, word: str) -> str | None:
        """A word being typed glued to the one before it (worldc, realmad) as the two, cut where the
        start is a word the index has that stands most often (GLUED_MIN times at least) right before
        a title word the rest begins ("world c": World Cup; "real mad": Real Madrid), else None; a start
        the index lacks is read apart as a search reads a glued word (giavangh: "gia vang h")."""
        lowered, best, apart = canonical(word), float(GLUED_MIN), None
        for cut in range(2, len(lowered)):
            for start in filter(None, (word[:cut], cut >= 4 and self.unglued(word[:cut]))):  # two syllables: 4 letters
                together = self._before_completions(canonical(start.split()[-1]), lowered[cut:])
                if together >= best:
                    best, apart = together, f"{start} {word[cut:]}"
        return apart

    def _before_completions(self, first: str, rest: str) -> float:
        """How often a word (any reading of it, typed without marks) stands right before a title word
        that rest begins, at most (0 for a word the index lacks)."""
        if not self.knows(first):
            return 0.0
        firsts = [first] if first != fold(first) else [first, *self.readings.get(first, ())]
        seconds = list(dict.fromkeys(c.split()[0] for c in self._completions(rest, COMPLETION_POOL)))
        return float(self.pairs(firsts, seconds).max()) if seconds else 0.0

    def _frequency(self, word: str) -> int:
        """In how many articles a canonical word is, as a syllable or a title word (codes: u23)."""
        number = self._phrase_number.get(word)
        return self.freq.get(word) or (int(self._phrase_counts[number]) if number is not None else 0)

    @cached_property
    def _phrase_number(self) -> dict[str, int]:
        return {p: n for n, p in enumerate(self._phrases)}

    @cached_property
    def _phrase_prefixes(self) -> set[str]:
        return _phrase_prefixes(self._phrases)

    def _as_written(self, typed: list[str], words: list[str]) -> str:
        """A completion's words as the titles write their phrases (see _title_casings), but
        those the reader typed with a capital (typed: aligned with them), which keep the
        reader's casing (see _reader_cased)."""
        cores = [match.group() if (match := CODE_RE.match(w) or WORD_RE.search(w)) else "" for w in words]  # "nam" of "nam:"
        cased, segments = [self._code_cased(c, t) if SEPARATORS_RE.search(c) else c
                           for c, t in zip(cores, typed + [""] * len(cores))], \
            list(_segments(cores, self._phrase_number, self._phrase_prefixes))
        for start, end, phrase in segments:
            written = self._cased[self._phrase_number[phrase]]
            if written:
                cased[start:end] = written.split()
        self._pairs_recased(cased, segments, len(typed))
        caps = " ".join(typed).isupper() and any(sum(c.isalnum() for c in t) > 1 for t in typed)
        return " ".join(with_case_of(t, w) if _reader_cased(t, c, caps) else w.replace(core, c, 1)
                        for t, w, core, c in zip(typed + [""] * len(words), words, cores, cased))

    def _pairs_recased(self, cased: list[str], segments: list[tuple], typed: int) -> None:
        """Recase cased where two phrases in a row are cased otherwise together (see _title_casings),
        but for a code typed first, whose casing is its meaning (m2 of 5.000 m2: not "M2 của" of Tor-M2)."""
        for (start, middle, first), (after, end, second) in zip(segments, segments[1:]):
            written = self._pairs_cased.get(f"{first}\t{second}", "").split() if middle == after else []
            if written:
                code = middle <= typed and any(c.isdigit() for c in first)
                cased[start:end] = (cased[start:middle] if code else written[:middle - start]) + written[middle - start:]

    def _code_cased(self, code: str, typed: str = "") -> str:
        """A code as the titles case its words (tp.hcm: TP.HCM of TP, HCM), else as they case it
        written without separators (u.23: U.23 of U23), else as the reader typed it in capitals
        (typed: the word typed for it; 28-NQ/TƯ: "tư" is a word the titles write in lowercase)."""
        joined = self._cased_word(SEPARATORS_RE.sub("", code))
        pieces, at = WORD_SPLIT_RE.split(code), 0
        typed_pieces = WORD_SPLIT_RE.split(typed)[1::2]
        aligned = len(typed_pieces) * 2 + 1 == len(pieces)  # the reader typed the code's pieces one for one
        for n in range(1, len(pieces), 2):
            piece = pieces[n]
            capitals = piece.upper() if aligned and typed_pieces[n // 2].isupper() else ""
            pieces[n] = self._cased_word(piece) or joined[at:at + len(piece)] or capitals or piece
            at += len(piece)
        return "".join(pieces)

    def _cased_word(self, word: str) -> str:
        """A table phrase as the titles case it, where they write it with a capital ("" otherwise)."""
        number = self._phrase_number.get(word)
        cased = self._cased[number] if number is not None else ""
        return cased if len(cased) == len(word) else ""

    def _capitalised(self, word: str) -> bool:
        """Whether the titles write a table phrase with a capital (see _cased_word: Huệ, Đà Nẵng)."""
        return self._cased_word(word)[:1].isupper()

    def _to_word_end(self, completion: str, typed: int) -> str:
        """A completion (canonical) adding words to the typed ones that a title stretch holds, taken on to where
        a word ends as the titles write it most (see _word_ends: a title phrase pyvi glued, "Việt Nam giảm", as
        "Việt Nam giảm giá")."""
        words = completion.split()
        if len(words) <= typed or not self._title_holds(words):
            return completion
        end = max(self._word_ends(words), key=lambda ending: ending[1])[0]
        return f"{completion} {end}" if end else completion

    def _uncut(self, completions: list[str], typed: int) -> list[str]:
        """completions (canonical, of typed words and a space) but those adding words that no title stretch holds
        from the last word typed (where one does, _word_ends said where its word ends) and another one goes on from
        inside their last word (see _inside_word: "thủ tướng nguyễn xuân" beside "… nguyễn xuân phúc")."""
        def cut(words: list[str]) -> bool:
            return any(len(other) > len(words) and other[:len(words)] == words and self._inside_word(words, other[len(words)])
                       for other in split) and not self._title_holds(words[typed - 1:])
        split = [c.split() for c in completions]
        return [c for c, words in zip(completions, split) if len(words) <= typed or not cut(words)]

    def _next_words(self, text: str, limit: int, typing: str = "") -> list[str]:
        """text (canonical, its last word typed whole) read as a search reads it, and each title
        phrase likeliest after it (see _next_phrases) that completes typing (a word being typed after
        it), likeliest first, down to CONTINUATION_SHARE of the likeliest's probability; after a number
        or a code ending in one, only where titles write words after it (see _context)."""
        head, before, glued = self._read_before(text)
        if not before:
            return []
        scored = self._typed_on(self._next_phrases(before, glued, typing), typing)
        scored = self._written_in_titles(before, scored, limit)
        best = max(scored.values(), default=0.0)
        ranked = sorted((p for p in scored if scored[p] >= best * CONTINUATION_SHARE), key=lambda p: -scored[p])
        return [f"{head} {phrase}" for phrase in ranked[:limit]]

    @staticmethod
    def _typed_on(scored: dict[str, float], typing: str) -> dict[str, float]:
        """scored (phrases and their probability) but those not beginning with typing (its accents, when typed)."""
        if not typing:
            return scored
        key, as_typed = completion_key(typing), _accents_as_typed(typing)
        return {p: v for p, v in scored.items() if completion_key(p).startswith(key) and as_typed(p)}

    def _written_in_titles(self, before: list[str], scored: dict[str, float], limit: int) -> dict[str, float]:
        """scored (phrases after the words before) as the titles write them (see _as_titles_write), the limit
        likeliest at least (a phrase scores at most its probability: those after them are not looked at); all as
        scored after a number or a code typed last (see _numbers_after's counts)."""
        if not all(w.isalpha() for w in before):
            return scored
        context = before if self._title_holds(before) else before[-1:]
        seen = self._title_times(context) >= TITLE_EVIDENCE
        kept: dict[str, float] = {}
        for phrase, value in sorted(scored.items(), key=lambda item: -item[1]):
            if len(kept) >= limit and value < heapq.nlargest(limit, kept.values())[-1]:
                break
            for whole, share in self._as_titles_write(context, phrase, seen):
                kept[whole] = max(value * share, kept.get(whole, 0.0))
        return kept

    def _as_titles_write(self, context: list[str], phrase: str, seen: bool) -> list[tuple[str, float]]:
        """(completion, share of its probability) of a phrase after the words context: where no title writes them
        with no punctuation between (see _title_holds; after the last one alone where no title writes the two so) the
        phrase at UNHELD_SHARE ("Nguyễn Phú Trọng: phát triển"), or none when adding only function words ("Nguyễn Phú
        Trọng đã"), a syllable that there mostly begins a compound (see _begun, no prior: the titles say it is none
        there: "Nguyễn Phú Trọng chủ") or the words typed are seen in titles (seen); where one does, with the rest of
        a word the titles go on with (see _title_rest: "giá vàng trong nước"), taken on to where words end (see
        _word_ends: "Bình Định công bố")."""
        words = context + phrase.split()
        if self._title_holds(words):
            rest = self._title_rest(words)
            phrase, words = (f"{phrase} {rest}", words + [rest]) if rest else (phrase, words)
            return [(f"{phrase} {end}".strip(), share) for end, share in self._word_ends(words)]
        if seen or _function_words_only(phrase) or " " not in phrase and self._begun(words[-2], words[-1:], 0.0)[0]:
            return []
        return [(phrase, UNHELD_SHARE)]

    def _word_ends(self, words: list[str], depth: int = WORD_END_DEPTH) -> list[tuple[str, float]]:
        """(syllables, share) that take canonical words (held in a title stretch) to where a word ends: ("", 1.0)
        where the titles writing them end a word after them; where they are cut inside a word (see _cut), each
        syllable the titles go on inside it with, with its share of the times and its own word ends, up to depth
        syllables (Bình Định công: "công bố", "công an"; Thủ tướng Nguyễn Xuân: "Phúc")."""
        followers, counts, inside, named = self._going_on_inside(words)
        if depth == 0 or not self._cut(words, counts, inside, named):
            return [("", 1.0)]
        total, ends = float(counts.sum()), []
        for follower, times in zip(followers[inside].tolist(), counts[inside].tolist()):
            rest = self.syllables[follower]
            ends += [(f"{rest} {end}".strip(), share * times / total)
                     for end, share in self._word_ends(words + [rest], depth - 1)]
        return ends

    def _going_on_inside(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """The numbers of the words the titles write after canonical words and those times (see _title_next),
        whether each goes on a word of the last ones (see _inside_word, _compounds_after), and whether one goes
        on a name instead: the one syllable they write there WORD_PIECE of the times (see _inside_name); only the
        name where the others could make no cut (see _may_cut, all the syllables after them taken as inside)."""
        followers, counts = self._title_next(words)
        inside = np.zeros(len(counts), dtype=bool)
        if self._may_cut(words, float(counts[followers < len(self.syllables)].sum()), float(counts.sum())):
            inside = self._phrases_after(words, followers)
            if counts[inside].sum() < REST_SHARE * counts.sum():
                inside |= self._compounds_after(words[-1], followers)
        best = int(np.argmax(counts)) if len(counts) else 0
        named = len(counts) > 0 and not inside.any() and counts[best] >= WORD_PIECE * counts.sum() \
            and followers[best] < len(self.syllables) and self._inside_name(words, self.syllables[followers[best]])
        inside[best:best + 1] |= named
        return followers, counts, inside, named

    def _may_cut(self, words: list[str], inside: float, total: float) -> bool:
        """Whether canonical words the titles write total times, inside of them going on inside a word, end inside
        it: REST_SHARE of the times, and surely so: still REST_SHARE counting TITLE_PRIOR more times as ending there,
        or the last syllable is a piece of a word REST_SHARE of its times or more (see _piece_shares: "Bình Định
        công"; not "nhiều vùng có mưa" of one title's "có mưa rào": mưa is mostly a word alone)."""
        if not total or inside < REST_SHARE * total:
            return False
        return inside >= REST_SHARE * (total + TITLE_PRIOR) or self._piece_shares[self.number[words[-1]]] >= REST_SHARE

    def _cut(self, words: list[str], counts: np.ndarray, inside: np.ndarray, named: bool) -> bool:
        """Whether canonical words end inside a word where the titles write them (inside: whether each of their
        next words goes on inside it, counts: those times): a name goes on, or see _may_cut."""
        return named or self._may_cut(words, float(counts[inside].sum()), float(counts.sum()))

    @cached_property
    def _piece_shares(self) -> np.ndarray:
        """Per syllable, the share of its times in the pair counts where it begins a compound going on after it,
        plus the share where it ends one begun before it (see _pairs_in_words), at most 1: công, biểu mostly
        pieces of words, mưa, chờ mostly words alone."""
        size = len(self.syllables)

        def times(codes: np.ndarray, counts: np.ndarray, second: bool) -> np.ndarray:
            return np.bincount(codes % size if second else codes // size, weights=counts, minlength=size)
        begins = times(*self._continuing, True) / np.maximum(times(self._codes, self._counts, True), 1.0)
        ends = times(*self._continued, False) / np.maximum(times(self._codes, self._counts, False), 1.0)
        return np.minimum(begins + ends, 1.0)

    def _inside_word(self, words: list[str], after: str) -> bool:
        """Whether the syllable after goes on a word of the last one or two of words (see _phrases_after)."""
        return bool(self._phrases_after(words, self._numbers([after]))[0])

    def _phrases_after(self, words: list[str], followers: np.ndarray) -> np.ndarray:
        """Whether each syllable numbered followers (-1 or past the syllables: none) goes on a word of the last one or
        two of canonical words as pyvi segments the titles: with them it begins or is a title phrase of two syllables
        or more (công bố, Nguyễn Xuân Phúc)."""
        size, (pairs, triples) = len(self.syllables), self._phrase_starts
        before, last = self._numbers(([""] + words)[-2:]).tolist()
        followers = np.asarray(followers, dtype=np.int64)
        known = (followers >= 0) & (followers < size) & (last >= 0)
        return known & present(pairs, last * size + followers) | \
            known & (before >= 0) & present(triples, (before * size + last) * size + followers)

    @cached_property
    def _phrase_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, sorted) of the first two syllables of the title phrases of two syllables or more, first * V + second,
        and of the first three of those of three or more, (first * V + second) * V + third."""
        size, pairs, triples = len(self.syllables), set(), set()
        for phrase in self._phrases:
            numbers = [self.number.get(w, -1) for w in phrase.split()[:3]] if " " in phrase else [-1]
            if min(numbers[:2]) >= 0:
                pairs.add(numbers[0] * size + numbers[1])
                if len(numbers) > 2 and numbers[2] >= 0:
                    triples.add((numbers[0] * size + numbers[1]) * size + numbers[2])
        return np.array(sorted(pairs), dtype=np.int64), np.array(sorted(triples), dtype=np.int64)

    @cached_property
    def _compound_sums(self) -> np.ndarray:
        """The compounds' counts summed in the order of their codes, after a 0 (a range's sum: two lookups)."""
        return np.r_[0.0, np.cumsum(self._compound_counts, dtype=np.float64)]

    def _compounds_after(self, word: str, followers: np.ndarray) -> np.ndarray:
        """Whether word and each syllable numbered followers (past the syllables: none) make or begin a pyvi compound
        of the Lexicon's counts in 1 of GLUED_RATIO of the times they stand together or more (see _one_word: giải
        trình, tổng kiểm tra)."""
        size, first = len(self.syllables), self.number.get(word, -1)
        known = (np.asarray(followers) < size) & (first >= 0)
        seconds = np.where(known, followers, -1).astype(np.int64)
        pair = (first + 1) * (size + 1) + seconds + 1  # _compound_code's; those of three beginning so follow in a range
        lo, hi = (np.searchsorted(self._compound_codes, pair * (size + 1) + edge) for edge in (1, size + 1))
        glued = _counted(self._compound_codes, self._compound_counts, pair, known) + \
            np.where(known, self._compound_sums[hi] - self._compound_sums[lo], 0.0)
        together = self._pair_counts((self._codes, self._counts), np.array([first]), seconds)[0]
        return (glued > 0) & (glued * GLUED_RATIO >= together)

    def _inside_name(self, words: list[str], after: str) -> bool:
        """Whether the syllable after, which titles write after words WORD_PIECE of their times, goes on a name: the
        titles write it and the last of words capitalised (Vương Đình Huệ, which pyvi cuts after Đình)."""
        return all(w[:1].isupper() for w in self._as_written([], [*words[-2:], after]).split()[-2:])

    def _title_next(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The numbers of the words the titles write after the last three of canonical words (two, when two; see
        _title_holds; TITLE_END where a stretch ends, a number past the syllables' for a word no syllable), and those
        times; none for words the titles' runs say nothing of (see _title_counted) or a word no syllable."""
        none = (np.zeros(0, np.int64), np.zeros(0, np.int32))
        if len(words) < 2 or not self._title_counted(words[-3:]) or words[-1] not in self.number:
            return none
        ids = self._title_ids(words[-3:])
        if len(ids) == 3:
            return self._title_after(self._title_code(*ids))
        lo, hi = self._title_range(*ids)
        return self._title_codes[lo:hi] % _title_base(len(self.syllables)), self._title_counts[lo:hi]

    def _title_holds(self, words: list[str]) -> bool:
        """Whether some title writes canonical words in a row with no punctuation between them, as far as its
        three and four words in a row say (see title_triples: each three and four of them a title's, two
        beginning or ending some three: not "Phú Trọng phát" and "chú trọng phát triển" chained); always
        for a word with other characters (a code: tp.hcm) or a Lexicon without the table."""
        if len(words) < 2 or not self._title_counted(words):
            return True
        ids = self._title_ids(words)
        if len(ids) == 2 or not len(self._title_codes):
            lo, hi = self._title_range(*ids[:2])
            return hi > lo
        codes = np.array([self._title_code(*three) for three in zip(ids, ids[1:], ids[2:])], dtype=np.int64)
        return bool(present(self._title_codes, codes).all()) and \
            all(fourth in self._title_after(int(code))[0] for code, fourth in zip(codes.tolist(), ids[3:]))

    def _title_rest(self, words: list[str]) -> str | None:
        """The syllable the titles write after the last three of words (two, when two; canonical, held: see
        _title_holds) REST_SHARE of the times they write them in a row (counting TITLE_PRIOR more times as ending
        there), where it and the last make one word (see _whole: chủ trì), or the last is a function word,
        which ends no phrase a reader types (giá vàng trong nước); not itself a function word; else None."""
        last = words[-1]
        thirds, counts = self._title_next(words)
        if not len(counts):
            return None
        best = int(np.argmax(counts))
        third = int(thirds[best])
        if third >= len(self.syllables) or counts[best] < REST_SHARE * (counts.sum() + TITLE_PRIOR):
            return None
        rest = self.syllables[third]
        if rest == NUMBER or rest in function_words():
            return None
        return rest if last in function_words() or self._whole(last, rest) else None

    def _title_times(self, words: list[str]) -> int:
        """How many times the titles write two canonical words in a row with no punctuation between (0 for one word)."""
        if len(words) < 2 or not self._title_counted(words):
            return 0
        lo, hi = self._title_range(*self._title_ids(words[-2:]))
        return int(self._title_counts[lo:hi].sum())

    def _title_after(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        """The numbers of the words the titles write after three words in a row (code: see title_triples;
        TITLE_END where they end a stretch), and those times."""
        lo, hi = np.searchsorted(self._title_fours[0], code), np.searchsorted(self._title_fours[0], code, "right")
        return self._title_fours[1][lo:hi], self._title_fours[2][lo:hi]

    def _title_counted(self, words: list[str]) -> bool:
        """Whether the titles' runs say anything of words: the Lexicon has them and each is a word (not tp.hcm)."""
        return self._title_codes is not None and all(WORD_RE.fullmatch(w) for w in words)

    def _title_code(self, first: int, second: int, third: int) -> int:
        """The code title_triples gives three numbered words in a row."""
        base = _title_base(len(self.syllables))
        return (first * base + second) * base + third

    def _title_ids(self, words: list[str]) -> list[int]:
        """The numbers of canonical words as title_triples counts them (see _title_word_numbers)."""
        return _title_word_numbers(words, self.number, len(self.syllables))

    def _title_range(self, first: int, second: int) -> tuple[int, int]:
        """(lo, hi): the places in the titles' three words in a row of those beginning with two numbered words."""
        start = self._title_code(first, second, 0)
        return int(np.searchsorted(self._title_codes, start)), \
            int(np.searchsorted(self._title_codes, start + _title_base(len(self.syllables))))

    def _adds_function_words(self, last: str, phrase: str) -> bool:
        """Whether a phrase after the syllable last adds only function words (see function_words: "Đà Nẵng
        đã"), not the rest of a title phrase last begins (lý do)."""
        return _function_words_only(phrase) and not self._begins_phrase(last, phrase.split()[0])

    def _read_before(self, text: str) -> tuple[str, list[str], bool]:
        """text (canonical) read as a search reads it, its last two words as the counts have them (a
        code's last parts: u23 as u, 23; tp.hcm as tp, hcm), and whether the last is a code's (Covid-19's 19)."""
        read = self.restore_words(WORD_RE.findall(text))
        parts = [part for word in read[-2:] for part in (code_parts(word) if NUMBERED_RE.fullmatch(word) else [word])]
        last = text.split()[-1] if text.strip() else ""
        glued = len(code_parts(last) if NUMBERED_RE.fullmatch(last) else WORD_RE.findall(last)) > 1
        return _with_words(text, dict(enumerate(read))), parts[-2:], glued

    def _numbers_after(self, head: str, last: str, limit: int) -> list[str]:
        """head (canonical) read as a search reads it, and each number or code beginning with a digit
        counted after it (see _counted_next; after its last word alone when none after the last two
        completes it) that completes last (a number being typed), the commonest first."""
        written, before, glued = self._read_before(head)
        found = []
        for context in (before, before[-1:])[:len(before) - glued]:
            found = found or self._tokens_completing(*self._counted_next(context, TYPED_TOKEN_MIN, glued),
                                                     completion_key(last))
        spelled = (_spelled_as_typed(w, last) for _, w in sorted(found))
        return [f"{written} {w}" for w in _first_unique(spelled, limit)]

    @staticmethod
    def _tokens_completing(words: list[str], times: np.ndarray, key: str) -> list[tuple[float, str]]:
        """(-times, word) of the title tokens among words (counted times) that complete key (see completion_key)."""
        return [(-t, w) for w, t in zip(words, times.tolist()) if is_title_token(w)
                and completion_key(w).startswith(key) and not _separators_to_type(key, completion_key(w))]

    def _next_phrases(self, before: list[str], glued: bool = False, typing: str = "") -> dict[str, float]:
        """The title phrases that may follow the syllables before, with their probability: those
        beginning with a syllable often after them (see _followers, and _title_weighted where titles write them
        often; glued: see _counted_next), each later
        syllable following the two before it EXTEND_MIN of the times; a syllable alone with the times it
        goes on as none of them, if WORD_PIECE of them leave some (see _alone_rescored), and with the rest of
        the word it is a piece of there (see _words_whole: "xảy ra"); those that may begin typing (a word being
        typed after them) only."""
        shares = self._name_going_on(self._title_weighted(before, self._followers(before, glued)))
        if typing:  # a syllable beginning what is typed, or begun by it
            key = completion_key(typing)
            shares = {s: v for s, v in shares.items()
                      if key.startswith(part := completion_key(s)) or part.startswith(key)}
        phrases = [phrase for syllable in shares for phrase in self._phrases_beginning(syllable, NEXT_PHRASES)]
        later = [(n, (before + p.split())[i - 2:i + 1]) for n, p in enumerate(phrases)
                 for i in range(len(before) + 1, len(before) + len(p.split()))]  # each syllable after the first
        score = np.array([shares[p.split()[0]] for p in phrases])
        goes_on = self._goes_on_after([t for _, t in later])
        np.multiply.at(score, [n for n, _ in later], np.where(goes_on >= EXTEND_MIN, goes_on, 0.0))
        return self._words_whole(before[-1], _alone_rescored({p: float(v) for p, v in zip(phrases, score) if v > 0}))

    def _title_weighted(self, before: list[str], shares: dict[str, float]) -> dict[str, float]:
        """shares (of the syllables after the words before) mixed, TITLE_WEIGHT to the rest, with the shares of the
        syllables the titles write after them going on (each TITLE_DISCOUNT times less), where the titles write the two
        words in a row TITLE_EVIDENCE times or more: a headline goes on as headlines do ("Hà Nội công bố", not "Hà Nội
        cho"); the NEXT_POOL likeliest."""
        if not all(w.isalpha() for w in before) or self._title_times(before) < TITLE_EVIDENCE:
            return shares
        followers, counts = self._title_next(before)
        going_on = followers < len(self.syllables)
        total = float(counts[going_on].sum())
        if not total:
            return shares
        mixed = {word: (1.0 - TITLE_WEIGHT) * share for word, share in shares.items()}
        for follower, times in zip(followers[going_on].tolist(), counts[going_on].tolist()):
            word = self.syllables[follower]
            mixed[word] = mixed.get(word, 0.0) + TITLE_WEIGHT * max(times - TITLE_DISCOUNT, 0.0) / total
        return dict(heapq.nlargest(NEXT_POOL, mixed.items(), key=lambda item: item[1]))

    def _name_going_on(self, shares: dict[str, float]) -> dict[str, float]:
        """shares (of the syllables after some words, see _followers) but for those the titles write in
        lowercase where those they write capitalised take WORD_PIECE of the times: a name goes on there
        (Vương Đình: Huệ, not "yên"; Nhà văn Nguyễn: not "theo")."""
        named = {word: share for word, share in shares.items() if self._capitalised(word)}
        return named if sum(named.values()) >= WORD_PIECE else shares

    def _words_whole(self, last: str, scored: dict[str, float]) -> dict[str, float]:
        """scored (phrases after the word last), each syllable alone that is a piece of a word there offered
        with the rest of that word (see _piece_ends: "tai nạn xảy ra", not "tai nạn xảy"); one with no usual
        rest ("vận động hành": hành lang, hành chính) scored IDLE_SHARE of its probability, and a phrase adding
        only function words (see _adds_function_words: "Đà Nẵng đã") FUNCTION_SHARE: readers seldom want them."""
        alone = [p for p in scored if " " not in p]
        ends = dict(zip(alone, self._piece_ends(last, alone)))
        whole: dict[str, float] = {}
        for phrase, value in scored.items():
            if ends.get(phrase) == "":
                value *= IDLE_SHARE
            elif self._adds_function_words(last, phrase):
                value *= FUNCTION_SHARE
            phrase = f"{phrase} {ends[phrase]}" if ends.get(phrase) else phrase
            whole[phrase] = max(value, whole.get(phrase, 0.0))
        return whole

    def _piece_ends(self, last: str, words: list[str]) -> list[str | None]:
        """The syllable each of words (syllables after the word last) goes on as where it is a piece of a
        word there, "" where it is a piece with no usual rest, else None. A piece: after last, it goes on as
        one syllable WORD_PIECE of the times, and the two are one word (see _whole: trực diện, tranh cử, xảy
        ra; that syllable is its rest), or it begins a compound BEGINS_SHARE of the times (see _begins_words:
        vận động hành, khởi tố vụ án); not a word with a usual next one (xe chở: "người" 87% of the times, but
        chở người is no word)."""
        before = NUMBER if NUMBER_RE.fullmatch(last) else _last_syllable(last)
        nexts = [self._commonest_after(before, word) for word in words]
        shares = iter(self._goes_on([[before, w, x] for w, x in zip(words, nexts) if x]).tolist())
        begins = self._begins_words(before, words)
        return [self._piece_end(w, x, next(shares) if x else 0.0, begun) for w, x, begun in zip(words, nexts, begins)]

    def _piece_end(self, word: str, after: str | None, share: float, begun: bool) -> str | None:
        """after (the syllable most often after word there, share of its times) where word is a piece of a
        word with that rest, "" where it is one with no usual rest, else None (see _piece_ends); a syllable
        beginning a compound needs a rest REST_SHARE of its times (khởi tố vụ án; not "người dân và công nghệ")."""
        if after and share >= (REST_SHARE if begun else WORD_PIECE) and self._whole(word, after):
            return after
        return "" if begun else None

    def _begins_words(self, before: str, words: list[str]) -> list[bool]:
        """Whether each of words, after the syllable before, begins a compound going on after it BEGINS_SHARE
        of its times there (with PIECE_PRIOR times of prior: vận động hành, Nguyễn Phú Trọng chủ); not where
        it ends a title phrase or a compound with before (thuộc địa, bị động), nor in a name: either of the two
        written capitalised by the titles (Nguyễn Xuân, Đà Nẵng Quảng)."""
        begun, named = self._begun(before, words), self._capitalised(before)
        return [bool(b) and not named and not self._capitalised(w)
                and f"{before} {w}" not in self._phrase_number and not self._compound_articles([before, w])
                for w, b in zip(words, begun)]

    def _begun(self, before: str, words: list[str], prior: float = PIECE_PRIOR) -> np.ndarray:
        """Whether each of words, after the syllable before, goes on as a compound it begins BEGINS_SHARE of its
        times there (with prior times of prior), names or not (see _begins_words)."""
        a, b = self._numbers([before]), self._numbers(words)
        seen = self._pair_counts((self._codes, self._counts), a, b)[0]
        return (seen > 0) & (self._pair_counts(self._continuing, a, b)[0] >= BEGINS_SHARE * (seen + prior))

    def _commonest_after(self, before: str, word: str) -> str | None:
        """The syllable most often after the syllables before and word, or None (never counted so, or a number)."""
        a, b = self.number.get(before), self.number.get(word)
        if a is None or b is None:
            return None
        thirds, counts = _after((self._triple_codes, self._triple_counts), a * len(self.syllables) + b, self.syllables)
        third = thirds[int(np.argmax(counts))] if thirds else None
        return third if third != NUMBER else None

    def _whole(self, word: str, after: str) -> bool:
        """Whether a syllable and the one after it make one Vietnamese word: both of a Vietnamese syllable's
        shape (a foreign name's may be written otherwise: Al-Jazeera), and a pyvi compound or a name (see
        _one_word), or the first goes on as the second WORD_PIECE of all its times (xảy ra, which pyvi's list lacks)."""
        if not _vietnamese([fold(word), fold(after)]):
            return False
        together = float(self.pairs([word], [after])[0, 0])
        alone = together >= WORD_PIECE * (float(self._followed[self.number[word]]) + PIECE_PRIOR)
        return alone or self._one_word([word, after], together)

    def _goes_on_after(self, triples: list[list[str]]) -> np.ndarray:
        """_goes_on of triples, those beginning with a title token from the titles' counts after it
        (bão số 9 đổ bộ: 9 đổ bộ, not any number's "đổ bộ"), a number not counted as itself as NUMBER."""
        first = np.array([self._joint_number.get(t[0], -1) >= len(self.syllables) for t in triples], dtype=bool)
        shares = self._goes_on([[NUMBER if NUMBER_RE.fullmatch(w) else w for w in t] for t in triples])
        if first.any():
            shares[first] = self._goes_on_token([t for t, f in zip(triples, first) if f])
        return shares

    def _goes_on_token(self, triples: list[list[str]]) -> np.ndarray:
        """The share of the times each triple's first two words, a title token and a syllable, go on
        with its third in the titles (see _after_tokens)."""
        base = len(self._joint_names)
        a, b, c = (np.array([self._joint_number.get(w, -1) for w in column]) for column in zip(*triples))
        known = (a >= 0) & (b >= 0)
        seen = _counted(*self._after_token[0], a * base + b, known)
        together = _counted(*self._after_token[1], (a * base + b) * base + c, known & (c >= 0))
        return np.minimum(together / np.maximum(seen, 1.0), 1.0)

    def _key_range(self, key: str) -> tuple[int, int]:
        """(lo, hi): the places in the sorted completion keys of those beginning with key."""
        return bisect_left(self._keys, key), bisect_left(self._keys, key + "\uffff")

    def _phrases_beginning(self, syllable: str, limit: int) -> list[str]:
        """The syllable, if a title word, and the most frequent title phrases whose first word it is:
        limit in all."""
        key = completion_key(syllable) + " "
        lo, hi = self._key_range(key)
        found = [syllable] if syllable in self._phrase_number else []
        for n in np.argsort(-self._phrase_counts[lo:hi], kind="stable").tolist():
            if len(found) == limit:
                break
            if self._phrases[lo + n].startswith(syllable + " "):
                found.append(self._phrases[lo + n])
        return found

    def _followers(self, before: list[str], glued: bool = False) -> dict[str, float]:
        """The NEXT_POOL syllables and title tokens (10, 1a) most often right after the words before
        (see _counted_next), with the share of those times."""
        words, times = self._counted_next(before, glued=glued)
        best = np.argsort(-times, kind="stable")[:NEXT_POOL]
        total = max(times.sum(), 1.0)
        return {words[n]: float(times[n]) / total for n in best.tolist()}

    def _counted_next(self, before: list[str], least: int = TOKEN_MIN,
                      glued: bool = False) -> tuple[list[str], np.ndarray]:
        """The syllables and title tokens counted right after the words before (syllables, title
        tokens; see _context), and those times: after the last two when there are two, else after the
        last; after two never counted together, only those the last one begins a title phrase with
        (trải nghiệm lễ: "lễ hội"; a space after a syllable need not end a word), no other word
        after it ("bão số lượng" is a phrase: "bão số người" is no title's), but all after a title
        token typed apart (đường 1A: "1A tắc"; glued: the last is a code's last part, nothing after
        Covid-19's 19 alone), after a number only where they are what it counts after the word before
        too (see _counting); the title tokens counted least times."""
        numbers = self._context(before)
        words, times = self._counted_after(numbers, least) if (numbers >= 0).all() else ([], np.zeros(0))
        if not words and len(numbers) == 2 and numbers[-1] >= 0:  # never counted together
            words, times = self._counted_after(numbers[-1:], least)
            token = numbers[-1] >= len(self.syllables) and not glued  # a number or code typed whole: no word it begins
            begun = np.array([token or self._begins_phrase(before[-1], w) for w in words], dtype=bool)
            if token and NUMBER_RE.fullmatch(before[-1]):
                begun &= self._counting(before[0], words)
            words, times = [w for w, b in zip(words, begun) if b], times[begun]
        return words, times

    def _counting(self, word: str, words: list[str]) -> np.ndarray:
        """Whether each of words (those after a number) is what a number counts after word too: after word and
        a number, COUNTING_SHARE of its share after any number or more (with COUNTING_PRIOR times of that share
        as prior: a word seldom before a number says little), as after khiến (khiến 10 người); not after a
        word that makes the number a name (ngày 19, quốc lộ 19: not "19 tuổi"; Euro 2016: not "2016 bị", what
        follows years), nor one no article has (Covid 19)."""
        context = np.array([self._counted_as(word, False), self.number.get(NUMBER, -1)], dtype=np.int64)
        if (context < 0).any():
            return np.zeros(len(words), dtype=bool)
        (pair, pairs), (usual, usuals) = (_times_of(words, *self._counted_after(c)) for c in (context, context[1:]))
        share = usual / usuals
        return (share > 0) & ((pair + COUNTING_PRIOR * share) / (pairs + COUNTING_PRIOR) >= COUNTING_SHARE * share)

    def _context(self, before: list[str]) -> np.ndarray:
        """The numbers of the words before as the counts of the words after them have them: a title
        token last as itself, over the syllables then the tokens (see _after_tokens), the word before it
        too; a number before a syllable as NUMBER (as the syllables' runs count it); -1 for words not counted."""
        last = self._joint_number.get(before[-1], -1)
        joint = last >= len(self.syllables)
        return np.array([self._counted_as(w, joint) for w in before[:-1]] + [last], dtype=np.int64)

    def _counted_as(self, word: str, joint: bool) -> int:
        """The number of a word before the last one (see _context); a number not counted as itself as NUMBER."""
        number = (self._joint_number if joint else self.number).get(word)
        if number is None and NUMBER_RE.fullmatch(word):
            return self.number.get(NUMBER, -1)
        return -1 if number is None else number

    @cached_property
    def _joint_number(self) -> dict[str, int]:
        """The syllables' numbers, and the title tokens' after them: the words of the runs after a token."""
        return self.number | {token: len(self.syllables) + n for n, token in enumerate(self._tokens)}

    @cached_property
    def _joint_names(self) -> list[str]:
        """The syllables, then the title tokens: the names of _joint_number's numbers."""
        return self.syllables + self._tokens

    def _counted_after_token(self, numbers: np.ndarray, least: int) -> tuple[list[str], np.ndarray]:
        """The syllables and title tokens counted right after a title token (and the word before it,
        when two are numbered: see _context) in titles least times or more (see TOKEN_MIN), and those
        times; no number after a number (5 6 is a date's 5/6 read apart, 2 0 a score's 2-0)."""
        table = self._after_token[len(numbers) - 1]
        context = int(runs_coded(numbers[:, None], len(self._joint_names))[0])
        words, times = _after(table, context, self._joint_names)
        numbered = NUMBER_RE.fullmatch(self._joint_names[numbers[-1]]) is not None
        seen = (times >= least) & np.array([w != NUMBER and not (numbered and NUMBER_RE.fullmatch(w))
                                                for w in words], dtype=bool)  # NUMBER: the numbers of 1 title
        return [w for w, k in zip(words, seen) if k], times[seen]

    def _counted_after(self, numbers: np.ndarray, least: int = TOKEN_MIN) -> tuple[list[str], np.ndarray]:
        """The syllables and title tokens counted right after the one or two syllables numbered, and
        those times; the tokens, counted in titles only, scaled so that the numbers among them share
        NUMBER's times (bodies' too) as the titles share them (which number NUMBER stands for: the tokens say).
        After a title token, its own counts (see _counted_after_token); tokens counted least times at least."""
        if numbers[-1] >= len(self.syllables):
            return self._counted_after_token(numbers, least)
        context = int(runs_coded(numbers[:, None], len(self.syllables))[0])
        syllables, tokens = ((self._triple_codes, self._triple_counts), self._token_triples) if len(numbers) == 2 \
            else ((self._codes, self._counts), self._token_pairs)
        words, times = _after(syllables, context, self.syllables)
        tokens, token_times = _after(tokens, context, self._tokens)
        seen = token_times >= least  # a number after them in one title says little (TOKEN_MIN)
        tokens, token_times = [t for t, k in zip(tokens, seen) if k], token_times[seen]
        numbered = np.array([NUMBER_RE.fullmatch(t) is not None for t in tokens], dtype=bool)
        if numbered.any():
            token_times *= max(times[[w == NUMBER for w in words]].sum() / token_times[numbered].sum(), 1.0)
        kept = [n for n, w in enumerate(words) if w != NUMBER]
        return [words[n] for n in kept] + tokens, np.r_[times[kept], token_times]

    def _begins_phrase(self, word: str, after: str) -> bool:
        """Whether a title phrase (a word of pyvi's or of the titles) begins with word and after."""
        phrase = f"{word} {after}"
        return phrase in self._phrase_number or phrase in self._phrase_prefixes

    def _continuations(self, head: str, options: list[str], limit: int) -> list[str]:
        """head, restored together with each of options (title phrases that may follow it), and that
        option, likeliest first, down to CONTINUATION_SHARE of the likeliest's probability; an option's
        later syllables each follow the two before them EXTEND_MIN of the times ("giao thông",
        not "giao thông tin")."""
        typed = WORD_RE.findall(head)
        if not options or not typed:
            return []
        best = self._readings_before([w.lower() for w in typed], list(dict.fromkeys(o.split()[0] for o in options)))
        options = [o for o in options if o.split()[0] in best]  # the likeliest firsts (MAX_STATES)
        readings = [best[o.split()[0]][0] for o in options]
        later = [(n, (read + o.split())[i - 2:i + 1]) for n, (o, read) in enumerate(zip(options, readings))
                 for i in range(len(read) + 1, len(read) + len(o.split()))]  # each syllable after the first, the two before
        shares = self._goes_on([t for _, t in later])
        score = np.array([best[o.split()[0]][1] for o in options])
        np.add.at(score, [n for n, _ in later], np.log(np.maximum(shares, 1e-9)))
        failed = {n for (n, _), share in zip(later, shares) if share < EXTEND_MIN}
        kept = [n for n in np.argsort(-score, kind="stable")
                if n not in failed and score[n] >= score.max() + math.log(CONTINUATION_SHARE)][:limit]
        return [_with_words(head, dict(enumerate(readings[n]))) + " " + options[n] for n in kept]

    def _readings_before(self, words: list[str], lasts: list[str]) -> dict[str, tuple[list[str], float]]:
        """For each of the readings lasts of a word after the lowercase words: the likeliest reading
        of the words before it and the log-probability of the whole."""
        symbols = [NUMBER if w.isdigit() else w for w in words]
        choices = [self._choices(w, False, False, False) for w in symbols] + [dict.fromkeys(lasts, 0.0)]
        options, trail, score, states = self._viterbi(choices)
        best = {}
        for state in np.argsort(-score, kind="stable"):
            reading = options[-1][states[1][state]]
            if reading not in best:
                path = _backtrack(options, trail, int(state))[:-1]
                best[reading] = ([w if w.isdigit() else r for w, r in zip(words, path)], float(score[state]))
        return best

    def _goes_on(self, triples: list[list[str]]) -> np.ndarray:
        """The share of the times each triple's first two syllables go on with its third (0 when never
        seen); a code as the syllable the analysis indexes last of it (U23 Việt Nam: # việt nam)."""
        if not triples:
            return np.zeros(0)
        a, b, c = (self._numbers([_last_syllable(w) for w in column]) for column in zip(*triples))
        pairs = a * len(self.syllables) + b
        seen = _counted(self._codes, self._counts, pairs, (a >= 0) & (b >= 0))
        shares, known = np.zeros(len(triples)), seen > 0
        shares[known] = self._triple_shares(pairs[known], seen[known], c[known])
        return np.minimum(shares, 1.0)

    def _triple_shares(self, pairs: np.ndarray, seen: np.ndarray, third: np.ndarray) -> np.ndarray:
        """The share of the times pairs (codes first * V + second, seen that many times) go on with
        the syllables numbered third (broadcast against them)."""
        codes = pairs * len(self.syllables) + third
        return _counted(self._triple_codes, self._triple_counts, codes, third >= 0) / seen

    def _completions(self, text: str, limit: int) -> list[str]:
        """Title phrases starting with text (its accents, when typed, must match), frequent first; a
        code as its other spellings too, with the separators typed (see completion_key, _respelled)."""
        key = completion_key(text)
        if not key:
            return []
        lo, hi = self._key_range(key)
        counts = self._phrase_counts[lo:hi]
        best = np.arange(len(counts))
        if len(counts) > COMPLETION_POOL:
            best = np.argpartition(-counts, COMPLETION_POOL)[:COMPLETION_POOL]
        phrases = (self._phrases[lo + i] for i in best[np.argsort(-counts[best], kind="stable")]
                   if not _separators_to_type(key, self._keys[lo + i]))
        as_typed = _accents_as_typed(text)
        spelled = (_spelled_as_typed(p, text) for p in phrases if as_typed(p))
        return _first_unique(spelled, limit) or self._parts_completions(text, limit)

    def _parts_completions(self, text: str, limit: int) -> list[str]:
        """Completions of a word typed with separators between letters (VN-I) that titles hold as one
        term of its parts written apart (vn index: the analysis reads VN-Index as two words), written
        with the separators typed."""
        parts = LETTER_SEPARATOR_RE.split(text)
        if len(parts) < 3 or " " in text:
            return []
        words, separators = parts[::2], parts[1::2] + [""]
        found = (p.split() for p in self._completions(" ".join(words), limit))
        return ["".join(w + s for w, s in zip(found_words, separators)) for found_words in found
                if len(found_words) == len(words)]

    def knows(self, word: str) -> bool:
        """Whether the word, as typed or without its accents, is an indexed syllable."""
        word = canonical(word)
        return word in self.freq or (word == fold(word) and word in self.readings)

    def maybe_mistyped(self, word: str) -> bool:
        """Whether a search may read a word as a typo: one the index lacks, or holds in fewer than 1
        article in RARE_SHARE (with any accents, typed without: a typo may make a rare word, tco, nà);
        not a number or code."""
        return word.isalpha() and self._articles(word, word.isascii()) * RARE_SHARE < self._about_all

    def spelled_right(self, word: str) -> bool:
        """Whether the word is no typo: one the index knows, or (as knows reads it) a syllable of pyvi's word list."""
        return self.knows(word) or canonical(word) in vietnamese_syllables()  # the list read only if needed

    def _numbers(self, syllables: list[str]) -> np.ndarray:
        return np.array([self.number.get(s, -1) for s in syllables], dtype=np.int64)

    def _unigrams(self, syllables: list[str]) -> np.ndarray:
        counts = np.array([self.freq.get(s, 0) for s in syllables], dtype=np.float64)
        return (counts + 0.5) / (self.total + len(self.freq))

    def pairs(self, before: list[str], after: list[str]) -> np.ndarray:
        """About how many articles have each of before right before each of after (a matrix)."""
        return self._pair_counts((self._codes, self._counts), self._numbers(before), self._numbers(after))

    def _pair_counts(self, table: tuple, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The counts in a table of pairs (codes, counts) of each syllable numbered a before each numbered b."""
        known = (a[:, None] >= 0) & (b[None, :] >= 0)
        return _counted(*table, a[:, None] * len(self.syllables) + b[None, :], known)

    def _follows(self, before: list[str], after: list[str], starting: bool = False, ending: bool = False) -> np.ndarray:
        """P(after | before) for each pair: neighbour counts, smoothed by after's frequency; starting:
        before starts a word, ending: after ends one (a query's first and last words: readers type
        words), so the pairs where before ends a compound (after begins one) count WORD_EDGE_KEEP."""
        a, b = self._numbers(before), self._numbers(after)
        followed = self._followed[a]
        seen = np.maximum(np.where(followed > 0, followed, [self.freq.get(s, 0) for s in before]), 1)
        pairs = self._pair_counts((self._codes, self._counts), a, b)
        for table in [self._continued] * starting + [self._continuing] * ending:
            pairs = np.maximum(pairs - (1 - WORD_EDGE_KEEP) * self._pair_counts(table, a, b), 0)
        share = np.minimum(pairs / seen[:, None], 1.0)
        return PAIR_WEIGHT * share + (1 - PAIR_WEIGHT) * self._unigrams(after)[None, :]

    def _transitions(self, before: list[str], after: list[str]) -> np.ndarray:
        """log P(after | before) for each pair (see _follows)."""
        return np.log(self._follows(before, after))

    def _next(self, options: list[list[str]], k: int, states: tuple[np.ndarray, np.ndarray],
              steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """log P(each reading of word k | each state (reading of word k-2, of word k-1)): triple
        counts interpolated with the pairs' estimate (TRIPLE_WEIGHT; word k-1 read as beginning a word
        where words k-2, k-1 are no compound), where the pair before was seen, or where likelier, word k-1
        begun anew; and word k's own share of it (see _begun_anew). The
        query's first word begins an item: a name there counts as begun anew (_name_odds)."""
        before, last = states
        follows = self._follows(options[k - 1], options[k], starting=k == 1, ending=k == len(options) - 1)
        if k < 2:
            first = np.log(follows[last]) + self._name_odds(options, k, last)
            return first, first
        width = len(options[k - 1])  # the triples counted once per pair, which up to PAIR_PATHS states share
        pairs, where = np.unique(before * width + last, return_inverse=True)
        pairs = np.divmod(pairs, width)
        begins = self._follows(options[k - 1], options[k], starting=True, ending=k == len(options) - 1)
        apart = self._apart_pairs(options[k - 2], options[k - 1], pairs)[:, None]
        estimate = np.where(apart, begins[pairs[1]], follows[pairs[1]])
        return self._begun_anew(options, k, last, steps, self._in_context(options, k, pairs, estimate)[where], begins)

    def _apart_pairs(self, firsts: list[str], seconds: list[str], pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Whether each pair of readings (indices into firsts, seconds) stands where a word ends (the
        first ends a compound begun before it, or the second begins one going on after it) in
        APART_SHARE of its times at least ("nội báo" of "Hà Nội báo cáo"): then the second begins a word,
        and its pairs inside compounds begun before it count as at a query's first word (WORD_EDGE_KEEP:
        "hà nội bao lu" is no "cảnh báo lũ")."""
        first, second = self._numbers(firsts)[pairs[0]], self._numbers(seconds)[pairs[1]]
        known, codes = (first >= 0) & (second >= 0), first * len(self.syllables) + second
        together = _counted(self._codes, self._counts, codes, known)
        edges = sum(_counted(*table, codes, known) for table in (self._continued, self._continuing))
        return (together > 0) & (edges >= APART_SHARE * together)

    def _begun_anew(self, options: list[list[str]], k: int, last: np.ndarray, steps: np.ndarray,
                    read: np.ndarray, begins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """read (log P(reading of word k | state)), or where likelier, the reader's beginning anew at
        word k-1 (a query lists words and names, not one sentence): that word at NEW_WORD_SHARE of its
        frequency (NAME_SHARE where words k-1 and k make a name: _name_odds) instead of its log P in steps,
        word k after it as after a query's first word (begins: _follows of words k-1, k so); and the log P
        of word k alone in it."""
        if not NEW_WORD_SHARE:
            return read, read
        anew = np.log(NEW_WORD_SHARE * self._unigrams(options[k - 1]))[last] - steps
        alone = np.log(begins)[last] + self._name_odds(options, k, last)
        begun = anew[:, None] + alone > read
        return np.where(begun, anew[:, None] + alone, read), np.where(begun, alone, read)

    def _name_odds(self, options: list[list[str]], k: int, last: np.ndarray) -> np.ndarray:
        """log(NAME_SHARE / NEW_WORD_SHARE) where a state's reading of word k-1 (last) and a reading of word
        k make a name (see _names), else 0: an item begins with a name more readily than with another word."""
        if not NEW_WORD_SHARE:
            return np.zeros((len(last), len(options[k])))
        names = np.zeros((len(options[k - 1]), len(options[k])), dtype=bool)
        for n, first in enumerate(options[k - 1]):
            if first in self._names:
                names[n] = [second in self._names[first] for second in options[k]]
        return np.log(NAME_SHARE / NEW_WORD_SHARE) * names[last]

    @cached_property
    def _names(self) -> dict[str, frozenset[str]]:
        """The phrases of two words the titles write as names, each word capitalised (Đà Nẵng, Biển Đông):
        the second words of those each first word begins."""
        seconds = defaultdict(set)
        for phrase, cased in zip(self._phrases, self._cased):
            if phrase.count(" ") == 1 and len(cased) == len(phrase) and all(w[:1].isupper() for w in cased.split()):
                first, second = phrase.split()
                seconds[first].add(second)
        return {first: frozenset(words) for first, words in seconds.items()}

    def _in_context(self, options: list[list[str]], k: int, states: tuple[np.ndarray, np.ndarray],
                    follows: np.ndarray) -> np.ndarray:
        """log P(each reading of word k | each state) from the triples, where the pair before was
        seen, interpolated with follows (the pairs' estimate)."""
        before, last = states
        size, third = len(self.syllables), self._numbers(options[k])
        first, second = self._numbers(options[k - 2])[before], self._numbers(options[k - 1])[last]
        pair = _counted(self._codes, self._counts, first * size + second, (first >= 0) & (second >= 0))
        seen = np.flatnonzero(pair)
        share = np.zeros(follows.shape)
        share[seen] = self._triple_shares((first[seen] * size + second[seen])[:, None], pair[seen, None], third[None, :])
        weight = np.where(pair > 0, TRIPLE_WEIGHT, 0.0)[:, None]
        return np.log(weight * np.minimum(share, 1.0) + (1 - weight) * follows)

    def _choices(self, word: str, fix: bool, respell: bool, marked: bool, kept: float = 0.0) -> dict[str, float]:
        """A typed lowercase word's readings and their log costs: its accented forms, or (fix)
        for a word not spelled right, the indexed syllables within its allowed edits; with respell, also
        the syllables one edit away from any word of two letters or more; marked: the query has
        accents, so a known word typed without them lacks them (one the index lacks may have left
        them off: MARKS_LEFT_OFF); kept: the cost of accenting an indexed word typed without
        accents (in a query typed partly with them, it may be meant so)."""
        if fix and word.isalpha() and not self.spelled_right(word):
            near = self._near(word, MAX_NEAR, marked=marked)
            if near:
                return {syllable: -EDIT_COST * distance for distance, _, syllable in near}
        if word != fold(word):  # typed with accents: keep them
            choices = {canonical(word): 0.0}
        else:
            cost = -kept if word in self.freq else 0.0
            choices = {r: 0.0 if r == word else cost for r in self.readings.get(word, [word])[:MAX_READINGS]}
        if respell and word.isalpha() and len(word) >= 2 and not is_abbreviation(word) and not foreign_word(fold(word)):
            # a syllable of 3+ letters SURE_RATIO times rarer than the word read is likelier a slip: its edits
            # weigh as an unknown word's; not a foreign word's (Sony, Hart, tie-break: held rarely too)
            slip = allowed_edits(fold(word)) and fold(word) in vietnamese_syllables()
            held = self._held(word, not marked) * SURE_RATIO if slip else math.inf
            for distance, _, syllable in self._near(word, MAX_NEAR, 1, marked):
                rare = held < self.freq[syllable]
                choices.setdefault(syllable, -(EDIT_COST if rare else RESPELL_COST) * distance)
        return choices

    def _cased_choices(self, choices: dict[str, float], capital: bool) -> dict[str, float]:
        """choices, for a word the reader capitalised among lowercase ones, with CAPITAL_COST on each reading
        that is none of _name_syllables where another is (du hoc Uc: "Úc", not "lực")."""
        if not capital or self._name_syllables.isdisjoint(choices):
            return choices
        return {r: cost - (0.0 if r in self._name_syllables else CAPITAL_COST) for r, cost in choices.items()}

    @cached_property
    def _name_syllables(self) -> frozenset[str]:
        """The syllables titles write capitalised in their phrases written with every word capitalised, as
        names (Úc, Hà Nội), in NAME_SYLLABLE_SHARE of the titles holding them at least."""
        capitalised, alone = Counter(), {}
        for phrase, cased, count in zip(self._phrases, self._cased, self._phrase_counts.tolist()):
            if " " not in phrase:
                alone[phrase] = count
            if cased and all(w[:1].isupper() for w in cased.split()):
                capitalised.update(dict.fromkeys(phrase.split(), count))
        return frozenset(s for s, times in capitalised.items() if times >= NAME_SYLLABLE_SHARE * alone.get(s, times))

    def restore_words(self, words: list[str], fix: bool = False, respell: bool = False, marked: bool = False,
                      kept: float = 0.0, held: list[bool] | None = None, capital: list[bool] | None = None) -> list[str]:
        """The most probable accented reading of lowercase words (Viterbi over trigrams, the
        MAX_STATES likeliest pairs of readings kept at each word, and where co-occurrence chooses,
        the PAIR_PATHS likeliest paths to each); with fix, words the index lacks may become near
        syllables; with respell, any word may (marked: of a query typed with accents); kept: the
        log-cost of accenting a word typed without accents (see _choices); held: the words read as typed;
        capital: the words the reader capitalised among lowercase ones (see _capitalised_among_lowercase)."""
        if not words:
            return []
        symbols = [NUMBER if w.isdigit() else w for w in words]
        read = self._restore_symbols(symbols, fix, respell, marked, kept, held or [False] * len(words),
                                     capital or [False] * len(words))
        return [w if w.isdigit() else r for w, r in zip(words, read)]

    def _restore_symbols(self, words: list[str], fix: bool, respell: bool, marked: bool, kept: float,
                         held: list[bool], capital: list[bool]) -> list[str]:
        """restore_words() of words whose numbers are NUMBER (read with the counts of all numbers)."""
        choices = [{canonical(w): 0.0} if as_typed else self._cased_choices(self._choices(w, fix, respell, marked, kept), cap)
                   for w, as_typed, cap in zip(words, held, capital)]
        if self._articles_holding is None or not COOC_WEIGHT or len(words) < 2:
            options, trail, score, _ = self._viterbi(choices)
            return _backtrack(options, trail, int(score.argmax()))
        fixed = [fix and w.isalpha() and not self.spelled_right(w) for w in words]
        return self._cooccurring(*self._viterbi(choices, PAIR_PATHS)[:3], words, fixed)

    def with_cooccurrence(self, articles_holding) -> "Lexicon":
        """This Lexicon reading queries with articles_holding(syllables: a sorted tuple) -> how many
        articles hold them all (all articles for none; None: unknown), see _cooccurring."""
        for name in LAZY_TABLES:  # tables made on first use made here, once: a view copies them,
            getattr(self, name)  # else each view would make its own
        view = copy.copy(self)  # the tables and caches shared
        view._articles_holding = articles_holding
        return view

    def _cooccurring(self, options: list[list[str]], trail: list, score: np.ndarray, typed: list[str],
                     fixed: list[bool]) -> list[str]:
        """Of the likeliest whole readings (COOC_PATHS, within COOC_MARGIN of the best), the one
        likeliest once its co-occurrence (COOC_WEIGHT) is added, among those spelling the letters typed
        but in the words a typo is fixed in (fixed: words the index lacks): it chooses accents and
        those words' edits ("ntặng tại hội": tặng, not the commoner nặng), never a known
        word's edit, and a best reading that respells a word is kept."""
        ranked = np.argsort(-score, kind="stable")[:COOC_PATHS]
        ranked = ranked[score[ranked] >= score[ranked[0]] - COOC_MARGIN]
        paths = [_backtrack(options, trail, int(state)) for state in ranked]
        letters = [None if free else fold(w) for w, free in zip(typed, fixed)]
        kept = [k for k, path in enumerate(paths)
                if all(want is None or fold(w) == want for w, want in zip(path, letters))]
        odds = self._cooccurrence([paths[k] for k in kept]) if len(kept) > 1 and kept[0] == 0 else None
        if odds is None:
            return paths[0]
        return paths[kept[int(np.argmax(score[ranked[kept]] + COOC_WEIGHT * odds))]]

    def _cooccurrence(self, readings: list[list[str]]) -> np.ndarray | None:
        """Each reading's log P(the words all readings share | its other words), from the articles
        holding them (smoothed by COOC_ALPHA articles at the shared words' share of all articles);
        None when they share no word, no article holds the shared ones or a count is unknown."""
        sets = [frozenset(w for w in reading if w.isalpha()) for reading in readings]  # not NUMBER
        shared = frozenset.intersection(*sets)
        if not shared:
            return None
        asked = [shared, frozenset(), *sets, *(words - shared for words in sets)]
        counts = [self._articles_holding(tuple(sorted(words))) for words in asked]
        if None in counts or not counts[0]:
            return None
        holding, apart = np.array(counts[2:2 + len(sets)], float), np.array(counts[2 + len(sets):], float)
        return np.log((holding + COOC_ALPHA * counts[0] / counts[1]) / (apart + COOC_ALPHA))

    def _viterbi(self, choices: list[dict[str, float]],
                 paths: int = 1) -> tuple[list[list[str]], list, np.ndarray, tuple]:
        """(readings of each word, the trail, the last states' scores, the last states) of the Viterbi
        pass over each word's readings and their log costs (choices), keeping the `paths` likeliest
        paths to each pair of readings (see _best_states)."""
        options = [list(c) for c in choices]
        steps = np.log(self._unigrams(options[0]))  # each state's log P(its last reading | the readings before)
        score = np.array(list(choices[0].values())) + steps
        states = (np.full(len(score), -1), np.arange(len(score)))  # (reading before the last, last reading)
        trail, first = [(None, states[1])], np.ones(len(score), dtype=bool)
        for k in range(1, len(choices)):
            step, own = self._next(options, k, states, steps)
            total = score[:, None] + step + np.array(list(choices[k].values()))[None, :]
            score, parent, states, first = _best_states(total, states[1], first, paths)
            steps = own[parent, states[1]]
            trail.append((parent, states[1]))
        return options, trail, score, states

    def _rewrite(self, text: str, fix: bool, pick, respell: bool = False, kept: float = 0.0) -> str:
        """text with each word replaced by pick(typed, chosen reading); punctuation kept; the words of a
        foreign name typed as written read as typed, the others read beside them (see _names_as_typed)."""
        read = self._readings(text, fix, respell, kept)
        held = self._names_as_typed(text, read)
        chosen = iter(self._readings(text, fix, respell, kept, held) if held else read)
        return WORD_RE.sub(lambda m: pick(m.group(), next(chosen)), text)

    def _readings(self, text: str, fix: bool, respell: bool, kept: float, held: list[bool] | None = None) -> list[str]:
        """The reading of each word of text (restore_words of each run of words between punctuation,
        which breaks the chain); held: the words read as typed."""
        marked, initials = not is_unaccented(text), _initials_in_codes(text)
        held_words, read, capitals = iter(held or []), [], iter(_capitalised_among_lowercase(text))
        for run in WORDS_RUN_RE.finditer(text):
            words = WORD_RE.findall(run.group())
            fixed = [next(held_words) for _ in words] if held else None
            chosen = self.restore_words([one_iy(w.lower()) for w in words], fix, respell, marked, kept, fixed,
                                        [next(capitals) for _ in words])  # ki: ky
            read += [_initials_reading(w, r) if fold(canonical(w.lower())) in initials else r for w, r in zip(words, chosen)]
        return read

    def restore(self, text: str) -> str:
        """text with the accents its unaccented words most probably lost."""
        return self._rewrite(text, False, with_case_of)

    def correct(self, text: str) -> str | None:
        """text with its words the index lacks that are no Vietnamese syllable as typed (see
        spelled_right) replaced by the likeliest near syllable (without accents when the query has
        none), or None when there are none."""
        if all(self.spelled_right(w) or not w.isalpha() or not allowed_edits(w) for w in WORD_RE.findall(text)):
            return None
        accented = not is_unaccented(text)  # then a typo that lost a word's accents lost them by mistake

        def pick(typed: str, chosen: str) -> str:
            if self.spelled_right(typed) or not typed.isalpha() or chosen == typed.lower():
                return typed
            return with_case_of(typed, chosen if accented else fold(chosen))

        corrected = self._rewrite(text, True, pick)
        corrected = _with_words(corrected, self._names_mistyped(text, corrected, accented))
        return self._recased(text, corrected) if corrected != text else None

    def _recased(self, text: str, corrected: str) -> str:
        """corrected (text with some words respelled) with each word respelled in the casing typed when
        that is lowercase, capitalised or all capitals (else capitalised: uHy, "Huy", not "hUy"), and
        capitalised where the titles write it so beside its neighbours in a query the reader cased (Hà ội:
        "Hà Nội", not "Hà nội"; one typed all in lowercase or capitals is cased as a whole later: Lexicon.cased)."""
        typed, read = WORD_RE.findall(text), WORD_RE.findall(corrected)
        if len(typed) != len(read):
            return corrected
        letters = "".join(c for c in text if c.isalpha())
        cased = not (letters.islower() or letters.isupper())
        titled = self._as_written([], [canonical(w.lower()) for w in read]).split() if cased else read
        recased = {i: written if cased and written[:1].isupper() and written.lower() == r.lower()
                   else _plainly_cased(t, r.lower()) for i, (t, r, written) in enumerate(zip(typed, read, titled)) if t != r}
        place = iter(range(len(read)))
        return WORD_RE.sub(lambda m: recased.get(next(place), m.group()), corrected)

    def _names_mistyped(self, text: str, corrected: str, accented: bool) -> dict[int, str]:
        """{place among WORD_RE's words: the syllable meant} of each word of a foreign name's group (see
        _names_as_typed) but its first that is a mistyped syllable of two letters (see _two_letters_meant:
        Kim Jong Unn, Un; the table of near syllables holds 3+ letters only) which the index has beside the
        word before more often than the word corrected (corrected: text with its typos corrected, else as
        typed: Kim Jong Uun had read "Kim Jong Gun"); accented: with its marks."""
        typed, (groups, _) = [canonical(w.lower()) for w in WORD_RE.findall(text)], _name_groups(text)
        read, found = [canonical(w.lower()) for w in WORD_RE.findall(corrected)], {}
        for group, _ in groups:
            if len(read) == len(typed) and any(self._foreign(typed[i], text == text.lower()) for i in group):
                found.update((i, meant) for i in group[1:] if (meant := self._two_letters_meant(read[i - 1], typed[i]))
                             and self._beside(read[i - 1], meant) > self._beside(read[i - 1], read[i]))
        return {i: meant if accented else fold(meant) for i, meant in found.items()}

    def _two_letters_meant(self, before: str, word: str) -> str | None:
        """The syllable of two letters that a word of three the index lacks is with a letter added, the one
        the index has most often beside the word before it (unn after jong: un), or None where it has none so."""
        if len(word) != 3 or self.spelled_right(word):
            return None
        near = {s for d in _deletions(fold(word), 1) if len(d) == 2 for s in self.readings.get(d, ())}
        times, meant = max(((self._beside(before, s), s) for s in near), default=(0.0, None))
        return meant if times else None

    def slips(self, text: str, reading: str | None) -> str | None:
        """text with the words the reading spells otherwise replaced where the index has the word
        typed SURE_RATIO times less often than the word read (a typo that made a rare syllable:
        "trng tâm" -> "trung tâm"; "tường" for "trường" stays; see _held), or None when there are none."""
        folded, read, changed = _respellings(text, reading)
        unaccented = is_unaccented(text)
        typed = folded if unaccented else WORD_RE.findall(canonical(text))
        in_codes = _words_in_codes(fold(canonical(text)))
        slipped = {i: fold(read[i]) if unaccented else read[i] for i in changed if folded[i] not in in_codes
                   and self._held(typed[i], unaccented) * SURE_RATIO < self.freq.get(read[i], 0)
                   and self._seen_beside(read, i)}
        return self._recased(text, _with_words(text, slipped)) if slipped else None

    def unglued(self, text: str, read: bool = False) -> str | None:
        """text with each word that glues syllables the index has together far more often than it
        has the word written apart, unaccented ("hanoi" -> "ha noi", read "Hà Nội"; "honda" stays, and
        so does one the index has beside a neighbour it has in text), and each word typed with marks
        glued to its number apart ("số10" -> "số 10", see _number_glued) or to other such words ("tainạn"
        -> "tai nạn", see _marked_cuts), or None when it has none;
        read: the syllables with the accents of the reading found together ("Đà Nẵng")."""
        in_codes, typed = _words_in_codes(fold(canonical(text))), WORD_RE.findall(text)
        lowered_words, apart = [w.lower() for w in typed], {}
        for place, (word, lowered) in enumerate(zip(typed, lowered_words)):
            marked = lowered.isascii() and self._written_marked(lowered)  # oto: the articles' ôtô, xe ôtô
            glued = lowered.isascii() and lowered not in in_codes and (marked or not self._seen_beside(lowered_words, place))
            parts = self._glued_apart(lowered, marked) if glued else None  # "Vietnam Airlines", "EVN HANOI" stay
            if parts:  # Hanoi: Ha Noi, a name
                parts = self.restore_words(parts) if read else parts
                capitals = len(parts) if word[:1].isupper() and not marked else word[:1].isupper()  # Ha Noi; Ô tô
                apart[place] = " ".join(p.capitalize() if n < capitals else p for n, p in enumerate(parts))
            elif (number := self._number_glued(lowered)) is not None:
                apart[place] = f"{word[:number]} {word[number:]}"
            elif cuts := self._marked_cuts(lowered):  # tainạn: tai nạn, as pyvi joins them typed apart
                pieces = _pieces(word, cuts)
                apart[place] = " ".join(self._titled(pieces) if word[:1].isupper() else pieces)
        return _with_words(text, apart) if apart else None

    def _titled(self, pieces: list[str]) -> list[str]:
        """The syllables of a capitalised glued word, each capitalised where the titles write it so
        there (Hồchíminh: Hồ Chí Minh; Giávàng: Giá vàng)."""
        written = self._as_written([], [canonical(p.lower()) for p in pieces]).split()
        if len(written) != len(pieces):
            return pieces
        return [p[:1].upper() + p[1:] if w[:1].isupper() else p for p, w in zip(pieces, written)]

    def _marked_cuts(self, word: str) -> tuple[int, ...]:
        """Where a lowercase word typed with marks splits into the 2-3 syllables it glues (tainạn: tai
        nạn; hồchíminh: hồ chí minh), its folded letters cut as syllables are, the pieces as typed
        words the index knows standing together _glued_min times at least (not a typo's, thánga:
        "thán ga"), the likeliest such cut; else ()."""
        if word.isascii() or SYLLABLE_SHAPE.fullmatch(fold(word)):
            return ()
        best, cuts = 0.0, ()
        for split in _word_splits(fold(word), self.readings):
            ends = tuple(accumulate(map(len, split)))[:-1]
            pieces = _pieces(word, ends)
            together = self._held_together(pieces) if _vietnamese(split) else 0.0
            if together > best and all(map(self.knows, pieces)):
                best, cuts = together, ends
        return cuts if best >= self._glued_min else ()

    def _glued_apart(self, word: str, marked: bool) -> list[str] | None:
        """The words a glued word is read as (see _glued_parts), a number glued after foreign ones
        too (worldcup2018: world, cup, 2018; muaban24, a site's name, stays), or a model's name before
        its letter and number (galaxys8: galaxy, s8; see _model_code), else None."""
        letters, number = _number_off(word)
        parts = self._glued_parts(letters, marked)
        if parts and number and _vietnamese(parts):
            return None
        return parts + number if parts else self._model_code(word, letters, number)

    def _model_code(self, word: str, letters: str, number: list[str]) -> list[str] | None:
        """[name, its letter and number] of a model glued (galaxys8: galaxy, s8; grandi10: grand, i10)
        where the name (3 letters or more) stands right before the letter GLUED_MIN times at least
        and GLUED_RATIO times more often than articles hold the glued word, else None."""
        name, letter = letters[:-1], letters[-1:]
        if not number or len(name) < 3 or not self.knows(name):
            return None
        together = float(self.pairs([name], [letter]).sum())
        return [name, letter + number[0]] if together >= max(GLUED_MIN, GLUED_RATIO * self._frequency(word)) else None

    def _number_glued(self, word: str) -> int | None:
        """Where the number a lowercase word glues after a word typed with marks starts (số10: 2,
        lớp12: 3), when the index has that word right before a number at least _glued_min times, else
        None. Letters without marks glued to a number stay: a code's (U23, Su30, MH370), whose pieces
        the index also counts side by side."""
        letters, number = _number_off(word)
        if not number or letters.isascii():
            return None
        return len(letters) if self.pairs([canonical(letters)], [NUMBER]).sum() >= self._glued_min else None

    def _glued_parts(self, word: str, marked: bool = False) -> list[str] | None:
        """The 2-3 syllables or words a word glues (without accents), when its likeliest reading as them
        stands together GLUED_RATIO times more often than the word (and in 1 article in GLUED_SHARE) and
        is one word (see _one_word), else None; marked (see _written_marked): of 3 letters too (oto).
        Foreign words (a piece of no Vietnamese shape: worldcup, mirandakerr) need GLUED_MIN times
        together only, and no word: they are a name or phrase, not a sentence's neighbours (sở đã)."""
        if len(word) < 4 - marked or not word.isalpha() or SYLLABLE_SHAPE.fullmatch(word):
            return None
        best, parts, words = 0.0, None, []
        for split in _word_splits(word, self.readings):
            read = self.restore_words(split)
            together = self._held_together(read)
            if together > best:
                best, parts, words = together, split, read
        foreign = parts is not None and not _vietnamese(parts)
        if best < max(GLUED_MIN if foreign else self._glued_min, GLUED_RATIO * self.freq.get(word, 0)):
            return None
        return parts if foreign or self._one_word(words, best) else None

    def _written_marked(self, word: str) -> bool:
        """Whether the articles write a word typed without marks glued with them (ôtô for oto, which the
        analysis reads as its syllables, so that its articles hold them) GLUED_RATIO times more often
        than as typed: those are no brand's neighbours, and a reading apart finds them."""
        marked = sum(self.freq[form] for form in self.readings.get(word, ()) if form != word and glued_cut(form))
        return marked > 0 and marked >= GLUED_RATIO * self.freq.get(word, 0)

    def _one_word(self, words: list[str], together: float) -> bool:
        """Whether syllables standing together that many times are one word: a pyvi compound in 1 of
        GLUED_RATIO of those times at least (mô tô, bóng đá; not sở đã, of trụ sở đã), or a name the
        titles write capitalised (Sài Gòn). Readers glue words and names, not neighbours."""
        if self._compound_articles(words) * GLUED_RATIO >= together:
            return True
        return all(w[:1].isupper() for w in self._as_written([], words).split())

    def _compound_articles(self, words: list[str]) -> float:
        """About how many articles hold 2-3 syllables as one pyvi compound (a title and a body each count)."""
        numbers = self._numbers(words)
        if (numbers < 0).any() or not len(self._compound_codes):
            return 0.0
        code = np.array([_compound_code(numbers, len(self.syllables))], dtype=np.int64)
        return float(_counted(self._compound_codes, self._compound_counts, code, np.array([True]))[0])

    @property
    def _glued_min(self) -> int:
        """Times two syllables stand together for a word to be read as them: a share of the articles
        (an absolute count left a glued name unread in a small archive: danang in 2,000 articles)."""
        return max(GLUED_MIN, round(self._about_all / GLUED_SHARE))

    def _seen_beside(self, words: list[str], i: int) -> bool:
        """Whether the index has words[i] next to one of its neighbours there (the context read it)."""
        before = self.pairs(words[i - 1:i], words[i:i + 1]).sum() if i else 0
        return bool(before or self.pairs(words[i:i + 1], words[i + 1:i + 2]).sum())

    def _held(self, word: str, any_accents: bool) -> int:
        """_articles of a word typed, one for a syllable of pyvi's list the index lacks: no typo, so the
        word read must be in SURE_RATIO articles ("viet nam" is no "biet nam" where one holds "biết nắm")."""
        return self._articles(word, any_accents) or int(self.spelled_right(word))

    def _articles(self, word: str, any_accents: bool) -> int:
        """About how many articles hold a syllable (any_accents: with any accents on its letters)."""
        word = canonical(word.lower())
        if any_accents:
            return sum(self.freq[s] for s in self.readings.get(fold(word), ()))
        return self.freq.get(word, 0)

    def cased(self, text: str) -> str:
        """text typed all in lowercase, all in capitals or with only its first letter a capital (as
        phones begin it: kept) cased as titles write its phrases (``ho chi minh``, ``HỒ CHÍ MINH``: "Hồ
        Chí Minh"; ``Gia lai``: "Gia Lai", ``Nam thanh niên``: as typed), so that pyvi, which joins words
        by their case, reads the words it reads in the case readers type; text the reader cased
        (``Tp.Hcm-Kon Tum``) stays as typed, and so do the operators OR, AND, NOT and title: (its word
        cased as the others: ``title:ha noi``, "title:Hà Nội")."""
        fielded = not is_pasted(text)  # pasted text has no operators (query.parse)
        typed = (fields_read(text).replace("title:", "title: ") if fielded else text).split()
        kept = [w in OPERATORS or (fielded and w == "title:") for w in typed]
        letters = "".join(c for w, k in zip(typed, kept) if not k for c in w if c.isalpha())
        if not letters or not (letters.islower() or letters[1:].islower() or letters.isupper()):
            return text
        words = [w if k else canonical(w) for w, k in zip(typed, kept)]  # hoà as hòa, kĩ as kỹ: the titles' words are canonical
        written = self._names_joined([w if k else c for w, k, c in zip(words, kept, self._as_written(words, words).split())])
        if letters[:1].isupper() and not letters.isupper():  # the first letter's capital, as typed
            word = written[first := next(n for n, k in enumerate(kept) if not k)]
            at = next((n for n, c in enumerate(word) if c.isalpha()), 0)
            written[first] = word[:at] + word[at:at + 1].upper() + word[at + 1:]
        return " ".join(written).replace("title: ", "title:") if fielded else " ".join(written)

    def _names_joined(self, written: list[str]) -> list[str]:
        """Words cased as the titles write them, with each word they write in lowercase after a capitalised
        word that is no Vietnamese syllable capitalised where the titles hold the two as one word (a phrase
        of the table): a name's piece they join by a hyphen (kim jong nam: "Kim Jong Nam", as Kim Jong-nam)."""
        for i in range(1, len(written)):
            before, word = written[i - 1], written[i]
            if _titled(before) and word.isalpha() and word.islower() and self._foreign(before.lower(), True) \
                    and f"{before.lower()} {word}" in self._phrase_number:
                written[i] = word.capitalize()
        return written

    def reading(self, text: str, partly: bool = True) -> str | None:
        """The reading of text to propose, or None: its most probable one when its words make
        far more sense with one of them one edit away (a typo that made another word: "hầu không
        rõ nguồn" -> "dầu không rõ nguồn"), else, when typed without accents or (unless not partly)
        partly with them ("nguyen phú trọng": its accented words as typed), its accents restored."""
        read = self._rewrite(text, False, with_case_of, respell=len(WORD_RE.findall(text)) >= 2)
        respelled = fold(read.lower()) != fold(text.lower()) or self._marks_slipped(text, read)
        if read != text and (respelled or is_unaccented(text)):
            return read
        return self.partly_read(text) if partly and read != text and accents_added(text, read) else None

    def _marks_slipped(self, text: str, read: str) -> bool:
        """Whether the reading gives a word typed with marks other vowel marks, its letters and tone
        kept (hôm nây: "hôm nay", a Telex aa too many), where the index has the word typed SURE_RATIO
        times less often than the one read (nây in 2 of the 179,251 articles, nay in 74,411): a slip,
        which slips() searches as meant. Not another tone: it makes another word too often ("nhá
        hàng", a teaser in 222 articles, is no "nhà hàng")."""
        typed, words = [canonical(w) for w in WORD_RE.findall(text)], [canonical(w) for w in WORD_RE.findall(read)]
        return len(typed) == len(words) and any(
            word != fold(word) and word != meant and fold(word) == fold(meant) and _tone(word) == _tone(meant)
            and self._held(word, False) * SURE_RATIO < self.freq.get(meant, 0) for word, meant in zip(typed, words))

    def partly_read(self, text: str) -> str | None:
        """The reading of a query typed partly with accents, its words typed without them kept
        so unless the context outweighs KEPT_COST ("của ong" stays), or None when it accents none."""
        if not self.partly_accented(text):
            return None
        read = self._names_kept(text, self._rewrite(text, False, with_case_of, kept=KEPT_COST))
        read = self._unseen_names_kept(text, read)
        return read if accents_added(text, read) else None

    def _names_kept(self, text: str, reading: str) -> str:
        """The reading with the names the query typed without marks (see _name_words) kept as typed,
        but for those the index writes as read, a name, far more often (see _read_as_name: "Phố đi
        bộ Ha Noi" is Hà Nội; "U vụ De" keeps De, "Hà Noi mưa" is one name, Hà Nội)."""
        typed, read = WORD_RE.findall(text), WORD_RE.findall(reading)
        if len(typed) != len(read) or not any(w != fold(w) and w.islower() for w in typed):
            return reading
        kept = _name_words(typed)
        for start, end in _capitalised_runs(typed):
            if any(kept[start:end]) and self._read_as_name(typed[start:end], read[start:end]):
                kept[start:end] = [False] * (end - start)
        return _kept_as_typed(typed, read, kept, reading)

    def _unseen_names_kept(self, text: str, reading: str) -> str:
        """The reading with each word typed capitalised without marks (the first aside: its capital
        says nothing) kept as typed where its reading is in fewer than NAME_EVIDENCE articles and
        never beside a neighbour as read: thin evidence against a name typed as meant ("Quảng Nam"
        is not "Quảng Năm" where one article holds "năm", none "Nam" or "Quảng năm")."""
        typed, read = WORD_RE.findall(text), WORD_RE.findall(reading)
        if len(typed) != len(read):
            return reading
        lowered = [canonical(w.lower()) for w in read]
        kept = [i > 0 and w[:1].isupper() and w[1:].islower() and w == fold(w) and r != w  # Nam; not TD, A
                and self.freq.get(lowered[i], 0) < NAME_EVIDENCE and not self._seen_beside(lowered, i)
                for i, (w, r) in enumerate(zip(typed, read))]
        return _kept_as_typed(typed, read, kept, reading)

    def _read_as_name(self, typed: list[str], read: list[str]) -> bool:
        """Whether a run of capitalised words typed without marks means its reading: the titles
        write the reading capitalised (a name: Hà Nội, Huế; not để) and the index holds it
        NAME_RATIO times as often as the words typed (Ha Noi: 18 times together, Hà Nội 72,431)."""
        typed, read = [canonical(w.lower()) for w in typed], [canonical(w.lower()) for w in read]
        if read == typed or not all(w[:1].isupper() for w in self._as_written([], read).split()):
            return False
        return self._held_together(read) >= NAME_RATIO * max(self._held_together(typed), 1)

    def _names_as_typed(self, text: str, read: list[str]) -> list[bool]:
        """Which words of text (WORD_RE's) to read as typed where the reading (read, a word each) has
        some otherwise (else []): those of
        a foreign name typed as written, a group of words that may make one (see _name_groups) holding
        a word the index has as typed that is no Vietnamese syllable (Park, Jong) or two joined by a hyphen
        that it has together as typed (Jong-un), whose reading the index has beside the group's other
        words no more often than the words as typed ("Park Hàng Sẹo", "Kim Jong-ùn": no; "Mỹ Donald
        Trump", "Đắk Lắk": yes). The prior, the syllable's own frequency, says nothing of a name."""
        typed = [canonical(w.lower()) for w in WORD_RE.findall(text)]
        read = [canonical(w.lower()) for w in read]
        held, (groups, beside) = [False] * len(typed), _name_groups(text)
        lowercase = text == text.lower()
        for group, hyphens in groups:
            if any(self._foreign(typed[i], lowercase) for i in group) or any(self._beside(typed[i], typed[i + 1]) for i in hyphens):
                for i in group:  # those read as typed are held too: read again beside the others, they might not be
                    held[i] = read[i] == typed[i] or self._typed_in_name(typed, read, i, (group, beside), lowercase)
        return held if any(h and r != t for h, r, t in zip(held, read, typed)) else []

    def _typed_in_name(self, typed: list[str], read: list[str], i: int, places: tuple, named: bool) -> bool:
        """Whether the word at i of a foreign name's group is meant as typed: the index has it beside its
        neighbours (as read; beside: see _name_groups) more often as typed than as read (Son Heung, not Sơn),
        or has neither, a foreign word comes before it in the group (Park Hang Seo; not "Vùng Catalonia",
        "Gót Achilles", whose capital a name or a sentence begun gave) and its reading is no name on its own.
        places: (the group, the places beside: see _name_groups); named: see _foreign."""
        group, beside = places
        as_read = self._beside_neighbours(read, i, beside)
        as_typed = self._beside_neighbours([*read[:i], typed[i], *read[i + 1:]], i, beside)
        if as_typed != as_read:
            return as_typed > as_read
        after_foreign = any(self._foreign(typed[j], named) for j in group if j < i)
        return after_foreign and not self._read_as_name(typed[i:i + 1], read[i:i + 1])

    def _foreign(self, word: str, named: bool = False) -> bool:
        """Whether a lowercase word is one the index holds as typed that is no Vietnamese syllable (park, jong);
        named: and that the titles write with a capital (typed in lowercase, a name's only sign of being one)."""
        return word.isalpha() and self.freq.get(word, 0) > 0 and fold(word) not in vietnamese_syllables() \
            and (not named or self._capitalised(word))

    def _beside_neighbours(self, words: list[str], i: int, beside: set[int]) -> float:
        """About how many times the index has words[i] beside the words next to it (the places i side by
        side with i + 1: beside) in a row (see _beside)."""
        return (self._beside(words[i - 1], words[i]) if i - 1 in beside else 0.0) \
            + (self._beside(words[i], words[i + 1]) if i in beside else 0.0)

    def _beside(self, first: str, second: str) -> float:
        """About how many times the index has two syllables in a row: in titles and sampled bodies (the
        most frequent syllables), and as one word (any syllables)."""
        return float(self.pairs([first], [second]).sum()) + self._compound_articles([first, second])

    def _held_together(self, words: list[str]) -> float:
        """About how many articles hold a word, or words in a row (their rarest pair, in titles and sampled bodies)."""
        if len(words) == 1:
            return float(self.freq.get(words[0], 0))
        return min(float(self.pairs([a], [b]).sum()) for a, b in zip(words, words[1:]))

    def partly_accented(self, text: str) -> bool:
        """Whether a query has a word typed with marks and one typed without that the index holds
        more often with some marks than without ("Hà Noi": nội; not "Hà Nội": nội is no syllable
        typed without; "la" of "Đinh La Thăng" counts: là is more frequent, the reading decides)."""
        words = [canonical(w) for w in WORD_RE.findall(text) if w.isalpha()]
        marked = sum(w != fold(w) for w in words)
        unmarked = sum(w == fold(w) and any(self.freq[r] > self.freq.get(w, 0) for r in self.readings.get(w, ()))
                       for w in words)
        return bool(marked) and unmarked >= UNMARKED_SHARE * (marked + unmarked) and unmarked > 0

    def sure_syllables(self, reading: str) -> frozenset[str]:
        """The syllables of a reading (canonical, lowercase) that its neighbours there make sure: their
        pairs with them (``pairs``) hold SURE_SHARE of those of every reading of the syllable typed
        without marks (bão of bão số: "báo số", "bảo số" are rarer); a word alone is never sure."""
        words = [canonical(w.lower()) for w in WORD_RE.findall(reading)]
        sure = set()
        for i, word in enumerate(words):
            if not word.isalpha():  # a number or code has no accents to be sure of
                continue
            readings = list(dict.fromkeys([word, *self.readings.get(fold(word), ())]))
            held = np.zeros(len(readings))
            if i > 0:
                held += self.pairs([words[i - 1]], readings)[0]
            if i + 1 < len(words):
                held += self.pairs(readings, [words[i + 1]])[:, 0]
            if held[0] > 0 and held[0] >= SURE_SHARE * held.sum():
                sure.add(word)
        return frozenset(sure)

    def runners_up(self, text: str, reading: str) -> list[str]:
        """Other readings of text, best first (at most MAX_RUNNERS_UP): the reading chosen (of the
        same words) with one word that it spells otherwise (a typo's correction or respelling)
        replaced by another candidate almost as likely in context (within RUNNER_UP)."""
        typed, read = WORD_RE.findall(text), WORD_RE.findall(reading)
        if len(typed) != len(read):
            return []
        words, marked = [canonical(w) for w in read], not is_unaccented(text)
        found = sorted(((score, i, other) for i, (a, b) in enumerate(zip(typed, words)) if fold(a.lower()) != fold(b)
                        for score, other in self._seconds(a.lower(), words, i, marked)), reverse=True)
        return [_with_words(reading, {i: other}) for _, i, other in found[:MAX_RUNNERS_UP]]

    def _seconds(self, typed: str, words: list[str], i: int, marked: bool) -> list[tuple[float, str]]:
        """(log-odds against words[i], candidate) of the other candidates for the typed word at i
        within RUNNER_UP of it, its neighbours as read; without accents in the query, one per
        spelling without them (the search matches them all)."""
        choices = self._choices(typed, True, True, marked)
        options = list(choices)
        score = np.array(list(choices.values()))
        score += (self._transitions([words[i - 1]], options)[0] if i else np.log(self._unigrams(options)))
        if i + 1 < len(words):
            score += self._transitions(options, [words[i + 1]])[:, 0]
        key = (lambda s: s) if marked else fold
        best = {}
        for s, option in sorted(zip(score.tolist(), options), reverse=True):
            best.setdefault(key(option), (s, option))
        chosen = best.get(key(words[i]), (float(score.max()), None))[0]
        return [(s - chosen, option) for k, (s, option) in best.items()
                if k not in (key(words[i]), key(canonical(typed))) and s >= chosen - RUNNER_UP]

    def prepare_typos(self) -> None:
        """Build the table of near syllables now (seconds on a large index), not on first use."""
        self._deleted  # noqa: B018 (a cached property)

    @cached_property
    def _deleted(self) -> dict[str, str]:
        """Folded syllables (in two articles or more), tab-joined, by each one-letter deletion of them."""
        if self._saved_near is not None:
            return dict(zip(*map(unblob, self._saved_near)))
        index = defaultdict(list)
        folded = defaultdict(int)
        for bare, syllable in zip(self.folded, self.syllables):
            folded[bare] += self.freq[syllable]
        for word, df in folded.items():
            if df >= 2 and len(word) >= 3:
                for deleted in _deletions(word, 1):
                    index[deleted].append(word)
        return {deleted: "\t".join(words) for deleted, words in index.items()}

    def _near(self, word: str, limit: int, edits: int | None = None,
              marked: bool = False) -> list[tuple[float, int, str]]:
        """(weighed edits, -frequency, syllable) of the indexed syllables within edits (by default
        the word's allowed edits, none for a word spelled right) of a word, best first; marks count when
        the word has some or, marked, when the query has (a word typed without them lacks them, but for
        one no syllable as typed: it may have left them off, see _find_near)."""
        word = canonical(word)
        if edits is None:
            edits = 0 if self.spelled_right(word) else allowed_edits(fold(word))
        if not edits:
            return []
        key = (word, limit, edits, marked)
        found = self._near_cache.get(key)
        if found is None:
            if len(self._near_cache) > NEAR_CACHE:
                self._near_cache.clear()
            found = self._near_cache[key] = self._find_near(word, limit, edits, marked)
        return found

    def _find_near(self, word: str, limit: int, edits: int, marked: bool) -> list[tuple[float, int, str]]:
        """_near's syllables, of either spelling of a word spelled with i or y (see one_iy: ti, which a
        dropped h of thi may have left, is one edit from thi as typed, two as the terms spell it, ty)."""
        best = {}
        for spelled in iy_spellings(word):
            for weight, minus_freq, syllable in self._find_near_spelled(spelled, limit, edits, marked):
                best[syllable] = min(best.get(syllable, (weight, minus_freq)), (weight, minus_freq))
        return heapq.nsmallest(limit, [(weight, minus_freq, s) for s, (weight, minus_freq) in best.items()])

    def _find_near_spelled(self, word: str, limit: int, edits: int, marked: bool) -> list[tuple[float, int, str]]:
        """_near's syllables of one spelling: a word the index lacks typed without marks in a query with some
        (marked) is matched on its letters, a syllable with marks its edits do not account for MARKS_LEFT_OFF more."""
        bare = fold(word)
        left_off = marked and word == bare and not self.spelled_right(word)
        marked = word != bare or (marked and not left_off)
        scored = []
        for folded in {w for d in _deletions(bare, edits) if d in self._deleted for w in self._deleted[d].split("\t")}:
            letters = edit_distance(bare, folded, edits)
            if letters > edits or (_vowelless(bare) and _vowelless(folded) and not self._common(folded)) \
                    or _affixed(bare, folded):
                continue  # a rare abbreviation names another thing (xsmb is no typo of smb: WannaCry), so does an affix
            weights = {}  # by distance: the same for each reading of folded
            for syllable in self.readings[folded]:
                distance = typo_distance(word, syllable, edits, letters) if marked else letters
                if distance <= edits:
                    weight = weights.get(distance)
                    if weight is None:
                        weight = weights[distance] = _weighed(bare, folded, letters, distance)
                    if left_off and marks_left_off(word, syllable, letters):
                        weight += MARKS_LEFT_OFF
                    scored.append((weight, -self.freq[syllable], syllable))
        return heapq.nsmallest(limit, scored)

    def _common(self, folded: str) -> bool:
        """Whether 1 article in COMMON_SHARE at least holds a folded syllable (any accents)."""
        return self._articles(folded, True) * COMMON_SHARE >= self._about_all

    @cached_property
    def _about_all(self) -> int:
        """About how many articles the index has: those holding its commonest syllable (của, và)."""
        return max((n for s, n in self.freq.items() if s != NUMBER), default=0)

    def typo_candidates(self, word: str, limit: int = 5) -> list[tuple[str, int]]:
        """(syllable, frequency) of the index within the word's allowed edits, closest and most
        frequent first; nothing for a word spelled right (the index knows it, or pyvi's list does)."""
        return [(syllable, -minus_freq) for _, minus_freq, syllable in self._near(word, limit)]


# Lexicon's tables made on first use, listed once: with_cooccurrence runs in many threads, and the
# class's dict may change while a thread iterates it (copy.copy caches __slotnames__ in it on its
# first call: "dictionary changed size during iteration" under the web app's load)
LAZY_TABLES = tuple(name for name, member in vars(Lexicon).items() if isinstance(member, cached_property))
