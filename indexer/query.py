"""The query language, and its translation into a Whoosh query.

Syntax (queries of fewer than ``PASTED_WORDS`` words; longer ones are pasted text, all free
words): plain words (an article holds all of them, or fewer: ``search._relax``), ``"exact phrase"``, ``-excluded`` (a word or a
phrase; ``NOT word`` too), ``a OR b``, ``title:word`` / ``title:"a phrase"`` (``tiêu đề:`` too, with
or without accents; ``body:`` and ``nội dung:`` are left out: ``fields_read``) (``a AND b``: ``a b``;
an operator joining nothing is dropped: ``dangling_dropped``). Phrases, ``title:`` clauses and OR
groups (an article holds any clause of each) are required; words no article holds are ignored
(``của xyzzy`` finds what ``của`` finds). Accents count as in plain words: a word typed with
accents matches that word (``title:bão`` not "báo"; its folded forms join only when it has few
exact matches, ``search.FOLDED_MATCH_BELOW``), one typed without matches every accented form,
and a phrase typed with accents matches exactly (partly with them: ``QueryBuilder._partly_accented``). A phrase keeps its numbers, dates and codes in
place (``"50.000 lượt khách"``, ``"ngày 17/11/2019"``). Nothing enumerates the vocabulary: there
are no wildcards, and a query's size is bounded.

Ranking (BM25F, K1=1.2, B=0.75, computed in ``indexer.scorer``): every query syllable is looked
up in four fields. Accented query: exact field weight ``EXACT``, folded ``FOLDED`` (so an exact-accent
match outranks a folded one). Unaccented query: folded fields only. Title terms are multiplied by
``TITLE``, whole codes and dates (``28-NQ/TU``) by ``CODE``, and their pieces (``28``, ``nq``) by
``CODE_PART``, so the whole code decides (a day's pieces, ``22`` and ``10`` of ``22/10``, not at all: they
would rank another day); a letters+number code (``U23``, ``G7``) weighs as a word,
its pieces (``u``, ``23``) as pieces. Runs of 2–3 adjacent query syllables, and pyvi's
compounds, are also looked up as compound terms (``nghị_quyết``) with weight ``COMPOUND``, so adjacent matches rank higher whether
or not pyvi segmented the query and the article alike. A number naming the word before it (``nghị định
100``: ``named_numbers``; followed by a word, when articles write it so more often: ``number_runs``) adds the run
of both as a phrase, weight ``NAMED``, and is dropped as words are.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from whoosh import query as wq

from .analysis import (NUMBERED_RE, SPACED_CODE_RE, analyze, canonical, code_parts, code_spans, date_spellings, fold, fold_word,
                       is_code, iter_words, joined_form, new_placement, plain_forms, sentences)
from .scorer import BREAK, Lookup, Spelled
from .snippets import Marks

TITLE = 0.4  # tuned on the topical tune half (0.3-1.1 tried); 0.8 had been tuned on known items only
EXACT = 1.0
FOLDED = 0.25
COMPOUND = 0.4  # tuned on the topical tune half (0.3-1.0 tried)
CODE = 3.0
CODE_PART = 0.3
RUN = 0.8  # all the query's words together as typed, times their rarity (per field, TITLE for titles; Scorer.run_idf)
NAME = 0.5  # a name typed (name_runs) held as typed, times its idf in the bodies (0.5-2 compared on the tune halves)
NEAR = 0.1  # the proximity of consecutive query words (scorer.proximity), tuned on the topical and dev sets (0.05-0.3)
PREFERRED = 0.5  # the restored reading of an unaccented query: ranks, never matches alone
ISSUED = 1.0  # the kind and issuer of a document's code none holds (QĐ-TTg of 1234/QĐ-TTg), as a phrase, per field
NAMED = 1.0  # a run of a word and the number naming it (nghị định 100), as a phrase, per field (fixed before measuring)
AS_READ = 1.0  # a phrase typed partly with accents, as typed or read, in the exact fields (fixed before measuring)
DAY_WORDS = ("ngày", "ngay")  # a word naming a day typed beside it (ngày 22/10), with or without accents
NOW_WORDS = frozenset(fold_word(w) for w in ("hôm_nay", "hôm_qua", "sáng_nay", "chiều_nay", "tối_nay", "đêm_nay", "đêm_qua",
                                             "sáng_qua", "chiều_qua", "tối_qua", "năm_nay"))  # say when, as a day does
CALENDAR = {"ngày": (1, 31), "tháng": (1, 12), "năm": (1000, 2999), "quý": (1, 4)}  # the numbers that say when after them
CALENDAR.update({fold_word(word): numbers for word, numbers in list(CALENDAR.items())})  # typed without accents
COMMON_RATIO = 0.02
ALL_WORDS = 3  # a query of up to 3 words (days apart: is_longer) needs them all (then fewer); tuned on the topical and dev sets
MIN_SHOULD_MATCH = 0.34  # the share of a longer query's words (a headline, pasted text) an article needs
UNITS = "km|cm|mm|m|kg|mg|ha|h|kwh|kw|mw|ml|gb|mb|usd|đ"  # glued to a number (31m, 300m2, 5kg, 17h30)
# money glued to its word or the readers' shorthand for it (50tr, 2tỷ, 1,5ty): the articles write it
# apart and whole (50 triệu: 4,954 of the 179,251 articles; 50tr 0)
MONEY_WORDS = {"tr": "triệu", "triệu": "triệu", "trieu": "triệu", "tỷ": "tỷ", "tỉ": "tỷ", "ty": "tỷ"}
# dates and numbers, glued to a unit, money's word or none (31m, 100km/h, 50tr): they say when or how much, not what
DATE_RE = re.compile(rf"[0-9]+(?:[-/.][0-9]+)*(?:(?:{UNITS})[0-9]{{0,2}}(?:/h)?|{'|'.join(MONEY_WORDS)})?")
GLUED_RE = re.compile(rf"(?<![\w.,])([0-9]+)((?:{UNITS})[0-9]{{0,2}})(?![\w/])", re.I)  # 31m: 31 m (1,5m is two)
DECIMAL_RE = re.compile(r"(?<![\w.,])([0-9]+)\.([0-9]{1,2})(?![\w.,])(%?)")  # 6.81% (not 1.000)
GLUED_MONEY_RE = re.compile(rf"(?<![\w.,])([0-9]+(?:,[0-9]+)?)({'|'.join(MONEY_WORDS)})(?!\w)", re.I)
MAX_QUERY_CHARS = 2000
OPERATORS = ("AND", "OR", "NOT")  # words of a query that are its operators when typed in capitals
SEARCHABLE_RE = re.compile(r"[^\W_]")  # a letter or a digit: something a query can search for
NOTHING_SEARCHABLE = ("the query has no letters or digits to search: type at least one word",
                      "Từ khóa không có chữ hay số nào để tìm: hãy nhập ít nhất một từ.")  # English, Vietnamese
ONLY_OPERATORS = ("the query has no words after its operator (title:, body:, \"\"): type a word to search after it",
                  "Từ khóa chưa có từ nào sau toán tử (title:, body:, \"\"): hãy gõ từ cần tìm sau nó.")
PASTED_WORDS = 12
MAX_SYLLABLES = 64
MAX_CLAUSES = 32
JOIN_RE = re.compile(r"[-/]")  # what joins the pieces of a code typed as one (tp.hcm-hà, nội/tp.hcm)
MAX_PIECES = 6  # of such a code, for the fewest held pieces to be looked for

CLAUSE_RE = re.compile(
    r'(?P<neg>-)?(?:(?P<field>title):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))', re.I
)
# a field named before a word: title and its Vietnamese name restrict to titles; body and its name
# say what plain words do already (titles and bodies), so they are read as none
FIELDS = {"title": "title", "tiêu đề": "title", "body": "", "nội dung": ""}  # a prefix -> the field it names


VIETNAMESE_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")  # tones, ^, breve, horn


def _any_accents(name: str) -> str:
    """A regular expression of a Vietnamese name typed with any accents or none (tieu de, tiêu đê);
    a space, any spaces."""
    letters = {"d": {"đ"}}
    for c in map(chr, range(0xC0, 0x1F00)):
        base, *marks = unicodedata.normalize("NFD", c)
        if base.islower() and base.isascii() and marks and set(marks) <= VIETNAMESE_MARKS:
            letters.setdefault(base, set()).add(c)
    return "".join(r"\s+" if c == " " else f"[{fold_word(c)}{''.join(sorted(letters.get(fold_word(c), ())))}]"
                   for c in name)


FIELD_PREFIX = (r"(?<![\w:/.])(" + "|".join(name if name.isascii() else _any_accents(name) for name in FIELDS)
                + r")\s*:")  # also an operator completions keep (search)
FIELD_RE = re.compile(FIELD_PREFIX + r"\s*(?=[^\s:])", re.I)
FIELD_LAST_RE = re.compile(FIELD_PREFIX + r"\s*$", re.I)  # a field prefix with no word after it (bão title:)
TAG_RE = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")  # <b>, </i>, <br/>, <a href="...">
INLINE_TAGS = {"a", "abbr", "b", "em", "font", "i", "mark", "s", "small", "span", "strong", "sub", "sup", "u"}
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
# A control character is no keystroke of a word (Ctrl+G typed inside one, a NUL pasted from a
# terminal): dropped, as analysis.PLAIN_FORMS drops zero-width ones; those Python reads as
# whitespace (tab, line and file separators, NEL) are a space, as the words' split reads them.
CONTROLS = {code: " " if chr(code).isspace() else None for code in [*range(0x20), *range(0x7F, 0xA0)]}



class QueryError(ValueError):
    """A query that cannot be searched: str() says why in English, ``.vi`` in Vietnamese."""

    def __init__(self, message: str, vi: str | None = None):
        super().__init__(message)
        self.vi = vi or message


@dataclass
class Clause:
    text: str
    phrase: bool = False
    title_only: bool = False
    negated: bool = False
    read: str = ""  # its restored reading, when the query has one that reads it otherwise (search._clauses_read)
    loose: frozenset = frozenset()  # its words typed without accents that the reading accents (partly accented)
    bound: bool = field(default=False, compare=False)  # a word an operator binds (_words_bound), not quoted


def said(clause: Clause) -> str:
    """A clause as a query types it: "a phrase" quoted, title: before a title's."""
    return ("title:" if clause.title_only else "") + (f'"{clause.text}"' if clause.phrase else clause.text)


class SpelledPhrase(wq.Phrase):
    """A phrase whose words are each looked up in their own field (``fields``): those typed without
    accents in a phrase typed partly with them in the folded one, at the same positions."""

    def __init__(self, fieldname: str, words: list[str], fields: tuple[str, ...], boost: float = 1.0):
        super().__init__(fieldname, words, boost=boost)
        self.fields = tuple(fields)


def phrase_fields(leaf) -> str | tuple[str, ...]:
    """The field a Phrase looks its words up in, or (a SpelledPhrase) the field of each word."""
    return getattr(leaf, "fields", leaf.fieldname)


@dataclass
class ParsedQuery:
    free_text: list[str] = field(default_factory=list)
    required: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)


@dataclass
class Word:
    """A free word of the query, which matching articles must hold until it is dropped."""
    text: str
    parts: list[list]  # per syllable (or code) of the word, its wq.Term lookups, exact and folded
    date: bool = False  # a date or number: dropped before the words
    named: bool = False  # a number naming the word before it (nghị định 100): dropped as words are, never kept alone
    mistyped: bool = False  # likely a typo (the reading proposed spells it otherwise): dropped first
    literal: tuple[str, ...] = ()  # its folded syllables that other spellings do not stand in for
    # of a word read from a query typed without accents (an article holds its syllables as that word
    # where it holds either, search._as_one_word):
    compound: list = field(default_factory=list)  # of several syllables: its folded compound's lookups (any accents)
    read: list[list] = field(default_factory=list)  # per syllable of its reading, the exact lookups
    run: list = field(default_factory=list)  # a name (name_run): its syllables in a row, where some article holds them so
    # of a syllable alone read from a short query typed without accents (held with any accents): the
    # lookups of its reading, as typed so, which it needs where that reading is sure (search._sure_words)
    spelled: list = field(default_factory=list)


def _spelled_span(text: str, tokens: list[tuple[str, int, int]]) -> str:
    """text's spelling of consecutive (term, start, end) tokens: its slice, but pieces of one code
    apart (28 NQ of 28-NQ/TW, what a code no article holds is searched as: the articles hold them
    anywhere; said joined, a code typed so, 28-NQ, was both what they hold and what they need not)."""
    whole = text[tokens[0][1]:tokens[-1][2]]
    if len(tokens) == 1 or re.search(r"\s", whole):
        return whole
    return " ".join(text[start:end] for _, start, end in tokens)


def as_typed(text: str, words: list[str]) -> list[str]:
    """The query's words (as searched: lowercase, codes joined) spelled as text has them where it
    does (``NĐ-CP``, ``Hà Nội``)."""
    tokens = [(term, start, end) for term, _, start, end in analyze(text) if "_" not in term] if words else []

    def typed(word: str) -> str:
        parts = word.split()
        at = _run_at([term for term, _, _ in tokens], parts)
        if at is not None:
            return _spelled_span(text, tokens[at:at + len(parts)])
        if len(parts) > 1:  # apart (224 QĐ of 224/1998/QĐ-TTg)
            return " ".join(map(typed, parts))
        # a piece of a code typed joined, searched apart (Tp.Hcm of Tp.Hcm-Kon Tum)
        within = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
        return within.group() if within else word
    return [typed(word) for word in words]


def as_read(reading: str | None, words: list[str]) -> list[str]:
    """words (of the query as searched) spelled as reading (its restored reading) spells them where
    it reads them without another letter (nghi quyet: nghị quyết); as they are elsewhere."""
    tokens = [(fold(term), start, end) for term, _, start, end in analyze(reading) if "_" not in term] if reading else []

    def read(word: str) -> str:
        parts = fold(word.lower()).split()
        at = _run_at([term for term, _, _ in tokens], parts)
        return word if at is None else _spelled_span(reading, tokens[at:at + len(parts)])
    return [read(word) for word in words]


def _run_at(sequence: list, run: list) -> int | None:
    """Where run first stands in sequence, item for item, in a row; None where it does not."""
    return next((i for i in range(len(sequence) - len(run) + 1) if sequence[i:i + len(run)] == run), None)


def halfwidth(text: str) -> str:
    """text with the fullwidth forms of ASCII that CJK input methods type (１７, ＣＶ, the ideographic
    space), superscript and subscript digits (50m², CO₂) and the others of analysis.PLAIN_FORMS read
    as articles' are (zero-width characters dropped), and its control characters read (without_controls)."""
    return without_controls(plain_forms(text))


def without_controls(text: str) -> str:
    """text with its control characters (C0, DEL, C1) read as a query's: those that break a line or a
    column (tab, line feed, NEL) as a space, the others dropped as zero-width ones are (``gi\x07á``: giá)."""
    return text.translate(CONTROLS)


def without_markup(text: str) -> str:
    """Query text pasted from a web page read as its text: HTML entities decoded (&amp;: &), tags
    dropped (<b>bão</b>: bão), those that break a line or a block as a space (Hà<br>Nội: Hà Nội)."""
    if "<" not in text and "&" not in text:
        return text
    return TAG_RE.sub(lambda tag: "" if tag.group(1).lower() in INLINE_TAGS else " ", html.unescape(text))


def fields_read(text: str) -> str:
    """text with each field prefix written as the query language reads it: ``tiêu đề: bão`` as
    ``title:bão``, ``body:bão`` and ``nội dung:bão`` as ``bão`` (plain words are looked for in bodies)."""
    if ":" not in text:
        return text
    return FIELD_RE.sub(lambda m: "title:" if _field_named(m.group(1)) == "title" else "",
                        unicodedata.normalize("NFC", text))


def _field_named(prefix: str) -> str:
    """The field a prefix FIELD_RE found names ("title", or "" for titles and bodies)."""
    folded = " ".join(fold_word(prefix.lower()).split())
    return next(field for name, field in FIELDS.items() if fold_word(name) == folded)


def dangling_dropped(text: str) -> str:
    """text without the operators that join nothing: an AND or OR first, last or after another
    operator, a NOT last (``bão AND``, ``AND bão``, ``bão AND AND lũ``), a field prefix last and a
    phrase without a letter or a digit (``bão title:``, ``bão ""``, ``title:""``: see _operand_less);
    text itself when it has none, only AND, OR and NOT when it has only them."""
    bare = FIELD_LAST_RE.sub("", text)
    clauses = list(CLAUSE_RE.finditer(bare))
    said = [m for m in clauses if not _operand_less(m)]
    kept = []
    for m in said:
        if _operator(m) in ("AND", "OR") and (not kept or _operator(kept[-1])):
            continue
        kept.append(m)
    while kept and _operator(kept[-1]):
        kept.pop()
    if len(kept) == len(clauses) and bare == text:
        return text
    return " ".join(bare[m.start():m.end()] for m in kept or said)  # an operator alone is a word (AND: Fast and Furious)


def _operand_less(m: re.Match) -> bool:
    """Whether a CLAUSE_RE match is an operator without its operand: a phrase, title: or - before
    nothing a search can find (``""``, ``title:""``, ``-"!"``); title: had searched the word "title"."""
    operand = m.group("phrase") if m.group("phrase") is not None else m.group("word")
    return (m.group("phrase") is not None or bool(m.group("neg") or m.group("field"))) and not SEARCHABLE_RE.search(operand)


def _operator(m: re.Match) -> str | None:
    """The operator (AND, OR, NOT) a CLAUSE_RE match is, else None."""
    word = m.group("word")
    return word if word in OPERATORS and not (m.group("neg") or m.group("field")) else None


def operands(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each stretch of a query (fields read: fields_read) that its operators
    join: a phrase's words ("phrase"); a word the operator before it binds, NOT, -, title:, or
    one beside an OR alone ("word": several words it is read as are quoted); a run of free words
    ("words", or "beside" when next to an OR)."""
    clauses = list(CLAUSE_RE.finditer(text))
    ops = [_operator(m) for m in clauses] + [None]  # ops[-1]: none before the first
    out, run = [], []
    for i, m in enumerate(clauses):
        if not (ops[i] or m.group("neg") or m.group("field") or ops[i - 1] == "NOT") and m.group("phrase") is None:
            run.append(i)
            continue
        out += _run(clauses, ops, run)
        run = []
        if m.group("phrase"):
            out.append((m.start("phrase"), m.end("phrase"), "phrase"))
        elif m.group("word") and not ops[i]:
            out.append((m.start("word"), m.end("word"), "word"))
    return out + _run(clauses, ops, run)


def _run(clauses: list, ops: list, run: list[int]) -> list[tuple[int, int, str]]:
    """The operand a run of free words (their places among the clauses) is (see operands)."""
    if not run:
        return []
    beside = "OR" in (ops[run[0] - 1] if run[0] else None, ops[run[-1] + 1])
    kind = ("word" if len(run) == 1 else "beside") if beside else "words"
    return [(clauses[run[0]].start(), clauses[run[-1]].end(), kind)]


def is_pasted(text: str) -> bool:
    """Whether a query is pasted text (a headline, a paragraph: PASTED_WORDS words or more)."""
    return len(text.split()) >= PASTED_WORDS


def parse(text: str, reading: str | None = None) -> ParsedQuery:
    """Split a query string into free words, required clauses and exclusions; raises QueryError for
    one that cannot be searched (too long, or text without a letter or a digit). reading: the
    query's restored reading, whose words an OR binds too (see _or_words)."""
    if not isinstance(text, str):
        raise QueryError(f"a query is text (a str), not {type(text).__name__}", vi="Từ khóa phải là văn bản.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(text):,} characters, at most {MAX_QUERY_CHARS:,}",
                         vi=f"Truy vấn quá dài ({len(text)} ký tự): tối đa {MAX_QUERY_CHARS} ký tự.")
    if text.strip() and not SEARCHABLE_RE.search(text):  # emoji, punctuation; an empty query finds nothing
        raise QueryError(NOTHING_SEARCHABLE[0], vi=NOTHING_SEARCHABLE[1])
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    if is_pasted(text):
        # A long query is pasted text (a headline, a paragraph): its quotes and dashes are
        # punctuation, not operators that would require or exclude words.
        return ParsedQuery(free_text=[text])
    fielded = dangling_dropped(fields_read(text))
    if text.strip() and not fielded.strip():  # title:, body:, title:"" alone: operators before no words
        raise QueryError(ONLY_OPERATORS[0], vi=ONLY_OPERATORS[1])
    text = fielded
    read = dangling_dropped(fields_read(unicodedata.normalize("NFC", reading).translate(QUOTES))) if reading else None
    items = _clauses_bound(text, read)
    if any(clause is None for *_, clause in items):
        items = _or_words(text, items, read)
    items = _sentences_apart(items)
    parsed, group, joined = ParsedQuery(), [], False
    for *_, clause in items:
        if clause is None:
            joined = bool(group)
            continue
        if clause.negated:
            parsed.excluded.append(clause)
            continue
        if group and not joined:
            _add_group(parsed, group)
            group = []
        group.append(clause)
        joined = False
    _add_group(parsed, group)
    return parsed


def _sentences_apart(items: list) -> list:
    """items ((start, end, clause or None for OR)) with a quoted phrase of several sentences, neither
    excluded nor beside an OR, as one required phrase per sentence: positions skip a sentence's end
    (analysis.SENTENCE_GAP), so no article holds such a phrase whole."""
    out = []
    for i, (start, end, clause) in enumerate(items):
        beside_or = any(0 <= j < len(items) and items[j][2] is None for j in (i - 1, i + 1))
        parts = sentences(clause.text) if clause and clause.phrase and not (clause.negated or beside_or) else []
        out += [(start, end, replace(clause, text=part)) for part in parts] if len(parts) > 1 else [(start, end, clause)]
    return out


def _clause(m: re.Match) -> Clause | None:
    """The clause a CLAUSE_RE match reads; None for an OR."""
    if m.group("word") == "OR" and not m.group("neg") and not m.group("field"):
        return None
    return Clause(m.group("phrase") if m.group("phrase") is not None else m.group("word"),
                  phrase=m.group("phrase") is not None, title_only=bool(m.group("field")),
                  negated=bool(m.group("neg")))


def _boolean_words(items: list) -> list:
    """items ((start, end, clause or None for OR) of a query) with an AND between clauses left out
    (free words are all required) and a NOT before a clause making it an exclusion (``bão NOT lũ``:
    ``bão -lũ``). Read as words, they had outweighed the query's own (``nốt``, English titles)."""
    out, negate = [], False
    for i, (start, end, clause) in enumerate(items):
        operator = _plain_word(clause) if i < len(items) - 1 else None
        if operator == "NOT" or (operator == "AND" and out):
            negate = operator == "NOT"
            continue
        if negate and clause is not None:
            clause = Clause(clause.text, clause.phrase, clause.title_only, negated=True)
        out.append((start, end, clause))
        negate = False
    return out


def _clauses_bound(text: str, reading: str | None = None) -> list:
    """(start, end, clause or None for OR) of each clause of text, AND and NOT read (_boolean_words),
    the syllables of a word an operator binds joined (_words_bound)."""
    return _words_bound(text, _boolean_words([(m.start(), m.end(), _clause(m)) for m in CLAUSE_RE.finditer(text)]), reading)


def _words_bound(text: str, items: list, reading: str | None = None) -> list:
    """items ((start, end, clause) of text) with the syllables of a word of several (one pyvi word:
    a name, ``tham nhũng``; or so in the query's reading: ``bao -ha noi`` read ``bão -hà nội``) after -,
    NOT or title: joined into that clause as a phrase: the operator binds the word (``bão -Hà Nội``:
    not Hà Nội; it had excluded "Hà" and required "Nội"), as OR does (_or_words)."""
    if not any(clause is not None and (clause.negated or clause.title_only) for *_, clause in items):
        return items  # no operator binds: the query is not segmented for it
    continued, out, bound = _word_continued(text) | _read_continued(text, reading), [], False
    for start, end, clause in items:
        head = out[-1][2] if out else None
        joined = _plain_word(clause) is not None and start in continued
        if joined and head and (head.negated or head.title_only) and (bound or not head.phrase):
            out[-1] = (out[-1][0], end, Clause(f"{head.text} {clause.text}", True, head.title_only, head.negated, bound=True))
            bound = True
            continue
        out.append((start, end, clause))
        bound = False
    return out


def _plain_word(clause: Clause | None) -> str | None:
    """The text of a clause that is a plain word (no phrase, field or minus), else None."""
    return clause.text if clause and not (clause.phrase or clause.title_only or clause.negated) else None


def _or_words(text: str, items: list, reading: str | None = None) -> list:
    """items ((start, end, clause or None for OR) of text) with the plain words beside an OR joined
    into their pyvi word, or the reading's (``bão OR nghi quyet`` read ``bão OR nghị quyết``: pyvi
    seldom joins unaccented syllables): OR binds words, not syllables (``Thanh Hóa OR Nghệ An``:
    either province)."""
    later = _word_continued(text) | _read_continued(text, reading) | _named_later(text, items)
    plain = [c is not None and not (c.phrase or c.title_only or c.negated) for *_, c in items]
    out, i = [], 0
    while i < len(items):
        j = i + 1
        while j < len(items) and plain[j - 1] and plain[j] and items[j][0] in later:
            j += 1
        beside_or = (i and items[i - 1][2] is None) or (j < len(items) and items[j][2] is None)
        if j - i > 1 and beside_or:
            out.append((items[i][0], items[j - 1][1], Clause(text[items[i][0]:items[j - 1][1]])))
        else:
            out += items[i:j]
        i = j
    return out


def _word_continued(text: str) -> set[int]:
    """Where each syllable of text that continues a pyvi word begins (a field prefix read as spaces:
    pyvi reads ``title:giá vàng`` as no word "giá vàng")."""
    blanked = text.replace("title:", " " * len("title:"))
    return {spans[i][0] for spans, _ in iter_words(new_placement(blanked)) for i in range(1, len(spans))}


def _read_continued(text: str, reading: str | None) -> set[int]:
    """Where each clause of text begins whose place in its reading continues a pyvi word there,
    when the reading has the same clauses and operators (only their letters read otherwise)."""
    aligned = _aligned_clauses(text, reading)
    continued = _word_continued(reading) if aligned else set()
    return {a.start() for a, b in aligned if b.start() in continued}


def _aligned_clauses(text: str, reading: str | None) -> list[tuple[re.Match, re.Match]]:
    """The clauses of text paired with its reading's, when the reading has the same clauses and
    operators (only their letters read otherwise); else []."""
    typed, read = list(CLAUSE_RE.finditer(text)), list(CLAUSE_RE.finditer(reading or ""))
    if len(typed) != len(read) or any(_operator(a) != _operator(b) or bool(a.group("phrase")) != bool(b.group("phrase"))
                                      for a, b in zip(typed, read)):
        return []
    return list(zip(typed, read))


def _named_later(text: str, items: list) -> set[int]:
    """Where the clauses (items) that continue a run of a word and the number naming it
    (named_runs) begin, the runs found between the ORs: OR binds them as one (``Nghị định 100 OR
    Nghị định 46``)."""
    bounds = [0] + [at for start, end, clause in items if clause is None for at in (start, end)] + [len(text)]
    runs = [(at + start, at + end) for at, stop in zip(bounds[::2], bounds[1::2])
            for start, end, _ in named_runs(text[at:stop])]
    return {start for start, *_ in items for low, high in runs if low < start < high}


def _add_group(parsed: ParsedQuery, group: list[Clause]) -> None:
    if not group:
        return
    if len(group) == 1 and not group[0].phrase and not group[0].title_only:
        parsed.free_text.append(group[0].text)
    elif len(parsed.required) < MAX_CLAUSES:  # an OR of plain words too: free words are all required
        parsed.required.append(group)


@dataclass
class Terms:
    """A text's analysed terms, by kind; ``words`` is the term at each position, for phrases;
    ``joins`` the compounds that are words joined by a hyphen (hn_hải of HN-Hải Phòng)."""
    syllables: list[str]
    compounds: list[str]
    codes: list[str]
    words: list[str]
    joins: frozenset[str] = frozenset()
    capitalised: frozenset[str] = frozenset()  # the syllables typed with a capital (Gia, Bảo of Gia Bảo)
    within: tuple[int, ...] = ()  # per syllable, the number of the code it is a piece of (e, 5 of E5), else -1

    @cached_property  # asked for every term of the query
    def accented(self) -> bool:
        return any(fold_word(s) != s for s in self.syllables)


def terms_of(text: str) -> Terms:
    """Analyse query text exactly as documents are analysed, and sort the terms by kind."""
    syllables, compounds, codes, at, joins, capitalised = [], [], [], {}, set(), set()
    before = (-1, "")  # the end and term of the syllable or code before
    spans, code_spans = [], []  # of the syllables, of the codes
    for term, pos, start, end in analyze(text):
        if "_" in term:
            compounds.append(term)
            if "-" in text[start:end]:
                joins.add(term)
            continue
        (codes if is_code(term) else syllables).append(term)
        (code_spans if is_code(term) else spans).append((start, end))
        # a name's piece a hyphen joins to a capitalised one is the name's too (nam of Kim Jong-nam)
        joined = before[0] == start - 1 and text[start - 1:start] == "-" and term.isalpha() and before[1] in capitalised
        if text[start:start + 1].isupper() or joined:
            capitalised.add(term)
        before = (end, term)
        # the first term at a position: a syllable, the first piece of a code (28 of 28-NQ/TU, u of U23)
        # or a code that pyvi kept whole (12.500)
        at.setdefault(pos, term)
    words = [at[pos] for pos in sorted(at)]
    within = tuple(next((n for n, (s, e) in enumerate(code_spans) if s <= start and end <= e), -1) for start, end in spans)
    return Terms(syllables[:MAX_SYLLABLES], compounds[:MAX_SYLLABLES], codes[:MAX_CLAUSES],
                 words[:MAX_SYLLABLES], frozenset(joins), frozenset(capitalised), within[:MAX_SYLLABLES])


def proximity_words(text: str, folded: bool, respelled: bool = True, trimmed: dict | None = None) -> list:
    """The query's terms in order for proximity (scorer.proximity): the first term at each
    position, but a date as a whole in place of its pieces (scorer.Spelled), with its other
    spellings unless not respelled (pasted text quotes an article: its dates stand as written
    there, as in search.variants), so that ``ngày 22/10`` is near in ``ngày 22-10``, not in ``ngày 22/4``;
    trimmed: {code: the pieces kept} of codes searched as some of their pieces (see _numbers_and_kinds)."""
    tokens = [token for token in analyze(text) if "_" not in token[0]]
    at, pieces = {}, set()
    for term, pos, start, end in tokens:
        if is_code(term) and DATE_RE.fullmatch(term):
            at[pos] = _spelled(term, respelled)
            pieces |= {p for _, p, s, e in tokens if start <= s and e <= end and p != pos}
        if term in (trimmed or {}):
            within = [(t, p) for t, p, s, e in tokens if start <= s and e <= end]
            pieces |= {p for _, p in within} - {p for t, p in within if t in trimmed[term]}
    for term, pos, _, _ in tokens:
        at.setdefault(pos, fold_word(term) if folded else term)
    return _with_breaks([pos for pos in sorted(at) if pos not in pieces][:MAX_SYLLABLES], at,
                        {pos for _, pos, _, _ in tokens})


def _with_breaks(positions: list[int], at: dict, taken: set[int]) -> list:
    """The words at positions in order, a BREAK where a sentence of the query ends (the
    positions skipped there, analysis.SENTENCE_GAP: no token was taken before the next word)."""
    words = []
    for pos in positions:
        words += [BREAK, at[pos]] if words and pos - 1 not in taken else [at[pos]]
    return words


def _near(text: str, terms: Terms, partly_read: str | None, pasted: bool, held: list,
          trimmed: dict | None = None) -> tuple[list, list]:
    """(the (field, words in order, boost) of the query's proximity, the units whose compounds
    rank): a query typed partly with accents uses its reading's words (partly_read), as the query
    typed with its accents would, when they pair up with the query's; trimmed: see proximity_words."""
    fields = _text_fields(terms.accented)
    sequence, whole = proximity_words(text, not terms.accented, not pasted, trimmed), held
    if partly_read:
        read_sequence = proximity_words(partly_read, False, not pasted, trimmed)
        if len(read_sequence) == len(sequence):
            sequence, whole = read_sequence, _units(terms_of(partly_read), set())
    return [(f, sequence, NEAR * (TITLE if f.startswith("title") else 1)) for f in fields], whole


def name_runs(text: str, sequence: list, words: list, folded: bool = False) -> list[list[str]]:
    """The stretches of two words or more of text each typed with a capital, with only spaces between them
    (``Phạm Gia Bảo``; not across ``Tân Thanh, Lạng Sơn``), as they stand in the proximity sequence, but those
    one word of the query's is (words: ``Hạ Long``, whose run is matched as the word's): names pyvi reads
    apart (Phạm, Gia Bảo), which the articles holding them as typed are about; folded: as a folded sequence
    spells them (the reading of a query typed without accents)."""
    units = [fold(word.text.lower()) for word in words]
    runs, run, end = [], [], None
    for term, _, start, stop in [t for t in analyze(text) if "_" not in t[0]] + [("", 0, len(text) + 1, 0)]:
        capital = term.isalpha() and text[start:start + 1].isupper()
        if not (capital and run and not text[end:start].strip()):
            runs += [run] if len(run) > 1 and fold(" ".join(run)) not in units else []
            run = []
        run, end = (run + [fold_word(term) if folded else term] if capital else run), stop
    return [run for run in runs if _run_at(sequence, run) is not None]


def _spelled(date: str, respelled: bool):
    """A date of the proximity sequence: as written when it is one position with no other
    spelling (12.500), else a Spelled of its spellings, each with the positions it spans."""
    others = date_spellings(date) if respelled else []
    spellings = tuple((s, len({pos for _, pos, _, _ in analyze(s)})) for s in (date, *others))
    return date if spellings == ((date, 1),) else Spelled(spellings)


def code_weight(code: str, in_codes: set[str] = frozenset()) -> float:
    """A code's weight: a part of a longer code (A5 of A5/S5), a word (U23, G7), or CODE."""
    if code in in_codes:
        return CODE_PART
    return 1.0 if NUMBERED_RE.fullmatch(code) else CODE


def _units(terms: Terms, in_codes: set[str]) -> list[tuple[str, ...]]:
    """The query's words as pyvi segments them (``vỉa hè``, ``Đinh La Thăng``) and its codes,
    each as its terms; the pieces of a code go with the code."""
    return _word_units(terms, in_codes) + [(code,) for code in terms.codes]


def _word_units(terms: Terms, in_codes: set[str]) -> list[tuple[str, ...]]:
    """The query's words as pyvi segments them, each as its syllables (not the pieces of its codes)."""
    syllables = [s for s in terms.syllables if s not in in_codes]
    units, i = [], 0
    while i < len(syllables):
        n = _unit_length(terms, syllables, i)
        while i + n < len(syllables) and _name_goes_on(terms, syllables, i + n):
            n += 1
        units.append(tuple(syllables[i:i + n]))
        i += n
    return units


def _unit_length(terms: Terms, syllables: list[str], i: int) -> int:
    """How many syllables from i make one of pyvi's words (1 for a syllable alone)."""
    return next((n for n in (4, 3, 2) if "_".join(syllables[i:i + n]) in terms.compounds
                 and not _yields(terms, syllables, i, n)), 1)


def _name_goes_on(terms: Terms, syllables: list[str], i: int) -> bool:
    """Whether the syllable at i, a word alone, is joined by a hyphen to a capitalised syllable before it
    (nam of Kim Jong-nam, which pyvi reads as kim_jong and nam): the name goes on over it."""
    return "_".join(syllables[i - 1:i + 1]) in terms.joins and syllables[i - 1] in terms.capitalised \
        and _unit_length(terms, syllables, i) == 1


def _units_read(terms: Terms, in_codes: set[str], reading: str | None, partly: bool = False,
                pasted: bool = False) -> list[tuple[tuple, tuple | None, bool]]:
    """(unit, the reading's syllables it is held as, or None; whether loosely) of the query's units (_units). A query
    typed without accents (or partly: ``Hà Noi``) is read as its restored reading's words (``tai nan
    giao thong``: ``tai nạn`` and ``giao thông``; pyvi seldom joins unaccented syllables) where the
    reading spells the same syllables (a word it respells, a likely typo, stays apart as syllables).
    Of at most ALL_WORDS words (days apart, as is_longer counts), an article needs them all, a word
    of one syllable with any accents (its reading kept: as read where sure, search._sure_words). A longer reading of a query typed without accents or partly
    with them, not pasted text, needs a share of its words held as read, one syllable too (``gia
    xang dau tang manh``: ``tăng``, not "tầng"; ``mưa lớn ở Da Nang``: ``Đà Nẵng``, not "đã nâng"),
    as the query typed with accents does; pasted text is searched as typed."""
    typed = [(unit, None, False) for unit in _units(terms, in_codes)]
    if not reading or (terms.accented and not partly):
        return typed
    pairs = _paired_with_reading(terms, in_codes, reading)
    if pairs is None:
        return typed
    words = [unit for unit in dict.fromkeys(unit for unit, _ in pairs) if not is_day(" ".join(unit))]
    if len(words) <= ALL_WORDS:  # a syllable alone loosely: with any accents (a number has none)
        return [(unit, read if len(unit) > 1 or unit[0].isalpha() else None, len(unit) == 1) for unit, read in pairs]
    return typed if pasted else [(unit, read, False) for unit, read in pairs]


def _paired_with_reading(terms: Terms, in_codes: set[str], reading: str) -> list[tuple] | None:
    """(unit, the reading's word) of the query's syllables grouped as the reading's words, (syllable,
    None) for those of a word the reading respells, and (code, None); None when the reading has
    other syllables."""
    syllables = [s for s in terms.syllables if s not in in_codes]
    read_terms = terms_of(reading)
    read = _word_units(read_terms, {part for code in read_terms.codes for part in code_parts(code)})
    if sum(map(len, read)) != len(syllables):
        return None
    pairs, i = [], 0
    for unit in read:
        syllables_typed, i = tuple(syllables[i:i + len(unit)]), i + len(unit)
        same = tuple(map(fold_word, unit)) == tuple(map(fold_word, syllables_typed))
        pairs += [(syllables_typed, unit)] if same else [((s,), None) for s in syllables_typed]
    return pairs + [((code,), None) for code in terms.codes]


def _yields(terms: Terms, syllables: list[str], i: int, n: int) -> bool:
    """Whether syllables[i:i + n] are words joined by a hyphen that one of pyvi's words runs across
    (HN-Hải of HN-Hải Phòng: Hải Phòng), so that they are no word of the query."""
    if "_".join(syllables[i:i + n]) not in terms.joins:
        return False
    return any("_".join(syllables[j:k]) in terms.compounds and "_".join(syllables[j:k]) not in terms.joins
               for j in range(i + 1, i + n) for k in range(i + n + 1, min(j + 4, len(syllables)) + 1))


def _number_and_kind(code: str) -> tuple[str, str] | None:
    """The number and the kind of a document's code (99 and qđ of 99-qđ/tu, 1234/qđ-ubnd, qđ-99): what
    its other forms (99-QĐ/TW, QĐ 99) share; None for other codes (dates, U23, A5/S5, TP.HCM)."""
    if NUMBERED_RE.fullmatch(code):
        return None
    parts = code_parts(code)
    number = next((part for part in parts if part.isdigit()), None)
    kind = next((part for part in parts if part.isalpha()), None)
    return (number, kind) if number and kind else None


def _numbers_and_kinds(absent: list[tuple[str, ...]], lookups: dict) -> dict[str, tuple[str, str]]:
    """{code: its number and kind} of the codes no article holds (99-qđ/tu: 99, qđ) whose number and
    kind articles hold: what they are searched as, and what their proximity counts (not the issuer,
    TU, which 99-QĐ/TW lacks: it had kept the articles holding them together from ranking first)."""
    forms = {unit[0]: _number_and_kind(unit[0]) for unit in absent if len(unit) == 1}
    return {code: form for code, form in forms.items() if form and all(t in lookups for t in form)}


def _kind_and_issuer(code: str) -> tuple[str, str] | None:
    """The kind and the issuer of a document's code, adjacent pieces (qđ and ttg of 1234/qđ-ttg,
    nq and tw of 28-nq/tw), folded: what the codes of that kind and issuer share; else None."""
    form = _number_and_kind(code)
    parts = code_parts(code)
    at = parts.index(form[1]) if form else len(parts)
    issuer = parts[at + 1] if at + 1 < len(parts) else ""
    return (fold_word(form[1]), fold_word(issuer)) if issuer.isalpha() else None


def _nearest_words(forms: dict[str, tuple[str, str]], lookups: dict) -> list[Word]:
    """For each code no article holds (99-QĐ/TU), the word of its number and kind (99 QĐ; forms, see
    _numbers_and_kinds): its number as typed, its kind as typed or as the words it stands for."""
    return [Word(" ".join(form), [lookups[t] for t in form], literal=(form[0],))
            for form in dict.fromkeys(forms.values())]


def name_run(terms: Terms, unit: tuple[str, ...], accented: bool) -> list:
    """A query word of several syllables each typed with a capital (a name: ``Gia Bảo``) as a phrase
    in titles and bodies, else []: articles holding its syllables apart (``tham gia``, ``bảo hiểm``)
    do not hold the name. Exact fields when typed with accents."""
    if len(unit) < 2 or not set(unit) <= terms.capitalised or any(map(is_code, unit)):
        return []
    return [wq.Phrase(f, list(unit) if accented else [fold_word(s) for s in unit]) for f in _text_fields(accented)]


def _compounds_of(units: list[tuple[str, ...]], folded: bool) -> list[str]:
    """The compound terms (``nghị_quyết``; folded if asked) of the units of several syllables."""
    return [fold_word("_".join(unit)) if folded else "_".join(unit) for unit in units if len(unit) > 1]


def _spans(terms: Terms) -> list[slice]:
    """The places of the query's runs of two and three adjacent syllables."""
    return [slice(i, i + n) for n in (2, 3) for i in range(len(terms.syllables) - n + 1)]


def _runs(terms: Terms) -> list[str]:
    """The query's runs of two and three adjacent syllables and its pyvi compounds, sorted."""
    return sorted({"_".join(terms.syllables[span]) for span in _spans(terms)} | set(terms.compounds))


def crossing_runs(terms: Terms) -> set[str]:
    """The runs that join a code's piece to a syllable outside it (xăng_e of xăng E5)."""
    return {"_".join(terms.syllables[span]) for span in _spans(terms) if len(set(terms.within[span])) > 1}


def named_numbers(text: str) -> list[tuple[str, ...]]:
    """The runs of a word and the number that names it (``nghị định 100``, ``lớp 10``, ``quốc lộ
    1A``, ``công nghiệp 4.0``), each as its terms in order: a number (or a code that begins with one;
    no day), right after a word of letters and with no word after it before the end or a punctuation
    mark. A code of letters and a number (``G20``, ``S9``) is a word already, and the word before it
    may be none it names (``tại G20``). With a word after it, see number_runs."""
    return [run for _, _, run, after in number_runs(text) if not after]


def named_runs(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, terms) of each run of named_numbers() in text."""
    return [(start, end, run) for start, end, run, after in number_runs(text) if not after]


def number_runs(text: str) -> list[tuple[int, int, tuple[str, ...], tuple[str, ...]]]:
    """(start, end, run, the word after) of each number that may name the word before it
    (named_numbers): the run of that word (as pyvi segments it) and the number, where it stands in
    text, and the syllable after the number in its stretch, a 1-tuple (a unit is one: ``tỷ``,
    ``người``), () when the end or a punctuation mark follows. Followed by a word, the number may
    name the word before (``nghị định 100 xử phạt``) or count the one after (``tăng 35 tỷ``): the
    articles' phrases decide (QueryBuilder.named; in pasted text it counts, as the syntax alone read it)."""
    tokens = analyze(text)
    syllables = [t for t in tokens if "_" not in t[0]]
    compounds = {term for term, *_ in tokens if "_" in term}
    runs = []
    for term, pos, start, end in syllables:
        if not _may_name(term, start, end, text, syllables):
            continue
        before = [t for t in syllables if t[3] <= start and t[1] < pos]
        word = before[-1:]
        for n in (3, 2):  # the word before as pyvi segments it (nghị định)
            if len(before) >= n and "_".join(t[0] for t in before[-n:]) in compounds:
                word = before[-n:]
                break
        after = [t for t in syllables if t[2] >= end]
        runs.append((word[0][2], end, tuple(t[0] for t in word) + (term,),
                     (after[0][0],) if after and not text[end:after[0][2]].strip() else ()))
    return runs


def _may_name(term: str, start: int, end: int, text: str, syllables: list) -> bool:
    """Whether a term (at start:end of text) may be a number naming the word of letters right
    before it: beginning with a digit, no day, no amount with its unit, no piece of a longer code."""
    if not term[:1].isdigit() or is_day(term) or GLUED_RE.fullmatch(term):
        return False  # a day, an amount with its unit (dài 31m)
    if any(s <= start and end <= e and (s, e) != (start, end) for _, _, s, e in syllables):
        return False  # a piece of a code (9 of S9)
    before = [t for t in syllables if t[3] <= start]
    return (bool(before) and before[-1][0].isalpha() and not _says_when(before[-1][0], term)
            and not text[before[-1][3]:start].strip())


def _says_when(word: str, number: str) -> bool:
    """Whether a number after a word is a date (năm 2017, tháng 5, quý 3: when, not which; năm 6,7
    of "cả năm 6,7%" is none)."""
    low, high = CALENDAR.get(word, (1, 0))
    return number.isdecimal() and low <= int(number) <= high  # not ² (a digit int() cannot read)


def amount_spellings(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(an amount as typed, the terms of another spelling of it) of the query's numbers glued to a
    unit (31m: 31 m) or to money's word or shorthand (50tr: 50 triệu) and with a decimal point (6.81:
    6,81, the Vietnamese decimal mark; a dot before three digits groups thousands, 1.000, and one
    before one or two may be a day, 6.12, unless a % follows; a comma is not read as a point: 6.7 in
    an article is more often a day than 6,7)."""
    text = unicodedata.normalize("NFC", text)
    out = [((m.group().lower(),), tuple(terms_of(f"{m.group(1)} {m.group(2)}").words)) for m in GLUED_RE.finditer(text)]
    out += [((m.group(1) + "." + m.group(2),), (m.group(1) + "," + m.group(2),)) for m in DECIMAL_RE.finditer(text)
            if m.group(3) or not is_day(m.group(1) + "." + m.group(2))]
    out += [((m.group().lower(),), tuple(terms_of(f"{m.group(1)} {MONEY_WORDS[m.group(2).lower()]}").words))
            for m in GLUED_MONEY_RE.finditer(text)]
    return list(dict.fromkeys(out))


def _day_pieces(codes: list[str]) -> set[str]:
    """The pieces of the days among the codes (22 and 10 of 22/10): the day is looked up whole, in
    each of its spellings, and its pieces alone would rank another day (22/4) beside it."""
    return {part for code in codes if is_day(code) for part in code_parts(code)}


def _mark_named(words: list[Word], named: list) -> None:
    """Mark the words that are numbers naming the word before them (named_numbers): no dates or
    amounts, they are dropped as words are, not first; a document's code among them (``quyết định
    86/2010/QĐ-TTg``) means something alone, so it may be the word kept alone (search._tiers)."""
    numbers = {leaf.words[-1] for leaf in named}
    for word in words:
        if word.text.lower() in numbers:
            word.date, word.named = False, not _number_and_kind(word.text.lower())


def says_when(word: Word) -> bool:
    """Whether a query word says when, not what: a day, or a word such as "hôm nay"."""
    return is_day(word.text) or is_now(word)


def is_now(word: Word) -> bool:
    """Whether a query word is "hôm nay" or its kind: on an archive, no day the reader means."""
    return fold_word("_".join(word.text.lower().split())) in NOW_WORDS


def is_longer(words: list[Word]) -> bool:
    """Whether the query's words make a longer query (a headline, pasted text: more than ALL_WORDS
    words), which needs only a share of them; its days say when, not what, so they do not count,
    nor does the "ngày" naming one (``giá vàng tăng ngày 22/10`` is 3 words, all needed, the day
    dropped first), nor a number naming the word before it (``bão số 12 Damrey``: 3); an amount does
    (``35 tỷ USD vì`` is 4: the amount or the year of a headline tells it apart)."""
    when = when_places(words)
    return sum(n not in when and not word.named for n, word in enumerate(words)) > ALL_WORDS


def when_places(words: list[Word]) -> set[int]:
    """The places of the words that say when, not what (see says_when), and of those naming a day the
    query types (the ngày of ngày 22/10, one a day at most)."""
    when = {n for n, word in enumerate(words) if says_when(word)}
    days = sum(is_day(word.text) for word in words)
    return when | set([n for n, word in enumerate(words) if word.text.lower() in DAY_WORDS][:days])


def unquoted(text: str) -> str | None:
    """text with the quotes of its phrases taken off (an excluded or title: phrase keeps them); None
    when it has none to take off, or is pasted text (whose quotes are no operators)."""
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    if is_pasted(text):
        return None
    text = " ".join(fields_read(text).split())
    plain = " ".join(CLAUSE_RE.sub(lambda m: m.group("phrase") if m.group("phrase") is not None and not (
        m.group("neg") or m.group("field")) else m.group(), text).split())
    return plain if plain != text and SEARCHABLE_RE.search(plain) else None


def is_day(text: str) -> bool:
    """Whether a word of the query is a day (22/10, 22-10-2017), not a number or another code."""
    return bool(date_spellings(text))


def _soft(group: list[Clause], words: list) -> bool:
    """Whether a required group is an accented phrase quoted beside more than ALL_WORDS free words
    (``Cục Đăng kiểm “trảm” một loạt cán bộ``): headlines quote words they stress, so the phrase
    gives way when too few articles hold it. Beside fewer words (``"Nguyễn Văn An" tham nhũng``:
    the reader asked for it) or typed without accents, it stays required: a query with quotes gets
    no restored reading (``search.understand_query``), and its free words alone rank poorly."""
    clause = group[0]
    return (is_longer(words) and len(group) == 1 and clause.phrase and not clause.title_only
            and terms_of(clause.text).accented)


def _fields(title_only: bool) -> tuple[str, ...]:
    return ("title",) if title_only else ("title", "body")


def _text_fields(accented: bool) -> tuple[str, str]:
    """The title and body fields of a query's phrases: exact when typed with accents, else folded."""
    return ("title", "body") if accented else ("title_fold", "body_fold")


class TermStats:
    """All a plan reads of an index's counts (a scorer.Scorer's): the decisions it makes from them,
    so that a plan made with other counts serves while each decision comes out the same."""

    def __init__(self, scorer):
        self.scorer = scorer

    def held(self, field: str, term: str) -> bool:
        """Whether any article holds the term in field."""
        return self.scorer.doc_frequency(field, term) > 0

    def common(self, field: str, term: str) -> bool:
        """Whether so many articles hold the term in field that it only refines the ranking."""
        return self.scorer.doc_frequency(field, term) > COMMON_RATIO * self.scorer.doc_count()

    def more_often(self, field: str, phrases: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
        """Whether more articles hold the first of two phrases in field than the second."""
        first = self.scorer.count(("phrase", field, phrases[0]))
        return first > 0 and first > self.scorer.count(("phrase", field, phrases[1]))

    def phrase_held(self, field: str, words: tuple[str, ...]) -> bool:
        """Whether any article holds the words one right after another in field."""
        return self.scorer.count(("phrase", field, words)) > 0

    def look_up(self, terms: list[tuple[str, str]]) -> None:
        """Find many (field, term) in the index at once before they are used one by one."""
        self.scorer.look_up(terms)


class QueryBuilder:
    """Turns a parsed query into Whoosh queries, looking terms up in the index's statistics."""

    def __init__(self, stats: TermStats, exact: bool = False):
        self.stats = stats
        self.exact = exact  # accented words match as typed only: their folded forms are never looked up
        self.marks = Marks(exact)  # what the query's results mark: filled as the query is read
        self.read_phrases = []  # phrases typed partly with accents, as typed and as read: filled so too

    def _known(self, term: str) -> bool:
        """Whether any article holds the term, with any accents."""
        folded = fold_word(term)
        return any(self.stats.held(f, folded) for f in ("body_fold", "title_fold"))

    def written_apart(self, text: str) -> str:
        """text with each code no article holds written apart where it joins pieces articles hold by
        a hyphen or slash (tp.hcm-hà nội: tp.hcm hà nội, as TP.HCM-Hà Nội is indexed), in its free
        words (a phrase, title: or exclusion keeps what was typed)."""
        text = unicodedata.normalize("NFC", text).translate(QUOTES)
        if is_pasted(text):
            return self._codes_apart(text)
        return CLAUSE_RE.sub(lambda m: self._codes_apart(m.group()) if m.group("word") and not (
            m.group("neg") or m.group("field")) else m.group(), text)

    def words_held(self, text: str) -> str:
        """text with each word an operator binds (_words_bound) that no article holds whole where the
        operator looks bound as far as articles hold it, quoted, the rest free words: pyvi joins names
        (``title:Trung Đông Iran``, one word no title holds: ``title:"Trung Đông" Iran``)."""
        if is_pasted(text):
            return text
        for start, end, clause in reversed(_clauses_bound(text)):
            if clause is not None and clause.bound:
                text = text[:start] + self._word_as_held(text[start:end], clause) + text[end:]
        return text

    def _word_as_held(self, typed: str, clause: Clause) -> str:
        """A bound word as typed (typed: its operator and syllables), else its longest first run of two
        syllables or more that articles hold where the operator looks, quoted, then its other syllables."""
        words = clause.text.split()
        held = next((n for n in range(len(words), 1, -1) if self._run_held(words[:n], clause.title_only)), len(words))
        if held == len(words):
            return typed
        return f'{typed[:typed.index(words[0])]}"{" ".join(words[:held])}" {" ".join(words[held:])}'

    def _run_held(self, words: list[str], title_only: bool) -> bool:
        """Whether an article holds the words one after another in its title (or, not title_only, body)."""
        terms = terms_of(" ".join(words))
        run = tuple(terms.words if terms.accented else map(fold_word, terms.words))
        fields = _text_fields(terms.accented)
        return any(self.stats.phrase_held(f, run) for f in fields[:1 if title_only else 2])

    def _codes_apart(self, text: str) -> str:
        """text with a space for each hyphen or slash _split_points() finds in its codes."""
        chars = list(text)
        for start, end in code_spans(text).items():
            for at in self._split_points(text[start:end]):
                chars[start + at] = " "
        return "".join(chars)

    def _split_points(self, code: str) -> list[int]:
        """Where a code no article holds splits, at hyphens and slashes, into the fewest pieces
        articles hold (tp.hcm-hà: tp.hcm and hà); [] for a code held, a document's code (see
        _nearest_words) or a piece without letters (a date)."""
        term = canonical(joined_form(code))
        pieces = JOIN_RE.split(code)
        if (not JOIN_RE.search(term) or len(pieces) > MAX_PIECES or _number_and_kind(term)
                or not all(any(c.isalpha() for c in piece) for piece in pieces) or self._known(term)):
            return []
        return self._fewest_held(code, [-1, *(m.start() for m in JOIN_RE.finditer(code)), len(code)])

    def _fewest_held(self, code: str, bounds: list[int]) -> list[int]:
        """The joins of code (bounds: -1, the offset of each join, len(code)) that split it into the
        fewest pieces articles hold, more than one; [] when no split does."""
        n = len(bounds) - 1
        fewest = {0: []}  # i -> the joins splitting the code's first i pieces into the fewest held ones
        for j in range(1, n + 1):
            splits = [fewest[i] + ([bounds[i]] if i else []) for i in range(j)
                      if i in fewest and j - i < n and self._held(code[bounds[i] + 1:bounds[j]])]
            if splits:
                fewest[j] = min(splits, key=len)
        return fewest.get(n, [])

    def _held(self, piece: str) -> bool:
        """Whether articles hold every syllable and code of a piece of text."""
        terms = terms_of(piece)
        return bool(terms.syllables) and all(map(self._known, [*terms.syllables, *terms.codes]))

    def _held_or_spelled(self, term: str, pasted: bool) -> bool:
        """Whether articles hold a term, or (but in pasted text, which quotes an article's spelling)
        the day or amount it spells otherwise (see _spelled_otherwise)."""
        return self._known(term) or not pasted and self._spelled_otherwise(term)

    def _spelled_otherwise(self, code: str) -> bool:
        """Whether some article holds the day a date names or the amount a number is, written
        otherwise (22/10 for 22/10/2016, 6,81 for 6.81, 31 m for 31m): those spellings stand in
        for it (search.variants, amount_spellings), so it is no word to drop."""
        amounts = [other for _, other in amount_spellings(code)]
        return any(map(self._known, date_spellings(code))) or any(all(map(self._known, o)) for o in amounts)

    def word(self, term: str, accented: bool, weight: float = 1.0, title_only=False,
             exact_only=False) -> list:
        """The lookups of one term in the folded fields (unless accented and exact) and, when
        accented, the exact ones."""
        fields = _fields(title_only)
        out = [] if accented and (exact_only or self.exact) else [
            wq.Term(f"{f}_fold", fold_word(term), boost=weight * FOLDED * (TITLE if f == "title" else 1))
            for f in fields]
        if accented:
            out += [wq.Term(f, term, boost=weight * EXACT * (TITLE if f == "title" else 1)) for f in fields]
        return out

    def compounds(self, terms: Terms) -> list[str]:
        """Adjacent syllable runs and pyvi compounds of the query that exist in the index."""
        return [run for run in _runs(terms) if self._known(run)]

    def _look_up(self, terms: Terms) -> None:
        """Find in one pass every term the query may look up (each syllable, code and run, folded
        and, when accented, exact), rather than one term at a time."""
        texts = [*terms.syllables, *terms.codes, *_runs(terms)]
        fields = ("title", "body")
        self.stats.look_up([(f"{f}_fold", fold_word(t)) for t in texts for f in fields]
                           + ([(f, t) for t in texts for f in fields] if terms.accented else []))

    def _common(self, syllable: str, accented: bool) -> bool:
        """Whether a syllable is in so many articles' bodies (read as the query reads it) that it only
        refines the ranking."""
        return self.stats.common(*(("body", syllable) if accented else ("body_fold", fold_word(syllable))))

    def free(self, words: list[str], reading: str | None = None,
             loose: frozenset = frozenset()) -> tuple[list, list, list[Word], list, list[str], list[str]]:
        """The ranked part, as (rare, common) term lookups of the free words, and the words
        (pyvi's words of the query and its codes, each once) that matching articles hold, the
        (field, query words in order, boost) whose proximity ranks the best articles, the words
        no article holds, and the compounds of the others of several syllables (in those fields).

        Common syllables (``của``, ``và``) only add to the score of articles that match a rarer
        term, as in Lucene's common-terms query; this keeps long queries fast. Words no article
        holds are left out, so that they do not leave the common ones nothing to rank. loose: the
        syllables of a query typed partly with accents that it typed without and its reading
        accents (``nguyen`` of ``nguyen phú trọng``): they match folded, as in an unaccented query.
        """
        text = " ".join(words)
        terms = terms_of(text)
        self._look_up(terms)
        known = self.compounds(terms)
        self.marks.add_words(terms, set(known) | set(terms.compounds), loose, crossing_runs(terms))

        def accented(term: str) -> bool:
            return terms.accented and not loose.intersection(term.split("_"))

        rare, common, lookups = [], [], {}
        in_codes = {part for code in terms.codes for part in code_parts(code)}
        orphaned = self._orphaned_parts(terms.codes, text) | _day_pieces(terms.codes)
        pasted = is_pasted(text)
        searched = partial(self._held_or_spelled, pasted=pasted)
        for term in filter(searched, dict.fromkeys(t for t in terms.syllables if t not in orphaned)):  # once each
            lookups[term] = self.word(term, accented(term), CODE_PART if term in in_codes else 1.0)
            (common if self._common(term, accented(term)) else rare).extend(lookups[term])
        for code in filter(searched, dict.fromkeys(terms.codes)):
            lookups[code] = self.word(code, terms.accented, code_weight(code, in_codes))
            rare += lookups[code]
        compounds = [q for run in known for q in self.word(run, accented(run), COMPOUND)]
        triples = _units_read(terms, in_codes, reading, bool(loose), pasted)
        read = {unit: (spelled, loosely) for unit, spelled, loosely in reversed(triples)}  # a unit typed twice: its first
        units = list(dict.fromkeys(unit for unit, _, _ in triples))
        held = [unit for unit in units if all(t in lookups for t in unit)]
        found = [self._word(unit, [lookups[t] for t in unit], *read[unit]) for unit in held]
        for word, unit in zip(found, held):
            spelled, loosely = read[unit]
            word.run = [] if pasted or spelled and not loosely else name_run(terms, unit, accented("_".join(unit)))
        found = [word for word in found if not is_now(word)] or found  # hôm nay ranks, matches nothing
        absent = [" ".join(unit) for unit in units if unit not in held]
        forms = _numbers_and_kinds([unit for unit in units if unit not in held], lookups)
        found += _nearest_words(forms, lookups)
        near, whole = _near(text, terms, reading if loose else None, pasted, held, forms)
        ranked = (rare + compounds, common) if rare else (compounds + common, [])
        return (*ranked, found, near, absent, _compounds_of(whole, not terms.accented))

    def _word(self, unit: tuple[str, ...], parts: list[list], read: tuple[str, ...] | None,
              loosely: bool = False) -> Word:
        """The Word of a unit of the query (its syllables' lookups: parts); read: its reading's
        syllables, when a query typed without accents is read as its reading's words (_units_read),
        loosely: held with any accents, as read where that is sure (Word.spelled)."""
        word = Word(" ".join(unit), parts, all(DATE_RE.fullmatch(t) for t in unit))
        if read and loosely:
            word.spelled = [self.word(syllable, True) for syllable in read]  # matched as typed so
        elif read:
            word.read = [self.word(syllable, True, exact_only=True) for syllable in read]
        if read and len(read) > 1:
            word.compound = self.word("_".join(unit), False)
        return word

    def _orphaned_parts(self, codes: list[str], text: str) -> set[str]:
        """The pieces of the codes no article holds that have a piece no article holds either, and
        the numbers typed after a name no article holds (`Covid 19`): the rest of such a code means
        nothing alone (`Covid-19` where no article has "covid": not 19)."""
        return {part for code in codes if not self._known(code) for parts in [code_parts(code)]
                for part in parts if not all(map(self._known, parts)) and part not in self._meaningful(code)} | {
                number for name, number in SPACED_CODE_RE.findall(text.lower()) if not self._known(name)}

    def _meaningful(self, code: str) -> tuple[str, ...]:
        """The number and kind of a document's code when articles hold both (1880 and qđ of
        1880/QĐ-TW where none holds TW): they mean something alone; else ()."""
        form = _number_and_kind(code)
        return form if form and all(map(self._known, form)) else ()

    def preferred(self, reading: str) -> list:
        """Exact-field lookups that rank articles holding an accented reading of the query higher."""
        terms = terms_of(reading)
        return [q for t in terms.syllables + self.compounds(terms)
                for q in self.word(t, True, PREFERRED, exact_only=True)]

    def reading_compounds(self, reading: str) -> list[str]:
        """The folded compounds of the words of several syllables of an unaccented query's reading
        (pyvi seldom joins unaccented syllables into words)."""
        return _compounds_of(_units(terms_of(reading), set()), folded=True)

    def phrase(self, clause: Clause):
        """An exact phrase, numbers and codes included (accent-insensitive when typed without)."""
        terms = terms_of(clause.text)
        if not terms.words:
            return None
        if len(terms.words) == 1:
            if not clause.negated:
                self.marks.add_words(terms, [])
            return wq.Or(self.word(terms.words[0], terms.accented, title_only=clause.title_only,
                                   exact_only=True))
        if clause.loose and terms.accented:
            return self._partly_accented(clause, terms)
        if not clause.negated:
            self.marks.add_phrase(terms)
        suffix = "" if terms.accented else "_fold"
        words = terms.words if terms.accented else [fold_word(w) for w in terms.words]
        fields = _fields(clause.title_only)
        return wq.Or([wq.Phrase(f + suffix, words, boost=TITLE if f == "title" else 1.0) for f in fields])

    def _partly_accented(self, clause: Clause, terms: Terms):
        """A phrase typed partly with accents (clause.loose): its words typed with them as typed, the
        others with any accents (the whole phrase folded joins when those match few articles,
        search._clause_mask; not in an exclusion); articles holding it as typed or as read rank higher."""
        fields = _fields(clause.title_only)
        folded = [fold_word(w) for w in terms.words]
        loose = [w in clause.loose for w in terms.words]
        words = [fold_word(w) if is_loose else w for w, is_loose in zip(terms.words, loose)]
        boost = {f: TITLE if f == "title" else 1.0 for f in fields}
        spelled = [SpelledPhrase(f, words, tuple(f"{f}_fold" if is_loose else f for is_loose in loose), boost[f])
                   for f in fields]
        if clause.negated:
            return wq.Or(spelled)
        self.marks.add_phrase(terms, accented=False)
        read = terms_of(clause.read).words if clause.read else []
        for as_read in dict.fromkeys(tuple(w) for w in (terms.words, read) if len(w) == len(terms.words)):
            self.read_phrases += [wq.Phrase(f, list(as_read), boost=AS_READ * boost[f]) for f in fields]
        return wq.Or(spelled + [wq.Phrase(f"{f}_fold", folded, boost=boost[f]) for f in fields])

    def clause(self, clause: Clause):
        """A required or excluded clause: a phrase, or all words of a title: clause."""
        if clause.phrase:
            return self.phrase(clause)
        terms = terms_of(clause.text)
        if not terms.syllables and not terms.codes:
            return None
        if len(terms.syllables) > 1 or terms.codes:
            return self.phrase(replace(clause, phrase=True))
        self.marks.add_words(terms, [])
        return wq.Or(self.word(terms.syllables[0], terms.accented, title_only=clause.title_only))

    def exclusion(self, clause: Clause):
        """What -word or -"phrase" removes: exact matches when typed with accents, else folded."""
        terms = terms_of(clause.text)
        if len(terms.syllables) != 1 or terms.codes or clause.phrase:
            return self.phrase(replace(clause, phrase=True, negated=True))
        syllable = terms.syllables[0]
        fields = _fields(clause.title_only)
        if terms.accented:
            return wq.Or([wq.Term(f, syllable) for f in fields])
        return wq.Or([wq.Term(f"{f}_fold", syllable) for f in fields])

    def named(self, text: str, loose: frozenset = frozenset(), reading: str | None = None) -> list:
        """Phrase lookups of the free words' runs of a word and the number naming it (number_runs),
        in the exact fields when typed with accents (loose: partly), else the folded ones, weighed NAMED."""
        # typed without accents: the runs as the restored reading segments them (pyvi joins the
        # "nghị định" of nghị định 100, not "nghi dinh"), folded, weighed as an accented query's
        read = bool(reading) and not terms_of(text).accented
        out, pasted = [], is_pasted(text)
        for _, _, run, after in number_runs(reading if read else text):
            if read:
                run, after = tuple(map(fold_word, run)), tuple(map(fold_word, after))
            accented = terms_of(" ".join(run)).accented and loose.isdisjoint(run)
            words = list(run) if accented else [fold_word(w) for w in run]
            if after and (pasted or not self._names_before(run, after, loose)):
                continue  # pasted text: a paragraph's every number would cost its phrases
            out += [wq.Phrase(f if accented else f"{f}_fold", words,
                              boost=NAMED * (EXACT if accented or read else FOLDED) * (TITLE if f == "title" else 1))
                    for f in _fields(False)]
        return out

    def issued(self, absent: list[str]) -> list:
        """Phrase lookups of the kind and issuer of each document code no article holds (qđ ttg of
        1234/QĐ-TTg), folded, weighed ISSUED: the articles citing codes of that kind and issuer rank
        first among those holding its pieces, unless an article holds its number and kind side by
        side (3344/QĐ-TTCP for 3344/QĐ-UBND: that one ranks first, by their proximity). Not for pasted
        text (build): a lead citing a circular is about its matter, not about circulars of its kind."""
        pairs = dict.fromkeys(pair for code in absent if (pair := _kind_and_issuer(code))
                              and not self._numbered(_number_and_kind(code)))
        return [wq.Phrase(f"{f}_fold", list(pair), boost=ISSUED * (TITLE if f == "title" else 1))
                for pair in pairs for f in _fields(False)]

    def _numbered(self, form: tuple[str, str]) -> bool:
        """Whether an article holds a code's number and kind (form) side by side, in either order."""
        number, kind = form[0], fold_word(form[1])
        return any(self.stats.phrase_held(f"{f}_fold", words) for f in _fields(False)
                   for words in ((number, kind), (kind, number)))

    def _names_before(self, run: tuple[str, ...], after: tuple[str, ...], loose: frozenset) -> bool:
        """Whether a number followed by a word names the word before it: articles write it after
        that word (run) more often than before the word after it (``nghị định 100`` rather than "100
        xử" of ``nghị định 100 xử phạt``; ``35 tỷ`` rather than "tăng 35"), in their bodies, read
        exactly when both are typed with accents."""
        pair = (run, (run[-1], *after))
        if terms_of(" ".join(run + after)).accented and loose.isdisjoint(run + after):
            return self.stats.more_often("body", pair)
        return self.stats.more_often("body_fold", tuple(tuple(map(fold_word, words)) for words in pair))

    def build(self, parsed: ParsedQuery, reading: str | None = None, loose: frozenset = frozenset()) -> "Plan":
        """The plan for a parsed query (reading: the restored reading of its free words, typed
        without accents or, with loose, partly: see free): term lookups to score, clauses to
        require and exclude."""
        plan = Plan(exact=self.exact)
        groups = [(group, [q for q in map(self.clause, group) if q is not None]) for group in parsed.required]
        if parsed.free_text:
            free = " ".join(parsed.free_text)
            plan.rare, plan.common, plan.words, plan.near, plan.absent, plan.compounds = self.free(parsed.free_text,
                                                                                                  reading, loose)
            read = reading if reading and not terms_of(free).accented else None  # its names are the reading's
            plan.names = [] if is_pasted(free) else name_runs(read or free, plan.near[0][1] if plan.near else [],
                                                              plan.words, folded=bool(read))
            plan.loose = loose
            plan.named = self.named(free, loose, reading) + ([] if is_pasted(free) else self.issued(plan.absent))
            _mark_named(plan.words, plan.named)
        for group, parts in groups:
            if parts and _soft(group, plan.words):
                plan.soft.append((group[0].text, wq.Or(parts)))
            elif parts:
                plan.required.append(wq.Or(parts))
                plan.quoted += [" OR ".join(map(said, group))] if any(clause.phrase for clause in group) else []
        excluded = [q for q in (self.exclusion(c) for c in parsed.excluded) if q is not None]
        plan.excluded = wq.Or(excluded) if excluded else None
        plan.marks = self.marks
        plan.read_phrases = self.read_phrases
        return plan


@dataclass
class Plan:
    """What a search does: articles holding the ``words`` (all or fewer, ``search._relax``; without
    free words, those matching a ``rare`` lookup), every ``required`` OR group (an ``Or`` of one
    query per clause) and no ``excluded`` one are found; ``rare`` and ``common`` lookups score
    them, and ``near`` adds the proximity of the query's words."""
    rare: list = field(default_factory=list)
    common: list = field(default_factory=list)
    required: list = field(default_factory=list)
    soft: list = field(default_factory=list)  # (text, query) of phrases quoted in a longer query (see _soft, search._relax)
    quoted: list[str] = field(default_factory=list)  # the required groups holding a quoted phrase, as typed
    excluded: object = None
    marks: Marks = field(default_factory=Marks)
    words: list[Word] = field(default_factory=list)  # the free words, which articles must hold
    absent: list[str] = field(default_factory=list)  # the free words no article holds (left out)
    near: list = field(default_factory=list)  # (field, words in order, boost): proximity lookups
    near_otherwise: list = field(default_factory=list)  # near lists of its synonyms' other spellings: the best counts
    compounds: list = field(default_factory=list)  # the words of several syllables as compounds (near's fields)
    names: list = field(default_factory=list)  # stretches of near's words each typed with a capital (name_runs)
    named: list = field(default_factory=list)  # phrases of a word and the number naming it (QueryBuilder.named)
    read_phrases: list = field(default_factory=list)  # phrases typed partly with accents as typed and read: they rank
    text: str = ""  # the query as searched (QueryBuilder.written_apart)
    loose: frozenset = frozenset()  # syllables typed without accents in a query partly with them: matched folded
    exact: bool = False  # searched exactly as typed: an accented word's folded forms never count

    @property
    def empty(self) -> bool:
        return not (self.rare or self.common or self.required or self.soft)

    def required_lookups(self) -> list[Lookup]:
        """Lookups of every word in the required clauses, to score them too; a clause of an OR of
        several within its place (group, clause): its words score only the articles matching it
        (those of ``"bão số 10" OR "lũ quét"`` holding "lũ quét" and the words bão, số: not as if
        they held both)."""
        out = []
        for g, q in enumerate(self.required + [query for _, query in self.soft]):
            either = len(q.subqueries) > 1 and g < len(self.required)
            for c, clause in enumerate(q.subqueries):
                whose = (g, c) if either else None
                out += [Lookup(f, w, leaf.boost, whose) for leaf in clause.leaves() for f, w in _leaf_lookups(leaf)]
        return out


def _leaf_lookups(leaf) -> list[tuple[str, str]]:
    """(field, word) of each word a Phrase or Term looks up."""
    if isinstance(leaf, wq.Phrase):
        fields = phrase_fields(leaf)
        return list(zip([fields] * len(leaf.words) if isinstance(fields, str) else fields, leaf.words))
    return [(leaf.fieldname, leaf.text)] if isinstance(leaf, wq.Term) else []
