"""The JSON schemas of the API's answers (the OpenAPI document's components), and the helpers that write them."""

from __future__ import annotations

from typing import Any

from indexer import FACETS
from indexer.engine.conditions import LABELS
from indexer.engine.request import MAX_PER_PAGE
from indexer.engine.understanding import KINDS, MODES

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def obj(properties: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": extra,
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return json_answer(ref("Error"), description)


def page_error(description: str) -> dict[str, Any]:
    """An error of a route outside /api: the site's Chinese error page."""
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}


def _facet_counts(facet: Any) -> dict[str, Any]:
    return {**COUNTS, "maxProperties": facet.limit, "description": f"{facet.label}（最多 {facet.limit} 项）"}


ISSUE_FIELDS = {
    "id": {"type": "string", "examples": ["2017-06"]},
    "label": {"type": "string", "examples": ["2017年第6期"]},
    "year": {"type": "integer"},
    "number": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "title": {"type": "string"},
    "publisher": NULLABLE_STRING,
    "sections": {"type": "array", "items": {"type": "string"}},
    "source_name": {"type": "string"},
    "sha256": {"type": "string"},
}

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {"title": {"type": "string"}, "description": {"type": "string"}, "param": {"type": "string"}},
        required=["title", "description"],
    ),
    "Hit": obj(
        {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "title": {"type": "string"},
            "unit": NULLABLE_STRING,
            "district": NULLABLE_STRING,
            "section": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "issue": {"type": "string"},
            "page": NULLABLE_INT,
            "snippet": {"type": "string", "description": "HTML: matches in <mark>, everything else escaped"},
        }
    ),
    "SearchResult": obj(
        {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "took_ms": {"type": "number", "minimum": 0},
            "hits": {"type": "array", "items": ref("Hit")},
            "facets": obj({f.name: _facet_counts(f) for f in FACETS}),
            "understood": ref("Understood"),
        }
    ),
    "Understood": obj(
        {
            "typed": {"type": "string", "description": "查询，原样"},
            "searched": {"type": "string", "description": "实际检索的查询（转换拼音或纠正错别字之后）"},
            "mode": {
                "enum": list(MODES),
                "description": "exact 按词匹配；relaxed 词可分开；partial 部分匹配；passage 按段落找出处",
            },
            "changes": {
                "type": "array",
                "items": obj(
                    {"kind": {"enum": list(KINDS)}, "typed": {"type": "string"}, "searched": {"type": "string"}}
                ),
                "description": "traditional 繁体转简体；pinyin 拼音转汉字；correction 纠正同音错字",
            },
            "guessed": {"type": "boolean", "description": "为真时可加 exact=1 完全按输入重新检索"},
            "expanded": {
                "type": "array",
                "items": obj({"typed": {"type": "string"}, "added": {"type": "array", "items": {"type": "string"}}}),
                "description": "同义词表为各词同时检索了哪些词（排在含原词的文章之后；exact=1 时不扩展）",
            },
            "conditions": {
                "type": "array",
                "items": ref("Condition"),
                "description": "从检索词中识别并按筛选条件使用的词（区域、栏目、期号、日期）",
            },
            "unfiltered": {
                "type": "array",
                "items": ref("Condition"),
                "description": "识别为筛选条件但筛选后没有结果、因而仍作为检索词的词",
            },
            "missing": {
                "type": "array",
                "items": {"type": "string"},
                "description": "部分匹配时，没有任何文章含有的词",
            },
            "notices": {"type": "array", "items": {"type": "string"}, "description": "给读者的说明"},
            "suggestion": {**NULLABLE_STRING, "description": "结果很少时建议改搜的词（未替换结果）"},
        }
    ),
    "Condition": obj(
        {
            "name": {"enum": list(LABELS), "description": "筛选参数：district、section、issue 或 date"},
            "label": {"type": "string", "description": "条件的中文名"},
            "value": {"type": "string", "description": "使用的值；日期为“起/止”"},
            "shown": {"type": "string", "description": "给读者看的值"},
            "typed": {"type": "string", "description": "检索框中输入的词"},
        }
    ),
    "Paragraph": obj({"text": {"type": "string"}, "kind": {"enum": ["text", "subheading"]}}),
    "IssueRef": obj({k: ISSUE_FIELDS[k] for k in ("id", "label", "date", "title", "year", "number")}),
    "Article": obj(
        {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "permalink": {
                "type": "string",
                "format": "uri",
                "description": "文章的完整地址（设置了 BULLETIN_PUBLIC_URL 时用该地址）",
            },
            "citation": {"type": "string", "description": "可粘贴进报告的引用：《刊名》期号，页码：标题，完整地址"},
            "issue_id": {"type": "string"},
            "ordinal": {"type": "integer"},
            "section": {"type": "string"},
            "title": {"type": "string"},
            "unit": NULLABLE_STRING,
            "district": NULLABLE_STRING,
            "place": NULLABLE_STRING,
            "page": NULLABLE_INT,
            "paragraphs": {"type": "array", "items": ref("Paragraph")},
            "source": NULLABLE_STRING,
            "editorial": {"type": "boolean"},
            "toc_title": NULLABLE_STRING,
            "line": NULLABLE_INT,
            "source_page": NULLABLE_INT,
            "date": {"type": "string", "format": "date"},
            "issue": ref("IssueRef"),
            "previous": NULLABLE_STRING,
            "next": NULLABLE_STRING,
            "related": {
                "type": "array",
                "maxItems": 5,
                "items": ref("RelatedArticle"),
                "description": "与本文共有最多少见词语的文章（至多 5 篇，优先其他期、其他单位）",
            },
        }
    ),
    "RelatedArticle": obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "unit": {"type": "string"},
            "issue": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "url": {"type": "string"},
        }
    ),
    "IssueSummary": obj(ISSUE_FIELDS),
    "IssueList": obj({"issues": {"type": "array", "items": ref("IssueSummary")}}),
    "TocEntry": obj(
        {
            "title": {"type": "string"},
            "section": {"type": "string"},
            "page": NULLABLE_INT,
            "line": NULLABLE_INT,
            "is_section": {"type": "boolean"},
        }
    ),
    "IssueArticle": obj(
        {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "ordinal": {"type": "integer"},
            "title": {"type": "string"},
            "section": {"type": "string"},
            "unit": NULLABLE_STRING,
            "district": NULLABLE_STRING,
            "page": NULLABLE_INT,
            "editorial": {"type": "boolean"},
        }
    ),
    "Issue": obj(
        {
            **ISSUE_FIELDS,
            "toc": {"type": "array", "items": ref("TocEntry")},
            "articles": {"type": "array", "items": ref("IssueArticle")},
        }
    ),
    "Health": obj(
        {
            "status": {"enum": ["ok", "unavailable"]},
            "generation": NULLABLE_STRING,
            "articles": {"type": "integer", "minimum": 0},
            "issues": {"type": "integer", "minimum": 0},
        },
        required=["status", "generation", "articles", "issues"],
        extra=True,
    ),
    "IngestResult": obj(
        {
            "added": {"type": "array", "items": {"type": "string"}},
            "replaced": {"type": "array", "items": {"type": "string"}},
            "unchanged": {"type": "array", "items": {"type": "string"}},
            "articles": {"type": "integer", "minimum": 0},
            "generation": NULLABLE_STRING,
            "warnings": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "RemoveResult": obj(
        {
            "removed": {"type": "string"},
            "articles": {"type": "integer", "minimum": 0},
            "files": {"type": "array", "items": {"type": "string"}},
            "generation": {"type": "string"},
        }
    ),
    "RebuildStatus": obj(
        {
            "state": {"enum": ["idle", "running", "done", "failed"], "description": "重建的状态"},
            "done": {"type": "integer", "minimum": 0, "description": "已写入的文章数"},
            "total": {"type": "integer", "minimum": 0, "description": "要写入的文章数"},
            "started": {**NULLABLE_STRING, "format": "date-time"},
            "finished": {**NULLABLE_STRING, "format": "date-time"},
            "issues": NULLABLE_INT,
            "generation": NULLABLE_STRING,
            "message": {**NULLABLE_STRING, "description": "失败时的原因"},
            "status_url": {"type": "string", "description": "查询进度的地址（GET）"},
        }
    ),
}
