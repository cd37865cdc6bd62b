"""Recorded answers: what the API, the pages and the exports return for a fixed set of searches and lookups,
so that a change meant to keep behaviour (a refactor) can be shown to keep it byte for byte.

    python3 tests/recorded.py      # record again, after a change that is meant to change answers

Only the time a search took varies between runs; it is blanked before comparing.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "fixtures" / "recorded.json"

# Every kind of query and filter the archive understands, and each route that answers one.
SEARCHES: list[dict[str, str]] = [
    {"q": "城管通"},
    {"q": "城管通", "page": "2"},
    {"q": '"执法记录仪" 怀柔'},
    {"q": "勒索病毒 OR 永恒之蓝 -顺义"},
    {"q": "title:怀柔"},
    {"q": "共享单车西站"},
    {"q": "城管同"},
    {"q": "chengguantong"},
    {"q": "執法記錄儀"},
    {"q": "如何防范勒索病毒"},
    {"q": "牛皮癣"},
    {"q": "怀柔区 峰会"},
    {"q": "刊首语 2017年"},
    {"q": "执法记录仪 量子计算"},
    {"q": "城管tong"},
    {"q": "zfcgt"},
    {"q": "勒索病毐"},
    {"q": "延庆 违建"},
    {"q": "视频监控", "district": "西城", "section": "【区局动态】", "sort": "date"},
    {"q": "", "from": "2018", "to": "2019-02"},
    {"q": "峰会", "issue": "2017年第6期", "exact": "1"},
    {"q": "城管通", "from": "2017-13"},
]
PATHS = ("/api/search", "/search", "/search.atom", "/search.csv", "/search/citations")
LOOKUPS = ("/api/articles/2017-06-a20", "/articles/2017-06-a20?q=执法记录仪", "/api/issues/2017-06", "/issues/2017-06",
           "/issues", "/")  # fmt: skip
_TOOK = (re.compile(r'("took_ms": ?)[0-9.]+'), re.compile(r"(用时 )[0-9.]+ 毫秒"))


def answers(client) -> dict[str, str]:
    """Each recorded request's status and body (times blanked), keyed by the request."""
    out = {}
    requests = [(path, params) for params in SEARCHES for path in PATHS] + [(path, {}) for path in LOOKUPS]
    for path, params in requests:
        route, _, query = path.partition("?")
        response = client.simulate_get(route, params=params or None, query_string=query or None)
        body = response.text
        for pattern in _TOOK:
            body = pattern.sub(lambda m: m.group(1) + "0", body)
        key = path + ("?" + json.dumps(params, ensure_ascii=False, sort_keys=True) if params else "")
        out[key] = f"{response.status}\n{response.headers.get('content-type')}\n{body}"
    return out


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    from conftest import app_client, make_corpus

    from indexer import reindex

    with tempfile.TemporaryDirectory() as tmp:
        corpus = make_corpus(Path(tmp))
        reindex(corpus, Path(tmp) / "index")
        client, service = app_client(corpus, Path(tmp) / "index", admin_token=None)
        RECORDED.write_text(json.dumps(answers(client), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        service.close()
    print(f"recorded {RECORDED}")


if __name__ == "__main__":
    main()
