"""The search engine: what a request asks (``request``), how a query is read (``query``, with the filters typed
among its words, ``conditions``) and understood (``understanding``), which articles match and how well
(``matching`` over the character-pair postings of ``grams``, scored by ``ranking``), how results are counted
(``facets``), shown (``highlight``, ``results``) and related (``related``). It reads a generation through the
protocol ``matching.Source``; ``indexer.search.SearchService`` puts the steps in order.
"""

from .facets import FACETS, FILTER_FACETS, Facet
from .request import MAX_QUERY, PARAMS, SORTS, Filters, Param, SearchRequest
from .results import ArticleRecord, Hit, SearchResult
from .understanding import Understanding

__all__ = [
    "FACETS",
    "FILTER_FACETS",
    "MAX_QUERY",
    "PARAMS",
    "SORTS",
    "ArticleRecord",
    "Facet",
    "Filters",
    "Hit",
    "Param",
    "SearchRequest",
    "SearchResult",
    "Understanding",
]
