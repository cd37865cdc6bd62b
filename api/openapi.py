"""The OpenAPI 3.1 document of the JSON API, built from the same limits the code enforces."""

from __future__ import annotations

from typing import Any

from indexer import EXPORT_COLUMNS, FACETS, PARAMS
from indexer.request import EXPORT_LIMIT, FEED_SIZE, MAX_PER_PAGE
from indexer.understanding import KINDS, MODES

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def _obj(properties: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _page_error(description: str) -> dict[str, Any]:
    """An error of a route outside /api: the site's Chinese error page."""
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
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
    "Error": _obj(
        {"title": {"type": "string"}, "description": {"type": "string"}, "param": {"type": "string"}},
        required=["title", "description"],
    ),
    "Hit": _obj(
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
    "SearchResult": _obj(
        {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "took_ms": {"type": "number", "minimum": 0},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _obj({f.name: {**COUNTS, "description": f.label} for f in FACETS}),
            "understood": _ref("Understood"),
        }
    ),
    "Understood": _obj(
        {
            "typed": {"type": "string", "description": "查询，原样"},
            "searched": {"type": "string", "description": "实际检索的查询（转换拼音或纠正错别字之后）"},
            "mode": {
                "enum": list(MODES),
                "description": "exact 按词匹配；relaxed 词可分开；partial 部分匹配；passage 按段落找出处",
            },
            "changes": {
                "type": "array",
                "items": _obj(
                    {"kind": {"enum": list(KINDS)}, "typed": {"type": "string"}, "searched": {"type": "string"}}
                ),
                "description": "traditional 繁体转简体；pinyin 拼音转汉字；correction 纠正同音错字",
            },
            "guessed": {"type": "boolean", "description": "为真时可加 exact=1 完全按输入重新检索"},
            "notices": {"type": "array", "items": {"type": "string"}, "description": "给读者的说明"},
            "suggestion": {**NULLABLE_STRING, "description": "结果很少时建议改搜的词（未替换结果）"},
        }
    ),
    "Paragraph": _obj({"text": {"type": "string"}, "kind": {"enum": ["text", "subheading"]}}),
    "IssueRef": _obj({k: ISSUE_FIELDS[k] for k in ("id", "label", "date", "title", "year", "number")}),
    "Article": _obj(
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
            "paragraphs": {"type": "array", "items": _ref("Paragraph")},
            "source": NULLABLE_STRING,
            "editorial": {"type": "boolean"},
            "toc_title": NULLABLE_STRING,
            "line": NULLABLE_INT,
            "source_page": NULLABLE_INT,
            "date": {"type": "string", "format": "date"},
            "issue": _ref("IssueRef"),
            "previous": NULLABLE_STRING,
            "next": NULLABLE_STRING,
            "related": {
                "type": "array",
                "maxItems": 5,
                "items": _ref("RelatedArticle"),
                "description": "与本文共有最多少见词语的文章（至多 5 篇，优先其他期、其他单位）",
            },
        }
    ),
    "RelatedArticle": _obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "unit": {"type": "string"},
            "issue": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "url": {"type": "string"},
        }
    ),
    "IssueSummary": _obj(ISSUE_FIELDS),
    "IssueList": _obj({"issues": {"type": "array", "items": _ref("IssueSummary")}}),
    "TocEntry": _obj(
        {
            "title": {"type": "string"},
            "section": {"type": "string"},
            "page": NULLABLE_INT,
            "line": NULLABLE_INT,
            "is_section": {"type": "boolean"},
        }
    ),
    "IssueArticle": _obj(
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
    "Issue": _obj(
        {
            **ISSUE_FIELDS,
            "toc": {"type": "array", "items": _ref("TocEntry")},
            "articles": {"type": "array", "items": _ref("IssueArticle")},
        }
    ),
    "Health": _obj(
        {
            "status": {"enum": ["ok", "unavailable"]},
            "generation": NULLABLE_STRING,
            "articles": {"type": "integer", "minimum": 0},
            "issues": {"type": "integer", "minimum": 0},
        },
        required=["status", "generation", "articles", "issues"],
        extra=True,
    ),
    "IngestResult": _obj(
        {
            "added": {"type": "array", "items": {"type": "string"}},
            "replaced": {"type": "array", "items": {"type": "string"}},
            "unchanged": {"type": "array", "items": {"type": "string"}},
            "articles": {"type": "integer", "minimum": 0},
            "generation": NULLABLE_STRING,
            "warnings": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "RemoveResult": _obj(
        {
            "removed": {"type": "string"},
            "articles": {"type": "integer", "minimum": 0},
            "files": {"type": "array", "items": {"type": "string"}},
            "generation": {"type": "string"},
        }
    ),
    "ReindexResult": _obj(
        {
            "generation": {"type": "string"},
            "issues": {"type": "integer", "minimum": 0},
            "articles": {"type": "integer", "minimum": 0},
            "seconds": {"type": "number", "minimum": 0},
        }
    ),
}

ADMIN_ERRORS = {
    "401": _error("缺少或错误的管理令牌"),
    "403": _error("未设置 BULLETIN_ADMIN_TOKEN，管理写入已关闭"),
    "409": _error("另一个写入任务正在进行"),
    "503": _error("索引不可用或写入失败，什么都没有改变"),
}


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}


def document() -> dict[str, Any]:
    search_params = [_param(p.name, p.schema, p.help) for p in PARAMS]
    feed_params = [p for p in search_params if p["name"] not in ("page", "per_page")]  # they take every page
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "《北京城管科技信息动态》检索库 API",
            "version": "1.0.0",
            "description": "全文检索、文章与期刊查询。GET 响应带 ETag（随索引版本变化）。",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "检索文章",
                    "parameters": search_params,
                    "responses": {
                        "200": _json(_ref("SearchResult"), "检索结果"),
                        "400": _error("参数无效"),
                        "503": _error("索引不可用"),
                    },
                }
            },
            "/search.atom": {
                "get": {
                    "operationId": "searchFeed",
                    "summary": f"检索结果的 Atom 订阅（按时间从新到旧，最新 {FEED_SIZE} 篇）",
                    "parameters": feed_params,
                    "responses": {
                        "200": {
                            "description": "Atom 订阅",
                            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                        },
                        "400": _page_error("参数无效（中文错误页，指出哪个参数）"),
                        "503": _page_error("索引不可用"),
                    },
                }
            },
            "/search.csv": {
                "get": {
                    "operationId": "searchCsv",
                    "summary": f"检索结果导出为 CSV（UTF-8 带 BOM；全部结果，至多 {EXPORT_LIMIT} 篇）",
                    "parameters": feed_params,
                    "responses": {
                        "200": {
                            "description": "列：" + "，".join(EXPORT_COLUMNS) + "；X-Total-Count 为结果总数",
                            "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}},
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "400": _page_error("参数无效（中文错误页，指出哪个参数）"),
                        "503": _page_error("索引不可用"),
                    },
                }
            },
            "/api/articles/{id}": {
                "get": {
                    "operationId": "getArticle",
                    "summary": "一篇文章的全文",
                    "parameters": [_param("id", {"type": "string"}, "文章编号，如 2017-06-a20", "path")],
                    "responses": {
                        "200": _json(_ref("Article"), "文章"),
                        "404": _error("没有这篇文章"),
                        "503": _error("索引不可用"),
                    },
                }
            },
            "/api/issues": {
                "get": {
                    "operationId": "listIssues",
                    "summary": "全部期刊，新的在前",
                    "responses": {"200": _json(_ref("IssueList"), "期刊列表"), "503": _error("索引不可用")},
                },
                "post": {
                    "operationId": "uploadIssue",
                    "summary": "上传一期简报（需要管理令牌）",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"file": {"type": "string", "format": "binary"}},
                                    "required": ["file"],
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("IngestResult"), "已收入（或已是最新）"),
                        "400": _error("请求中没有文件"),
                        "413": _error("文件过大"),
                        "415": _error("不支持的文件类型"),
                        "422": _error("文件无法解析为一期简报；什么都没有改变"),
                        **ADMIN_ERRORS,
                    },
                },
            },
            "/api/issues/{id}": {
                "get": {
                    "operationId": "getIssue",
                    "summary": "一期的刊头和目录",
                    "parameters": [_param("id", {"type": "string"}, "期刊编号，如 2017-06", "path")],
                    "responses": {
                        "200": _json(_ref("Issue"), "期刊"),
                        "404": _error("没有这一期"),
                        "503": _error("索引不可用"),
                    },
                },
                "delete": {
                    "operationId": "removeIssue",
                    "summary": "删除一期：从索引中去掉，并删除语料库中的文件（需要管理令牌）",
                    "security": [{"bearer": []}],
                    "parameters": [_param("id", {"type": "string"}, "期刊编号，如 2017-06", "path")],
                    "responses": {
                        "200": _json(_ref("RemoveResult"), "已删除"),
                        "404": _error("没有这一期；什么都没有改变"),
                        **ADMIN_ERRORS,
                    },
                },
            },
            "/api/reindex": {
                "post": {
                    "operationId": "reindex",
                    "summary": "从语料库重建索引（需要管理令牌）",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _json(_ref("ReindexResult"), "已重建"),
                        "422": _error("语料库中有无法解析的文件；索引未改动"),
                        **ADMIN_ERRORS,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "服务状态",
                    "responses": {"200": _json(_ref("Health"), "正常"), "503": _json(_ref("Health"), "索引不可用")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "本文档",
                    "responses": {"200": _json({"type": "object"}, "OpenAPI 文档")},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
