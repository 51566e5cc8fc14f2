"""Vietnamese analysis as Whoosh tokenizers and filters.

The tokenizer segments text with pyvi (through ``indexer.segmenter``) and yields, for each
word, its syllables and, for a multi-syllable word, the joined compound (``nghị_quyết``) at the
position of its first syllable; codes and dates (``28-NQ/TU``, ``17/11/2019``) come out whole as
well. A hyphen between letters joins a word (``Al-Qaeda`` is ``al_qaeda``, as "Al Qaeda" is),
letters and a number are one code however they are joined (``U23``, ``U.23``, ``U-23``: ``u23``,
with ``u`` and ``23`` as syllables), and a link or e-mail address also yields its words
(``https``, ``vnexpress``), so that punctuation glued to it hides nothing. Every token's
``startchar``/``endchar`` points into the text as given, even when it arrived decomposed (NFD) or
held characters read as others (``PLAIN_FORMS``: ``m²`` as ``m2``, a zero-width space as nothing).
pyvi reads the text with its tone marks in one placement (``hủy`` as ``huỷ``), so that either
placement is segmented alike. Filters then lowercase, put tone marks in one canonical place and, for the accent-insensitive
fields, fold diacritics away.
"""

from __future__ import annotations

import importlib.resources
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token

from .segmenter import segment

# A code or date: word characters joined by - / . and holding a digit or capital (28-NQ/TU,
# 17/11/2019, TP.HCM, COVID-19). pyvi splits these; users search for them whole.
CODE_RE = re.compile(r"\w+(?:[-/.]\w+)+")
SYLLABLE_RE = re.compile(r"\w+")
HYPHENATED_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")  # Al-Qaeda, xanh-lam: a word, not a code
NUMBERED_RE = re.compile(r"([^\W\d_]+)[-.]?(\d+)")  # U23, U.23, U-23, Covid-19: the code u23
PIECE_RE = re.compile(r"[^\W_]+")  # the words of a link or e-mail address
SENTENCE_END_RE = re.compile(r"[.!?…;]+|\s*\n\s*")  # pyvi tokens: a line break is one
# Positions skipped where a sentence ends: more than the proximity window (scorer.WINDOW) less
# one, so that no phrase, run or nearness joins the words of two sentences.
SENTENCE_GAP = 3
VOWEL_GROUP_RE = re.compile("[aeiouy]+")  # of a folded lowercase word: one for each syllable
VOWELS = set("aeiouy")  # of a folded syllable: a name (Hà) has one, initials (TTg of QĐ-TTg) may not
SPACED_CODE_RE = re.compile(r"(?<![\w.-])([^\W\d_]+)\s+(\d+)(?![\w.-])")  # U 23, Covid 19
DAY_RE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?")  # 22/10, 22-10-2017, 02.09
DATE_SEPARATORS = "/-."  # newspapers write a day 22/10, 22-10 or 22.10, and mostly without its year

# What each version of this analysis changed in the terms written for the same text; an index
# records the version it was written with (an update keeps the older one: its articles mix).
ANALYSIS_CHANGES = {2: "pyvi segments the two tone-mark placements, hủy and huỷ, alike",
                    3: "a name glued to a code by a hyphen (TP.HCM-Hà Nội) is no part of the code",
                    4: "articles' fullwidth letters and digits, superscript digits (m²) and Ð are read as "
                       "plain ones (m2, Đ), and zero-width characters, soft hyphens and stray accents as nothing",
                    5: "positions skip a sentence end, so that no phrase or nearness joins two sentences",
                    6: "i and y alone after k, l, m, t, s or qu are one spelling (kĩ and kỹ, sĩ and sỹ)",
                    7: "a word of two syllables with marks written without its space (ôtô) is read as them (ô tô)",
                    8: "i and y alone after h are one spelling too (hi and hy vọng)",
                    9: "a tone mark typed on the i of gi or the u of qu before another vowel is the syllable's (gía: giá)"}
ANALYSIS_VERSION = max(ANALYSIS_CHANGES)

# Characters read as the plain ones they stand for, in articles and queries alike (each
# spelling then finds the other): the fullwidth forms of ASCII that CJK input methods type
# (１７, ＣＯＶＩＤ) and the ideographic space; superscript and subscript digits (m², CO₂:
# articles write m2 9,487 times in the 179,251, m² 387); Ð (Eth), which 112 articles write
# for Đ (Biển Ðông; ð in 4); non-breaking hyphens. Invisible characters map to None: they vanish
# (zero-width spaces, joiners, direction marks, the BOM and soft hyphens: 1,070 articles hold
# one, 73 inside a word, Tr\u200bung, the others mostly breaking a compound, Trung \u200bQuốc).
PLAIN_FORMS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
PLAIN_FORMS |= {ord(c): unicodedata.normalize("NFKC", c) for c in "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"}
PLAIN_FORMS |= {ord("Ð"): "Đ", ord("ð"): "đ", 0x2010: "-", 0x2011: "-"}
PLAIN_FORMS |= dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                      "\u2060\u2066\u2067\u2068\u2069\ufeff"))
STRAY_MARK_RE = re.compile("[\u0300-\u036f]")  # in NFC text, an accent that composes with nothing (đượ̣c: 58 articles)
_READ_AS_OTHERS = "".join(re.escape(chr(code)) for code in sorted(PLAIN_FORMS))
UNPLAIN_RE = re.compile(f"[{_READ_AS_OTHERS}\u0300-\u036f]")
CLUSTER_RE = re.compile(r".[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff]*", re.S)  # a character and its combining marks
CHANGED_RE = re.compile(f".?[\u0300-\u036f]+|[{_READ_AS_OTHERS}]", re.S)  # what plain_text changes in NFC text

# Tone-mark pairs from ../shared/lexicon/tone_placement.tsv (MIT; see that file's header):
# the "old" style puts the mark on the first vowel (hòa, thủy), the "new" one on the second
# (hoà, thuỷ). Index terms use the old style (the corpus mixes both: vietnews writes the new
# one, baomoi mostly the old). A swap is only safe at the end of a syllable, and never for
# "qu" + y (quý).
_OLD_STYLE = "òa óa ỏa õa ọa òe óe ỏe õe ọe ùy úy ủy ũy ụy".split()
_NEW_STYLE = "oà oá oả oã oạ oè oé oẻ oẽ oẹ uỳ uý uỷ uỹ uỵ".split()
NEW_TO_OLD = dict(zip(_NEW_STYLE, _OLD_STYLE))
OLD_TO_NEW = dict(zip(_OLD_STYLE, _NEW_STYLE))
_TONE_END_RE = re.compile("(%s)$" % "|".join(NEW_TO_OLD))


# pyvi reads the two placements as different syllables ("Trump hủy" is joined, "Trump huỷ" is
# not), so the text it segments is put in one: the new one, which its n-gram dictionary uses
# (measured against the old one on the dev and topical sets: see benchmarks/RESULTS.md).
_OLD_ENDING_RE = re.compile("(?:%s)(?!\\w)" % "|".join(sorted(
    {case for old in _OLD_STYLE for case in (old, old.upper(), old.capitalize(), old[0] + old[1].upper())})))


def _new_style(text: str, match: re.Match) -> str:
    """An old-style ending (òa) in the new placement (oà), each letter keeping its case; left as
    it is in a syllable starting with "qu" (quý), as normalize_tone() leaves those."""
    start = match.start()
    while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    ending = match.group()
    if text[start:start + 2].lower() == "qu":
        return ending
    return "".join(w.upper() if c.isupper() else w for c, w in zip(ending, OLD_TO_NEW[ending.lower()]))


def new_placement(text: str) -> str:
    """NFC text with every syllable's final tone mark in the new placement (hoà, thuỷ), as pyvi
    reads it, and a mark typed on the i of gi or the u of qu on the vowel after it (see
    onset_tone_moved); same length, so offsets hold."""
    return _OLD_ENDING_RE.sub(lambda match: _new_style(text, match), onset_tone_moved(text))


# A tone mark typed on the i of gi or the u of qu before another vowel (gía, qúa, qủa: 126 of the
# 179,251 articles, and readers' queries; there the letter belongs to the consonant) is the syllable's:
# giá, quá, quả. The syllable's own letters after the consonant, any case.
_ONSET_TONE_RE = re.compile("(?<![^\\W\\d_])([gG][ìíỉĩịÌÍỈĨỊ]|[qQ][ùúủũụÙÚỦŨỤ])([^\\W\\d_]+)")
_RHYME_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below


def onset_tone_moved(text: str) -> str:
    """NFC text with each tone mark typed on the i of gi or the u of qu before another vowel on
    the vowel it belongs to (gía: giá, qúa: quá, gíup: giúp); same length."""
    return _ONSET_TONE_RE.sub(_onset_tone_placed, text)


def onset_tone_misplaced(syllable: str) -> str:
    """A canonical syllable beginning with gi or qu and a vowel, its tone mark on the i or u (giá:
    gía), as some articles write it; else the syllable itself."""
    letters = unicodedata.normalize("NFD", syllable)
    tones = [c for c in letters if c in _TONES]
    if syllable[:2] not in ("gi", "qu") or len(syllable) < 3 or fold(syllable[2]) not in _RHYME_VOWELS or len(tones) != 1:
        return syllable
    bare = unicodedata.normalize("NFC", letters.replace(tones[0], ""))
    return unicodedata.normalize("NFC", bare[:2] + tones[0] + bare[2:])


def _onset_tone_placed(match: re.Match) -> str:
    """A syllable of _ONSET_TONE_RE with its mark on its rhyme, or as it is when the rhyme has one too."""
    onset, rest = match.groups()
    base, *tone = unicodedata.normalize("NFD", onset[1])
    if len(tone) != 1 or tone[0] not in _TONES or rest[0].lower() not in _RHYME_VOWELS \
            or any(c in _TONES for c in unicodedata.normalize("NFD", rest)):
        return match.group()
    word = onset[0] + base + rest
    at = tone_place(word.lower())
    return unicodedata.normalize("NFC", word[:at + 1] + tone[0] + word[at + 1:])


def tone_place(syllable: str) -> int | None:
    """Where a lowercase toneless syllable takes its tone mark (gi and qu before a vowel its consonants):
    its last vowel with a mark of its own (quyền), else its last vowel before a consonant or alone
    (giúp, quá), else the first of two ending it (hòa, thủy, mùa) or the middle of three (ngoài,
    khuỷu); None without a vowel."""
    start = next((i for i, c in enumerate(syllable) if c in _RHYME_VOWELS), None)
    if start is None:
        return None
    if syllable[:2] in ("qu", "gi") and len(syllable) > 2 and syllable[2] in _RHYME_VOWELS:
        start = 2
    end = start
    while end < len(syllable) and syllable[end] in _RHYME_VOWELS:
        end += 1
    marked = [i for i in range(start, end) if syllable[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    return end - 1 if end < len(syllable) or end - start == 1 else start + (0 if end - start == 2 else 1)


# i and y standing alone after h, k, l, m, t, s or qu are two spellings of one vowel (kĩ/kỹ sư, lí/lý do,
# Mĩ/Mỹ, tỉ/tỷ đồng, bác sĩ/sỹ, quí/quý, hi/hy vọng): schools write i, most of the press y, and both corpora
# mix them. Terms take the commoner one, y, but i after s (the first 15,000 articles of baomoi and of
# vietnews-test: kỹ 4,902 to kĩ 267, lý 28,377 to lí 483, tỷ 13,361 to tỉ 4,353, Mỹ 42,236 to Mĩ 52, sĩ
# 13,389 to sỹ 1,478; in baomoi's 35,431 hy vọng 1,727 to hi vọng 323, hy sinh 346 to hi sinh 84).
_IY_RE = re.compile("(?:[hklmts]|qu)[iìíỉĩịyỳýỷỹỵ]")  # the syllables spelled either way (lowercase, whole)
_IY_WORD_RE = re.compile(f"(?<!\\w){_IY_RE.pattern}(?!\\w)", re.IGNORECASE)
_I_TO_Y = str.maketrans("iìíỉĩịIÌÍỈĨỊ", "yỳýỷỹỵYỲÝỶỸỴ")
_Y_TO_I = str.maketrans("yỳýỷỹỵYỲÝỶỸỴ", "iìíỉĩịIÌÍỈĨỊ")


def one_iy(syllable: str) -> str:
    """A lowercase syllable with its i or y alone after h, k, l, m, t, s or qu spelled as terms spell it (kĩ: kỹ)."""
    return _as_terms_spell(syllable) if _IY_RE.fullmatch(syllable) else syllable


def _as_terms_spell(word: str) -> str:
    return word.translate(_Y_TO_I if word[0] in "sS" else _I_TO_Y)


def iy_spellings(syllable: str) -> set[str]:
    """A lowercase syllable's spellings with i and with y where both are written (see one_iy), else itself."""
    return {syllable.translate(_I_TO_Y), syllable.translate(_Y_TO_I)} if _IY_RE.fullmatch(syllable) else {syllable}


def iy_spelled(text: str) -> str:
    """NFC text with each such i or y spelled as terms spell it (see one_iy), letter case kept; same length."""
    return _IY_WORD_RE.sub(lambda m: _as_terms_spell(m.group()), text)


def normalize_tone(syllable: str) -> str:
    """Move a lowercase syllable's tone mark to the canonical (first-vowel) place."""
    if syllable.startswith("qu"):
        return syllable
    return _TONE_END_RE.sub(lambda m: NEW_TO_OLD[m.group(1)], syllable)


def fold(text: str) -> str:
    """Strip Vietnamese diacritics: "Nghị quyết" -> "Nghi quyet", đ -> d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 18)  # words repeat: the cache saves a third of the analysis time
def canonical(word: str) -> str:
    """The exact-match form of a word or code: NFC, lowercase, canonical tone marks, one i/y spelling (one_iy)."""
    lowered = unicodedata.normalize("NFC", word).lower()
    return "_".join(one_iy(normalize_tone(onset_tone_moved(part))) for part in lowered.split("_"))


fold_word = lru_cache(maxsize=1 << 18)(fold)  # fold() of one word or code, memoised


def plain_forms(text: str) -> str:
    """text with each character of PLAIN_FORMS as the plain one it stands for (invisible ones dropped)."""
    return text.translate(PLAIN_FORMS)


@lru_cache(maxsize=4096)
def _plain_cluster(cluster: str) -> str:
    """A character and its combining marks as plain NFC text ("" for an invisible one): see
    PLAIN_FORMS; an accent that composes with nothing dropped."""
    return STRAY_MARK_RE.sub("", unicodedata.normalize("NFC", plain_forms(cluster)))


def _pieces(text: str):
    """(plain text, where in text it begins, the offset in text of each of its characters) of each
    stretch of text: a changed character as _plain_cluster reads it, the text between two whole."""
    normalized, done = unicodedata.is_normalized("NFC", text), 0
    for match in (CHANGED_RE if normalized else CLUSTER_RE).finditer(text):
        if match.start() > done:
            yield text[done:match.start()], done, range(done, match.start())
        piece = _plain_cluster(match.group())
        yield piece, match.start(), [match.start()] * len(piece)
        done = match.end()
    if done < len(text):
        yield text[done:], done, range(done, len(text))


def plain_text(text: str) -> tuple[str, list[int] | None]:
    """text in NFC with PLAIN_FORMS read; also each character's offset in text, and the end's (or None)."""
    if unicodedata.is_normalized("NFC", text) and not UNPLAIN_RE.search(text):
        return text, None
    out, offsets, vanished = [], [], None  # vanished: where invisible characters before this piece begin
    for piece, start, starts in _pieces(text):
        if not piece:
            vanished = start if vanished is None else vanished
            continue
        # a word's end is the offset of what follows it: invisible characters after a word stay
        # out of it (that offset is where they begin), unless a word follows (its own first letter)
        if vanished is not None and not (piece[0].isalnum() or piece[0] == "_"):
            starts = [vanished, *starts[1:]]
        out.append(piece)
        offsets.extend(starts)
        vanished = None
    offsets.append(len(text) if vanished is None else vanished)
    return "".join(out), offsets


def _split(text: str, start: int, end: int):
    """(pieces, whole) of a pyvi token that is more than one word: a link or e-mail address (its
    words; whole without what trails its last word) or a numbered code (U23: U and 23); else None."""
    token = text[start:end]
    numbered = NUMBERED_RE.fullmatch(token)
    if numbered:
        return [(start, start + numbered.end(1)), (start + numbered.start(2), end)], (start, end)
    if "://" not in token and "@" not in token:
        return None
    pieces = [(start + m.start(), start + m.end()) for m in PIECE_RE.finditer(token)]
    return pieces, ((start, pieces[-1][1]) if len(pieces) > 1 else None)


@lru_cache(maxsize=1)
def pyvi_syllables() -> frozenset[str]:
    """The syllables of pyvi's word list (31,157 words), canonical."""
    words = importlib.resources.files("pyvi").joinpath("models", "words.txt").read_text("utf-8")
    return frozenset(canonical(s) for s in words.split() if s.isalpha())  # not "v.v.", "đông-bắc"


_GLUED_CUTS: dict[str, int] = {}  # glued_cut's answers: a word's tokens are looked up here first (a dict is the fastest)


def glued_cut(token: str) -> int:
    """Where a word of two syllables with marks written without its space splits (ôtô: 1, read as
    ô tô; xíchlô, phôtô, rađa), else 0: two vowel groups, each side a syllable of pyvi's list, one way."""
    cut = _GLUED_CUTS.get(token)
    if cut is None:
        if len(_GLUED_CUTS) >= 1 << 19:
            _GLUED_CUTS.clear()
        cut = _GLUED_CUTS[token] = _glued_cut(token)
    return cut


def _glued_cut(token: str) -> int:
    low = canonical(token)
    folded = fold(low)
    if len(low) != len(token) or folded == low or len(VOWEL_GROUP_RE.findall(folded)) != 2:
        return 0
    syllables = pyvi_syllables()
    cuts = [i for i in range(1, len(low)) if low[:i] in syllables and low[i:] in syllables]
    return cuts[0] if len(cuts) == 1 else 0


def iter_words(text: str):
    """Yield (syllable spans, whole span or None) for each pyvi word of NFC text, punctuation
    skipped; whole is set for a token split into pieces (a link, U23), indexed whole too."""
    for group, whole, _ in words_by_sentence(text):
        yield group, whole


def words_by_sentence(text: str):
    """iter_words' (syllable spans, whole span or None), and whether a sentence ends before the
    word: a token of . ! ? ... or ; (pyvi keeps the dot of "TP." in its word), or a line break."""
    group: list[tuple[int, int]] = []
    ended = began = False
    for start, end, joins in segment(text):
        token = text[start:end]
        if token.isalpha():  # most tokens: a syllable, the rest of this loop made short
            if group and not joins:
                yield group, None, began
                group = []
            if not group:
                began, ended = ended, False
            cut = _GLUED_CUTS.get(token)  # glued_cut's own first look, without the call: most tokens are seen before
            cut = glued_cut(token) if cut is None else cut
            group += [(start, start + cut), (start + cut, end)] if cut else [(start, end)]
            continue
        word = text[start].isalnum() or text[start] == "_"
        split = _split(text, start, end) if word else None
        if group and (split or not joins or not word):
            yield group, None, began
            group = []
        if split:
            yield (*split, ended)
            ended = False
        elif word:
            if end - start > 1 and text[end - 1] == ".":  # pyvi keeps the dot of "TP." or "Mr."
                end -= 1
            if not group:
                began, ended = ended, False
            group.append((start, end))
        elif SENTENCE_END_RE.fullmatch(text[start:end]):
            ended = True
    if group:
        yield group, None, began


def sentences(text: str) -> list[str]:
    """NFC text cut where a sentence ends (see words_by_sentence), each part stripped."""
    text = unicodedata.normalize("NFC", text)
    if not SENTENCE_END_RE.search(text):  # most quoted phrases: no need to segment them to know
        return [text.strip()]
    cuts = [group[0][0] for group, _, new in words_by_sentence(text) if new]
    return [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)])]


def _name(word: str) -> bool:
    """Whether a word is a capitalised syllable (Hà, Trung), not initials (TTg, UB) or a number."""
    return (len(word) > 1 and word.isalpha() and word[0].isupper() and word[1:].islower()
            and not VOWELS.isdisjoint(fold(word).lower()))


def _initials(word: str) -> bool:
    """Whether a word is initials in capitals (HCM, VOV), as codes end and begin."""
    return word.isalpha() and word.isupper()


def _true_code(text: str) -> bool:
    """Whether text is a code, not a word joined by hyphens (In-N of In-N-Out)."""
    return bool(CODE_RE.fullmatch(text)) and not HYPHENATED_RE.fullmatch(text)


def _code_span(code: str) -> tuple[int, int]:
    """(start, end) of a code found in text without the names glued to its ends by a hyphen
    (TP.HCM-Hà: TP.HCM; Nội-TP.HCM: TP.HCM), where what remains is still a code; codes whose
    words are names (Covid-19, Mi-8/17, Al-Qaeda) stay whole."""
    pieces = code.split("-")
    first, last = 0, len(pieces)
    while last - first > 1 and _name(pieces[last - 1]) and _initials(re.split(r"[/.]", pieces[last - 2])[-1]) \
            and _true_code("-".join(pieces[first:last - 1])):
        last -= 1
    while last - first > 1 and _name(pieces[first]) and _initials(re.split(r"[/.]", pieces[first + 1])[0]) \
            and _true_code("-".join(pieces[first + 1:last])):
        first += 1
    start = len("-".join(pieces[:first])) + (first > 0)
    return start, start + len("-".join(pieces[first:last]))


def code_spans(text: str) -> dict[int, int]:
    """start -> end of each code and date of text (28-NQ/TU, 17/11/2019, TP.HCM of TP.HCM-Hà Nội)."""
    spans = {}
    for match in CODE_RE.finditer(text):
        start, end = _code_span(match.group())
        spans[match.start() + start] = match.start() + end
    return spans


def codes_in(text: str) -> list[str]:
    """The codes and dates of text as written (see code_spans)."""
    return [text[start:end] for start, end in code_spans(text).items()]


def joined_form(code: str) -> str:
    """How a code found in text is indexed whole: Al-Qaeda as the word Al_Qaeda, U.23 and U-23
    as U23, others as written (28-NQ/TU)."""
    if HYPHENATED_RE.fullmatch(code):
        return code.replace("-", "_")
    numbered = NUMBERED_RE.fullmatch(code)
    return "".join(numbered.groups()) if numbered else code


def raw_tokens(text: str, glued_whole: bool = False):
    """(text, pos, startchar, endchar) of syllables, compounds and codes, in NFC offsets; with
    glued_whole (an article's), a glued word read as its syllables (ôtô) also whole (see _glued_words)."""
    codes = code_spans(text)
    tokens, pos_at, spans = [], {}, set()  # position and spans of the syllables where a code starts
    pos = 0
    for group, whole, new_sentence in words_by_sentence(text):
        pos += SENTENCE_GAP * (new_sentence and pos > 0)
        if len(group) > 1 and not whole:
            tokens.append(("_".join([text[s:e] for s, e in group]), pos, group[0][0], group[-1][1]))
        for start, end in group:
            if start in codes:
                if not whole or start == whole[0]:  # codes start here (A5/S5), not inside a link
                    pos_at[start] = pos
                spans.add((start, end))
            tokens.append((text[start:end], pos, start, end))
            pos += 1
        if whole:  # after its pieces: a phrase takes the first term at each position
            tokens.append((text[whole[0]:whole[1]], pos - len(group), *whole))
        elif glued_whole:
            tokens += _glued_words(text, group, pos - len(group))
    for start, end in codes.items():
        # a code pyvi kept whole (12.500) is a token already: twice would repeat its position
        if start in pos_at and (start, end) not in spans:
            tokens.append((joined_form(text[start:end]), pos_at[start], start, end))
    return tokens


def _glued_words(text: str, group: list[tuple[int, int]], first: int) -> list[tuple[str, int, int, int]]:
    """The glued words (ôtô) among a word's syllables (their spans meet), whole at their first one's
    position: what a reader typing one without marks and space (oto) finds, which no syllable spells."""
    return [(text[a:d], first + i, a, d) for i, ((a, b), (c, d)) in enumerate(zip(group, group[1:])) if b == c]


def is_code(term: str) -> bool:
    """Whether an analysed term is a code, link or e-mail address indexed whole (28-nq/tu, u23)."""
    return bool(CODE_RE.fullmatch(term) or NUMBERED_RE.fullmatch(term)) or "://" in term or "@" in term


def date_spellings(code: str) -> list[str]:
    """The other ways newspapers write the day a date code names: 22-10 -> 22/10, 22.10; 02/09 ->
    2/9 ...; a date with its year also without it (17/11/2019 -> 17/11 ...). [] for any other code."""
    date = DAY_RE.fullmatch(code)
    day, month = (int(date[1]), int(date[3])) if date else (0, 0)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return []
    day_months = {(str(day), str(month)), (f"{day:02}", f"{month:02}")}
    years = [(date[4],), ()] if date[4] else [()]
    spellings = {sep.join((*day_month, *year)) for sep in DATE_SEPARATORS for day_month in day_months for year in years}
    return sorted(spellings - {code})


def code_parts(code: str) -> list[str]:
    """The syllables a code is also indexed as: 28-nq/tu -> 28, nq, tu; u23 -> u, 23."""
    numbered = NUMBERED_RE.fullmatch(code)
    return list(numbered.groups()) if numbered else PIECE_RE.findall(code)


class VietnameseTokenizer(Tokenizer):
    """pyvi word segmentation yielding syllables, compounds and codes with exact offsets."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        plain, offsets = plain_text(value)
        plain = new_placement(plain)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in raw_tokens(plain):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + (offsets[start] if offsets else start)
                token.endchar = start_char + (offsets[end] if offsets else end)
            yield token


class CanonicalFilter(Filter):
    """Lowercase a token and put its tone marks in the canonical place."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = canonical(t.text)
            yield t


class FoldFilter(Filter):
    """Fold diacritics away (accent-insensitive fields)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_word(t.text)
            yield t


def exact_analyzer():
    """The analyzer of the exact (accented) fields."""
    return VietnameseTokenizer() | CanonicalFilter()


def folded_analyzer():
    """The analyzer of the accent-insensitive fields."""
    return VietnameseTokenizer() | CanonicalFilter() | FoldFilter()


def exact_positions(text: str) -> dict[str, list[int]]:
    """Canonical term -> its positions (in token order) among text's exact tokens: analyze()
    grouped, without offsets, for indexing."""
    plain, _ = plain_text(text)  # without the Whoosh analyzer chain: a Token object and two filter calls per token
    positions = defaultdict(list)
    for term, pos, _, _ in raw_tokens(new_placement(plain), glued_whole=True):
        positions[canonical(term)].append(pos)
    return positions


@lru_cache(maxsize=4096)  # a query is analysed again by every round of a cluster's search and by every shard's plan
def analyze(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """Exact tokens of text: (canonical text, pos, startchar, endchar) in the text's own offsets."""
    return tuple((t.text, t.pos, t.startchar, t.endchar)
                 for t in exact_analyzer()(text, positions=True, chars=True))
