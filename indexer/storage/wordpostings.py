"""A jieba word's docnums, read from Whoosh's postings a block at a time (``Generation.word_docs``)."""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, MultiMatcher


def posting_ids(matcher: Any) -> array:
    """Every docnum of a fresh Whoosh matcher, read a block at a time: its ``all_ids()`` walks them one by one
    in Python, which was most of the time of a search for words new to the worker."""
    if isinstance(matcher, W3LeafMatcher):
        out = array("I")
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0]
            out.extend(ids if matcher._byteids else accumulate(ids))  # docnums are stored as deltas
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        return out
    if isinstance(matcher, MultiMatcher):  # one matcher a segment, each numbered from its offset
        out = array("I")
        for child, offset in zip(matcher.matchers, matcher.offsets, strict=True):
            ids = posting_ids(child)
            out.extend(map(offset.__add__, ids) if offset else ids)
        return out
    if isinstance(matcher, FilterMatcher):  # deleted documents left out
        keep = matcher._ids
        ids = posting_ids(matcher.child)
        return array("I", (i for i in ids if i not in keep) if matcher._exclude else (i for i in ids if i in keep))
    return array("I", matcher.all_ids())
