"""Views: search form, result pages, article page, JSON API and health check."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime
from urllib.parse import parse_qsl, quote_from_bytes, unquote_to_bytes, urlencode, urlsplit

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

import indexer
from indexer.articles import site_of
from indexer.facets import FACET_VI
from indexer.query import without_controls
from indexer.search import as_date
from indexer.store import FILE, OLD, SHARDED, UNREADABLE, WRITING
from indexer.tips import DATES, Limit, what_to_try

from .timeline import HEIGHT, LABEL_SPACE, WIDTH, timeline_bars

bp = Blueprint("search", __name__)

MAX_QUERY_CHARS = 500
MAX_PAGE = 1000
PER_PAGE = indexer.PAGE
MAX_PER_PAGE = 50
SORTS = indexer.SORTS
PAGE_WINDOW = 5  # page numbers around the current one; with the first, the last and their gaps: one row at desktop width
FACET_LINKS = 10  # values listed per facet on the page (the JSON API has them all)
TITLE_QUERY_CHARS = 80  # of the query, in a page's title (a 500-character query made a 500-character title)
FILTERS = indexer.FACETS  # repeatable parameters: any of a facet's values, facets combined
UNDATED_WHERE = {(True, False): "nên không có trong khoảng ngày đã chọn",  # (a date range, months chosen)
                 (False, True): "nên không có trong tháng đã chọn",
                 (True, True): "nên không có trong khoảng ngày và tháng đã chọn", (False, False): "nên được xếp cuối"}
BOOLEAN_VALUES = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}
QUERY_SAFE = "!$'()*,/:;?@"  # what url_for leaves unescaped in a query string (werkzeug.urls)
ASCII_SHOWN = bytes(range(33, 127))  # query string bytes kept as they are when escaping the others
NOT_UTF8 = ("Địa chỉ không hợp lệ: phần sau dấu «?» không phải văn bản UTF-8 "
            "(có thể địa chỉ đã bị cắt ngắn hoặc sửa tay). Hãy gõ lại từ khóa vào ô tìm kiếm.")
_open_lock = threading.Lock()
SYNTAX_EXAMPLES = (  # the query language (indexer.query), shown on the home page with a link to each search
    ('"cảnh sát giao thông"', "đúng cụm từ này, theo thứ tự (bắt buộc)"),
    ('bão -"dự báo"', "loại bỏ bài chứa từ hay cụm từ sau dấu «-» (cũng gõ được: bão NOT lũ)"),
    ("Thanh Hóa OR Nghệ An", "bài chứa một trong hai"),
    ("title:Formosa", "từ có trong tiêu đề"),
    ("nghi quyet giao thong", "gõ không dấu, thiếu dấu hay kiểu Telex (nghij quyeets) đều được"),
    ("Nghị định 46/2016/NĐ-CP", "mã văn bản gõ như trên báo"),
    ("giá vàng 17/11", "ngày tháng: 17/11, 17-11 hay 17.11 đều tìm được"),
)

TRY_AGAIN = "Vui lòng thử lại sau ít phút."  # after a cluster's shards did not answer (/healthz, the results page)
ERROR_PAGES = {
    400: ("Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ."),
    404: ("Không tìm thấy", "Không tìm thấy trang hoặc bài viết bạn yêu cầu. "
          "Có thể đường dẫn bị sai hoặc bài viết không có trong chỉ mục."),
    405: ("Phương thức không được hỗ trợ", "Địa chỉ này không hỗ trợ phương thức {method}."),
    500: ("Lỗi máy chủ", "Đã có lỗi xảy ra phía máy chủ. Vui lòng thử lại sau."),
    503: ("Chưa có chỉ mục tìm kiếm", "Chưa có chỉ mục tìm kiếm ở thư mục {index_dir}."),
}


def no_index_said(index_dir, why) -> str:
    """The core's decision why index_dir holds no index to open (an indexer.NoIndex), in Vietnamese
    (no full stop at the end: the launcher ends it, the 503 page goes on)."""
    build = f"python -m indexer build NGUỒN --index {index_dir}"
    if why.kind == FILE:
        return f"{index_dir} là một tệp, không phải thư mục chỉ mục: hãy cho --index thư mục của chỉ mục"
    if why.kind == WRITING:
        return (f"chưa có chỉ mục ở {index_dir}: tiến trình {why.writer[0]} (pid {why.writer[1]}) đang xây dựng; "
                "hãy đợi nó xong")
    if why.kind == SHARDED:
        return f"{index_dir} là chỉ mục chia phần (shard): hãy tìm trên cụm Dask (--cluster ĐỊA_CHỈ)"
    if why.kind in (OLD, UNREADABLE):
        state = "được xây bằng phiên bản cũ" if why.kind == OLD else "không đọc được (hỏng hoặc dở dang)"
        return f"chỉ mục ở {index_dir} {state}. Hãy xây dựng lại: {build}"
    return f"chưa có chỉ mục ở {index_dir}. Hãy xây dựng chỉ mục: {build}"


class InputError(ValueError):
    """A request parameter that cannot be used; its message is shown to the user."""


@dataclass(frozen=True)
class SearchParams:
    """The validated parameters of a search request."""

    q: str = ""
    page: int = 1
    sort: str = "relevance"
    date_from: date | None = None
    date_to: date | None = None
    per_page: int = PER_PAGE
    exact: bool = False  # search the words as typed: no keystroke decoding, no restored accents
    group: bool = True  # syndicated copies as one result
    source: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    month: tuple[str, ...] = ()

    @cached_property
    def encoded(self) -> dict[str, str]:
        """Each field as url_for encodes it in a query string ("" at its default), in URL order."""
        return {name: _encoded(name, getattr(self, name)) for name in URL_NAMES}

    @cached_property
    def query_string(self) -> str:
        """The fields that differ from the defaults, encoded as url_for encodes them ("" without any)."""
        return "&".join(part for part in self.encoded.values() if part)

    def url(self, **changes) -> str:
        """The results URL for these parameters with some of them changed."""
        parts = {**self.encoded, **{name: _encoded(name, value) for name, value in changes.items()}}
        return _with_query(self.routes[0], "&".join(part for part in parts.values() if part))

    def toggle_url(self, facet: str, value: str) -> str:
        """The results URL with value added to a facet's filter, or removed if it is there."""
        chosen = getattr(self, facet)
        changed = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
        return self.url(page=1, **{facet: changed})

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The facet filters as search() takes them."""
        return {name: getattr(self, name) or None for name in FILTERS}

    def article_url(self, doc_id: str) -> str:
        """The article URL carrying the search, for highlighting and the way back."""
        prefix, converter = self.routes[1:]
        return _with_query(prefix + converter.to_url(doc_id), self.query_string)

    @cached_property
    def routes(self) -> tuple[str, str, object]:
        """(results path, article path before the id, the id's converter): what url_for builds links
        from (url_for for every link costs a page of results about a millisecond)."""
        return _remembered(("routes",), _routes)


URL_NAMES = {"q": "q", "page": "page", "sort": "sort", "date_from": "from", "date_to": "to", "exact": "exact",
             "group": "group", **{name: name for name in FILTERS}}  # SearchParams field -> URL argument
URL_DEFAULTS = {"page": 1, "sort": "relevance"}
FIXED_ENDPOINTS = {"static", "search.home", "search.search", "search.api_suggest"}  # the same on every page


def _routes() -> tuple[str, str, object]:
    """SearchParams.routes, looked up with url_for."""
    url_map = current_app.url_map
    return (url_for("search.search"), url_for("search.article", doc_id="-")[:-1],
            url_map.converters["article_id"](url_map))


class ArticleIdConverter(PathConverter):
    """An article id in a URL path (slashes and all), its slashes percent-encoded when a segment of it
    is "." or "..": a browser would resolve those away (a/../../etc: /etc), and %2E is a dot to it too."""

    def to_url(self, value) -> str:
        """The id as a path, one segment when it holds a dot segment (the server reads %2F as /)."""
        path = super().to_url(value)
        return path.replace("/", "%2F") if {".", ".."} & set(str(value).split("/")) else path


def _remembered(key: tuple, make):
    """make()'s answer for key under this request's script root, made once per app (links that
    depend on nothing else: url_for costs tens of microseconds a call)."""
    known = current_app.extensions.setdefault("search_links", {})
    key = (request.script_root, *key)
    if key not in known:
        known[key] = make()
    return known[key]


def fixed_url_for(endpoint: str, **values) -> str:
    """url_for as the templates call it, remembered for the links every page has."""
    if endpoint not in FIXED_ENDPOINTS or not values.keys() <= {"filename"}:
        return url_for(endpoint, **values)
    return _remembered((endpoint, values.get("filename")), lambda: url_for(endpoint, **values))


def _encoded(name: str, value) -> str:
    """One SearchParams field as url_for encodes it in a query string ("" when left out)."""
    if name == "page":  # the commonest link (pagination); digits need no escaping
        return "" if not value or value == URL_DEFAULTS[name] else f"page={value}"
    if name in FILTERS:
        return urlencode([(name, v) for v in value], safe=QUERY_SAFE)
    if name == "group":
        value = "" if value else "false"
    elif name == "exact":
        value = int(value)
    elif isinstance(value, date):
        value = value.isoformat()
    if not value or URL_DEFAULTS.get(name) == value:
        return ""
    return urlencode([(URL_NAMES[name], value)], safe=QUERY_SAFE)


def _with_query(path: str, query: str) -> str:
    """path with a query string, if any."""
    return f"{path}?{query}" if query else path


def get_index():
    """The app's open index, opened once on first use (raises indexer.IndexNotFound)."""
    extensions = current_app.extensions
    if "search_index" not in extensions:
        with _open_lock:
            if "search_index" not in extensions:
                extensions["search_index"] = indexer.open_index(current_app.config["INDEX_DIR"],
                                                                cluster=current_app.config.get("CLUSTER"),
                                                                replicas=current_app.config.get("REPLICAS", 1))
    return extensions["search_index"]


def parse_int(raw: str | None, label: str, low: int, high: int, default: int) -> int:
    """Parse an optional integer parameter in [low, high] or raise InputError."""
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise InputError(f"{label} không hợp lệ: «{raw[:50]}». "
                         f"Giá trị phải là số nguyên từ {low} đến {high}.")
    return int(raw)


def parse_bool(raw: str | None, label: str, default: bool) -> bool:
    """An optional true/false parameter (1/0, true/false, on/off, yes/no, any case) or InputError."""
    if raw is None or not raw.strip():
        return default
    value = BOOLEAN_VALUES.get(raw.strip().lower())
    if value is None:
        raise InputError(f"{label} không hợp lệ: «{raw[:50]}». Chỉ dùng 1/0, true/false, on/off hoặc yes/no.")
    return value


def utf8_query() -> bool:
    """Whether the request's query string is UTF-8 once unescaped (Werkzeug keeps the escapes of
    bytes that are not as text in request.args: %ED%A0%80 would be searched as typed); read once a request."""
    query = request.query_string
    checked = g.get("utf8_query")
    if checked is None or checked[0] != query:  # g outlives a request when the caller holds an app context
        g.utf8_query = (query, is_utf8(unquote_to_bytes(query)))
    return g.utf8_query[1]


def is_utf8(raw: bytes) -> bool:
    """Whether raw is UTF-8 text."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def form_args() -> MultiDict:
    """The request's arguments for the form: request.args, or, when the query string is not UTF-8,
    what of it can be read (the bytes that are not UTF-8 left out); its query's control characters
    read as the search reads them (query.without_controls: the page echoes no \x07)."""
    if utf8_query():
        args = MultiDict(request.args)
    else:
        escaped = quote_from_bytes(request.query_string, safe=ASCII_SHOWN)  # raw bytes above ASCII escaped too
        args = MultiDict(parse_qsl(escaped, keep_blank_values=True, errors="ignore"))
    if "q" in args:
        args["q"] = without_controls(args["q"])
    return args


def request_flag(name: str, default: bool) -> bool:
    """The request's true/false parameter name as parse_bool reads it; default when unreadable (the 400 page's form)."""
    try:
        return parse_bool(form_args().get(name), name, default)
    except InputError:
        return default


@bp.app_template_filter("form_date")
def form_date(raw: str) -> str:
    """A from/to argument as the form's date field takes it: YYYY-MM-DD when it is a day however written
    (17/11/2019: a browser empties a field given another form), else as given."""
    try:
        day = parse_date(raw, "")
    except InputError:
        return raw
    return day.isoformat() if day else raw


def parse_date(raw: str | None, label: str) -> date | None:
    """An optional date parameter (a day in any form the search core reads, search.as_date) or InputError."""
    if not raw:
        return None
    try:
        return as_date(raw, label)
    except indexer.QueryError:
        raise InputError(f"{label} không hợp lệ: «{raw[:50]}». "
                         "Hãy nhập ngày theo dạng YYYY-MM-DD, ví dụ 2024-03-15.") from None


def parse_params(args, api: bool = False) -> SearchParams:
    """Validate the search parameters of a request (q may be empty) or raise InputError."""
    q = without_controls(args.get("q", "")).strip()  # as the search reads them: giá\x00 is giá
    if len(q) > MAX_QUERY_CHARS:
        raise InputError(f"Từ khóa quá dài ({len(q)} ký tự): tối đa {MAX_QUERY_CHARS} ký tự.")
    page = parse_int(args.get("page"), "Số trang", 1, MAX_PAGE, 1)
    per_page = parse_int(args.get("per_page"), "per_page", 1, MAX_PER_PAGE, PER_PAGE) if api else PER_PAGE
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise InputError(f"Cách sắp xếp không hợp lệ: «{sort[:50]}». Chỉ dùng "
                         "«relevance» (liên quan nhất) hoặc «newest» (mới nhất).")
    date_from = parse_date(args.get("from"), "Từ ngày")
    date_to = parse_date(args.get("to"), "Đến ngày")
    if date_from and date_to and date_from > date_to:
        raise InputError("Khoảng ngày không hợp lệ: «Từ ngày» phải trước hoặc bằng «Đến ngày».")
    filters = {name: tuple(" ".join(v.split()) for v in args.getlist(name) if v.strip())  # checked by the core
               for name in FILTERS}
    return SearchParams(q, page, sort, date_from, date_to, per_page, parse_bool(args.get("exact"), "exact", False),
                        parse_bool(args.get("group"), "group", True), **filters)


def run_search(params: SearchParams):
    """Run the search on the app's index (raises indexer.QueryError for unusable queries)."""
    return get_index().search(params.q, limit=params.per_page, page=params.page,
                              date_from=params.date_from, date_to=params.date_to,
                              sort=params.sort, exact=params.exact, group=params.group, **params.filters())


def undated_note(undated: int, params: SearchParams) -> str:
    """A line saying how many undated articles the date range or months left out, or newest-first put last."""
    if not undated:
        return ""
    where = UNDATED_WHERE[bool(params.date_from or params.date_to), bool(params.month)]
    return f"{vn_number(undated)} bài phù hợp không có ngày đăng {where}."


def tips_and_limits(index, results, params: SearchParams) -> tuple[list, list[tuple[str, str, str, Limit]]]:
    """The tips of a search that found nothing, and (what, its value, the link without it, the Limit)
    for each of its limits when it has two or more (tips.what_to_try); nothing when it found some or
    some shard did not answer."""
    if results.total or results.partial:  # the missing shards may hold what it looks for: no tips about the query
        return [], []
    tips, limits = what_to_try(index, results, params.q, params.filters(),
                               {"date_from": params.date_from, "date_to": params.date_to}, params.exact, params.group)
    return tips, [(*limit_link(limit, params), limit) for limit in limits]


def unreachable(shards: list[str]) -> tuple[str, str]:
    """(what failed, why) when none of a cluster's shards answered: /healthz and the results page say them."""
    return "Không kết nối được kho bài", f"không phần nào của chỉ mục trả lời ({', '.join(shards)})"


def limit_link(limit: Limit, params: SearchParams) -> tuple[str, str, str]:
    """(what, its value, the link without it) of one limit of the search params, in Vietnamese."""
    if limit.facet == DATES:
        return ("Khoảng ngày", date_range_label(params.date_from, params.date_to),
                params.url(date_from=None, date_to=None, page=1))
    value = month_label(limit.value) if limit.facet == "month" else limit.value
    return FACET_VI[limit.facet], value, params.toggle_url(limit.facet, limit.value)


@bp.app_template_filter("month_label")
def month_label(month: str) -> str:
    """A YYYY-MM month as the timeline says it: 2023-05 -> 5/2023."""
    year, number = month.split("-")
    return f"{int(number)}/{year}"


def date_range_label(date_from: date | None, date_to: date | None) -> str:
    """A date range in words: từ 01/03/2024 đến 15/03/2024 (either end may be open)."""
    ends = [f"{word} {day.strftime('%d/%m/%Y')}" for word, day in (("từ", date_from), ("đến", date_to)) if day]
    return " ".join(ends)


def page_window(page: int, pages: int) -> list[int]:
    """The page numbers to link around the current page (at most PAGE_WINDOW of them)."""
    last = min(pages, MAX_PAGE)
    start = max(1, min(page - PAGE_WINDOW // 2, last - PAGE_WINDOW + 1))
    return list(range(start, min(last, start + PAGE_WINDOW - 1) + 1))


def http_url(url: str) -> str | None:
    """The url if it is an absolute http(s) link, else None (never javascript: and the like)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@bp.app_template_filter("title_query")
def title_query(q: str) -> str:
    """A query as a page's title shows it: trimmed, cut to TITLE_QUERY_CHARS with an ellipsis."""
    q = q.strip()
    return q if len(q) <= TITLE_QUERY_CHARS else q[:TITLE_QUERY_CHARS - 1] + "…"


@bp.app_template_filter("vn_number")
def vn_number(n: int) -> str:
    """Format an integer the Vietnamese way: 1234567 -> 1.234.567."""
    return f"{n:,}".replace(",", ".")


@bp.app_template_filter("vn_seconds")
def vn_seconds(ms: float) -> str:
    """Format milliseconds as seconds with a decimal comma: 52.3 -> 0,05."""
    return f"{ms / 1000:.2f}".replace(".", ",")


@bp.app_template_filter("outlet")
def outlet(article) -> str:
    """Where an article (or a hit) comes from: its source, else its URL's site."""
    return article.source or site_of(article.url)


@bp.app_template_filter("vn_datetime")
def vn_datetime(value: datetime | None) -> str:
    """Format a datetime as dd/mm/yyyy HH:MM (empty for None)."""
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


@bp.before_request
def reject_query_not_utf8():
    """A 400 for a query string that is not UTF-8 (its form keeps what can be read)."""
    if not utf8_query():
        raise InputError(NOT_UTF8)


@bp.get("/")
def home():
    """The search form."""
    return render_template("index.html", syntax_examples=SYNTAX_EXAMPLES)


@bp.get("/search")
def search():
    """A page of results, or the form again when the query is empty."""
    params = parse_params(request.args)
    if not params.q:
        return render_template("index.html", syntax_examples=SYNTAX_EXAMPLES)
    try:
        results = run_search(params)
    except indexer.QueryError as error:  # a slip in the query (!!!): the form with it again, saying why; still a 400
        return render_template("query_notice.html", message=error.vi), 400
    index = get_index()
    tips, limits = tips_and_limits(index, results, params)
    hits = [(hit, Markup(hit.title_html), Markup(hit.snippet),
             [copy for i in hit.duplicates if (copy := index.get(i))]) for hit in results]
    return render_template("results.html", params=params, results=results, hits=hits,
                           relax_page=indexer.search.RELAX_PAGE,
                           undated=undated_note(results.undated, params),
                           bars=timeline_bars(results.facets["month"], params.month),
                           chart={"width": WIDTH, "height": HEIGHT, "base": HEIGHT - LABEL_SPACE},
                           facet_links=FACET_LINKS,
                           pages=page_window(params.page, results.pages),
                           last_page=min(results.pages, MAX_PAGE),
                           tips=tips, limits=limits, try_again=TRY_AGAIN,
                           unreachable=unreachable(results.missing_shards) if results.unreachable else None)


@bp.get("/article/<article_id:doc_id>")
def article(doc_id: str):
    """One whole article, the query's words highlighted when opened with ?q=."""
    index, doc = stored_article(doc_id)
    q = request.args.get("q", "").strip()
    whole = "\n".join((doc.title, doc.lead or "", doc.body))
    exact = parse_bool(request.args.get("exact"), "exact", False)
    mark = highlighter(index, q if len(q) <= MAX_QUERY_CHARS else "", whole, exact)
    paragraphs = [mark(p) for p in doc.body.split("\n") if p.strip()]
    lead = doc.lead_apart()
    back = {k: request.args.getlist(k) for k in ("q", "page", "sort", "from", "to", "exact", "group", *FILTERS)
            if request.args.get(k)}
    return render_template("article.html", doc=doc, title=mark(doc.title), lead=mark(lead),
                           paragraphs=paragraphs, source_url=http_url(doc.url),
                           back_url=url_for("search.search", **back) if q else None, search=back if q else {},
                           related=index.related(doc_id) or [], copies=index.copies(doc_id) or [])


def stored_article(doc_id: str):
    """(the index, its stored article with this id); 404 for an unknown id."""
    index = get_index()
    doc = index.get(doc_id)
    if doc is None:
        abort(404)
    return index, doc


def highlighter(index, q: str, article: str, exact: bool = False):
    """A function marking q's words in the parts of an article (plain escaping without a usable q)."""
    try:
        tier = index.marks(q, exact).fit(article) if q else None
    except indexer.QueryError:
        tier = None

    def mark(text: str) -> Markup:
        return Markup(tier.html(text)) if tier and text else escape(text)
    return mark


@bp.get("/api/search")
def api_search():
    """The search as JSON."""
    params = parse_params(request.args, api=True)
    if not params.q:
        raise InputError("Thiếu từ khóa tìm kiếm: tham số q không được để trống.")
    return run_search(params).to_dict()


@bp.get("/api/article/<article_id:doc_id>")
def api_article(doc_id: str):
    """One whole article as JSON, with its syndicated copies (404 for an unknown id)."""
    index, doc = stored_article(doc_id)
    return doc.to_dict(copies=index.copies(doc_id) or [])


@bp.get("/api/related/<article_id:doc_id>")
def api_related(doc_id: str):
    """The articles most like one article, as JSON (404 for an unknown id)."""
    related = get_index().related(doc_id)
    if related is None:
        abort(404)
    return {"id": doc_id, "related": [hit.to_dict() for hit in related]}


@bp.get("/api/suggest")
def api_suggest():
    """Completions of a query being typed, as JSON (for the search box's list)."""
    typed = without_controls(request.args.get("q", ""))  # the query echoed as the completions read it
    q = typed.strip()  # a space after the last word kept: the words likeliest after it are offered
    return {"query": q, "suggestions": get_index().suggest(typed.lstrip()) if q else []}  # QueryError: a 400


@bp.get("/healthz")
def healthz():
    """Liveness and index check: 200 with the article count and the answering pid; 503 without an
    index or when no shard of a cluster's answers; a shard missing: 200, "degraded", naming it."""
    health = get_index().health()
    said = {"status": "ok", "articles": health.articles, "pid": os.getpid()}
    if health.unreachable:
        failed, why = unreachable(health.missing_shards)
        return {**said, "status": "unavailable", "code": 503, "missing_shards": health.missing_shards,
                "message": f"{failed}: {why}. {TRY_AGAIN}"}, 503
    if health.missing_shards:
        return {**said, "status": "degraded", "missing_shards": health.missing_shards}
    return said


def wants_json() -> bool:
    """Whether the current request is for the JSON API (errors answered as JSON)."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(code: int, message: str | None = None):
    """An error page (or JSON for the API) with a Vietnamese title and message."""
    title, default = ERROR_PAGES.get(code, (f"Lỗi {code}", f"Yêu cầu không thực hiện được (mã {code})."))
    message = message or default.format(method=request.method,
                                        index_dir=current_app.config["INDEX_DIR"])
    if wants_json():
        status = "unavailable" if code == 503 else "error"
        return {"status": status, "code": code, "message": message}, code
    return render_template("error.html", code=code, title=title, message=message), code


def handle_http_error(error: HTTPException):
    """404, 405, 500 and other HTTP errors as Vietnamese pages."""
    response = current_app.make_response(error_response(error.code or 500))
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def no_index_response(error: indexer.IndexNotFound):
    """503: the index cannot be opened, saying why (the core's decision, error.why) and to reload after."""
    said = no_index_said(current_app.config["INDEX_DIR"], error.why)
    return error_response(503, f"{said[:1].upper()}{said[1:]}; sau đó tải lại trang.")


def register_error_handlers(app) -> None:
    """Answer bad input, query errors, a missing index and HTTP errors without tracebacks."""
    app.register_error_handler(InputError, lambda e: error_response(400, str(e)))
    app.register_error_handler(indexer.QueryError, lambda e: error_response(400, e.vi))
    app.register_error_handler(indexer.IndexNotFound, no_index_response)
    app.register_error_handler(indexer.ClusterError, lambda e: error_response(
        503, "Không kết nối được cụm máy tìm kiếm (Dask). Vui lòng thử lại sau."))
    app.register_error_handler(HTTPException, handle_http_error)
