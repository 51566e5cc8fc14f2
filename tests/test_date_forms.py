"""Days written year first (2017/05/27) or in words (ngày 27 tháng 5 năm 2017, 27 tháng 05, 2017):
read as dates in JSONL exports, and as date bounds by the Python API, the command line's --from/--to
and the web app's from/to (one core function); a day written day first is read as Vietnamese papers
write it (05/06/2017: 5 June); impossible days are refused as before.

Through indexer.build_index, Index.search, the command line (a subprocess) and the Flask client, on
articles dated the day before, during and after 27 May 2017.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import usage_error, write_jsonl

import indexer

ROOT = Path(__file__).resolve().parent.parent
FORMS = ["2017/05/27", "ngày 27 tháng 5 năm 2017", "27 tháng 05, 2017", "27/05/2017", "27-05-2017", "2017-05-27"]
WHEN = {"before": "2017-05-26T23:30:00", "morning": "2017/05/27 08:15", "words": "ngày 27 tháng 5 năm 2017",
        "comma": "27 tháng 05, 2017", "evening": "Thứ Bảy, 27 tháng 5 năm 2017 22:40", "after": "2017/05/28 00:10"}
READ = {"before": datetime(2017, 5, 26, 23, 30), "morning": datetime(2017, 5, 27, 8, 15),
        "words": datetime(2017, 5, 27), "comma": datetime(2017, 5, 27), "evening": datetime(2017, 5, 27, 22, 40),
        "after": datetime(2017, 5, 28, 0, 10)}
ARTICLES = [{"id": name, "title": f"Mưa lớn ở tỉnh số {n}", "date": when,
             "body": f"Trận mưa lớn thứ {n} kéo dài {n + 2} giờ ở tỉnh số {n}, nước dâng {n * 7} cm."}
            for n, (name, when) in enumerate(WHEN.items(), 1)]
ON_THE_DAY = {"morning", "words", "comma", "evening"}
REFUSED = ["31/02/2017", "13/13/2017", "27/5/17", "2017/27/05"]  # impossible, or a year of two digits


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "indexer", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_a_day_written_year_first_or_in_words_is_the_articles_date(tmp_path):
    report = indexer.build_index([write_jsonl(tmp_path / "a.jsonl", ARTICLES)], tmp_path / "ix", procs=1)
    assert report.undated == []
    with indexer.open_index(tmp_path / "ix") as index:
        assert {name: index.get(name).date for name in WHEN} == READ


@pytest.mark.parametrize("day", FORMS)
def test_a_day_bounds_a_search_whole_however_it_is_written(index, day):
    found = index.search("mưa lớn", date_from=day, date_to=day, limit=50)
    assert {h.doc_id for h in found} == ON_THE_DAY, day


def test_a_day_written_day_first_is_read_as_vietnamese_papers_write_it(index):
    assert {h.doc_id for h in index.search("mưa lớn", date_to="01/06/2017", limit=50)} == set(WHEN)  # 1 June
    assert index.search("mưa lớn", date_from="01/06/2017", limit=50).total == 0  # not 6 January


@pytest.mark.parametrize("day", FORMS)
def test_the_command_line_reads_the_day_of_from_and_to_however_it_is_written(index_dir, day):
    done = run_cli("search", "mưa lớn", "--from", day, "--to", day, "--json", "--index", index_dir)
    assert done.returncode == 0, done.stderr
    assert {hit["id"] for hit in json.loads(done.stdout)["hits"]} == ON_THE_DAY


@pytest.mark.parametrize("day", REFUSED)
def test_the_command_line_refuses_an_impossible_day_saying_why(index_dir, day):
    done = run_cli("search", "mưa lớn", "--to", day, "--index", index_dir)
    assert f"--to: not a valid date: {day!r} (use YYYY-MM-DD, e.g. 2024-03-15)" in usage_error(done, "search")


@pytest.mark.parametrize("day", FORMS)
def test_the_web_apps_dates_are_read_however_they_are_written(index_client, day):
    body = index_client.get("/api/search", query_string={"q": "mưa lớn", "from": day, "to": day}).get_json()
    assert {hit["id"] for hit in body["hits"]} == ON_THE_DAY


@pytest.mark.parametrize("day", FORMS)
def test_the_form_gives_its_date_fields_the_day_however_the_url_wrote_it(index_client, day):
    """<input type=date> takes only YYYY-MM-DD: the form had been given from=27/05/2017 as written,
    which a browser shows as no date, so the next search from the form (a new sort, other words)
    dropped the date range."""
    page = index_client.get("/search", query_string={"q": "mưa lớn", "from": day, "to": day}).get_data(True)
    for field in ("from", "to"):
        assert f'<input id="{field}" name="{field}" type="date" value="2017-05-27">' in page, day


@pytest.mark.parametrize("day", REFUSED)
def test_the_web_app_and_the_python_api_refuse_an_impossible_day(index, index_client, day):
    r = index_client.get("/api/search", query_string={"q": "mưa lớn", "from": day})
    assert r.status_code == 400 and f"Từ ngày không hợp lệ: «{day}»" in r.get_json()["message"]
    with pytest.raises(indexer.QueryError, match=f"date_from: '{day}' is not a date"):
        index.search("mưa lớn", date_from=day)
