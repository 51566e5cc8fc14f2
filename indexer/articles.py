"""Read news articles from folders, text files and JSONL(.gz) files.

Text files hold one article: the title on the first line, a date line (``10:39 17/11/2019``,
``Thứ hai, 17/11/2019 10:39 (GMT+7)``, ...), the body paragraphs, a short byline, then site
chrome (tags, comment forms, menus) that is dropped. JSONL files hold one JSON object a line.
Anything that cannot be read as an article is reported as a ``Skip`` instead of stopping the run:
a file over ``MAX_FILE_BYTES`` is not read, pipes and devices are never opened. An article over
``MAX_ARTICLE_CHARS`` is read whole and reported as ``Truncated``: only its first
``MAX_ARTICLE_CHARS`` characters are indexed (analysing more would take minutes and gigabytes).
All text comes out in Unicode NFC; dates are naive datetimes in Vietnam local time (UTC+7).

Ids: a text file read from a folder is "<folder name>/<path relative to the folder>", a text file
given directly "<its folder's name>/<file name>"; a JSONL record keeps its own ``id``, the article's
id across exports. Of the JSONL records of an id, the newest file's is the article (a correction
in a later export), newer meaning modified later (``st_mtime_ns``), then the later absolute path;
within one file, the last readable record (a correction appended after the story). The others are
``Replaced``; a record that cannot be read replaces nothing. Of text files with the same id (two
folders of the same name), the first read is kept and the second skipped.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, NamedTuple
from urllib.parse import urlsplit

from .store import holds_index

VIETNAM_TZ = timezone(timedelta(hours=7))
EMPTY_FILE = "empty file"  # why a file of 0 bytes (or a text file holding no title or body) is skipped
MAX_FILE_BYTES = 16 * 1024 * 1024          # text files and single JSONL lines above this are skipped unread
MAX_ARTICLE_CHARS = 1_000_000              # only this many characters (title, lead, body) are indexed
TEXT_SUFFIXES = ("", ".txt")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
ARTICLE_FILES = ".txt, .jsonl, .jsonl.gz or no extension"  # the files read as articles, by their names

# Site chrome. A line starting with one of these ends the article (any length).
CHROME_PREFIXES = ("từ khóa:", "từ khoá:", "tags:", "tag:")
# Short lines starting with one of these, or containing a marker word, end the article.
CHROME_SHORT_PREFIXES = ("bình luận", "gửi bình luận", "ý kiến bạn đọc", "viết bình luận")
CHROME_WORDS = ("captcha",)
# Short lines equal to one of these headings end the article.
CHROME_HEADINGS = ("tin liên quan", "xem thêm", "đọc thêm", "chia sẻ", "bài liên quan",
                   "tin cùng chuyên mục", "tin khác", "tin mới nhất", "tin nổi bật")
# Section menus: equal lines end the article only when nothing but short lines follows them,
# so a sub-heading such as "An toàn giao thông" in the middle of a story is kept.
MENU_HEADINGS = ("bản tin pháp luật", "video clip", "phóng sự ảnh", "an toàn giao thông",
                 "thời sự", "pháp luật", "xã hội", "kinh tế", "thế giới", "văn hóa", "văn hoá",
                 "thể thao", "giải trí", "giáo dục", "sức khỏe", "sức khoẻ", "đời sống",
                 "du lịch", "công nghệ", "video", "trang chủ")
CHROME_MAX_WORDS = 8        # chrome lines matched by a prefix or marker word are at most this long
HEADING_MAX_WORDS = 6
BYLINE_MAX_WORDS = 5
BYLINE_MAX_CHARS = 60
EPOCH_MILLIS_ABOVE = 1e11   # larger epoch numbers are milliseconds
EPOCH_TEXT = re.compile(r"\d{9,13}")  # epoch seconds (or milliseconds) exported as text; 8 digits: a YYYYMMDD
FIRST_NEWS_YEAR = 1900      # an article's date before it, or after next year, is a placeholder (0001-01-01, 9999-12-31): unread
DATE_SEARCH_LINES = 2       # the date line may be the first line (before the title) or right after it

LEAD_KEYS = ("sapo", "abstract", "summary", "lead")
DATE_KEYS = ("date", "published")
DATE_FORMATS = ("ISO 8601 (2019-11-17, 2019-11-17T10:39:00+07:00), DD/MM/YYYY or YYYY/MM/DD with or without "
                "HH:MM (17/11/2019 10:39, 2019/11/17), in words (ngày 17 tháng 11 năm 2019, 17 tháng 11, 2019), "
                "or epoch seconds")
TEXT_DATE_FORMATS = ("HH:MM DD/MM/YYYY or DD/MM/YYYY HH:MM (10:39 17/11/2019), DD/MM/YYYY, DD-MM-YYYY or YYYY/MM/DD, "
                     "with a weekday and zone (Thứ hai, 17/11/2019 10:39 (GMT+7)), in words (ngày 17 tháng 11 "
                     "năm 2019) or ISO 8601 (2019-11-17)")  # the date line of a text file: no epoch seconds
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
VIETNAMESE_LETTERS = "ăâđêôơưĂÂĐÊÔƠƯ"
VIETNAMESE_ONLY = "ăđơưĂĐƠƯ" + TONE_MARKS   # never produced by Latin-1 text read as cp1258
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # in JSON
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
NON_ASCII_BYTES = bytes(range(128, 256))

_WEEKDAY = r"(?:(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn|t[2-7])\s*[,-]?\s*)?"
_DATE = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
_YEAR_FIRST = r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})"  # 2017/05/27 (with hyphens: ISO 8601)
_IN_WORDS = r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*,\s*|\s+)(?:năm\s+)?(?P<y>\d{4})"
_TIME = r"(?P<H>\d{1,2})\s*[:hH]\s*(?P<M>\d{2})(?::(?P<S>\d{2}))?"
_DAY_WORD = r"(?:ngày\s*)?"
_SEP = r"\s*(?:[-|,]\s*)?"
_ZONE = r"(?:\s*\(?\s*(?:GMT|UTC)\s*(?P<tz>[+-]\d{1,2}(?::?\d{2})?)?\s*\)?)?"
DATE_PATTERNS = tuple(re.compile(pattern, re.IGNORECASE) for day in (_DATE, _YEAR_FIRST, _IN_WORDS) for pattern in (
    rf"{_WEEKDAY}{_TIME}{_SEP}{_DAY_WORD}{day}{_ZONE}", rf"{_WEEKDAY}{_DAY_WORD}{day}(?:{_SEP}{_TIME})?{_ZONE}"))
PLAIN_HTTP_URL = re.compile(r"https?://([a-z0-9.-]+)(?:[/?#]|$)")  # host: nothing urlsplit would change
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
ISO_WRITTEN = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


@dataclass(frozen=True)
class Article:
    """One news article; ``date`` is naive Vietnam local time, ``origin`` the file it came from."""

    id: str
    title: str
    body: str
    lead: str = ""
    date: datetime | None = None
    url: str = ""
    source: str = ""
    category: str = ""
    author: str = ""
    origin: str = ""
    where: str = field(default="", compare=False)  # where it was read, for messages: path or "path:lineno"
    unread_date: str = field(default="", compare=False)  # a date given that could not be read (date is None)

    def to_dict(self, copies: list[Article] | None = None) -> dict:
        """The whole article as JSON-ready data (as /api/article and `get --json` give it, with its
        syndicated copies, briefly, when given), without the path it was read from."""
        data = {**self.brief(), "lead": self.lead, "body": self.body, "category": self.category, "author": self.author}
        if copies is not None:
            data["copies"] = [copy.brief() for copy in copies]
        return data

    def lead_apart(self) -> str:
        """The lead, stripped, or "" when the body begins with it (an article says it once)."""
        lead = self.lead.strip()
        return "" if self.body.lstrip().startswith(lead) else lead

    def brief(self) -> dict:
        """What names the article in a list, as JSON-ready data: id, title, date, url, source, site."""
        return {"id": self.id, "title": self.title, "date": self.date.isoformat() if self.date else None,
                "url": self.url, "source": self.source, "site": site_of(self.url)}


def site_of(url: str) -> str:
    """The host of an http(s) URL without "www." (empty for anything else)."""
    plain = PLAIN_HTTP_URL.match(url.strip())
    if plain:  # what urlsplit gives too, without its cost (a results page asks for ten)
        return plain.group(1).removeprefix("www.")
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").removeprefix("www.")


class Skip(NamedTuple):
    """Something that was not read as an article: where ("path" or "path:lineno") and why."""

    where: str
    reason: str


class Truncated(NamedTuple):
    """An article indexed in part: where it was read and its length in characters."""

    where: str
    chars: int


class Undated(NamedTuple):
    """An article indexed without a date: where it was read and the date it gave, unread."""

    where: str
    value: str


class Replaced(NamedTuple):
    """A JSONL record not read as its id's article: a later record of its file, or a record of a
    newer JSONL file, has that id (where it was read, where the record that replaced it was, the id;
    indexed: "where" or "by" when that one is the version an update found indexed, a file: the
    index keeps no line)."""

    where: str
    by: str
    id: str
    indexed: str = ""


class SourceError(Exception):
    """A source that does not exist or cannot be read at all."""


# --------------------------------------------------------------------------- sources

def iter_articles(sources, skipped: list | None = None, truncated: list | None = None,
                  on_read=None, undated: list | None = None, ignored: Counter | None = None,
                  replaced: list | None = None) -> Iterator[Article]:
    """Yield the articles in sources (folders, text and JSONL files); record skips, truncations,
    unread dates and records replaced by a later one of their file, and count by extension the
    files in folders that hold none (ignored).

    on_read, if given, is called with each number of input bytes read (compressed for .gz)."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    sources = [Path(s) for s in sources]
    for source in sources:
        if not os.path.exists(source):
            raise SourceError(f"source not found: {source}")
    notes = (truncated if truncated is not None else [], undated if undated is not None else [],
             ignored if ignored is not None else Counter(), replaced if replaced is not None else [])
    return _unique_articles(sources, skipped if skipped is not None else [], notes, on_read or (lambda n: None))


def source_bytes(sources) -> int:
    """The total size in bytes of the article files in sources (compressed size for .gz)."""
    total = 0
    for source in map(Path, sources):
        paths = _walk_folder(source, [], {_file_key(source)}, top=True) if source.is_dir() else [source]
        sizes = (st.st_size for st in map(_stat, paths) if st is not None and stat.S_ISREG(st.st_mode))
        total += sum(sizes)
    return total


def _unique_articles(sources: list[Path], skipped: list, notes: tuple, on_read) -> Iterator[Article]:
    """Articles from all sources, each id once: of JSONL records, the newest file's; of others, the
    first read; notes: (truncated, undated, ignored, replaced) as for iter_articles."""
    first_read: dict[str, str] = {}    # id -> where it was read
    seen_files: set[tuple[int, int]] = set()
    truncated, undated, ignored, replaced = notes
    files = [file for source in sources for file in _source_files(source, skipped, ignored)]
    exports, givers, repeats = _scanned_exports(files)
    newer = _NewerFiles(exports, givers, replaced, skipped)
    for path, doc_id, direct in files:
        origin = os.path.abspath(path)
        records = _file_articles(path, doc_id, (skipped, replaced), seen_files, on_read, direct, repeats.get(origin))
        for where, article in newer.newest(origin, records):
            if article.id in first_read:
                skipped.append(Skip(where, f"duplicate id {article.id!r}, first read from {first_read[article.id]}"))
                continue
            first_read[article.id] = where
            yield _noted(article, truncated, undated)


def _noted(article: Article, truncated: list, undated: list) -> Article:
    """article, once recorded in truncated if it is indexed in part, in undated if its date was not read."""
    length = len(article.title) + len(article.lead) + len(article.body)
    if length > MAX_ARTICLE_CHARS:
        truncated.append(Truncated(article.where, length))
    if article.unread_date:
        undated.append(Undated(article.where, article.unread_date))
    return article


def _source_files(source: Path, skipped: list, ignored: Counter) -> Iterator[tuple[Path, str, bool]]:
    """(path, id of a text article there, given directly) for each article file of a source: a
    folder or a single file."""
    if source.is_dir():
        if holds_index(source):  # its CURRENT and FORMAT files have no extension, as text articles
            raise SourceError(f"{source} is an index folder, not articles: give the folders and files "
                              "the articles are in")
        prefix = _id_prefix(source)
        for path in _walk_folder(source, skipped, {_file_key(source)}, top=True, ignored=ignored):
            yield path, prefix + path.relative_to(source).as_posix(), False
    elif source.is_file():
        yield source, _id_prefix(source.parent) + source.name, True
    else:
        raise SourceError(f"not a file or folder: {source}")


def _id_prefix(folder: Path) -> str:
    """The "<folder name>/" that starts the ids of the text files read from folder."""
    # abspath, not resolve: "." gets its real name, a symlinked folder keeps the name it was given
    name = Path(os.path.abspath(folder)).name
    return f"{name}/" if name else ""


def _walk_folder(folder: Path, skipped: list, visited: set, top: bool = False,
                 ignored: Counter | None = None) -> Iterator[Path]:
    """Article files under folder in sorted order, depth first; each real folder once, at any
    depth, but for index folders; other files counted in ignored by extension, if given.

    A stack of folder listings rather than recursion, so a tree deeper than Python's recursion
    limit is read (until the path gets too long for the system, which is reported as a skip).
    """
    stack = [iter(_sorted_entries(folder, skipped, top))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if _is_dir(entry):
            key = _file_key(path)
            if key is not None and key not in visited and not holds_index(path):  # None: vanished or unreadable
                visited.add(key)
                stack.append(iter(_sorted_entries(path, skipped, False)))
        elif _article_kind(entry.name):
            yield path
        elif ignored is not None:
            ignored[os.path.splitext(entry.name)[1].lower()] += 1


def _sorted_entries(folder: Path, skipped: list, top: bool) -> list[os.DirEntry]:
    """The entries of folder by name; an unreadable subfolder is skipped, a source raises."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as e:
        if top:
            raise SourceError(f"cannot read folder {folder}: {e.strerror or e}") from e
        skipped.append(Skip(str(folder), f"cannot read folder: {e.strerror or e}"))
        return []


def _is_dir(entry: os.DirEntry) -> bool:
    """Whether entry is a folder (following symlinks), False if it cannot be checked."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _file_key(path: Path) -> tuple[int, int] | None:
    """The (device, inode) of the real file or folder behind path, or None if it is gone."""
    st = _stat(path)
    return None if st is None else (st.st_dev, st.st_ino)


def _stat(path: Path) -> os.stat_result | None:
    """os.stat(path) following links, None if it is gone or cannot be checked."""
    try:
        return os.stat(path)
    except OSError:
        return None


def is_article_file(name: str) -> bool:
    """Whether a file of this name in a folder is read as articles (.txt, .jsonl, no extension...)."""
    return _article_kind(name) is not None


def _article_kind(name: str) -> str | None:
    """'jsonl' or 'text' for a file name that holds articles, None for any other file."""
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if os.path.splitext(lower)[1] in TEXT_SUFFIXES:
        return "text"
    return None


def _file_articles(path: Path, doc_id: str, dropped: tuple[list, list], seen_files: set, on_read,
                   direct: bool = False, repeated=None) -> Iterator[tuple[str, Article, tuple | None]]:
    """(where, article, its position in a JSONL file) from one file, read once per run even if linked
    twice; dropped: (skipped, replaced); repeated: a JSONL file's repeated ids, if read already (_scan_ids)."""
    skipped, replaced = dropped
    kind = _article_kind(path.name)
    if kind is None:
        if direct:
            skipped.append(Skip(str(path), f"not an article file ({ARTICLE_FILES})"))
        return
    st = _stat(path)
    if st is None:
        skipped.append(Skip(str(path), "cannot read: broken link or file vanished"))
        return
    if not stat.S_ISREG(st.st_mode):      # reading a FIFO would wait forever, a device never end
        skipped.append(Skip(str(path), "not a regular file (a pipe, socket or device)"))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        return
    seen_files.add(key)
    if kind == "jsonl":
        yield from read_jsonl(path, skipped, on_read, replaced, repeated)
    else:
        on_read(st.st_size)
        article = read_text_article(path, doc_id, skipped)
        if article is not None:
            yield str(path), article, None


# --------------------------------------------------------------------------- decoding

def decode_text(data: bytes) -> tuple[str | None, str]:
    """(NFC text, "") for article bytes (UTF-8, UTF-16 with BOM, Vietnamese cp1258), else (None, reason)."""
    text, reason = _decode_bytes(data)
    if text is None:
        return None, reason
    if CONTROL_CHARS.search(text):
        return None, "not text: contains control characters (binary file?)"
    return unicodedata.normalize("NFC", text), ""


def _decode_bytes(data: bytes) -> tuple[str | None, str]:
    """(text, "") in the first encoding that fits, or (None, reason)."""
    unknown = "not text: binary data or unknown encoding"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return None, unknown
    if b"\x00" in data:
        return None, unknown
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as e:
        if _mostly_utf8(data):     # UTF-8 with a broken character: as cp1258 it would be mojibake
            return None, f"invalid UTF-8 at byte {e.start:,} (the rest of the file is UTF-8)"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        return None, unknown
    return (text, "") if looks_vietnamese(text) else (None, unknown)


def _mostly_utf8(data: bytes) -> bool:
    """Whether at least half of the non-ASCII bytes of data form valid UTF-8 sequences.

    Vietnamese cp1258 text almost never does: its letters and tone marks are bytes from 0xC0
    up, its 0x80-0xBF bytes are rare punctuation, so a letter is hardly ever followed by one.
    """
    non_ascii = len(data) - len(data.translate(None, NON_ASCII_BYTES))
    in_sequences = sum(len(m) for m in UTF8_SEQUENCE.findall(data))
    return non_ascii > 0 and in_sequences * 2 >= non_ascii


def looks_vietnamese(text: str) -> bool:
    """Whether text read as cp1258 plausibly is Vietnamese (and not Latin-1 or binary)."""
    non_ascii = sum(1 for c in text if ord(c) > 127)
    special = sum(1 for c in text if c in VIETNAMESE_ONLY)
    return special > 0 and special * 10 >= non_ascii


def nfc(value) -> str:
    """value as a stripped NFC string: lists joined by newlines, None/bool/dict as ""."""
    return _normalized(_as_text(value, "\n"))


def _normalized(text: str) -> str:
    """text stripped, in NFC."""
    return unicodedata.normalize("NFC", text).strip() if text else ""


def _as_text(value, sep: str) -> str:
    """A JSON value as text; list items joined with sep."""
    if value is None or isinstance(value, (bool, dict)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return sep.join(t for t in (_as_text(v, sep).strip() for v in value) if t)
    return str(value)


# --------------------------------------------------------------------------- dates

def parse_date(value) -> datetime | None:
    """A naive Vietnam-time datetime from a date string (Vietnamese or ISO 8601) or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _plausible(_from_epoch(value))
    read = read_date(value) if isinstance(value, str) else None
    return _plausible(read if read is None or isinstance(read, datetime) else datetime.combine(read, datetime.min.time()))


def _plausible(moment: datetime | None) -> datetime | None:
    """moment when its year can be a news article's (FIRST_NEWS_YEAR to next year), else None."""
    if moment is None or not FIRST_NEWS_YEAR <= moment.year <= datetime.now(VIETNAM_TZ).year + 1:
        return None
    return moment


def read_date(text: str) -> date | datetime | None:
    """A date string in one of DATE_FORMATS as its day (a date) when it gives neither time nor zone,
    else as its moment (naive Vietnam time); None when unread or impossible (31/02/2017)."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if ISO_DATE.fullmatch(text):
        moment = _from_iso(text)
        return moment.date() if moment and len(text) == len("2019-11-17") else moment
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            moment = _from_match(match)
            return moment.date() if moment and not (match["H"] or match["tz"]) else moment
    return None


def _is_written_as_date(text: str) -> bool:
    """Whether text is written in one of DATE_FORMATS' text forms, as a real day or an impossible
    one (31/02/2019, 2019-02-31)."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if ISO_WRITTEN.fullmatch(text):
        return True
    return read_date(text) is not None or any(pattern.fullmatch(text) for pattern in DATE_PATTERNS)


def date_forms_hint(where: str) -> str:
    """A line naming the date forms read in the kind of file an Undated's where names (path:line: a JSONL record)."""
    path, _, line = where.rpartition(":")
    if line.isdigit() and is_jsonl_file(path):
        return f"dates of JSONL records are read as {DATE_FORMATS}"
    return f"date lines of text files are read as {TEXT_DATE_FORMATS}"


def _from_epoch(seconds: float) -> datetime | None:
    """Epoch seconds (or milliseconds) as naive Vietnam time, None when out of range."""
    if abs(seconds) > EPOCH_MILLIS_ABOVE:
        seconds = seconds / 1000
    try:
        return datetime.fromtimestamp(seconds, VIETNAM_TZ).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso(text: str) -> datetime | None:
    """An ISO 8601 date/time, converted to naive Vietnam time when it has an offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _in_vietnam_time(moment)


def _from_match(match: re.Match) -> datetime | None:
    """The datetime of a DATE_PATTERNS match, None for an impossible date."""
    g = match.groupdict()
    try:
        moment = datetime(int(g["y"]), int(g["m"]), int(g["d"]),
                          int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0))
    except ValueError:
        return None
    if g["tz"]:
        moment = moment.replace(tzinfo=_zone(g["tz"]))
    return _in_vietnam_time(moment)


def _zone(offset: str) -> timezone:
    """A timezone from an offset like "+7", "+07:00" or "-0530"."""
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def to_vietnam_time(moment: datetime) -> datetime:
    """moment as naive Vietnam local time (naive input is taken to be Vietnam time already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM_TZ).replace(tzinfo=None)


def _in_vietnam_time(moment: datetime) -> datetime | None:
    """to_vietnam_time, or None when that moment is out of datetime's range (9999-12-31T23:00-05:00)."""
    try:
        return to_vietnam_time(moment)
    except OverflowError:
        return None


# --------------------------------------------------------------------------- text articles

def read_text_article(path: Path, doc_id: str, skipped: list) -> Article | None:
    """The article in a text file, or None (with a Skip recorded) if it cannot be read."""
    data = _read_small_file(path, skipped)
    if data is None:
        return None
    text, reason = decode_text(data)
    if text is None:
        skipped.append(Skip(str(path), reason))
        return None
    article = parse_text_article(text, doc_id, origin=os.path.abspath(path), where=str(path))
    if article is None:
        skipped.append(Skip(str(path), EMPTY_FILE))
    return article


def _read_small_file(path: Path, skipped: list) -> bytes | None:
    """The bytes of path, or None with a Skip for an unreadable, empty or too large file."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            skipped.append(Skip(str(path), f"file too large ({size:,} bytes, limit {MAX_FILE_BYTES:,})"))
            return None
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        skipped.append(Skip(str(path), f"cannot read: {e.strerror or e}"))
        return None
    if not data:
        skipped.append(Skip(str(path), EMPTY_FILE))
        return None
    return data


def parse_text_article(text: str, doc_id: str, origin: str = "", where: str = "") -> Article | None:
    """An Article from the text of an article file, None if it holds no title or body."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return None
    title, date_line, rest = _split_head(lines)
    body_lines = _without_chrome(rest)
    if not title and not body_lines:
        return None
    author = ""
    if len(body_lines) >= 2 and is_byline(body_lines[-1]):
        author = body_lines.pop()
    date = parse_date(date_line) if date_line else None
    return Article(id=doc_id, title=title, body="\n".join(body_lines), date=date,
                   author=author, origin=origin, where=where, unread_date=date_line if date is None else "")


def _split_head(lines: list[str]) -> tuple[str, str, list[str]]:
    """(title, date line or "", remaining lines): the date line may precede or follow the title; an
    impossible date (31/02/2019) is still the date line, to be reported unread, not body text."""
    for index in range(min(DATE_SEARCH_LINES, len(lines))):
        if _is_written_as_date(lines[index]):
            head = lines[:index + 1]
            rest = lines[index + 1:]
            title = head[0] if index == 1 else (rest.pop(0) if rest else "")
            return title, lines[index], rest
    return lines[0], "", lines[1:]


def _without_chrome(lines: list[str]) -> list[str]:
    """The body lines before the first line of trailing site chrome."""
    for index, line in enumerate(lines):
        if is_chrome_line(line):
            return lines[:index]
        if _is_menu_heading(line) and all(_word_count(rest) <= HEADING_MAX_WORDS
                                          for rest in lines[index + 1:]):
            return lines[:index]
    return lines


def is_chrome_line(line: str) -> bool:
    """Whether a line is site chrome that ends an article (tags, comments, related links)."""
    lower = line.lower()
    if lower.startswith(CHROME_PREFIXES):
        return True
    words = _word_count(line)
    if words <= CHROME_MAX_WORDS and (lower.startswith(CHROME_SHORT_PREFIXES)
                                      or any(w in lower for w in CHROME_WORDS)):
        return True
    return words <= HEADING_MAX_WORDS and _heading_key(line) in CHROME_HEADINGS


def _is_menu_heading(line: str) -> bool:
    """Whether a line is exactly a site section name such as "Video clip"."""
    return _word_count(line) <= HEADING_MAX_WORDS and _heading_key(line) in MENU_HEADINGS


def _heading_key(line: str) -> str:
    """A line lowercased without trailing punctuation, for comparing with headings."""
    return line.lower().rstrip(" .:;,!?…»>›-–—|").strip()


def _word_count(line: str) -> int:
    """The number of space-separated words in line."""
    return len(line.split())


def is_byline(line: str) -> bool:
    """Whether a line looks like an author byline: a few capitalised words, no sentence."""
    if len(line) > BYLINE_MAX_CHARS or ":" in line or line.endswith((".", "!", "?", ",", ";", "…")):
        return False
    if any(c.isdigit() for c in line):
        return False
    core = re.sub(r"\s*\([^)]*\)\s*$", "", line)    # "Minh Khoa (theo Reuters)"
    words = core.split()
    return 0 < len(words) <= BYLINE_MAX_WORDS and all(_starts_upper(w) for w in words)


def _starts_upper(word: str) -> bool:
    """Whether the first letter of word is a capital."""
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and letters[0].isupper()


# --------------------------------------------------------------------------- JSONL

def read_jsonl(path: Path, skipped: list, on_read=lambda n: None, replaced: list | None = None,
               repeated: dict[str, int] | None = None) -> Iterator[tuple[str, Article, tuple[int, int]]]:
    """("path:lineno", article, (lineno, byte offset)) for each id's last readable record of a JSONL or
    JSONL.gz file (the earlier ones noted in replaced); bad lines become Skips. repeated: as _scan_ids
    gives it, if read already."""
    origin = os.path.abspath(path)
    opened = _open_jsonl(path, skipped)
    if opened is None:
        return
    raw, stream, size = opened
    if repeated is None:
        _, repeated = _scan_ids(path)
    counted = 0
    with raw, stream, _LineReader(path) as again:
        corrections = _Corrections(repeated, replaced if replaced is not None else [], again, skipped)
        for lineno, line in _numbered_lines(stream, path, skipped):
            offset, counted = counted, raw.tell()
            on_read(counted - offset)
            where = f"{path}:{lineno}"
            article, reason = parse_jsonl_line(line, origin, where)
            if reason:
                skipped.append(Skip(where, reason))
            yield from corrections.read((lineno, offset), article)
        yield from corrections.rest()
    on_read(max(0, size - counted))  # the rest, when a corrupt file stopped the reading early


def _open_jsonl(path: Path, skipped: list):
    """(the file, its decompressed stream, its size) of a JSONL(.gz) file, or None with a Skip."""
    try:
        if (size := os.stat(path).st_size) == 0:
            skipped.append(Skip(str(path), EMPTY_FILE))
            return None
        raw = open(path, "rb")
    except OSError as e:
        skipped.append(Skip(str(path), f"cannot read: {e.strerror or e}"))
        return None
    return raw, gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw, size


def _scan_ids(path: Path) -> tuple[set[str], dict[str, int]]:
    """(the ids a JSONL file gives, and for each id that several of its lines give the last of
    them): a first, quicker reading of the file, for ids only (what it cannot read, the second
    reading reports)."""
    opened = _open_jsonl(path, [])
    if opened is None:
        return set(), {}
    raw, stream, _ = opened
    seen, repeated = set(), {}
    with raw, stream:
        for lineno, line in _numbered_lines(stream, path, []):
            doc_id = _line_id(line)
            if doc_id in seen:
                repeated[doc_id] = lineno
            elif doc_id:
                seen.add(doc_id)
    return seen, repeated


def _scanned_exports(files: list[tuple[Path, str, bool]]) -> tuple[list[Path], dict[str, int], dict]:
    """When files hold several JSONL files (each real file once), their first readings: (those
    files, oldest first; for each id that several give, the bit mask of them, bit i for the i-th;
    origin -> that file's repeated ids, as _scan_ids gives them)."""
    exports, keys = [], set()
    for path, _, _ in files:
        st = _stat(path)
        if is_jsonl_file(path) and st is not None and stat.S_ISREG(st.st_mode):
            if (st.st_dev, st.st_ino) not in keys:  # a FIFO is never opened: it would wait forever
                keys.add((st.st_dev, st.st_ino))
                exports.append(path)
    if len(exports) < 2:
        return [], {}, {}
    exports.sort(key=file_recency)
    givers, repeats = {}, {}
    for i, path in enumerate(exports):
        ids, repeats[os.path.abspath(path)] = _scan_ids(path)
        for doc_id in ids:
            givers[doc_id] = givers.get(doc_id, 0) | 1 << i
    return exports, {doc_id: mask for doc_id, mask in givers.items() if mask & (mask - 1)}, repeats


def is_jsonl_file(path) -> bool:
    """Whether path names a JSONL(.gz) file, whose records keep their ids across exports."""
    return _article_kind(os.path.basename(path)) == "jsonl"


def file_recency(path) -> tuple[int, str]:
    """What orders exports of the same ids, newest last: modification time, then the absolute path."""
    st = _stat(Path(path))
    return (st.st_mtime_ns if st is not None else 0), os.path.abspath(path)


FIRST_KEY_ID = re.compile(rb'\s*\{\s*"id"\s*:\s*"([ !#-\[\]-~]*)"\s*[,}]')  # {"id": "plain ASCII", ...


def _line_id(line: bytes | None) -> str:
    """The id a JSONL line gives ("" for none); without decoding the line when it starts with it."""
    quick = FIRST_KEY_ID.match(line) if line is not None else None
    if quick:
        return quick.group(1).decode("ascii").strip()
    text, _ = _decode_line(line) if line is not None else (None, "")
    try:
        record = json.loads(text) if text and text.strip() else None
    except (ValueError, RecursionError):
        return ""
    return _record_id(record.get("id")) if isinstance(record, dict) else ""


class _Corrections:
    """Holds back a JSONL record, as its position only, while a later line of its file gives its id
    (as a first reading found): the later record, if readable, replaces it (a correction appended to
    an export); if not, the held record is read again."""

    def __init__(self, repeated: dict[str, int], replaced: list, again: _LineReader, skipped: list):
        self.repeated, self.replaced, self.again, self.skipped = repeated, replaced, again, skipped
        self.ends = {line: doc_id for doc_id, line in repeated.items()}
        self.held: dict[str, tuple[int, int]] = {}  # id -> (lineno, offset) of its record held back

    def read(self, position: tuple[int, int], article: Article | None) -> list[tuple[str, Article, tuple]]:
        """The records to yield once the line at position is read (article None: unreadable)."""
        out, lineno = [], position[0]
        if article is not None:
            earlier = self.held.pop(article.id, None)
            if earlier is not None:
                self.replaced.append(Replaced(f"{self.again.path}:{earlier[0]}", article.where, article.id))
            if self.repeated.get(article.id, 0) > lineno:
                self.held[article.id] = position
            else:
                out.append((article.where, article, position))
        ended = self.ends.get(lineno)  # the last line giving that id, yet no readable record of it
        if ended in self.held:
            out += self.again.records({ended: self.held.pop(ended)}, self.skipped)
        return out

    def rest(self) -> Iterator[tuple[str, Article, tuple]]:
        """The records still held when the file ended early (a truncated .gz)."""
        rest, self.held = self.held, {}
        return self.again.records(rest, self.skipped)


class _LineReader:
    """A JSONL(.gz) file's records read again by their positions (lineno, byte offset): a plain
    UTF-8 file by seeking to the offset, another (compressed, UTF-16) by reading on from the line
    read last, from its start to go back."""

    def __init__(self, path: Path):
        self.path, self.origin = path, os.path.abspath(path)
        self.opened = None  # (file, stream, its numbered lines, plain) once a record is asked for
        self.at = 0         # the number of the line read last from the numbered lines

    def __enter__(self) -> _LineReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file, if it was opened."""
        if self.opened is not None:
            self.opened[1].close()
            self.opened[0].close()
            self.opened = None

    def records(self, held: dict[str, tuple[int, int]], skipped: list) -> Iterator[tuple[str, Article, tuple]]:
        """(where, article, position) of each held id's record, read again in the order of the file;
        a record no longer there (the file changed while it was read) is a Skip."""
        for doc_id, position in sorted(held.items(), key=lambda item: item[1]):
            where = f"{self.path}:{position[0]}"
            article, _ = parse_jsonl_line(self._line(*position), self.origin, where)
            if article is None or article.id != doc_id:
                skipped.append(Skip(where, f"changed while read: no longer the record of id {doc_id!r}"))
            else:
                yield where, article, position

    def _line(self, lineno: int, offset: int) -> bytes | None:
        """The bytes of line lineno, starting at offset in a plain file (None if it is not there)."""
        if self.opened is None or (not self.opened[3] and lineno <= self.at):
            self._open()
        if self.opened is None:
            return None
        raw, _, lines, plain = self.opened
        if plain:
            raw.seek(offset)
            return raw.readline(MAX_FILE_BYTES)
        for self.at, line in lines:
            if self.at == lineno:
                return line
        return None

    def _open(self) -> None:
        """Open the file (again) at its start."""
        self.close()
        opened = _open_jsonl(self.path, [])
        if opened is not None:
            raw, stream, _ = opened
            plain = stream is raw and _utf16_encoding(raw) is None
            self.opened, self.at = (raw, stream, _numbered_lines(stream, self.path, []), plain), 0


class _NewerFiles:
    """Across JSONL files: of the records of an id that several files give (as the first readings
    found), the newest file's readable one is the article. A record read while a newer file giving
    its id is unread is held back as its position only; that file's readable record replaces it, and
    if there is none it is read again from its file (noted in replaced either way)."""

    def __init__(self, exports: list[Path], givers: dict[str, int], replaced: list, skipped: list):
        self.exports, self.givers, self.replaced, self.skipped = exports, givers, replaced, skipped
        self.index = {os.path.abspath(path): i for i, path in enumerate(exports)}  # oldest 0
        self.read_through = 0  # bit mask of the files read to their end
        self.best: dict[str, tuple[int, int, int]] = {}  # id -> (file, lineno, offset) of its newest record read
        self.held: set[str] = set()  # ids whose best record is held back
        self.waiting: dict[int, list[str]] = {}  # file -> held ids that wait for it to be read

    def newest(self, origin: str, records) -> Iterator[tuple[str, Article]]:
        """The (where, article) pairs of one file's records to yield now, then those released as it ends."""
        file = self.index.get(origin)
        for where, article, position in records:
            if file is None or article.id not in self.givers:
                yield where, article
            else:
                yield from self._read(file, where, article, position)
        if file is not None:
            self.read_through |= 1 << file
            yield from self._released(self.waiting.pop(file, []))

    def _read(self, file: int, where: str, article: Article, position: tuple) -> list[tuple[str, Article]]:
        """Keep the record of the newest file read so far, noting the other as replaced; yield it
        unless a newer file giving its id is still to be read."""
        best = self.best.get(article.id)
        if best is not None and best[0] > file:
            self.replaced.append(Replaced(where, self._where(best), article.id))
            return []
        if best is not None:
            self.replaced.append(Replaced(self._where(best), where, article.id))
            self.held.discard(article.id)
        self.best[article.id] = (file, *position)
        newer = self._unread_newer(article.id)
        if newer is None:
            return [(where, article)]
        self.held.add(article.id)
        self.waiting.setdefault(newer, []).append(article.id)
        return []

    def _unread_newer(self, doc_id: str) -> int | None:
        """A file still to be read that gives doc_id and is newer than its best record's, if any."""
        newer = self.givers[doc_id] & ~self.read_through & -(2 << self.best[doc_id][0])
        return newer.bit_length() - 1 if newer else None

    def _released(self, ids: list[str]) -> Iterator[tuple[str, Article]]:
        """The held records of ids that no unread file is newer than, read again from their files."""
        due: dict[int, dict[str, tuple[int, int]]] = {}  # file -> id -> position
        for doc_id in filter(self.held.__contains__, ids):
            newer = self._unread_newer(doc_id)
            if newer is not None:
                self.waiting.setdefault(newer, []).append(doc_id)
                continue
            self.held.discard(doc_id)
            file, *position = self.best[doc_id]
            due.setdefault(file, {})[doc_id] = tuple(position)
        for file, held in sorted(due.items()):
            with _LineReader(self.exports[file]) as again:
                for where, article, _ in again.records(held, self.skipped):
                    yield where, article

    def _where(self, best: tuple[int, int, int]) -> str:
        """Where a record was read: path:lineno."""
        return f"{self.exports[best[0]]}:{best[1]}"


class _Utf16Lines:
    """The lines of a UTF-16 stream as UTF-8 bytes, for the JSONL reader."""

    def __init__(self, stream, encoding: str = "utf-16"):
        self.text = io.TextIOWrapper(stream, encoding=encoding, newline="\n")

    def readline(self, limit: int) -> bytes:
        return self.text.readline(limit).encode("utf-8")


UTF16_WITHOUT_BOM = {b"{\x00": "utf-16-le", b"\x00{": "utf-16-be"}  # a JSONL file's first "{"


def _utf8_lines(stream):
    """stream itself, or for a UTF-16 file (a byte order mark, or a first "{" in UTF-16) its lines as UTF-8."""
    encoding = _utf16_encoding(stream)
    return stream if encoding is None else _Utf16Lines(stream, encoding)


def _utf16_encoding(stream) -> str | None:
    """The encoding of a stream in UTF-16 (a byte order mark, or a first "{" in UTF-16), else None."""
    start = stream.peek(2)[:2]
    if start in UTF16_WITHOUT_BOM:
        return UTF16_WITHOUT_BOM[start]
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else None


def _numbered_lines(stream, path: Path, skipped: list) -> Iterator[tuple[int, bytes | None]]:
    """(lineno, UTF-8 bytes) for each line; None for an over-long line; stops at corrupt gzip data."""
    lineno = 0
    try:
        stream = _utf8_lines(stream)
        while True:
            line = stream.readline(MAX_FILE_BYTES)
            if not line:
                return
            lineno += 1
            if len(line) >= MAX_FILE_BYTES and not line.endswith(b"\n"):
                _discard_rest_of_line(stream)
                line = None
            yield lineno, line
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as e:
        where = f"{path}:{lineno + 1}" if lineno else str(path)
        skipped.append(Skip(where, f"truncated or corrupt file, rest skipped: {e}"))


def _discard_rest_of_line(stream) -> None:
    """Read stream up to and including the next newline."""
    while True:
        chunk = stream.readline(MAX_FILE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def parse_jsonl_line(line: bytes | None, origin: str = "", where: str = "") -> tuple[Article | None, str]:
    """(article, "") for a JSONL line, (None, reason) for a bad one, (None, "") for a blank one."""
    if line is None:
        return None, f"line longer than {MAX_FILE_BYTES:,} bytes"
    text, reason = _decode_line(line)
    if text is None:
        return None, reason
    if not text.strip():
        return None, ""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as e:      # its own "line 1 column N" would contradict path:lineno
        return None, f"invalid JSON: {e.msg.removesuffix(' at')} at character {e.pos + 1:,}"
    except (ValueError, RecursionError) as e:
        return None, f"invalid JSON: {e}"
    if not isinstance(record, dict):
        return None, f"not a JSON object: {_json_type(record)}"
    if b"\\u" in line and SURROGATE_ESCAPE.search(line):  # maybe half a character
        record = _without_lone_surrogates(record)
    return article_from_record(record, origin, where)


def _without_lone_surrogates(value):
    """A decoded JSON value with each lone surrogate (a JSON escape such as \\ud800, half of a
    character cut in two, which no UTF-8 text can hold) replaced by U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _decode_line(line: bytes) -> tuple[str | None, str]:
    """(text, "") of a JSONL line in UTF-8 (BOM dropped) or Vietnamese Windows-1258, else (None, reason)."""
    try:
        return line.decode("utf-8").lstrip("\ufeff"), ""
    except UnicodeDecodeError as e:
        reason = f"invalid UTF-8 at byte {e.start}"
    if _mostly_utf8(line):
        return None, reason
    try:
        text = line.decode("cp1258")
    except UnicodeDecodeError:
        return None, reason
    return (text, "") if looks_vietnamese(text) else (None, reason)


def _json_type(value) -> str:
    """The JSON name of a decoded value's type."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return {list: "an array", str: "a string", dict: "an object"}.get(type(value), "a number")


def article_from_record(record: dict, origin: str = "", where: str = "") -> tuple[Article | None, str]:
    """(article, "") from a decoded JSON object, or (None, reason) when it is unusable."""
    doc_id = _record_id(record.get("id"))
    if not doc_id:
        return None, _id_problem(record.get("id"))
    untextual = _untextual_field(record)
    if untextual:
        return None, untextual
    title, body = nfc(record.get("title")), nfc(record.get("body"))
    if not title and not body:
        return None, "no title or body"
    date = _first_date(record)
    return Article(
        id=doc_id, title=title, body=body,
        lead=_first_text(record, LEAD_KEYS),
        date=date, unread_date="" if date else _given_date(record),
        url=nfc(record.get("url")),
        source=_joined(record.get("source")),
        category=_joined(record.get("category")),
        author=_joined(record.get("author")),
        origin=origin, where=where,
    ), ""


def _record_id(value) -> str:
    """The id of a record as a string ("" when missing or not a string/number)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return _normalized(str(value))


def _id_problem(value) -> str:
    """Why a record's id value gives no id."""
    if value is None:
        return "missing id"
    if isinstance(value, str):
        return "empty id"
    return f"id must be text or a number, not {_json_type(value)}"


def _untextual_field(record: dict) -> str:
    """Why the record's title, body or lead holds no text (an object, true/false), "" when they all
    do: such a value would be indexed as nothing. Lead keys after the one read are not looked at."""
    for key in ("title", "body") + LEAD_KEYS:
        kind = _untextual_kind(record.get(key))
        if kind:
            return f"{key} must be text, not {kind}"
        if key in LEAD_KEYS and nfc(record.get(key)):
            return ""
    return ""


def _untextual_kind(value) -> str:
    """The JSON type of value, or of an item in it, that gives no text (an object, true or false)."""
    if isinstance(value, (dict, bool)):
        return _json_type(value)
    if isinstance(value, list):
        return next(filter(None, map(_untextual_kind, value)), "")
    return ""


def _first_text(record: dict, keys: tuple[str, ...]) -> str:
    """The first non-empty text among record[key] for keys."""
    for key in keys:
        text = nfc(record.get(key))
        if text:
            return text
    return ""


def _first_date(record: dict) -> datetime | None:
    """The first parseable date among the record's date fields."""
    for key in DATE_KEYS:
        date = parse_date(_epoch_as_number(record.get(key)))
        if date is not None:
            return date
    return None


def _epoch_as_number(value):
    """value, or the number when it is epoch seconds (or milliseconds) written as text."""
    if isinstance(value, str) and EPOCH_TEXT.fullmatch(value.strip()):
        return int(value)
    return value


def _given_date(record: dict) -> str:
    """The value of the record's first date field that is not empty, as text ("" if none is)."""
    for value in (record.get(key) for key in DATE_KEYS):
        if value is not None and str(value).strip():
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return ""


def _joined(value) -> str:
    """A short metadata value as NFC text, list items joined with ", "."""
    return _normalized(_as_text(value, ", "))
