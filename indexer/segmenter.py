"""pyvi word segmentation, exact and fast, with character spans.

``segment(text)`` returns, for each of pyvi's syllable tokens (``ViTokenizer.sylabelize``),
its span and whether ``ViTokenizer.tokenize`` would glue it to the previous token with "_".
The result is identical to pyvi's: same tokens, same CRF model, same arithmetic.

pyvi spends its time building a feature dict per token and pushing feature strings through
sklearn-crfsuite into crfsuite. Here the model's weights are read once from pyvi's own pickle
(without importing scikit-learn), each distinct token's weights are cached, the per-token
state scores are summed with numpy in exactly crfsuite's order (so the float results are
bit-identical), and crfsuite's two-label Viterbi is replayed in Python. Texts are processed
in pieces cut at whitespace, and the Viterbi path is emitted as soon as it can no longer
change, so memory stays bounded for huge texts while the result stays that of one sequence.
"""

from __future__ import annotations

import codecs
import importlib.util
import os
import pickle
import re
import string
import struct
import threading
from itertools import chain
from typing import Iterator

# pyvi's sylabelize pattern, alternatives in pyvi's order, with its inner groups made
# non-capturing (groups do not change what matches).
TOKEN_RE = re.compile(
    r"[A-ZĐ]+\.|Tp\.|Mr\.|Mrs\.|Ms\.|Dr\.|ThS\."
    r"|==>|->|\.\.\.|>>|\n"
    r"|\w+://[^\s]+|[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+"
    r"|\d+(?:[\.,_]\d+)+|[^\w\s]|\w+"
)
_SPACE_RE = re.compile(r"\s")  # no token contains whitespace but the lone "\n" token

PIECE_CHARS = 1 << 16  # texts are tokenized and scored in pieces of about this many chars
CACHE_LIMIT = 200_000  # distinct tokens remembered before the token cache starts over

_LOAD_LOCK = threading.Lock()
_TABLE_LOCK = threading.Lock()  # the token cache is shared by all threads
_LOADED: dict = {}

# Join rule of pyvi's tokenize, by token class: 0 = punctuation or digit-initial (never
# joins, on either side), 1 = other non-title, 2 = title-initial (joins only after title).
_ALLOW = (False, False, False, False, True, False, False, True, True)


def _token_class(tok: str) -> int:
    """0, 1 or 2 as in _ALLOW, from pyvi's post rules (a substring test on punctuation)."""
    if tok in string.punctuation or tok[0].isdigit():
        return 0
    return 2 if tok[0].istitle() else 1


def _pyvi_models_dir() -> str:
    """The installed pyvi package's models folder, found without importing pyvi."""
    spec = importlib.util.find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyvi is not installed; indexer.segmenter needs its model files")
    return os.path.join(list(spec.submodule_search_locations)[0], "models")


class _Stub:
    """Stands in for every class in pyvi's pickle; keeps only the pickled state."""

    def __init__(self, *args, **kwargs):
        self.state = None

    def __setstate__(self, state):
        self.state = state


class _ModelUnpickler(pickle.Unpickler):
    """Reads pyvi's sklearn_crfsuite.CRF pickle without importing sklearn or numpy."""

    def find_class(self, module, name):
        if (module, name) == ("_codecs", "encode"):
            return codecs.encode
        return _Stub


def _crfsuite_model_bytes(models_dir: str) -> bytes:
    """The crfsuite model file embedded in pyvi's pickled CRF."""
    with open(os.path.join(models_dir, "pyvi3.pkl"), "rb") as f:
        crf = _ModelUnpickler(f).load()
    data = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    if not isinstance(data, bytes) or data[:4] != b"lCRF":
        raise ValueError("unexpected content in pyvi's model pickle")
    return data


def _cqdb_strings(data: bytes, offset: int, count: int) -> list[str]:
    """Strings 0..count-1 of a crfsuite CQDB string table (via its backward array)."""
    chunk, _, _, _, bwd_size, bwd_offset = struct.unpack_from("<4sIIIII", data, offset)
    if chunk != b"CQDB" or bwd_size < count:
        raise ValueError("unexpected crfsuite model layout")
    out = []
    for i in range(count):
        (rec,) = struct.unpack_from("<I", data, offset + bwd_offset + 4 * i)
        _, ksize = struct.unpack_from("<iI", data, offset + rec)
        out.append(data[offset + rec + 8:offset + rec + 7 + ksize].decode("utf-8"))
    return out


def _parse_crfsuite(data: bytes) -> tuple[dict, dict]:
    """State weights {attribute: {label: w}} and transitions {(from, to): w} of a model."""
    head = struct.unpack_from("<4sI4sIIIIIIIII", data, 0)
    if head[0] != b"lCRF" or head[2] != b"FOMC":
        raise ValueError("not a crfsuite CRF1d model")
    labels = _cqdb_strings(data, head[8], head[5])
    attrs = _cqdb_strings(data, head[9], head[6])
    _, _, num = struct.unpack_from("<4sII", data, head[7])
    state, trans = {}, {}
    body = data[head[7] + 12:head[7] + 12 + 20 * num]
    for kind, src, dst, weight in struct.iter_unpack("<IIId", body):
        if kind == 0:
            state.setdefault(attrs[src], {})[labels[dst]] = weight
        else:
            trans[(labels[src], labels[dst])] = weight
    return state, trans


def _read_ngrams(models_dir: str) -> tuple[list, list]:
    """pyvi's bigram and trigram lists from words.txt (read as pyvi reads it)."""
    with open(os.path.join(models_dir, "words.txt"), encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    parts = [line.split(" ") for line in lines]
    return [p for p in parts if len(p) == 2], [p for p in parts if len(p) == 3]


class _Model:
    """pyvi's CRF weights and n-gram lists, laid out for vectorised scoring."""

    def __init__(self, models_dir: str):
        import numpy as np

        self.np = np
        state, trans = _parse_crfsuite(_crfsuite_model_bytes(models_dir))
        self.weights = {a: (w.get("B_W", 0.0), w.get("I_W", 0.0)) for a, w in state.items()}
        self.trans = tuple(trans.get(k, 0.0) for k in (
            ("B_W", "B_W"), ("B_W", "I_W"), ("I_W", "B_W"), ("I_W", "I_W")))
        bigrams, trigrams = _read_ngrams(models_dir)
        self.vocab = {}
        for part in (p for gram in bigrams + trigrams for p in gram):
            self.vocab.setdefault(part, len(self.vocab))
        self.base = len(self.vocab) + 1
        self.bigrams = np.unique(np.array([self._code(g) for g in bigrams] or [-1], np.int64))
        self.trigrams = np.unique(np.array([self._code(g) for g in trigrams] or [-1], np.int64))
        self.context = np.array([self.weight(a) for a in (
            "-1:word.bi_gram()", "-2:word.tri_gram()", "+1:word.bi_gram()", "+2:word.tri_gram()")])
        self.allow = np.array(_ALLOW, np.uint8)

    def _code(self, gram: list[str]) -> int:
        """One integer for a sequence of n-gram syllables."""
        code = 0
        for part in gram:
            code = code * self.base + self.vocab[part]
        return code

    def weight(self, attr: str) -> tuple[float, float]:
        """(B_W, I_W) weights of an attribute, cut at NUL as crfsuite's C strings are."""
        return self.weights.get(attr.split("\0", 1)[0], (0.0, 0.0))

    def own_scores(self, attrs: list[str]) -> list[float]:
        """A token's own attributes summed from 0.0 in order, per label, as crfsuite does."""
        b = i = 0.0
        for attr in attrs:
            w = self.weights.get(attr.split("\0", 1)[0])
            if w is not None:
                b += w[0]
                i += w[1]
        return [b, i]


class _Index(dict):
    """token -> row of the token table; a miss fills the token's row."""

    def __init__(self, fill):
        super().__init__()
        self.fill = fill

    def __missing__(self, tok):
        row = len(self)
        self.fill(row, tok)
        self[tok] = row
        return row


class _TokenTable:
    """Per distinct token: own score, +-1 context weights, n-gram syllable id, join class."""

    def __init__(self, model: _Model, capacity: int = 4096):
        np = model.np
        self.model = model
        self.rows = np.zeros((capacity, 14))
        self.sylls = np.full(capacity, -1, np.int64)
        self.classes = np.zeros(capacity, np.uint8)
        self.index = _Index(self._fill)

    def ids(self, toks: list[str]):
        """Row ids of tokens (an array), adding unseen tokens; call under _TABLE_LOCK."""
        if len(self.index) > CACHE_LIMIT:
            self.index = _Index(self._fill)
        np = self.model.np
        return np.fromiter(map(self.index.__getitem__, toks), np.intp, len(toks))

    def _fill(self, row: int, tok: str) -> None:
        """Compute a token's row exactly as pyvi's word2features + crfsuite would weigh it."""
        if row >= len(self.classes):
            self._grow()
        m, low = self.model, tok.lower()
        upper, title, digit = tok.isupper(), tok.istitle(), tok.isdigit()
        own = ["bias", "word.lower():" + low] + ["word.isupper()"] * upper
        values = m.own_scores(own + ["word.istitle()"] * title + ["word.isdigit()"] * digit)
        for side in ("-1:", "+1:"):
            values += m.weight(side + "word.lower():" + low)
            values += m.weight(side + "word.istitle()") if title else (0.0, 0.0)
            values += m.weight(side + "word.isupper()") if upper else (0.0, 0.0)
        self.rows[row] = values
        self.sylls[row] = m.vocab.get(low, -1)
        self.classes[row] = _token_class(tok)

    def _grow(self) -> None:
        """Double the table's capacity."""
        np = self.model.np
        self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        self.sylls = np.concatenate([self.sylls, np.full_like(self.sylls, -1)])
        self.classes = np.concatenate([self.classes, np.zeros_like(self.classes)])


def _member(np, codes, sorted_codes):
    """Elementwise membership of codes in a sorted array."""
    pos = np.searchsorted(sorted_codes, codes)
    np.minimum(pos, len(sorted_codes) - 1, out=pos)
    return sorted_codes[pos] == codes


def _ngram_flags(table: _TokenTable, ids):
    """bi[i]: tokens i-1,i form a pyvi bigram; tri[i]: tokens i-2..i a trigram (padded)."""
    m, np, n = table.model, table.model.np, len(ids)
    syl = table.sylls[ids]
    ok = syl >= 0
    bi, tri = np.zeros(n + 1, bool), np.zeros(n + 2, bool)
    if n >= 2:
        pair = syl[:-1] * m.base + syl[1:]
        bi[1:n] = _member(np, pair, m.bigrams) & ok[:-1] & ok[1:]
    if n >= 3:
        triple = pair[:-1] * m.base + syl[2:]
        tri[2:n] = _member(np, triple, m.trigrams) & ok[:-2] & ok[1:-1] & ok[2:]
    return bi[1:n, None], tri[2:n, None]


def _state_scores(table: _TokenTable, ids):
    """Per-token (B_W, I_W) state scores, summed attribute by attribute in pyvi's order."""
    np, ctx = table.model.np, table.model.context
    rows = table.rows[ids]
    s = rows[:, 0:2].copy()
    bi, tri = _ngram_flags(table, ids)
    for k in (2, 4, 6):  # -1:word.lower(), -1:word.istitle(), -1:word.isupper()
        s[1:] += rows[:-1, k:k + 2]
    s[1:] += np.where(bi, ctx[0], 0.0)
    s[2:] += np.where(tri, ctx[1], 0.0)
    for k in (8, 10, 12):  # +1:word.lower(), +1:word.istitle(), +1:word.isupper()
        s[:-1] += rows[1:, k:k + 2]
    s[:-1] += np.where(bi, ctx[2], 0.0)
    s[:-2] += np.where(tri, ctx[3], 0.0)
    return s


def _forward(alpha: tuple, s0: list, s1: list, trans: tuple):
    """crfsuite's Viterbi recursion for two labels; back code bit j = best predecessor of j."""
    t00, t01, t10, t11 = trans
    a0, a1 = alpha
    back, i = bytearray(len(s0)), 0
    for x0, x1 in zip(s0, s1):
        p, q, r, u = a0 + t00, a1 + t10, a0 + t01, a1 + t11
        if p < q:
            a0, k = q + x0, 1
        else:
            a0, k = p + x0, 0
        if r < u:
            a1, k = u + x1, k + 2
        else:
            a1 = r + x1
        back[i] = k
        i += 1
    return (a0, a1), back


def _backtrack(back: bytearray, last: int, label: int) -> bytearray:
    """Labels of tokens 0..last, given the label of token last."""
    labels = bytearray(last + 1)
    for t in range(last, 0, -1):
        labels[t] = label
        label = (back[t] >> label) & 1
    labels[0] = label
    return labels


class _Decoder:
    """Viterbi over a stream of scored tokens, emitting tokens once their label is certain."""

    def __init__(self, model: _Model):
        self.model = model
        self.alpha = None
        self.back = bytearray()  # back codes of the pending tokens ([0] is never used)
        self.allow = bytearray()  # 1 where pyvi's rules let the token join the previous one
        self.starts: list[int] = []
        self.ends: list[int] = []

    def push(self, s0: list, s1: list, allow: bytes, starts: list, ends: list) -> None:
        """Run the forward pass over more tokens."""
        if self.alpha is None:
            self.alpha, s0, s1 = (s0[0], s1[0]), s0[1:], s1[1:]
            self.back.append(0)
        self.alpha, back = _forward(self.alpha, s0, s1, self.model.trans)
        self.back += back
        self.allow += allow
        self.starts += starts
        self.ends += ends

    def flush(self, final: bool) -> list[tuple[int, int, bool]]:
        """Emit the pending tokens whose label is fixed (all of them when final)."""
        if not self.back:
            return []
        if final:
            last, label = len(self.back) - 1, int(self.alpha[0] < self.alpha[1])
        else:  # both labels' best paths go through the same label at k-1
            k = max(self.back.rfind(0, 1), self.back.rfind(3, 1))
            if k < 1:
                return []
            last, label = k - 1, self.back[k] & 1
        return self._emit(_backtrack(self.back, last, label))

    def _emit(self, labels: bytearray) -> list[tuple[int, int, bool]]:
        """Tokens for the given leading labels, then drop them from the pending state."""
        np, n = self.model.np, len(labels)
        joins = np.frombuffer(labels, np.uint8) & np.frombuffer(self.allow[:n], np.uint8)
        out = list(zip(self.starts[:n], self.ends[:n], joins.astype(bool).tolist()))
        for pending in (self.back, self.allow, self.starts, self.ends):
            del pending[:n]
        return out


def _pieces(text: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, piece, is_last), cut only before whitespace so no token straddles a cut."""
    start = 0
    while len(text) - start > PIECE_CHARS:
        cut = _SPACE_RE.search(text, start + PIECE_CHARS)
        if cut is None:
            break
        yield start, text[start:cut.start()], False
        start = cut.start()
    yield start, text[start:], True


def _tokenize(piece: str, offset: int) -> tuple[list[str], list[int], list[int]]:
    """pyvi's syllable tokens of a piece, with start and end offsets in the whole text."""
    toks = TOKEN_RE.findall(piece)
    starts, ends, pos, find = [], [], 0, piece.find
    for tok in toks:  # only whitespace other than "\n" lies between tokens
        pos = find(tok, pos)
        starts.append(pos + offset)
        pos += len(tok)
        ends.append(pos + offset)
    return toks, starts, ends


class _Stream:
    """One text's tokens on their way through scoring (2 tokens of context) and decoding."""

    def __init__(self, table: _TokenTable):
        self.table = table
        self.decoder = _Decoder(table.model)
        self.context: list[str] = []  # the last (up to) 2 scored tokens
        self.toks: list[str] = []  # tokens waiting for their right context
        self.starts: list[int] = []
        self.ends: list[int] = []

    def feed(self, toks: list[str], starts: list[int], ends: list[int], final: bool) -> list:
        """Take a piece's tokens; return the tokens whose segmentation is now decided."""
        self.toks += toks
        self.starts += starts
        self.ends += ends
        window = self.context + self.toks
        left = len(self.context)
        stop = len(window) if final else max(left, len(window) - 2)
        if stop > left:
            self._score(window, left, stop)
            self.context, self.toks = window[max(0, stop - 2):stop], window[stop:]
            del self.starts[:stop - left], self.ends[:stop - left]
        return self.decoder.flush(final)

    def _score(self, window: list[str], left: int, stop: int) -> None:
        """Score window[left:stop] (the rest is context) and push it to the decoder."""
        np, n = self.table.model.np, stop - left
        with _TABLE_LOCK:
            ids = self.table.ids(window)
            scores = _state_scores(self.table, ids)[left:stop]
            classes = self.table.classes[ids]
        allow = np.zeros(len(window), np.uint8)
        allow[1:] = self.table.model.allow[classes[:-1] * 3 + classes[1:]]
        self.decoder.push(scores[:, 0].tolist(), scores[:, 1].tolist(),
                          allow[left:stop].tobytes(), self.starts[:n], self.ends[:n])


def _token_table() -> _TokenTable:
    """The process-wide token table (loads pyvi's model on first use)."""
    table = _LOADED.get("table")
    if table is None:
        with _LOAD_LOCK:
            if "table" not in _LOADED:
                _LOADED["table"] = _TokenTable(_Model(_pyvi_models_dir()))
            table = _LOADED["table"]
    return table


def preload() -> None:
    """Load pyvi's model now (otherwise the first segment() call does, in about 0.3 s)."""
    _token_table()


def _batches(text: str) -> Iterator[list[tuple[int, int, bool]]]:
    """Decided tokens of a text, in order, a batch at a time."""
    stream = _Stream(_token_table())
    for offset, piece, last in _pieces(text):
        toks, starts, ends = _tokenize(piece, offset)
        batch = stream.feed(toks, starts, ends, last)
        if batch:
            yield batch


def iter_segments(text: str) -> Iterator[tuple[int, int, bool]]:
    """Like segment(), lazily: memory stays bounded however long the text is."""
    return chain.from_iterable(_batches(text))


def segment(text: str) -> list[tuple[int, int, bool]]:
    """Split NFC text into pyvi syllable tokens: (start, end, joins_previous) for each, in order."""
    out: list[tuple[int, int, bool]] = []
    for batch in _batches(text):
        out += batch
    return out
