"""The Flask front end on a real index: every route, bad input, escaping and security headers."""

from __future__ import annotations

import os
import re
import time
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from flask import url_for
from conftest import (ODD_ID, SEED_ID, SEEDS, SLASH_ID, XSS_ID, close_index, index_of, make_app, other_articles,
                      write_jsonl)

from search_app.views import page_window, vn_datetime, vn_number, vn_seconds

STORMS = 14


def html(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def article_links(response) -> list[str]:
    """The article links of a results page, in order."""
    return re.findall(r'<h2><a href="(/article/[^"]+)"', html(response))


# ---------------------------------------------------------------- helpers

def test_vietnamese_number_formats():
    assert vn_number(1234) == "1.234"
    assert vn_number(1234567) == "1.234.567"
    assert vn_number(7) == "7"
    assert vn_seconds(52.3) == "0,05"
    assert vn_seconds(1234.0) == "1,23"


def test_datetime_format():
    from datetime import datetime

    assert vn_datetime(datetime(2019, 11, 17, 10, 39)) == "17/11/2019 10:39"
    assert vn_datetime(None) == ""


@pytest.mark.parametrize("page, pages, expected", [
    (1, 1, [1]), (1, 3, [1, 2, 3]), (1, 20, list(range(1, 6))), (7, 20, list(range(5, 10))),
    (20, 20, list(range(16, 21))), (999, 5000, list(range(996, 1001))),
])
def test_page_window(page, pages, expected):
    assert page_window(page, pages) == expected


# ---------------------------------------------------------------- app factory

def test_index_dir_from_env(monkeypatch):
    from search_app import create_app

    monkeypatch.setenv("INDEX_DIR", "/somewhere/idx")
    assert create_app().config["INDEX_DIR"] == "/somewhere/idx"
    assert create_app({"INDEX_DIR": "other"}).config["INDEX_DIR"] == "other"
    monkeypatch.delenv("INDEX_DIR")
    assert create_app().config["INDEX_DIR"] == "index_data"


def test_index_opened_lazily_once(app, client):
    assert "search_index" not in app.extensions
    client.get("/search?q=bão")
    first = app.extensions["search_index"]
    client.get("/healthz")
    client.get("/api/search?q=cầu")
    assert app.extensions["search_index"] is first


# ---------------------------------------------------------------- form and headers

def test_home_shows_vietnamese_form(client):
    r = client.get("/")
    page = html(r)
    assert r.status_code == 200
    assert '<html lang="vi">' in page
    for text in ("Tìm kiếm", "Mới nhất", "Liên quan nhất", "Từ ngày", "Đến ngày"):
        assert text in page
    for control in ("q", "sort", "from", "to"):
        assert f'<label for="{control}"' in page and f'id="{control}"' in page


@pytest.mark.parametrize("path", ["/", "/search?q="])
def test_home_says_how_to_write_a_query_with_a_search_for_each_example(client, path):
    page = html(client.get(path))
    examples = re.findall(r'<li><a href="([^"]+)"><code>([^<]+)</code></a>', page.split('class="syntax"')[1])
    typed = [unescape(example) for _, example in examples]
    assert {'bão -"dự báo"', "Thanh Hóa OR Nghệ An", "title:Formosa"} <= set(typed) and "NOT" in page
    for link, example in examples:
        assert parse_qs(urlsplit(unescape(link)).query) == {"q": [unescape(example)]}
        assert client.get(unescape(link)).status_code == 200


@pytest.mark.parametrize("path", [
    "/", "/search?q=bão", "/search?q=", "/api/search?q=bão", "/healthz", "/article/" + SEED_ID,
    "/article/khong-co", "/search?q=x&page=0", "/static/style.css",
])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/search?q=bão", "/article/" + SLASH_ID, "/search?q=zzqqxx"])
def test_pages_have_no_script_inline_style_or_external_asset(client, path):
    page = html(client.get(path))
    scripts = re.findall(r"<script[^>]*>.*?</script>", page, re.S)
    assert scripts == ['<script src="/static/suggest.js" defer></script>']  # no inline script
    assert "style=" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page.replace(
        'href="https://example.vn/thoi-su/cau-song-han.html"', ""))


def test_static_css_served(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and "mark" in html(r) and r.mimetype == "text/css"


# ---------------------------------------------------------------- search results

def test_unaccented_query_finds_seed_article_with_marks(client):
    r = client.get("/search?q=nghi quyet")
    page = html(r)
    assert r.status_code == 200
    assert f'href="/article/{SEED_ID}?q=nghi+quyet"' in page
    assert "Điểm sáng về thực hiện" in page
    assert re.search(r"<mark>[Nn]ghị quyết</mark>|<mark>[Nn]ghị</mark> <mark>quyết</mark>", page)
    assert "17/11/2019 10:39" in page


def test_result_count_and_time_in_vietnamese(client):
    page = html(client.get("/search?q=bão"))
    match = re.search(r'<p class="stats">([0-9.]+) kết quả \(([0-9]+,[0-9]{2}) giây\)', page)
    assert match, page
    assert "Khoảng" not in page  # the total is exact, not an estimate
    assert int(match.group(1).replace(".", "")) >= STORMS


def test_snippet_markup_kept_but_only_mark(client):
    page = html(client.get("/search?q=sơ tán"))
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page, re.S)
    assert snippets and any("<mark>" in s for s in snippets)
    for snippet in snippets:
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_pagination_gives_different_second_page(client):
    first, second = client.get("/search?q=bão"), client.get("/search?q=bão&page=2")
    links1, links2 = article_links(first), article_links(second)
    assert len(links1) == 10 and 1 <= len(links2) <= 10
    assert not set(links1) & set(links2)
    assert "Trang sau" in html(first) and "Trang trước" not in html(first)
    assert "Trang trước" in html(second)
    assert 'href="/search?q=b%C3%A3o&amp;page=2"' in html(first)
    assert '<span class="current" aria-current="page">2</span>' in html(second)


def test_page_beyond_results_is_not_an_error(client):
    r = client.get("/search?q=bão&page=50")
    assert r.status_code == 200
    assert "Traceback" not in html(r)


def test_previous_page_beyond_the_last_is_the_last_page(client):
    page = html(client.get("/search?q=bão&page=50"))  # 16 results: 2 pages
    assert re.search(r'<a class="prev" rel="prev" href="([^"]+)"', page).group(1) == "/search?q=b%C3%A3o&amp;page=2"


@pytest.fixture(scope="module")
def many_client(tmp_path_factory):
    """A client on an index of 125 articles that all hold "đê" (13 pages of results)."""
    import indexer

    folder = tmp_path_factory.mktemp("many")
    source = write_jsonl(folder / "a.jsonl", [
        {"id": f"de-{n:03}", "title": f"Kiểm tra đê điều đợt {n}",
         "body": f"Đoàn công tác kiểm tra tuyến đê số {n} trước mùa mưa lũ."} for n in range(125)])
    indexer.build_index([str(source)], str(folder / "idx"), procs=1)
    app = make_app(str(folder / "idx"))
    yield app.test_client()
    close_index(app)


def ends_of_pagination(page: str) -> list[str]:
    """The links to the first and last pages that the pagination adds beside its window."""
    return re.findall(r'<a href="([^"]+)" aria-label="Trang (?:đầu|cuối)', page)


def test_pagination_links_the_first_and_last_pages_outside_its_window(many_client):
    first = html(many_client.get("/search?q=đê&group=false"))
    assert ends_of_pagination(first) == ["/search?q=%C4%91%C3%AA&amp;page=13&amp;group=false"]
    middle = html(many_client.get("/search?q=đê&group=false&page=7"))  # pages 2-11 around it
    assert ends_of_pagination(middle) == ["/search?q=%C4%91%C3%AA&amp;group=false",
                                          "/search?q=%C4%91%C3%AA&amp;page=13&amp;group=false"]
    last = many_client.get("/search?q=đê&group=false&page=13")
    assert ends_of_pagination(html(last)) == ["/search?q=%C4%91%C3%AA&amp;group=false"]
    assert len(article_links(last)) == 5


def search_form(page: str) -> str:
    """The search form of a page."""
    return re.search(r'<form class="search-form".*?</form>', page, re.S).group(0)


def test_form_keeps_exact_and_ungrouped_for_the_next_search(client):
    form = search_form(html(client.get("/search?q=bão&exact=1&group=false&sort=newest")))
    assert '<input type="hidden" name="exact" value="1">' in form
    assert '<input type="hidden" name="group" value="false">' in form
    plain = search_form(html(client.get("/search?q=bão")))
    assert 'name="exact"' not in plain and 'name="group"' not in plain


@pytest.mark.parametrize("exact, group", [("true", "false"), ("on", "off"), ("YES", "no"), (" 1 ", "0")])
def test_true_and_false_parameters_take_their_usual_spellings(client, exact, group):
    api = client.get(f"/api/search?q=nghij+quyeets&exact={exact}&group={group}").get_json()
    assert api["rewritten"] is None and api["query"] == "nghij quyeets"
    assert client.get(f"/api/search?q=nghij+quyeets&exact={group}").get_json()["rewritten"] == "nghị quyết"
    form = search_form(html(client.get(f"/search?q=bão&exact={exact}&group={group}")))
    assert '<input type="hidden" name="exact" value="1">' in form
    assert '<input type="hidden" name="group" value="false">' in form
    assert "Bỏ tìm chính xác" in html(client.get(f"/search?q=nghij+quyeets&exact={exact}"))
    assert client.get(f"/article/thoi-tiet/bao-so-1?q=b%C3%A3o&exact={exact}").status_code == 200


def test_a_true_or_false_parameter_of_another_value_is_a_400_naming_the_spellings(client):
    for url in ("/api/search?q=bão&exact=maybe", "/search?q=bão&group=2", "/article/thoi-tiet/bao-so-1?q=bão&exact=có"):
        response = client.get(url)
        assert response.status_code == 400 and "1/0, true/false, on/off" in response.get_data(as_text=True), url


def test_exact_and_ungrouped_searches_say_so_with_a_link_out(client):
    exact = html(client.get("/search?q=nghij+quyeets&exact=1"))
    assert re.search(r'<a href="/search\?q=nghij\+quyeets">Bỏ tìm chính xác</a>', exact)
    assert "từ có dấu chỉ khớp đúng dấu đã gõ" in exact  # "bảo" finds neither "bão" nor "bao"
    ungrouped = html(client.get("/search?q=bão&group=false&page=2"))
    assert re.search(r'bài trùng nội dung:\s*<a href="/search\?q=b%C3%A3o">gộp lại</a>', ungrouped)
    assert "Bỏ tìm chính xác" not in html(client.get("/search?q=bão"))
    assert "gộp lại" not in html(client.get("/search?q=bão"))


def test_form_keeps_query_sort_and_dates(client):
    page = html(client.get("/search?q=bão+số&sort=newest&from=2023-01-01&to=2023-12-31"))
    assert 'value="bão số"' in page
    assert '<option value="newest" selected>' in page
    assert 'value="2023-01-01"' in page and 'value="2023-12-31"' in page
    assert "sort=newest" in page and "from=2023-01-01" in page  # kept in pagination links


def test_sort_newest_orders_by_date(client):
    data = client.get("/api/search?q=bão&sort=newest&per_page=50").get_json()
    dates = [hit["date"] for hit in data["hits"] if hit["date"]]
    assert len(dates) >= STORMS and dates == sorted(dates, reverse=True)


def test_date_filter_limits_results(client):
    data = client.get("/api/search?q=bão&from=2023-06-01&to=2023-07-31&per_page=50").get_json()
    assert data["total"] >= 1
    assert all("2023-06-01" <= hit["date"][:10] <= "2023-07-31" for hit in data["hits"])
    everything = client.get("/api/search?q=bão&per_page=50").get_json()
    assert data["total"] < everything["total"]


def test_a_chosen_month_is_named_as_the_timeline_names_it(client):
    page = html(client.get("/search?q=bão&month=2023-01"))
    chip = re.search(r'<a class="remove-filter" href="[^"]+"\s+aria-label="([^"]+)">([^<]+)</a>', page)
    assert chip and chip.groups() == ("Bỏ lọc tháng 1/2023", "Tháng: 1/2023 ✕")  # as the bars: not 2023-01


def test_no_results_page_suggests_what_to_try(client):
    r = client.get("/search?q=chữxyzkhôngtồntại")
    page = html(r)
    assert r.status_code == 200
    assert "Không tìm thấy kết quả" in page and "chính tả" in page and "ít từ hơn" in page
    assert "Thử gõ không dấu" not in page  # "chuxyzkhongtontai" finds nothing either: no tip leading nowhere
    misaccented = html(client.get("/search", query_string={"q": '"mưa lơn kéo dài"'}))
    offer = re.search(r'Thử gõ không dấu: <a href="([^"]+)">', misaccented)
    assert offer and parse_qs(urlsplit(unescape(offer[1])).query)["q"] == ['"mua lon keo dai"']
    assert html(client.get(unescape(offer[1]))).count('<li class="result">') >= 1


def test_a_quoted_phrase_no_article_holds_links_to_its_words_without_the_quotes(client):
    page = html(client.get("/search", query_string={"q": '"bão Hải Phòng"'}))
    found = client.get("/api/search", query_string={"q": "bão Hải Phòng"}).get_json()
    assert "Không tìm thấy kết quả" in page and found["total"] > 0
    offer = re.search(r'Bỏ dấu ngoặc kép, có ([0-9.]+) bài phù hợp: <a href="([^"]+)">([^<]+)</a>', page)
    assert offer and offer[3] == "bão Hải Phòng" and int(offer[1].replace(".", "")) == found["total"]
    assert parse_qs(urlsplit(unescape(offer[2])).query)["q"] == ["bão Hải Phòng"]
    assert html(client.get(unescape(offer[2]))).count('<li class="result">') >= 1


def test_a_results_page_title_names_its_page_and_stays_short(client):
    first, second = html(client.get("/search?q=bão")), html(client.get("/search?q=bão&page=2"))
    assert "<title>bão – Tìm kiếm tin tức</title>" in first
    assert "<title>bão – trang 2 – Tìm kiếm tin tức</title>" in second  # history entries told apart
    long = html(client.get("/search", query_string={"q": "bão " + "a" * 300}))  # one long word
    title = re.search(r"<title>([^<]*)</title>", long)[1]
    assert len(title) < 120 and title.endswith("… – Tìm kiếm tin tức")


def test_no_results_with_dates_suggests_removing_them(client):
    page = html(client.get("/search?q=bão&from=1990-01-01&to=1990-12-31"))
    assert "Không tìm thấy kết quả" in page and "Bỏ bộ lọc ngày" in page
    assert 'href="/search?q=b%C3%A3o"' in page
    found = client.get("/api/search?q=bão").get_json()
    assert f"«bão» có {found['total']} bài phù hợp khi bỏ bộ lọc" in page  # the words are right: no spelling tips
    assert "chính tả" not in page and "có dấu đầy đủ" not in page


@pytest.mark.parametrize("q, searched", [
    ("-bão", "bão"), ('-"bão số" -title:lũ', '"bão số" title:lũ'), ("--bão", "-bão"),
])
def test_a_query_of_exclusions_only_offers_searching_for_its_words(client, q, searched):
    page = html(client.get("/search", query_string={"q": q}))
    offer = re.search(r'loại bỏ các bài chứa từ đó\. Tìm bài chứa: <a href="([^"]+)">([^<]+)</a>', page)
    assert offer and unescape(offer.group(2)) == searched
    href = urlsplit(unescape(offer.group(1)))
    assert (href.path, parse_qs(href.query)) == ("/search", {"q": [searched]})
    assert "chính tả" not in page and "Thử gõ không dấu" not in page  # no tip that finds nothing either


@pytest.mark.parametrize("q", ["!!!", "😀", '"', "…"])
def test_a_query_without_letters_or_digits_asks_for_some(client, q):
    page = html(client.get("/search", query_string={"q": q}))
    assert "Từ khóa không có chữ hay số nào để tìm" in page
    assert "chính tả" not in page and "có dấu đầy đủ" not in page


def test_a_one_word_query_no_article_holds_is_named_in_the_notice(client):
    page = " ".join(html(client.get("/search?q=99-NQ/TW")).split())  # the seed holds 28-NQ/TW: its pieces
    assert "Có dưới 10 bài chứa «99-NQ/TW»; đang hiện cả bài chứa một phần của từ khóa." in page
    assert "đủ các từ" not in page and "một trong các từ" not in page


def test_total_is_zero_when_no_article_is_in_the_date_range(client):
    data = client.get("/api/search?q=bão&from=1990-01-01&to=1990-12-31").get_json()
    assert (data["total"], data["hits"]) == (0, [])


@pytest.mark.parametrize("path", ["/search", "/search?q=", "/search?q=+++&sort=newest"])
def test_empty_query_shows_form(client, path):
    r = client.get(path)
    assert r.status_code == 200 and 'id="q"' in html(r) and "kết quả" not in html(r)


# ---------------------------------------------------------------- bad input

BAD_INPUTS = [
    ("q=" + "a" * 501, "quá dài"),
    ("q=bão&page=0", "Số trang"), ("q=bão&page=-1", "Số trang"), ("q=bão&page=abc", "Số trang"),
    ("q=bão&page=1.5", "Số trang"), ("q=bão&page=1001", "Số trang"), ("q=bão&page=%EF%BC%92", "Số trang"),
    ("q=bão&from=2024-13-01", "Từ ngày"), ("q=bão&from=31/02/2024", "Từ ngày"),
    ("q=bão&to=2024-02-30", "Đến ngày"), ("q=bão&to=20240101", "Đến ngày"),
    ("q=bão&from=2024-05-01&to=2024-04-01", "Khoảng ngày"),
    ("q=bão&sort=oldest", "sắp xếp"),
]
NO_LETTERS = [("q=%F0%9F%8C%80", "🌀"), ("q=!!!", "!!!"), ("q=%E2%86%92+%E2%98%85", "→ ★")]  # nothing to search


@pytest.mark.parametrize("query, message", BAD_INPUTS)
def test_bad_input_is_a_vietnamese_400_page(client, query, message):
    r = client.get("/search?" + query)
    assert r.status_code == 400, query
    assert message in html(r) and "Yêu cầu không hợp lệ" in html(r)
    assert r.mimetype == "text/html"


@pytest.mark.parametrize("query, typed", NO_LETTERS)
def test_a_query_without_letters_or_digits_is_a_400_search_page_saying_so(client, query, typed):
    r = client.get("/search?" + query)
    page = html(r)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert 'class="notice query-notice" role="alert">Từ khóa không có chữ hay số nào để tìm: hãy nhập ít nhất một từ.' in page
    assert f'value="{typed}"' in page and "Lỗi 400" not in page and "Yêu cầu không hợp lệ" not in page


@pytest.mark.parametrize("query, message", BAD_INPUTS + [(query, "không có chữ hay số") for query, _ in NO_LETTERS] + [
    ("q=", "q"), ("", "q"), ("q=bão&per_page=0", "per_page"), ("q=bão&per_page=51", "per_page"),
    ("q=bão&per_page=x", "per_page"),
])
def test_bad_input_is_json_400_in_api(client, query, message):
    r = client.get("/api/search?" + query)
    assert r.status_code == 400, query
    assert r.is_json and message in r.get_json()["message"]


def test_a_query_without_letters_or_digits_keeps_the_form_with_it_and_letters_beside_emoji_search(client):
    r = client.get("/search?q=%F0%9F%8C%80")
    assert r.status_code == 400 and 'id="q"' in html(r) and 'value="🌀"' in html(r)
    assert "Không tìm thấy" not in html(r)
    found = client.get("/api/search?q=%F0%9F%8C%80+b%C3%A3o").get_json()  # 🌀 bão
    assert found["hits"] == client.get("/api/search?q=b%C3%A3o").get_json()["hits"] != []


NOT_UTF8 = ["q=%ED%A0%80", "q=b%C3%A3o&source=%FF", "q=ok%C3&to=2023-06-01", "q=b%C3%A3o&page=%E1%BB"]


@pytest.mark.parametrize("query", NOT_UTF8)
def test_a_query_string_not_utf8_is_a_vietnamese_400_page_with_the_form_of_what_can_be_read(client, query):
    r = client.get("/search?" + query)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "không phải văn bản UTF-8" in html(r) and "%" not in search_form(html(r))  # no escape searched or shown
    readable = {"q=%ED%A0%80": 'value=""', "q=b%C3%A3o&source=%FF": 'value="bão"', "q=ok%C3&to=2023-06-01": 'value="ok"'}
    assert readable.get(query, 'value="bão"') in search_form(html(r))
    if "to=" in query:
        assert 'name="to" type="date" value="2023-06-01"' in search_form(html(r))


@pytest.mark.parametrize("path", ["/api/search?q=%ED%A0%80", "/api/suggest?q=b%C3", "/api/search?q=b%C3%A3o&sort=%FF"])
def test_a_query_string_not_utf8_is_json_400_in_api(client, path):
    r = client.get(path)
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["status"] == "error" and "UTF-8" in r.get_json()["message"]


def test_long_query_at_limit_is_fine(client):
    assert client.get("/search?q=" + "bão " * 125).status_code == 200


def test_query_error_from_core_is_400(app, client, monkeypatch):
    import indexer

    def refuse(*args, **kwargs):
        raise indexer.QueryError("unusable query", vi="Truy vấn không dùng được")

    client.get("/healthz")
    monkeypatch.setattr(app.extensions["search_index"], "search", refuse)
    r = client.get("/search?q=bão")
    assert r.status_code == 400 and "Truy vấn không dùng được" in html(r) and "unusable" not in html(r)
    r = client.get("/api/search?q=bão")
    assert r.status_code == 400 and r.get_json()["message"] == "Truy vấn không dùng được"


@pytest.fixture(scope="module")
def origin_client(tmp_path_factory):
    """A client on an index of one dated article with a source and one undated with only a URL."""
    import indexer

    folder = tmp_path_factory.mktemp("origin")
    source = write_jsonl(folder / "a.jsonl", [
        {"id": "co-nguon", "title": "Mưa lớn ở Huế", "body": "Mưa lớn kéo dài ở Huế.",
         "date": "2023-09-01T07:00:00", "source": "Báo Mẫu", "url": "https://baomau.vn/mua-hue"},
        {"id": "chi-url", "title": "Mưa lớn ở Quảng Nam", "body": "Mưa lớn gây ngập ở Quảng Nam.",
         "url": "https://www.tinmau.vn/thoi-tiet/mua-quang-nam.html"}])
    indexer.build_index([str(source)], str(folder / "idx"), procs=1)
    app = make_app(str(folder / "idx"))
    yield app.test_client()
    close_index(app)


def test_results_show_the_source_or_else_the_site_of_the_url(origin_client):
    metas = re.findall(r'<p class="meta">(.*?)</p>', html(origin_client.get("/search?q=mưa lớn")), re.S)
    assert len(metas) == 2
    assert any('<span class="source">Báo Mẫu</span>' in m and "baomau.vn" not in m for m in metas)
    assert any('<span class="source">tinmau.vn</span>' in m for m in metas)


@pytest.mark.parametrize("doc_id, where", [("co-nguon", "Báo Mẫu"), ("chi-url", "tinmau.vn")])
def test_the_article_page_shows_the_source_or_else_the_site_of_the_url(origin_client, doc_id, where):
    page = html(origin_client.get("/article/" + doc_id))
    assert re.search(r'<p class="meta">.*?</p>', page, re.S).group(0).count(f'<span class="source">{where}</span>') == 1
    assert re.search(r"Xem bài gốc\s+trên " + re.escape(where) + "</a>", page)


@pytest.mark.parametrize("query, note", [
    ("q=mưa lớn&sort=newest", "1 bài phù hợp không có ngày đăng nên được xếp cuối."),
    ("q=mưa lớn&from=2023-01-01", "1 bài phù hợp không có ngày đăng nên không có trong khoảng ngày đã chọn."),
    ("q=mưa lớn&from=2024-01-01", "1 bài phù hợp không có ngày đăng nên không có trong khoảng ngày đã chọn."),
    ("q=mưa lớn&month=2023-09", "1 bài phù hợp không có ngày đăng nên không có trong tháng đã chọn."),
    ("q=mưa lớn&month=2023-09&to=2023-12-31",
     "1 bài phù hợp không có ngày đăng nên không có trong khoảng ngày và tháng đã chọn."),
    ("q=mưa lớn", None),
])
def test_undated_articles_are_mentioned_when_newest_first_or_dates_leave_them_out(origin_client, query, note):
    page = html(origin_client.get("/search?" + query))
    notes = re.findall(r'<p class="notice undated">(.*?)</p>', page)
    assert notes == ([note] if note else [])
    api = origin_client.get("/api/search?" + query).get_json()
    assert api["undated"] == (1 if note else 0)


@pytest.mark.parametrize("q", ["\x00", "AND", "OR NOT", "\"", "((((", "*", "tin:*", "title:bão",
                               "<script>", "😀", "a" * 500, "%", "\\", "bão^3", "[a TO z]"])
def test_odd_queries_never_fail(client, q):
    for path in ("/search", "/api/search"):
        r = client.get(path, query_string={"q": q})
        assert r.status_code in (200, 400), (path, q)
        assert "Traceback" not in html(r)


@pytest.mark.parametrize("q", ["<b>bão</b> số 3", "<i>Bão</i><br/>số&nbsp;3", "&lt;b&gt;bão&lt;/b&gt; số 3",
                               '<span class="x">bão số</span> 3'])
def test_markup_pasted_into_a_query_is_searched_as_its_text(client, q):
    plain = client.get("/api/search", query_string={"q": "bão số 3"}).get_json()
    pasted = client.get("/api/search", query_string={"q": q}).get_json()
    assert [h["id"] for h in pasted["hits"]] == [h["id"] for h in plain["hits"]]
    lowered = lambda words: [w.lower() for w in words]  # named as typed: "Bão" of <i>Bão</i>
    assert (pasted["total"], lowered(pasted["dropped"])) == (plain["total"], lowered(plain["dropped"]))
    assert pasted["hits"][0]["snippet"] == plain["hits"][0]["snippet"] and pasted["query"] == q


def test_markup_in_a_query_is_shown_escaped(client):
    page = html(client.get("/search", query_string={"q": "<b>bão</b><script>alert(1)</script>"}))
    assert "<script>alert" not in page and "<b>bão" not in page
    assert "&lt;b&gt;bão&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------- article page

def test_article_highlights_query_and_keeps_paragraphs(client):
    r = client.get(f"/article/{SEED_ID}?q=nghi+quyet")
    page = html(r)
    assert r.status_code == 200
    assert re.search(r"<h1>.*<mark>.*</h1>", page, re.S)
    paragraphs = re.findall(r"<p>(.*?)</p>", page, re.S)
    assert len(paragraphs) >= 4 and sum("<mark>" in p for p in paragraphs) >= 2
    assert 'href="/search?q=nghi+quyet"' in page and "Quay lại kết quả" in page


def test_article_without_query_has_no_marks(client):
    page = html(client.get(f"/article/{SEED_ID}"))
    assert "<mark>" not in page and "Về trang tìm kiếm" in page


def test_article_with_slash_in_id(client):
    r = client.get(f"/article/{SLASH_ID}?q=cầu")
    page = html(r)
    assert r.status_code == 200
    assert "Khánh thành cầu vượt sông Hàn" in re.sub(r"</?mark>", "", page)
    assert "20/05/2024 09:15" in page and "Trần Thị Mai" in page and "Báo Đà Nẵng" in page
    assert 'href="https://example.vn/thoi-su/cau-song-han.html"' in page
    assert "Cây cầu dài 1,2 km" in re.sub(r"</?mark>", "", page)


def test_results_link_opens_article_with_odd_id(client):
    links = article_links(client.get("/search?q=giá xăng"))
    odd = [link for link in links if "tin%20nhanh" in link]
    assert odd and "#" not in odd[0] and "%3F" in odd[0] and "%23a?q=" in odd[0]
    r = client.get(odd[0])
    assert r.status_code == 200 and "Giá xăng" in re.sub(r"</?mark>", "", html(r))


def test_results_link_to_article_keeps_search_for_way_back(client):
    links = article_links(client.get("/search?q=bão&page=2&sort=newest"))
    assert links and all("q=b%C3%A3o" in link and "page=2" in link for link in links)
    page = html(client.get(links[0].replace("&amp;", "&")))
    assert 'href="/search?q=b%C3%A3o&amp;page=2&amp;sort=newest"' in page


def test_related_articles_keep_the_search_for_the_way_back(client):
    page = html(client.get("/article/thoi-tiet/bao-so-1?q=bão&page=2&sort=newest"))
    related = re.findall(r'<li><a href="([^"]+)"', page.split('<aside class="related">')[1])
    assert related and all(link.endswith("?q=b%C3%A3o&amp;page=2&amp;sort=newest") for link in related)
    opened = html(client.get(unescape(related[0])))
    assert 'href="/search?q=b%C3%A3o&amp;page=2&amp;sort=newest">« Quay lại kết quả tìm kiếm' in opened
    alone = html(client.get("/article/thoi-tiet/bao-so-1"))
    assert re.findall(r'<li><a href="([^"?]+)"', alone.split('<aside class="related">')[1])  # no search to keep


@pytest.mark.parametrize("query", ["q=bão", "q=bão&page=2", "q=bão&page=50", "q=-bão",
                                   "q=bão&from=1990-01-01&to=1990-12-31"])
def test_every_results_page_has_one_top_heading_naming_the_search(client, query):
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html(client.get("/search?" + query)), re.S)
    assert len(headings) == 1 and re.search("«-?bão»", headings[0])


def test_result_page_links_are_those_url_for_builds(app, client):
    args = {"q": "giá xăng", "sort": "newest", "exact": "1", "group": "false"}
    found = set(re.findall(r'href="([^"]+)"', html(client.get("/search", query_string=args))))
    filtered = html(client.get("/search", query_string={**args, "source": ["a&b=c", "Tin nhanh"]}))
    with app.test_request_context():
        article = url_for("search.article", doc_id=ODD_ID, **args)
        unfiltered = url_for("search.search", **args, source=["Tin nhanh"])
    assert article.replace("&", "&amp;") in found
    assert f'href="{unfiltered.replace("&", "&amp;")}"' in filtered


DOT_IDS = ["a/../../etc", "../b", "c/..", "d/./e"]


def test_article_links_of_ids_with_dot_segments_reach_them_as_a_browser_resolves_them(tmp_path_factory):
    """A browser resolves . and .. segments (a/../../etc: /etc), %2E too: such an id's slashes are
    percent-encoded, one segment, which the server reads back as the id."""
    articles = [{"id": doc_id, "title": f"Bão số {n}", "body": "Bão lớn ven biển."} for n, doc_id in enumerate(DOT_IDS)]
    app = make_app(str(index_of(tmp_path_factory, "dots", articles)))
    client = app.test_client()
    page = html(client.get("/search?q=bão"))
    links = [unescape(link) for link in re.findall(r'<h2><a href="([^"]+)"', page)]
    assert len(links) == len(DOT_IDS)
    for link in links:
        path = urlsplit(urljoin("http://example.vn/search?q=b%C3%A3o", link)).path  # resolved as a browser does
        article = client.get(path + "?q=bão")
        api = client.get("/api" + path).get_json()
        assert article.status_code == 200 and api["id"] in DOT_IDS, link
        assert f"Bão</mark> số {DOT_IDS.index(api['id'])}" in html(article)
        assert client.get("/api/related" + path.removeprefix("/article")).get_json()["id"] == api["id"]
    with app.test_request_context():
        assert url_for("search.article", doc_id="a/../../etc") == "/article/a%2F..%2F..%2Fetc"
        assert url_for("search.article", doc_id="tin/a..b/.c") == "/article/tin/a..b/.c"  # no dot segment
    close_index(app)


def test_links_follow_the_mount_point_of_each_request(client):
    """The links every page shares are remembered per app, so per mount point (SCRIPT_NAME)."""
    for root in ("", "/tim", ""):
        page = html(client.get("/search?q=bão&page=2", environ_overrides={"SCRIPT_NAME": root}))
        links = re.findall(r'(?:href|src|action|data-suggest)="([^"#][^"]*)"', page)
        assert {f"{root}/static/style.css", f"{root}/search", f"{root}/api/suggest", f"{root}/"} <= set(links)
        assert all(link.startswith(f"{root}/") for link in links), links
        assert any(link.startswith(f"{root}/article/") for link in links)


@pytest.mark.parametrize("path", [
    "/article/khong-ton-tai", "/article/../../etc/passwd", "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/article/..%2F..%2Fsearch_app%2Fviews.py", "/article/%2e%2e/%2e%2e/pyproject.toml",
    "/static/../../etc/passwd", "/static/%2e%2e/views.py", "/static/..%2f__init__.py",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/khong-co-trang-nay",
])
def test_unknown_and_traversal_paths_are_vietnamese_404(client, path):
    r = client.get(path)
    page = html(r)
    assert r.status_code == 404
    assert "Không tìm thấy" in page
    assert "root:" not in page and "import" not in page and "[project]" not in page


def test_xss_article_is_escaped_in_results_and_article(client):
    results = html(client.get("/search?q=mã độc"))
    assert f"/article/{XSS_ID}" in results
    article = html(client.get(f"/article/{XSS_ID}?q=mã+độc"))
    for page in (results, article):
        assert "<script>alert" not in page and "<img src=x" not in page and "<b onmouseover" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "javascript:" not in page
    assert "Xem bài gốc" not in article


# ---------------------------------------------------------------- API and health

def test_api_search_json_shape(client, built_index):
    r = client.get("/api/search?q=nghị quyết&per_page=5")
    data = r.get_json()
    assert r.status_code == 200 and r.is_json
    assert set(data) == {"query", "total", "page", "per_page", "took_ms", "undated", "suggestion", "rewritten",
                         "dropped", "kept", "copies", "facets", "facet_missing", "hits"}
    assert data["query"] == "nghị quyết" and data["page"] == 1 and data["per_page"] == 5
    assert data["total"] >= 1 and isinstance(data["took_ms"], (int, float))
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "title_html", "date", "url", "source", "site", "category", "author",
                        "snippet", "score", "duplicates"}
    assert hit["id"] == SEED_ID and hit["date"].startswith("2019-11-17T10:39")
    assert "<mark>" in hit["snippet"] and isinstance(hit["score"], (int, float))
    assert "nghị quyết" in r.get_data(as_text=True)  # UTF-8, not \u escapes


def test_api_paging_and_null_dates(client):
    page1 = client.get("/api/search?q=bão&per_page=5").get_json()
    page3 = client.get("/api/search?q=bão&per_page=5&page=3").get_json()
    assert len(page1["hits"]) == 5 and page3["page"] == 3
    assert not {h["id"] for h in page1["hits"]} & {h["id"] for h in page3["hits"]}
    odd = client.get("/api/search", query_string={"q": "xăng"}).get_json()["hits"]
    assert any(h["id"] == ODD_ID and h["date"] is None for h in odd)


def test_api_article_gives_the_whole_article_as_json(client):
    r = client.get(f"/api/article/{SLASH_ID}")
    data = r.get_json()
    assert r.status_code == 200 and set(data) == {"id", "title", "lead", "body", "date", "url", "source", "site",
                                                  "category", "author", "copies"}
    written = next(a for a in other_articles() if a["id"] == SLASH_ID)
    assert (data["id"], data["title"], data["lead"], data["body"]) == (SLASH_ID, written["title"], written["lead"],
                                                                       written["body"])
    assert client.get("/api/article/khong-co-bai-nay").status_code == 404


def test_too_long_completion_prefix_is_a_400_in_vietnamese_only(client):
    r = client.get("/api/suggest", query_string={"q": "a" * 201})
    assert r.status_code == 400 and r.get_json()["message"] == "Từ khóa quá dài (tối đa 200 ký tự)."


def test_healthz_counts_articles(client, built_index):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "articles": built_index.report.indexed, "pid": os.getpid()}
    assert built_index.report.indexed == STORMS + 3 + 1


def test_missing_index_is_503(missing_client):
    r = missing_client.get("/healthz")
    assert r.status_code == 503 and r.is_json and r.get_json()["status"] != "ok"
    r = missing_client.get("/search?q=bão")
    assert r.status_code == 503 and "python -m indexer build" in html(r)
    r = missing_client.get("/api/search?q=bão")
    assert r.status_code == 503 and "python -m indexer build" in r.get_json()["message"]
    assert missing_client.get("/article/x").status_code == 503
    assert missing_client.get("/").status_code == 200


def no_index_cases(tmp_path) -> dict:
    """Folders with no index to open, by the core's decision: none there, empty, a file, a garbled CURRENT."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "tin.jsonl").write_text("{}\n", "utf-8")
    (tmp_path / "garbled").mkdir()
    (tmp_path / "garbled" / "CURRENT").write_bytes(b"\xff\xfe\x00")
    return {"none": tmp_path / "none", "empty": tmp_path / "empty", "file": tmp_path / "tin.jsonl",
            "garbled": tmp_path / "garbled"}


def test_the_core_decides_why_a_folder_holds_no_index(tmp_path):
    import indexer

    kinds = {}
    for case, folder in no_index_cases(tmp_path).items():
        with pytest.raises(indexer.IndexNotFound) as missing:
            indexer.open_index(folder)
        kinds[case] = missing.value.why.kind
    assert kinds == {"none": "none", "empty": "none", "file": "file", "garbled": "unreadable"}


def test_the_launcher_and_the_503_page_word_the_cores_decision(tmp_path, capsys):
    from search_app import __main__ as cli

    said = {"none": "chưa có chỉ mục ở", "empty": "chưa có chỉ mục ở", "garbled": "không đọc được (hỏng",
            "file": "là một tệp, không phải thư mục chỉ mục"}
    for case, folder in no_index_cases(tmp_path).items():
        assert cli.check_index(str(folder)) is None
        assert said[case] in capsys.readouterr().err, case
        message = make_app(str(folder)).test_client().get("/api/search?q=bão").get_json()["message"]
        assert said[case] in message.lower() and message.endswith("sau đó tải lại trang."), (case, message)


def test_app_serves_a_rebuilt_index(tmp_path):
    import indexer

    source = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "Một", "body": "Bài đầu tiên"}])
    indexer.build_index([str(source)], str(tmp_path / "idx"))
    app = make_app(str(tmp_path / "idx"))
    client = app.test_client()
    assert client.get("/healthz").get_json()["articles"] == 1
    write_jsonl(source, [{"id": "a", "title": "Một", "body": "Bài đầu tiên"},
                         {"id": "b", "title": "Hai", "body": "Bài thứ hai"}])
    indexer.build_index([str(source)], str(tmp_path / "idx"))
    time.sleep(1.2)
    assert client.get("/healthz").get_json()["articles"] == 2
    close_index(app)


# ---------------------------------------------------------------- errors

def test_wrong_method_is_vietnamese_405(client):
    r = client.post("/search?q=bão")
    assert r.status_code == 405 and "Phương thức không được hỗ trợ" in html(r)
    assert "GET" in r.headers["Allow"]
    r = client.delete("/api/search?q=bão")
    assert r.status_code == 405 and r.is_json


def test_unexpected_error_is_vietnamese_500_without_traceback(built_index, monkeypatch):
    app = make_app(built_index.dir, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    client.get("/healthz")

    def crash(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(app.extensions["search_index"], "search", crash)
    r = client.get("/search?q=bão")
    assert r.status_code == 500 and "Lỗi máy chủ" in html(r)
    assert "secret internal detail" not in html(r) and "Traceback" not in html(r)
    r = client.get("/api/search?q=bão")
    assert r.status_code == 500 and r.is_json and "secret" not in r.get_json()["message"]
    close_index(app)


# ---------------------------------------------------------------- command line

def test_main_builds_only_the_projects_own_index_from_seeds(tmp_path, monkeypatch, capsys):
    import indexer
    from search_app import __main__ as cli

    monkeypatch.setattr(cli, "DEFAULT_INDEX", tmp_path / "idx")
    assert cli.check_index(None) == str(tmp_path / "idx")
    assert str(SEEDS) in capsys.readouterr().out
    with indexer.open_index(str(tmp_path / "idx")) as index:
        assert index.get(SEED_ID) is not None
    cli.check_index(None)
    assert capsys.readouterr().out == ""
    assert cli.check_index(str(tmp_path / "other")) is None
    assert not (tmp_path / "other").exists()


def test_main_says_a_file_given_as_the_index_is_no_folder(tmp_path, capsys):
    from search_app import __main__ as cli

    (tmp_path / "tin.jsonl").write_text("{}\n", "utf-8")
    assert cli.check_index(str(tmp_path / "tin.jsonl")) is None
    said = capsys.readouterr().err
    assert "tin.jsonl là một tệp, không phải thư mục chỉ mục" in said and "indexer build" not in said


def test_main_refuses_replicas_without_a_cluster(capsys):
    from search_app.__main__ import parse_args

    with pytest.raises(SystemExit) as refused:
        parse_args(["--replicas", "2"])
    assert refused.value.code == 2 and "--replicas chỉ dùng với --cluster" in capsys.readouterr().err
    assert parse_args(["--replicas", "2", "--cluster", "tcp://127.0.0.1:8786"]).replicas == 2


def test_main_options():
    from search_app.__main__ import parse_args

    args = parse_args(["--index", "x", "--port", "9001"])
    assert (args.index, args.host, args.port) == ("x", "127.0.0.1", 9001)


def test_a_remembered_query_plan_answers_like_a_new_one(built_index):
    import indexer

    def answer(ix, query, options):
        results = ix.search(query, **options)
        return [(hit.doc_id, round(hit.score, 4), hit.snippet, hit.title_html) for hit in results], results.total

    asked = [("gia xang", {}), ("gia xang", {"exact": True}), ("giá xăng", {"sort": "newest"}),
             ("giá xăng", {"exact": True}), ("thành phố Hồ Chí Minh", {}), ("thành phố Hồ Chí Minh", {"exact": True})]
    with indexer.open_index(built_index.dir) as ix:
        remembered = [answer(ix, q, o) for q, o in asked + asked][len(asked):]
    fresh = []
    for q, o in asked:
        with indexer.open_index(built_index.dir) as ix:
            fresh.append(answer(ix, q, o))
    assert remembered == fresh and fresh[0] != fresh[1]
