"""What to try when a search finds nothing: tips as data (what each offers, in English and
Vietnamese, with the query it offers to search instead), for the command line and the web app."""

from __future__ import annotations

from dataclasses import dataclass

from . import search as core
from .analysis import fold
from .facets import facet_filters
from .query import NOTHING_SEARCHABLE, SEARCHABLE_RE, QueryError, parse, said, unquoted


@dataclass(frozen=True)
class Tip:
    """One thing to try: kind names it (for a front end's links), en and vi say it, query is the
    query it offers to search instead (None: the same query)."""
    kind: str
    en: str
    vi: str
    query: str | None = None


@dataclass(frozen=True)
class Limit:
    """One limit of a search that found nothing: facet is a filter's facet (or DATES, the date
    range), value the filter's value ("" for the dates), found the articles the search finds
    without it, at_least whether found is a minimum (under a page: relaxing the words may add more)."""
    facet: str
    value: str
    found: int
    at_least: bool


DATES = "dates"  # the facet of the date range's Limit
DATE_BOUNDS = ("date_from", "date_to")  # the keys of a search's dates
NO_WORDS = Tip("no_words", *NOTHING_SEARCHABLE)
WORDING = (Tip("spelling", "check the spelling of the words", "Kiểm tra lại chính tả của từ khóa."),
           Tip("fewer_words", "use fewer or more general words", "Dùng ít từ hơn hoặc từ khóa chung chung hơn."),
           Tip("other_words", "try words of the same meaning, or another wording",
               "Thử từ đồng nghĩa hoặc cách diễn đạt khác."))
ACCENTS = Tip("accents", "type the accents in full (nghị quyết, not nghi quyet)",
              "Thử gõ có dấu đầy đủ (ví dụ «nghị quyết» thay vì «nghi quyet»).")


def has_words(query: str) -> bool:
    """Whether a query holds a letter or a digit (anything else finds nothing)."""
    return bool(SEARCHABLE_RE.search(query))


def excluded_words(query: str) -> str | None:
    """The words a query made only of exclusions leaves out, as a query that finds them
    ("-bão" -> "bão"), or None for a query with words to find."""
    try:
        parsed = parse(query)
    except QueryError:
        return None
    if parsed.free_text or parsed.required or not parsed.excluded:
        return None
    return " ".join(map(said, parsed.excluded))


def no_results_tips(query: str, dated: bool = False, filtered: bool = False, unfiltered: int = 0) -> list[Tip]:
    """What to try when query found nothing (dated: within a date range; filtered: by source,
    category or month; unfiltered: how many articles it finds without those)."""
    tips = _query_tips(query, unfiltered, _limits(dated, filtered))
    if dated:
        tips.append(Tip("undated", "search at any date (no date range)", "Bỏ bộ lọc ngày:"))
    if filtered:
        tips.append(Tip("unfiltered_sources", "search every source, category and month (no filters)",
                        "Bỏ bộ lọc nguồn, chuyên mục và tháng:"))
    if tips[0] == WORDING[0]:  # the words may be wrong: so may their accents
        tips.append(_accent_tip(query))
    return tips


def search_tips(index, query: str, dated: bool, filtered: bool, exact: bool = False, group: bool = True) -> list[Tip]:
    """no_results_tips for a search of index that found nothing, with how many articles the query
    finds there without its date range and filters (one search more) when it had some."""
    if not (dated or filtered):
        tips = unquoted_tips(index, query, exact, group) + no_results_tips(query, dated, filtered)
        # a tip offering a query that finds nothing would lead nowhere
        return [tip for tip in tips if tip.kind != "unaccented" or _results_found(index, tip.query, exact, group)]
    return no_results_tips(query, dated, filtered, _results_found(index, query, exact, group))


def _results_found(index, query: str, exact: bool, group: bool, **limits) -> int:
    """How many results query finds in index (within limits: filters, dates): what the search a tip
    or a limit links to lists (copies folded)."""
    return index.search(query, limit=1, exact=exact, group=group, **limits).total


def unquoted_tips(index, query: str, exact: bool = False, group: bool = True) -> list[Tip]:
    """The query without the quotes of its phrases, when it finds articles in index so (a phrase
    that no article holds word for word is what found nothing)."""
    plain = unquoted(query)
    count = _results_found(index, plain, exact, group) if plain else 0
    if not count:
        return []
    return [Tip("unquoted", f"without the quotes, {plain} finds {count:,} article{'' if count == 1 else 's'}",
                f"Bỏ dấu ngoặc kép, có {f'{count:,}'.replace(',', '.')} bài phù hợp:", plain)]


def what_to_try(index, results, query: str, filters: dict, dates: dict | None = None, exact: bool = False,
                group: bool = True) -> tuple[list[Tip], list[Limit]]:
    """(search_tips, removable_limits) of a search of index that found nothing (results), for every face."""
    tips = search_tips(index, query, bool(_date_range(dates)), any(filters.values()), exact, group)
    return tips, removable_limits(index, results, query, filters, dates, exact, group)


def _date_range(dates: dict | None) -> dict:
    """The bounds set in dates (a search's date_from and date_to; None: no bound), {} for no date range."""
    if dates is None:
        return {}
    if not isinstance(dates, dict) or not set(dates) <= set(DATE_BOUNDS):
        raise TypeError(f"dates must be a dict of {' and '.join(DATE_BOUNDS)} (or None), not {dates!r}")
    return {bound: value for bound, value in dates.items() if value is not None}


def removable_limits(index, results, query: str, filters: dict, dates: dict | None = None, exact: bool = False,
                     group: bool = True) -> list[Limit]:
    """Each limit (filter value, then the date range) of a search of index that found nothing
    (results), when it had two or more (one: the tips offer removing it), with what it finds without
    it (dates: the search's date_from and date_to, as _date_range reads them)."""
    filters, dates = facet_filters(**filters), _date_range(dates)
    if sum(map(len, filters.values())) + bool(dates) < 2 or not has_words(query):
        return []
    counts = limit_counts(index, results, query, filters, dates, exact, group)
    keys = [(facet, value) for facet, values in filters.items() for value in values] + [(DATES, "")] * bool(dates)
    return [Limit(facet, value, counts[facet, value], counts[facet, value] < core.RELAX_PAGE)
            for facet, value in keys]


def limit_counts(index, results, query: str, filters: dict, dates: dict | None = None, exact: bool = False,
                 group: bool = True) -> dict[tuple[str, str], int]:
    """How many results a search of index that found nothing (results) finds without each one of
    its limits (copies folded, as the list folds them): (facet, value) for a filter value, (DATES, "")
    for its date range (dates: the search's date_from and date_to, as _date_range reads them)."""
    counts, dates = _filter_value_counts(results, filters), _date_range(dates)
    for facet, chosen in filters.items():
        if len(chosen) == 1:  # a search: a story under two values counts under each, its counts may add up to more
            others = {other: values for other, values in filters.items() if other != facet}
            counts[facet, chosen[0]] = _results_found(index, query, exact, group, **others, **dates)
    if dates and counts:  # without filters, search_tips's count is the date range's
        counts[DATES, ""] = _results_found(index, query, exact, group, **filters)
    return counts


def _filter_value_counts(results, filters: dict) -> dict[tuple[str, str], int]:
    """(facet, value) -> the results found without that filter value, of a facet filtered by two values or
    more, from the facet counts (each facet counts the matches its own filter leaves out); those
    holding all the words when fewer than a page: a search would then find at least these."""
    counts = {}
    for facet, chosen in filters.items():
        by_value = {item["value"]: item["count"] for item in results.facets[facet]}
        for value in chosen if len(chosen) > 1 else ():
            counts[facet, value] = sum(by_value.get(other, 0) for other in chosen if other != value)
    return counts


def _limits(dated: bool, filtered: bool) -> str:
    """What a search was limited by, as the tip that counts what it hides names it."""
    return {(True, True): "the date range and filters", (True, False): "the date range"}.get((dated, filtered),
                                                                                          "the filters")


def _query_tips(query: str, unfiltered: int, limits: str) -> list[Tip]:
    """The tips about the query itself: what its exclusions leave out, its lack of words, what
    the limits (date range, filters) hide, else its wording."""
    searchable = excluded_words(query)
    if searchable:
        return [Tip("excluded", f'"-" (or NOT) before a word leaves out the articles holding it; to find them: {searchable}',
                    "Dấu «-» (hay NOT) đứng trước một từ là để loại bỏ các bài chứa từ đó. Tìm bài chứa:", searchable)]
    if not has_words(query):
        return [NO_WORDS]
    if unfiltered:
        return [Tip("unfiltered", f"{query} finds {unfiltered:,} article{'' if unfiltered == 1 else 's'} without {limits}",
                    f"«{query}» có {f'{unfiltered:,}'.replace(',', '.')} bài phù hợp khi bỏ bộ lọc.")]
    return list(WORDING)


def _accent_tip(query: str) -> Tip:
    """Try the query without accents, or, typed without, with them."""
    folded = fold(query)
    if folded == query:
        return ACCENTS
    return Tip("unaccented", f"try it without accents: {folded}", "Thử gõ không dấu:", folded)
