"""Facets and filters (issue 14): counts by source, category and month over all matches, filters
on them in Python, the web page (lists, timeline), the JSON API and the command line."""

from __future__ import annotations

import json
import pickle
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import close_index, index_of, make_app, storm_articles, usage_error, write_jsonl
from test_duplicates import COPY, EDITED, FIRST, QUERY, RELIEF
from test_cli import run_cli

import indexer
from indexer import facets as facets_module


def more_storms() -> list[dict]:
    """Storm news from other outlets: one named by its URL only, one without a date."""
    def storm(n, **fields):
        return {"id": f"mien-trung/bao-{n}", "title": f"Bão số {n} gây mưa lớn ở miền Trung",
                "body": f"Hoàn lưu bão số {n} gây mưa lớn, nhiều tuyến đường ở miền Trung bị ngập.", **fields}
    return [storm(1, source="Tin Miền Trung", category="Xã hội", date="2023-01-20T10:00:00"),
            storm(2, source="Tin Miền Trung", category="Xã hội", date="2023-01-28T10:00:00"),
            storm(3, source="  Tin   Miền Trung ", date="2023-03-02T10:00:00"),
            storm(4, url="https://www.vnexpress.net/bao-4.html", category="Thời tiết", date="2023-03-09T10:00:00"),
            storm(5, source="Tin Miền Trung", category="Xã hội")]


# indexed once for this module (conftest's index_dir, index and index_client)
ARTICLES = storm_articles() + more_storms()


def counts(results, facet: str) -> dict[str, int]:
    return {item["value"]: item["count"] for item in results.facets[facet]}


def test_facets_read_late_are_those_of_the_search(index_dir):
    """Facets are counted when first read (most callers never read them): read after the index
    is closed, or after pickling, they are what the search found."""
    with indexer.open_index(index_dir) as index:
        late = index.search("bão", limit=3, category="Xã hội")
        pickled = pickle.loads(pickle.dumps(index.search("bão", limit=3)))
        at_once = index.search("bão", limit=3, category="Xã hội")
        expected = at_once.facets, at_once.facet_missing
    assert (late.facets, late.facet_missing) == expected
    assert counts(late, "category") == {"Thời tiết": 15, "Xã hội": 3} and late.total == 3
    assert counts(pickled, "source") == {"Báo Mẫu": 14, "Tin Miền Trung": 4, "vnexpress.net": 1}


def read_at_once(results, threads: int = 4) -> list[tuple[dict, dict]]:
    """(facets, facet_missing) as each of threads threads read them at the same moment (half
    of them facet_missing first)."""
    start = threading.Barrier(threads)

    def read(n: int) -> tuple[dict, dict]:
        start.wait()
        if n % 2:
            missing = results.facet_missing
            return results.facets, missing
        return results.facets, results.facet_missing
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(read, range(threads)))


def test_facets_are_counted_once_when_first_read_by_any_thread(index, monkeypatch):
    """The search does not count facets (most callers never read them); the first read does, once
    however many threads read at once, and every thread gets the search's counts."""
    calls, count = [], facets_module.FacetColumns.count
    monkeypatch.setattr(facets_module.FacetColumns, "count", lambda self, *a: calls.append(1) or count(self, *a))
    first = index.search("bão", limit=3, category="Xã hội")
    assert not calls
    expected = first.facets, first.facet_missing
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often, as under load
    try:
        for _ in range(20):
            results, counted = index.search("bão", limit=3, category="Xã hội"), len(calls)
            assert read_at_once(results) == [expected] * 4 and len(calls) == counted + 1
    finally:
        sys.setswitchinterval(interval)


def test_facets_count_every_match_not_only_the_page(index):
    results = index.search("bão", limit=3)
    assert results.total == 19 and len(results) == 3
    assert counts(results, "source") == {"Báo Mẫu": 14, "Tin Miền Trung": 4, "vnexpress.net": 1}
    assert counts(results, "category") == {"Thời tiết": 15, "Xã hội": 3}
    assert sum(counts(results, "month").values()) == 18 and counts(results, "month")["2023-01"] == 3
    assert results.facet_missing == {"source": 0, "category": 1, "month": 1}


def test_facet_values_are_sorted_by_count_then_value(index):
    for facet in ("source", "category", "month"):
        items = index.search("bão").facets[facet]
        assert [(-i["count"], i["value"]) for i in items] == sorted((-i["count"], i["value"]) for i in items)
        assert all(set(i) == {"value", "count"} and i["count"] > 0 for i in items)


def test_filters_any_value_within_a_facet_and_all_facets_together(index):
    one = index.search("bão", source="Tin Miền Trung", limit=50)
    assert one.total == 4 and {h.doc_id for h in one} == {f"mien-trung/bao-{n}" for n in (1, 2, 3, 5)}
    both = index.search("bão", source=["Tin Miền Trung", "vnexpress.net"], limit=50)
    assert both.total == 5
    narrowed = index.search("bão", source=["Tin Miền Trung", "vnexpress.net"], category="Xã hội", limit=50)
    assert {h.doc_id for h in narrowed} == {"mien-trung/bao-1", "mien-trung/bao-2", "mien-trung/bao-5"}
    dated = index.search("bão", source="Tin Miền Trung", month=["2023-01", "2023-03"], sort="newest")
    assert [h.doc_id for h in dated] == ["mien-trung/bao-3", "mien-trung/bao-2", "mien-trung/bao-1"]
    assert dated.undated == 1  # bao-5: no date, so left out by the month filter


def test_a_facet_counts_ignore_its_own_filter_but_apply_the_others(index):
    results = index.search("bão", source="Tin Miền Trung", category="Xã hội")
    assert results.total == 3
    assert counts(results, "source") == {"Tin Miền Trung": 3}  # filtered by Xã hội, which no other source has
    assert counts(results, "category") == {"Xã hội": 3}  # filtered by the source: its other article has none
    assert counts(index.search("bão", source="vnexpress.net"), "source") == counts(index.search("bão"), "source")
    assert counts(index.search("bão", category="Xã hội"), "category") == {"Thời tiết": 15, "Xã hội": 3}
    assert counts(index.search("bão", month="2023-03"), "month") == counts(index.search("bão"), "month")


def test_filters_work_with_pages_sort_and_date_range(index):
    pages = [index.search("bão", source="Báo Mẫu", sort="newest", limit=5, page=p) for p in (1, 2, 3)]
    ids = [h.doc_id for r in pages for h in r]
    assert len(ids) == len(set(ids)) == 14 and all(r.total == 14 for r in pages)
    assert [h.date for r in pages for h in r] == sorted((h.date for r in pages for h in r), reverse=True)
    ranged = index.search("bão", source="Báo Mẫu", date_from="2023-03-01", date_to="2023-05-31")
    assert {h.date.month for h in ranged} <= {3, 4, 5} and ranged.total == 5
    assert set(counts(ranged, "month")) <= {"2023-03", "2023-04", "2023-05"}


def test_a_value_no_article_has_finds_nothing(index):
    results = index.search("bão", source="Báo Không Có", month="1999-01")
    assert results.total == 0 and list(results) == []


@pytest.mark.parametrize("kwargs, english, vietnamese", [
    ({"month": "2023-13"}, "is not a month", "Tháng không hợp lệ"),
    ({"month": "2023-1"}, "is not a month", "YYYY-MM"),
    ({"source": ""}, "is not a value", "Nguồn không hợp lệ"),
    ({"category": "x" * 201}, "is not a value", "Chuyên mục không hợp lệ"),
    ({"source": [3]}, "is not a value", "Nguồn không hợp lệ"),
    ({"source": [f"s{n}" for n in range(21)]}, "at most 20", "tối đa 20"),
])
def test_bad_filters_are_query_errors_in_both_languages(index, kwargs, english, vietnamese):
    with pytest.raises(indexer.QueryError, match=english) as error:
        index.search("bão", **kwargs)
    assert vietnamese in error.value.vi


def test_facets_survive_an_update_and_a_merge(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", more_storms())
    indexer.build_index([source], tmp_path / "ix", procs=1)
    changed = more_storms()
    changed[0]["source"] = "Báo Mới"
    write_jsonl(tmp_path / "a.jsonl", changed)
    indexer.update_index([source], tmp_path / "ix")
    indexer.optimize_index(tmp_path / "ix")
    with indexer.open_index(tmp_path / "ix") as index:
        assert counts(index.search("bão"), "source") == {"Tin Miền Trung": 3, "Báo Mới": 1, "vnexpress.net": 1}


# ---------------------------------------------------------------- web page and JSON API

def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def links(html: str) -> dict[str, dict]:
    """text -> query arguments of the links in a piece of a page."""
    found = {}
    for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html):
        found[unescape(label).strip()] = parse_qs(urlsplit(unescape(href)).query)
    return found


def facet_section(html: str, name: str) -> str:
    return html[html.index(f'id="facet-{name}"'):].split("</nav>")[0]


def test_results_page_lists_facets_with_counts_and_filter_links(index_client):
    html = page(index_client, "/search?q=bão&sort=newest")
    sources = links(facet_section(html, "source"))
    assert sources["Báo Mẫu"] == {"q": ["bão"], "sort": ["newest"], "source": ["Báo Mẫu"]}
    assert list(sources) == ["Báo Mẫu", "Tin Miền Trung", "vnexpress.net"]
    assert re.search(r"Tin Miền Trung</a> <span class=\"count\">4</span>", facet_section(html, "source"))
    assert "1 bài không rõ chuyên mục" in facet_section(html, "category")
    assert "1 bài phù hợp không có ngày đăng nên không có trên biểu đồ" in html


def test_a_chosen_value_links_to_removing_it_and_others_add_to_it(index_client):
    html = page(index_client, "/search?q=bão&source=Tin+Miền+Trung&page=2")
    sources = links(facet_section(html, "source"))
    assert sources["Tin Miền Trung"] == {"q": ["bão"]}  # chosen: the link takes it away (and goes to page 1)
    assert sources["vnexpress.net"] == {"q": ["bão"], "source": ["Tin Miền Trung", "vnexpress.net"]}
    assert 'class="selected" aria-current="true">Tin Miền Trung' in html
    assert re.search(r'aria-label="Bỏ lọc nguồn Tin Miền Trung"', html)
    assert '<input type="hidden" name="source" value="Tin Miền Trung">' in html  # kept when the form changes the sort


def test_a_facet_of_one_value_is_left_out_unless_chosen(index_client, client):
    html = page(index_client, "/search?q=bão&category=Xã+hội")  # three matches, all from Tin Miền Trung
    assert "3 kết quả" in html and 'id="facet-source"' not in html
    assert links(facet_section(html, "category"))["Xã hội"] == {"q": ["bão"]}  # chosen: shown, removable
    chosen = page(index_client, "/search?q=bão&category=Xã+hội&source=Tin+Miền+Trung")
    assert links(facet_section(chosen, "source"))["Tin Miền Trung"] == {"q": ["bão"], "category": ["Xã hội"]}
    some_unknown = page(client, "/search?q=bão+số")  # Báo Mẫu 14, one article without a source
    assert "15 kết quả" in some_unknown and 'id="facet-source"' not in some_unknown


def test_a_value_typed_with_extra_spaces_is_the_same_value(index_client):
    html = page(index_client, "/search?q=bão&source=+Tin++Miền+Trung+")
    assert "4 kết quả" in html and links(facet_section(html, "source"))["Tin Miền Trung"] == {"q": ["bão"]}


def test_filters_in_the_url_narrow_the_results(index_client):
    html = page(index_client, "/search?q=bão&source=Tin+Miền+Trung&source=vnexpress.net&category=Xã+hội")
    assert "3 kết quả" in html and html.count('class="result"') == 3


def test_the_timeline_is_an_accessible_svg_whose_bars_filter_by_month(index_client):
    html = page(index_client, "/search?q=bão")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="group"' in svg and 'aria-labelledby="timeline-title"' in svg and "<title>" in svg
    assert re.search(r'<desc id="timeline-desc">1/2023: 3 bài; 2/2023: 1 bài; 3/2023: 4 bài', svg)
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)"\s+aria-label="([^"]+)"', svg)
    assert len(bars) == 10 and "<script" not in svg  # January to October 2023
    href, label = bars[0]
    assert label == "1/2023: 3 bài" and parse_qs(urlsplit(unescape(href)).query) == {"q": ["bão"], "month": ["2023-01"]}
    filtered = page(index_client, unescape(href))
    assert "3 kết quả" in filtered and 'class="bar selected"' in filtered


def test_the_timeline_is_left_out_when_no_match_has_a_date(index_client):
    html = page(index_client, "/search?q=bão&source=Tin+Miền+Trung&category=Xã+hội&month=2023-05")
    undated = page(index_client, '/search?q="bão+số+5"&category=Xã+hội')
    assert "1 kết quả" in undated and "<svg" not in undated
    assert "Bỏ bộ lọc nguồn, chuyên mục và tháng" in html  # nothing found: offer to drop the filters


def test_a_long_span_has_one_bar_a_year_linking_to_that_year(tmp_path):
    years = [{"id": f"y{y}", "title": f"Bão năm {y}", "body": "Bão lớn.", "date": f"{y}-06-01T08:00:00"}
             for y in (2001, 2010, 2020)]
    indexer.build_index([write_jsonl(tmp_path / "y.jsonl", years)], tmp_path / "ix", procs=1)
    app = make_app(str(tmp_path / "ix"))
    html = page(app.test_client(), "/search?q=bão")
    close_index(app)
    bars = re.findall(r'<a class="bar" href="([^"]+)"\s+aria-label="([^"]+)"', html)
    assert [label for _, label in bars] == ["2001: 1 bài", "2010: 1 bài", "2020: 1 bài"]
    assert parse_qs(urlsplit(unescape(bars[1][0])).query) == {"q": ["bão"], "from": ["2010-01-01"], "to": ["2010-12-31"]}


def test_a_century_apart_has_a_bar_a_decade_and_placeholder_dates_none(tmp_path):
    """An exporter's placeholder dates (Go's zero time 0001-01-01, 9999-12-31) are undated (a bar a
    year had drawn 9,999 bars, a page of 215 kB); real ones over 120 years apart have a bar a decade."""
    days = ["0001-01-01T00:00:00Z", "1900-05-07", "2025-06-01", "9999-12-31"]
    dated = [{"id": f"d{n}", "title": f"Bão số {n}", "body": "Bão lớn.", "date": day} for n, day in enumerate(days)]
    indexer.build_index([write_jsonl(tmp_path / "d.jsonl", dated)], tmp_path / "ix", procs=1)
    app = make_app(str(tmp_path / "ix"))
    html = page(app.test_client(), "/search?q=bão")
    close_index(app)
    bars = re.findall(r'<a class="bar" href="([^"]+)"\s+aria-label="([^"]+)"', html)
    assert [label for _, label in bars] == ["1900–1909: 1 bài", "2020–2029: 1 bài"]
    assert "Số bài theo năm" in html and len(html) < 50_000
    assert parse_qs(urlsplit(unescape(bars[0][0])).query) == {"q": ["bão"], "from": ["1900-01-01"], "to": ["1909-12-31"]}


def test_api_gives_facets_and_takes_filters(index_client):
    data = index_client.get("/api/search?q=bão&source=Tin+Miền+Trung&month=2023-01&per_page=1").get_json()
    assert data["total"] == 2 and len(data["hits"]) == 1
    assert data["facets"]["source"] == [{"value": "Tin Miền Trung", "count": 2}, {"value": "Báo Mẫu", "count": 1}]
    assert data["facets"]["month"][0] == {"value": "2023-01", "count": 2}
    assert set(data["facet_missing"]) == {"source", "category", "month"}


@pytest.mark.parametrize("url, message", [
    ("/api/search?q=bão&month=2023-5", "Tháng không hợp lệ"),
    ("/api/search?q=bão&source=" + "x" * 201, "Nguồn không hợp lệ"),
])
def test_bad_filters_are_400_in_vietnamese(index_client, url, message):
    for path in (url, url.replace("/api/search", "/search")):
        response = index_client.get(path)
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_article_link_keeps_the_filters_for_the_way_back(index_client):
    html = page(index_client, "/search?q=bão&source=vnexpress.net")
    article = unescape(re.search(r'<h2><a href="(/article/[^"]+)"', html).group(1))
    back = re.search(r'href="([^"]+)"[^>]*>[^<]*Quay lại', page(index_client, article)).group(1)
    assert parse_qs(urlsplit(unescape(back)).query) == {"q": ["bão"], "source": ["vnexpress.net"]}


# ---------------------------------------------------------------- command line

def test_cli_filters_and_prints_facets(index_dir):
    done = run_cli("search", "bão", "--index", index_dir, "--source", "Tin Miền Trung", "--source",
                   "vnexpress.net", "--month", "2023-03", "--facets")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 results")
    assert "by source: Báo Mẫu (2), Tin Miền Trung (1), vnexpress.net (1)" in done.stdout
    assert "by month: 2023-01 (2), 2023-03 (2)" in done.stdout
    assert "1 matching article has no date and is left out by the months chosen" in done.stdout  # --month only


def test_cli_json_has_the_facets(index_dir):
    done = run_cli("search", "bão", "--index", index_dir, "--category", "Xã hội", "--json")
    data = json.loads(done.stdout)
    assert data["total"] == 3 and data["facets"]["category"][0] == {"value": "Thời tiết", "count": 15}
    assert data["facet_missing"] == {"source": 0, "category": 1, "month": 1}


def test_cli_bad_month_is_a_usage_error(index_dir):
    done = run_cli("search", "bão", "--index", index_dir, "--month", "2023-13")
    assert "is not a month" in usage_error(done, "search")


def limit_items(html: str) -> list[tuple[str, dict, str]]:
    """(what the item names, its link's query arguments, the count it says) of the no-results list of limits."""
    section = html[html.index('class="limits"'):].split("</ul>")[0] if 'class="limits"' in html else ""
    return [(" ".join(what.split()), parse_qs(urlsplit(unescape(href)).query), count)
            for what, href, count in re.findall(r'<li>([^<]+?) · <a href="([^"]+)"[^>]*>bỏ bộ lọc này</a>'
                                                r'(?: \(tìm được (?:ít nhất )?([0-9.]+) bài\))?</li>', section)]


def test_nothing_found_lists_each_filter_and_the_date_range_with_a_link_removing_only_it(index_client):
    search = {"q": ["bão"], "source": ["Báo Mẫu", "vnexpress.net"], "category": ["Xã hội"],
              "from": ["2023-01-01"], "to": ["2023-03-31"]}
    html = page(index_client, "/search?q=bão&source=Báo+Mẫu&source=vnexpress.net&category=Xã+hội"
                              "&from=2023-01-01&to=2023-03-31")
    assert "Không tìm thấy kết quả" in html
    items = limit_items(html)
    assert [what for what, _, _ in items] == ["Nguồn: Báo Mẫu", "Nguồn: vnexpress.net", "Chuyên mục: Xã hội",
                                              "Khoảng ngày: từ 01/01/2023 đến 31/03/2023"]
    removed = [{k: v for k, v in search.items() if args.get(k) != v} for _, args, _ in items]
    assert removed == [{"source": search["source"]}, {"source": search["source"]}, {"category": ["Xã hội"]},
                       {"from": ["2023-01-01"], "to": ["2023-03-31"]}]  # each link changes one limit only
    assert [args.get("source") for _, args, _ in items[:2]] == [["vnexpress.net"], ["Báo Mẫu"]]
    for _, args, count in items:  # the count said is what the link's search finds (empty: none)
        found = index_client.get("/api/search", query_string=args).get_json()
        assert count == (str(found["total"]) if found["total"] else "")
    assert [count for _, _, count in items] == ["", "", "5", ""]


def test_nothing_found_with_one_limit_offers_the_tips_alone(index_client):
    html = page(index_client, "/search?q=bão&source=Báo+Không+Có")
    assert "Không tìm thấy kết quả" in html and "Bỏ bộ lọc nguồn, chuyên mục và tháng" in html
    assert 'class="limits"' not in html
    month = page(index_client, "/search?q=bão&month=1990-01")  # the link drops every filter: it says so
    assert "tìm «bão» không lọc</a>" in month and "mọi nguồn" not in month


def test_python_callers_get_each_limit_of_a_search_that_found_nothing_as_data(index):
    from indexer.tips import Limit, removable_limits
    filters = {"source": ["Báo Mẫu", "vnexpress.net"], "category": ["Xã hội"]}
    found = index.search("bão", date_from="2023-01-01", date_to="2023-03-31", **filters)
    assert found.total == 0
    dates = {"date_from": "2023-01-01", "date_to": "2023-03-31"}
    assert removable_limits(index, found, "bão", filters, dates=dates) == [
        Limit("source", "Báo Mẫu", 0, True), Limit("source", "vnexpress.net", 0, True),
        Limit("category", "Xã hội", 5, True), Limit("dates", "", 0, True)]
    one = index.search("bão", source="Báo Không Có")
    assert removable_limits(index, one, "bão", {"source": ["Báo Không Có"]}) == []
    assert removable_limits(index, one, "bão", {"source": ["Báo Không Có"]}, {"date_from": None, "date_to": None}) == []


@pytest.mark.parametrize("dates", [True, {"dated": True}, {"date_from": "2023-01-01", "to": "2023-03-31"}])
def test_the_limits_take_the_date_range_as_the_search_got_it_and_nothing_else(index, dates):
    """removable_limits had taken dated=True beside dates: dated without dates counted the date
    range's removal but searched the filters' without the range."""
    from indexer.tips import removable_limits
    found = index.search("bão", date_from="2023-01-01", source="Báo Mẫu")
    with pytest.raises(TypeError, match="dates must be a dict of date_from and date_to"):
        removable_limits(index, found, "bão", {"source": ["Báo Mẫu"]}, dates)


# syndicated copies of one story in three sources (two in one), two categories and two months (one
# copy with none of them), beside an article of each source on the same flood
COPIES = [{**FIRST, "category": "Thời sự"}, {**COPY, "category": "Thời sự", "date": "2024-11-02T08:00:00"},
          {"id": "lu/khong-nguon", "title": "Lũ Nghệ An", "body": "\n".join(EDITED)},
          {**FIRST, "id": "lu/bao-mot-chieu", "category": "Thời sự", "date": "2024-10-15T08:00:00",
           "url": "https://baomot.vn/lu-nghe-an-chieu.html"},
          {**RELIEF, "category": "Xã hội"}, {"id": "lu/nha-moi", "title": "Dựng lại nhà cho dân vùng lũ Nghệ An",
                                          "source": "Báo Hai", "category": "Thời sự", "date": "2024-11-20T08:00:00",
                                          "body": "Bộ đội và thanh niên tình nguyện giúp các hộ dân bị lũ cuốn trôi nhà "
                                                  "ở Nghệ An dựng lại nhà trước mùa mưa rét."}]
FILTERS = [{}, {"source": "Báo Hai"}, {"category": "Thời sự"}, {"month": "2024-10"}, {"sort": "newest"}]


@pytest.fixture(scope="module")
def copies_dir(tmp_path_factory):
    return index_of(tmp_path_factory, "facet-copies", COPIES)


@pytest.fixture(scope="module")
def copies_index(copies_dir):
    with indexer.open_index(copies_dir) as opened:
        yield opened


@pytest.mark.parametrize("group", [True, False])
@pytest.mark.parametrize("filters", FILTERS)
def test_facet_counts_are_the_results_a_click_on_each_value_lists(copies_index, group, filters):
    for facet in ("source", "category", "month"):
        own = {k: v for k, v in filters.items() if k != facet}
        counted = {item["value"]: item["count"] for item in copies_index.search(QUERY, group=group, **own).facets[facet]}
        assert counted, facet
        for value, count in counted.items():
            assert copies_index.search(QUERY, group=group, **own, **{facet: value}).total == count, (facet, value)


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_filtering_by_a_source_lists_each_of_its_matching_articles_or_its_copy_of_that_source(copies_index, sort):
    for source in ("Báo Một", "Báo Hai", "Báo Ba"):
        articles = {h.doc_id for h in copies_index.search(QUERY, source=source, group=False, sort=sort)}
        found = copies_index.search(QUERY, source=source, sort=sort)
        assert {h.source for h in found} == {source}, (source, [h.doc_id for h in found])
        assert {i for h in found for i in [h.doc_id, *h.duplicates]} == articles, source


def test_a_story_carried_by_two_sources_counts_under_each_so_counts_may_add_up_to_more(copies_dir, copies_index):
    found = copies_index.search(QUERY)
    assert (found.total, found.copies) == (3, 3)  # the story's four copies are one result
    assert {item["value"]: item["count"] for item in found.facets["source"]} == {"Báo Một": 1, "Báo Hai": 2, "Báo Ba": 1}
    assert found.facet_missing["source"] == 1  # the story: one copy has no source
    app = make_app(copies_dir)
    try:
        data = app.test_client().get("/api/search", query_string={"q": QUERY}).get_json()
        html = page(app.test_client(), "/search?q=" + QUERY)
    finally:
        close_index(app)
    assert (data["total"], data["copies"], data["facets"]) == (found.total, found.copies, found.facets)
    assert "3 kết quả" in html and "3 bài trùng nội dung được gộp" in html
    for facet in ("source", "category"):
        for item in found.facets[facet]:
            assert f'{item["value"]}</a> <span class="count">{item["count"]}</span>' in facet_section(html, facet)


@pytest.mark.parametrize("filters, dates, counts", [
    ({"source": ["Báo Ba"], "category": ["Thời sự"]}, {}, [2, 1]),  # Thời sự: the story (Báo Một and Báo Hai), a new house
    ({"source": ["Báo Ba"]}, {"date_from": "2024-11-01", "date_to": "2024-11-30"}, [2, 1])])
def test_the_limits_of_a_search_that_found_nothing_count_the_results_their_removal_lists(copies_index, filters,
                                                                                          dates, counts):
    from indexer.tips import removable_limits
    found = copies_index.search(QUERY, **filters, **dates)
    assert found.total == 0
    limits = removable_limits(copies_index, found, QUERY, filters, dates)
    assert [limit.found for limit in limits] == counts
    for limit in limits[:1]:
        assert copies_index.search(QUERY, **{**filters, limit.facet: []}, **dates).total == limit.found


@pytest.mark.parametrize("limits", [{"source": ["Báo Không Có"]}, {"date_from": "2030-01-01"}])
def test_the_tip_of_a_search_that_found_nothing_counts_the_results_its_link_lists(copies_index, limits):
    from indexer.tips import search_tips
    assert copies_index.search(QUERY, **limits).total == 0
    [tip] = [t for t in search_tips(copies_index, QUERY, "date_from" in limits, "source" in limits) if t.kind == "unfiltered"]
    listed = copies_index.search(QUERY)
    assert listed.copies and f"có {listed.total} bài phù hợp" in tip.vi, tip.vi
