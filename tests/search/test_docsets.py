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
