"""The document-set operations give numpy's own answers whichever way the sizes make them take."""

import numpy as np
import pytest

from indexer.engine import docsets

# (haystack, needles) sizes that lead to each way: binary searches either way round, and the table.
SIZES = [(0, 5), (5, 0), (1, 1), (3, 4000), (4000, 3), (50, 50), (2000, 100), (100, 2000), (5000, 5000),
         (15000, 3000), (19000, 19000)]  # fmt: skip


def _sorted(rng: np.random.Generator, size: int, universe: int = 20000) -> np.ndarray:
    return np.sort(rng.choice(universe, size, replace=False)).astype(np.int32)


@pytest.mark.parametrize(("found", "wanted"), SIZES)
def test_member_is_numpy_isin(found, wanted):
    rng = np.random.default_rng(found * 7 + wanted)
    haystack, needles = _sorted(rng, found), _sorted(rng, wanted)
    assert docsets.member(haystack, needles).tolist() == np.isin(needles, haystack).tolist()
    # a needle past every document of the haystack, and the haystack's own documents
    assert docsets.member(haystack, haystack).all()
    beyond = np.append(needles, 30000).astype(np.int32)
    assert not docsets.member(haystack, beyond)[-1]


@pytest.mark.parametrize(("found", "wanted"), SIZES)
def test_positions_are_where_each_is(found, wanted):
    rng = np.random.default_rng(found * 11 + wanted)
    docs = _sorted(rng, max(found, wanted))
    subset = np.sort(rng.choice(docs, min(found, wanted), replace=False)) if len(docs) else docs
    at = docsets.positions(docs, subset)
    assert at.tolist() == np.searchsorted(docs, subset).tolist()
    assert docs[at].tolist() == subset.tolist()


@pytest.mark.parametrize(("first", "second"), SIZES)
def test_union_is_numpy_union(first, second):
    rng = np.random.default_rng(first * 13 + second)
    a, b = _sorted(rng, first), _sorted(rng, second)
    assert docsets.union(a, b).tolist() == np.union1d(a, b).tolist()


@pytest.mark.parametrize(("first", "second"), SIZES)
def test_in_any_is_membership_of_the_union(first, second):
    rng = np.random.default_rng(first * 17 + second)
    lists = [_sorted(rng, first), _sorted(rng, second)]
    for needles in (_sorted(rng, 300), _sorted(rng, 6000), _sorted(rng, 0)):
        holding, count = docsets.in_any(lists, needles)
        whole = np.union1d(*lists)
        assert holding.tolist() == np.isin(needles, whole).tolist() and count == len(whole)
        assert docsets.in_any([lists[0]], needles)[1] == len(lists[0])


@pytest.mark.parametrize(("first", "second"), SIZES)
def test_joined_is_the_union_with_where_each_came_from(first, second):
    rng = np.random.default_rng(first * 19 + second)
    a, b = _sorted(rng, first), _sorted(rng, second)
    counts = rng.integers(1, 9, len(b)).astype(np.uint16)
    docs, in_first, placed = docsets.joined(a, b, counts)
    whole = np.union1d(a, b)
    assert docs.tolist() == whole.tolist() and docs.dtype == (b.dtype if len(b) else a.dtype)
    assert in_first.tolist() == np.isin(whole, a).tolist()
    expected = dict(zip(b.tolist(), counts.tolist(), strict=True))
    assert placed.tolist() == [expected.get(d, 0) for d in whole.tolist()]


@pytest.mark.parametrize(
    ("size", "k"), [(size, k) for size in (2, 21, 600, 5000, 20000) for k in (1, 20, 100) if k < size]
)
def test_the_kth_largest_is_numpys_whatever_the_ties(size, k):
    from indexer.engine.ranking import kth_largest

    rng = np.random.default_rng(size * 3 + k)
    spread = rng.random(size) * 10
    tied = np.round(spread) + rng.integers(0, 2, size)  # a few values, each many times
    rising, equal = np.arange(size, dtype=np.float64), np.full(size, 2.5)  # the sample misses the tail; all ties
    for values in (spread, tied, rising, rising[::-1].copy(), equal):
        assert kth_largest(values, k) == np.partition(values, size - k)[size - k]
