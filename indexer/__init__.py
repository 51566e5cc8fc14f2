"""Full-text search for Vietnamese news: pyvi analysis, a Whoosh index, one search core."""

from .analysis import fold
from .articles import Article, Replaced, Skip, SourceError, Truncated, Undated, iter_articles
from .cluster import ClusterError
from .build import (BuildReport, DeleteReport, RestoreReport, UpdateReport, build_index, delete_articles,
                    optimize_index, restore_articles, retracted_articles, update_index)
from .facets import FACETS
from .query import QueryError
from .search import PAGE, SORTS, Hit, Index, Results, open_index, warm_up
from .snippets import Highlight, Marks
from .store import IndexLocked, IndexNotFound, NoIndex, NotAnIndexFolder, ShardFolder, is_sharded

__all__ = [
    "FACETS", "PAGE", "SORTS",
    "Article", "BuildReport", "ClusterError", "DeleteReport", "Highlight", "Hit", "Index", "IndexLocked",
    "IndexNotFound", "Marks", "NoIndex", "NotAnIndexFolder", "QueryError", "Replaced", "RestoreReport", "Results", "ShardFolder", "Skip", "SourceError", "Truncated", "Undated", "UpdateReport",
    "build_index", "delete_articles", "fold", "is_sharded", "iter_articles", "open_index", "optimize_index",
    "restore_articles", "retracted_articles", "update_index", "warm_up",
]
