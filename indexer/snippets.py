"""Highlights: what a query marks in a text, and snippets cut around the marks.

``query.QueryBuilder`` fills one ``Marks`` per query. Its units are the query's multi-syllable
words (pyvi's compounds of the query, and adjacent syllables the index holds as a compound),
its phrases and codes, each marked whole where it stands together in the text, and the syllables
that are words of the query on their own. A query typed with accents marks only the same letters
and tone (either tone-mark placement, any case, NFC or NFD); one typed without accents marks
every word that folds alike. Marks are tried in tiers, the first that finds something in an
article wins: the units; else the syllables of the multi-syllable words, alone; else (the article
matched through the accent-insensitive fields) whatever folds like the query.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from .analysis import (NUMBERED_RE, SYLLABLE_RE, code_parts, fold, iy_spelled, iy_spellings, new_placement,
                       onset_tone_misplaced, plain_text)

FRAGMENT_CHARS = 160
MAX_FRAGMENTS = 3
MAX_CANDIDATES = 200
SNIPPET_SCAN_CHARS = 200_000  # snippets come from the first 200k characters of a huge article
WORD_GAP = r"(?:[^\S\n]+|-|)"  # between the syllables of a word: spaces (not a line break), a hyphen or none (ôtô)
CODE_GAP = r"[-.]?"  # between the letters and the number of a code: U23, U.23, U-23
SPACED_CODE_GAP = r"[^\S\n]*[-.]?[^\S\n]*"  # also spaced: U 23, Su -30 (a glued code's other spellings)
PHRASE_GAP = r"[^\w\n]+"  # between the words of a phrase: what phrase positions skip

# Folds a lowercase precomposed letter to its base letter one-for-one, so offsets survive.
_FOLD_TABLE = {c: fold(chr(c)) for c in range(0xC0, 0x1F00) if len(fold(chr(c))) == 1 and fold(chr(c)) != chr(c)}
_FOLD_CODES = np.arange(0x10000, dtype=np.uint16)  # _FOLD_TABLE as UTF-16 code units, for whole texts at once
_FOLD_CODES[list(_FOLD_TABLE)] = [ord(letter) for letter in _FOLD_TABLE.values()]
_WORD_CHAR = re.compile(r"\w")

Piece = tuple[str, bool]  # a stretch of text, and whether it is marked


@dataclass(frozen=True)
class Unit:
    """Something a query marks: canonical syllables standing together, or a code."""
    syllables: tuple[str, ...]
    accented: bool
    gap: str = WORD_GAP

    def pattern(self) -> str:
        """The regex of this unit in lowercase text (exact) or folded text (not accented)."""
        if not self.accented:
            return self.gap.join(_either(sorted({fold(form) for form in iy_spellings(s)})) for s in self.syllables)
        return self.gap.join(_either(_spellings(s)) for s in self.syllables)


def code_unit(code: str, accented: bool) -> Unit:
    """What a code marks: itself, or a numbered code (u23) however its number is joined."""
    numbered = NUMBERED_RE.fullmatch(code)
    return Unit(numbered.groups(), accented, CODE_GAP) if numbered else Unit((code,), accented, "")


def _either(forms) -> str:
    """The regex of any one of forms."""
    return "(?:%s)" % "|".join(map(re.escape, forms)) if len(forms) > 1 else re.escape(next(iter(forms)))


def _spellings(syllable: str) -> list[str]:
    """A canonical syllable in both tone-mark placements (hòa, hoà), both i/y spellings (kỹ, kĩ) and
    with its mark on the i of gi or u of qu (gía)."""
    return sorted({form for spelled in iy_spellings(syllable)
                   for form in (spelled, new_placement(spelled), onset_tone_misplaced(spelled))})


@lru_cache(maxsize=4096)  # compiling a query's tone variants costs about a millisecond
def _compile(alternatives: tuple[str, ...]) -> re.Pattern | None:
    """The units' alternatives ending a word; matches must also start one (see _word_matches)."""
    return re.compile(r"(?:%s)(?!\w)" % "|".join(alternatives)) if alternatives else None


def _word_matches(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    r"""The spans of the pattern starting a word (as (?<!\w) before it would, found faster as the
    pattern's first letters can then be scanned for), overlapping ones too: "Đoàn Văn" and "Văn
    Vươn" of a query whose words overlap both mark "Đoàn Văn Vươn"."""
    spans, position = [], 0
    while (match := pattern.search(text, position)) is not None:
        start, end = match.span()
        if not (start and _WORD_CHAR.match(text, start - 1)):  # (else inside a word)
            spans.append((start, end))
        position = start + 1
    return spans


@lru_cache(maxsize=8)  # a hit's title and text, scanned again by the next tier
def _flattened(text: str) -> tuple[str, list[int] | None]:
    """(lowercase plain text (analysis.plain_text) of one length with it, its offsets into text or None)."""
    plain, offsets = plain_text(text)
    low = plain.lower()
    if len(low) != len(plain):  # a letter whose lowercase is longer: keep each word's length
        low = SYLLABLE_RE.sub(lambda m: m.group().lower().ljust(len(m.group()))[:len(m.group())], plain)
    return low, offsets


@lru_cache(maxsize=8)
def _folded(low: str) -> str:
    """The lowercase text folded one letter for one (offsets survive); only folded tiers need it.
    (str.translate with _FOLD_TABLE gives the same, five times slower; UTF-16 halves UTF-32's cost.)"""
    units = np.frombuffer(low.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    folded = _FOLD_CODES[units].tobytes().decode("utf-16-le", "surrogatepass")
    return folded if len(folded) == len(low) else low.translate(_FOLD_TABLE)  # lone surrogates paired up


@lru_cache(maxsize=4096)  # an article repeats its marked words
def _span_key(matched: str) -> str:
    """What a marked stretch (lowercase) counts as when snippets look for distinct words: its
    syllables, folded, i and y spelled alike (kĩ, kỹ)."""
    return " ".join(SYLLABLE_RE.findall(iy_spelled(matched).translate(_FOLD_TABLE)))


@dataclass(frozen=True)
class Tier:
    """One set of units: finds their spans in a text (compiled on first use: most articles
    need only a query's first tier)."""
    exact_alternatives: tuple[str, ...] = ()
    folded_alternatives: tuple[str, ...] = ()

    @classmethod
    def of(cls, units) -> "Tier":
        """The tier marking these units, longest alternatives first."""
        ordered = sorted(((-len(u.syllables), -len(pattern), pattern, u.accented)
                          for u in units for pattern in [u.pattern()]))
        return cls(tuple(p for *_, p, accented in ordered if accented),
                   tuple(p for *_, p, accented in ordered if not accented))

    @cached_property
    def exact(self) -> re.Pattern | None:
        return _compile(self.exact_alternatives)

    @cached_property
    def folded(self) -> re.Pattern | None:
        return _compile(self.folded_alternatives)

    def spans(self, text: str, limit: int | None = None) -> list[tuple[int, int, str]]:
        """(start, end, folded key) of the marked stretches, in text's own offsets."""
        if not text or (self.exact is None and self.folded is None):
            return []
        low, offsets = _flattened(text if limit is None else text[:limit])
        exact = _word_matches(self.exact, low) if self.exact else []
        folded = _word_matches(self.folded, _folded(low)) if self.folded else []
        found = sorted(exact + folded) if exact and folded else exact or folded  # each is in order already
        joined: list[list[int]] = []
        for start, end in found:
            if joined and start < joined[-1][1]:  # overlapping matches mark one stretch
                joined[-1][1] = max(joined[-1][1], end)
            else:
                joined.append([start, end])
        return [(offsets[start], offsets[end], key) if offsets else (start, end, key)
                for start, end in joined for key in [_span_key(low[start:end])]]

    def pieces(self, text: str) -> list[Piece]:
        """The whole text as pieces, the marked ones flagged."""
        return _pieces(text, self.spans(text), 0, len(text))

    def html(self, text: str) -> str:
        """The whole text, HTML-escaped, with the marked stretches in <mark>."""
        return Highlight((tuple(self.pieces(text)),)).html()


class Marks:
    """What a query marks, filled by query.QueryBuilder as it reads the query."""

    def __init__(self, exact: bool = False):
        self.units: set[Unit] = set()
        self.parts: set[Unit] = set()  # syllables of the query's multi-syllable words
        self.exact = exact  # an exact search: no tier marks accented words folded

    def add_words(self, terms, compounds, loose: frozenset = frozenset(), crossing: set = frozenset()) -> None:
        """Free or title: words: compounds and codes whole, the syllables of neither alone (loose:
        syllables typed without accents in a query typed partly with them, marked with any accents;
        crossing: runs joining a code's piece to a word outside it, which leave that word alone too)."""
        covered = set()
        for compound in compounds:
            syllables = tuple(compound.split("_"))
            self.units.add(Unit(syllables, terms.accented and not loose.intersection(syllables)))
            covered.update(() if compound in crossing else syllables)
        for code in terms.codes:
            self.units.add(code_unit(code, terms.accented))
            covered.update(code_parts(code))
        for syllable in terms.syllables:
            unit = Unit((syllable,), terms.accented and syllable not in loose)
            (self.parts if syllable in covered else self.units).add(unit)

    def add_phrase(self, terms, accented: bool = True) -> None:
        """An exact phrase (numbers and codes in place): marked whole, its syllables only as parts
        (with any accents unless typed with them and accented)."""
        accented = accented and terms.accented
        self.units.add(Unit(tuple(terms.words), accented, PHRASE_GAP))
        self.parts.update(Unit((s,), accented) for s in terms.syllables)

    @cached_property
    def tiers(self) -> list[Tier]:
        """The tiers to try in turn: units; parts alone; everything folded (not when exact)."""
        parts = self.parts - self.units
        tiers = [Tier.of(self.units)] + ([Tier.of(parts)] if parts else [])
        if not self.exact and any(u.accented for u in self.units | parts):
            tiers.append(Tier.of({replace(u, accented=False) for u in self.units | parts}))
        return tiers

    def __getstate__(self) -> dict:
        # Without the tiers: unpickling their patterns compiles them (about a millisecond a
        # query on a cluster's front, which rarely uses them); they are made again on first use.
        return {name: value for name, value in self.__dict__.items() if name != "tiers"}

    def fit(self, text: str) -> Tier:
        """The first tier that marks something in text (the whole article, for its parts)."""
        return next((t for t in self.tiers if t.spans(text)), Tier())

    def article(self, title: str, text: str) -> tuple["Highlight", "Highlight"]:
        """An article's marked title and the snippet of its text, marked by the same tier."""
        title_spans, text_spans = [], []
        for tier in self.tiers:
            title_spans, text_spans = tier.spans(title), tier.spans(text, SNIPPET_SCAN_CHARS)
            if title_spans or text_spans:
                break
        return Highlight((tuple(_pieces(title, title_spans, 0, len(title))),)), snippet(text, text_spans)


@dataclass(frozen=True)
class Highlight:
    """Fragments of a text as (text, marked) pieces; cut_before/after when text was left out."""
    fragments: tuple[tuple[Piece, ...], ...]
    cut_before: bool = False
    cut_after: bool = False

    @property
    def marked(self) -> list[str]:
        """The marked stretches, in order."""
        return [text for fragment in self.fragments for text, marked in fragment if marked]

    def render(self, mark, text=lambda s: s, ellipsis: str = "…") -> str:
        """The fragments joined by ellipses, pieces passed through mark() or text()."""
        parts = ["".join(mark(s) if marked else text(s) for s, marked in f) for f in self.fragments]
        return ((ellipsis + " " if self.cut_before else "") + f" {ellipsis} ".join(parts)
                + (" " + ellipsis if self.cut_after else ""))

    def html(self) -> str:
        """HTML, every character escaped, marked pieces in <mark>."""
        return self.render(lambda s: f"<mark>{html.escape(s)}</mark>", html.escape)

    def plain(self, before: str = "[", after: str = "]") -> str:
        """Plain text on one line, marked pieces between before and after."""
        return " ".join(self.render(lambda s: f"{before}{s}{after}").split())


def _pieces(text: str, spans, start: int, end: int) -> list[Piece]:
    """text[start:end] as pieces, the spans inside it marked."""
    out, cursor = [], start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        if s > cursor:
            out.append((text[cursor:s], False))
        out.append((text[s:e], True))
        cursor = e
    if cursor < end:
        out.append((text[cursor:end], False))
    return out


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) outwards to whitespace so no word is cut (at most 30 characters)."""
    floor, ceiling = max(0, start - 30), min(len(text), end + 30)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _windows(spans) -> list[tuple[int, int, int]]:
    """(lo, hi, words) of the fragment window each of the first MAX_CANDIDATES spans opens; words
    is a bit mask of the distinct words (span keys) inside it."""
    bits, masks = {}, []
    for _, _, key in spans:
        masks.append(bits.setdefault(key, 1 << len(bits)))
    starts, windows = [s for s, _, _ in spans], []
    for i in range(min(len(spans), MAX_CANDIDATES)):
        lo = spans[i][0] - FRAGMENT_CHARS // 4
        lo = 0 if lo < FRAGMENT_CHARS // 4 else lo  # near the start: begin at the beginning
        hi, words = lo + FRAGMENT_CHARS, 0
        for k in range(i, bisect_right(starts, lo + FRAGMENT_CHARS - 1)):
            if spans[k][1] <= hi:
                words |= masks[k]
        windows.append((lo, hi, words))
    return windows


def _choose_fragments(text: str, spans) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS windows, greedily covering the most distinct matched words."""
    windows = _windows(spans)
    every = 0
    for _, _, words in windows:
        every |= words
    chosen, covered = [], 0
    while len(chosen) < MAX_FRAGMENTS and every & ~covered:
        best, rank = None, (0, 0)
        for lo, hi, words in windows:
            new = (words & ~covered).bit_count()
            if new and (new, words.bit_count()) > rank and not any(lo < end and start < hi for start, end in chosen):
                best, rank = (lo, hi, words), (new, words.bit_count())
        if best is None:
            break
        chosen.append(_word_bounds(text, best[0], min(best[1], len(text))))
        covered |= best[2]
    return sorted(chosen)


def snippet(text: str, spans) -> Highlight:
    """One to three fragments of text cut on word boundaries around the spans (else its start)."""
    fragments = [_stripped(text, s, e) for s, e in _choose_fragments(text, spans)] if spans else []
    if not fragments:
        start, end = _word_bounds(text, 0, min(len(text), FRAGMENT_CHARS * 2))
        start, end = _stripped(text, start, end)
        fragment = ((text[start:end], False),) if end > start else ()
        return Highlight((fragment,), cut_after=end < len(text))
    return Highlight(tuple(tuple(_pieces(text, spans, s, e)) for s, e in fragments),
                     cut_before=fragments[0][0] > 0, cut_after=fragments[-1][1] < len(text))
