"""The OpenAPI 3.1 document of the JSON API, built from the same limits the code enforces."""

from __future__ import annotations

from typing import Any

from indexer import PARAMS

from .schemas import SCHEMAS, error, json_answer, ref

STRING = {"type": "string"}

ADMIN_ERRORS = {
    "401": error("缺少或错误的管理令牌"),
    "403": error("未设置 BULLETIN_ADMIN_TOKEN，管理写入已关闭"),
    "409": error("另一个写入任务正在进行"),
    "429": error("这个地址的令牌错误次数过多，需等待 Retry-After 秒"),
    "503": error("索引不可用或写入失败，什么都没有改变"),
}


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}


def document(others: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document: every route the API serves, the schemas of its answers, and ``others``: the
    routes outside the API that answer a search in other forms (given by the app: they are the pages')."""
    search_params = [_param(p.name, p.schema, p.help) for p in PARAMS]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "《北京城管科技信息动态》检索库 API",
            "version": "1.0.0",
            "description": "全文检索、文章与期刊查询。GET 响应带 ETag（随索引版本变化）。",
        },
        "paths": {**_search(search_params), **(others or {}), **_articles(), **_issues(), **_service()},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _search(search_params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "检索文章",
                "parameters": search_params,
                "responses": {
                    "200": json_answer(ref("SearchResult"), "检索结果"),
                    "400": error("参数无效"),
                    "503": error("索引不可用"),
                },
            }
        },
    }


def _articles() -> dict[str, Any]:
    return {
        "/api/articles/{id}": {
            "get": {
                "operationId": "getArticle",
                "summary": "一篇文章的全文",
                "parameters": [_param("id", STRING, "文章编号，如 2017-06-a20", "path")],
                "responses": {
                    "200": json_answer(ref("Article"), "文章"),
                    "404": error("没有这篇文章"),
                    "503": error("索引不可用"),
                },
            }
        }
    }


def _issues() -> dict[str, Any]:
    """The issues, and the admin writes on them (upload, removal)."""
    upload = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}
    issue_id = _param("id", STRING, "期刊编号，如 2017-06", "path")
    return {
        "/api/issues": {
            "get": {
                "operationId": "listIssues",
                "summary": "全部期刊，新的在前",
                "responses": {"200": json_answer(ref("IssueList"), "期刊列表"), "503": error("索引不可用")},
            },
            "post": {
                "operationId": "uploadIssue",
                "summary": "上传一期简报（需要管理令牌）",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
                "responses": {
                    "200": json_answer(ref("IngestResult"), "已收入（或已是最新）"),
                    "400": error("请求中没有文件"),
                    "413": error("文件过大"),
                    "415": error("不支持的文件类型"),
                    "422": error("文件无法解析为一期简报；什么都没有改变"),
                    **ADMIN_ERRORS,
                },
            },
        },
        "/api/issues/{id}": {
            "get": {
                "operationId": "getIssue",
                "summary": "一期的刊头和目录",
                "parameters": [issue_id],
                "responses": {
                    "200": json_answer(ref("Issue"), "期刊"),
                    "404": error("没有这一期"),
                    "503": error("索引不可用"),
                },
            },
            "delete": {
                "operationId": "removeIssue",
                "summary": "删除一期：从索引中去掉，并删除语料库中的文件（需要管理令牌）",
                "security": [{"bearer": []}],
                "parameters": [issue_id],
                "responses": {
                    "200": json_answer(ref("RemoveResult"), "已删除"),
                    "404": error("没有这一期；什么都没有改变"),
                    **ADMIN_ERRORS,
                },
            },
        },
    }


def _service() -> dict[str, Any]:
    """Rebuilding, health and this document."""
    return {
        "/api/reindex": {
            "post": {
                "operationId": "reindex",
                "summary": "在后台从语料库重建索引，立即返回（需要管理令牌）；用 GET 查询进度",
                "security": [{"bearer": []}],
                "responses": {
                    **ADMIN_ERRORS,
                    "202": json_answer(ref("RebuildStatus"), "已开始；Location 为查询进度的地址"),
                    "409": json_answer(ref("RebuildStatus"), "已有重建在进行"),
                },
            },
            "get": {
                "operationId": "reindexStatus",
                "summary": "后台重建的进度（需要管理令牌）",
                "security": [{"bearer": []}],
                "responses": {"200": json_answer(ref("RebuildStatus"), "进度"), **ADMIN_ERRORS},
            },
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "服务状态",
                "responses": {
                    "200": json_answer(ref("Health"), "正常"),
                    "503": json_answer(ref("Health"), "索引不可用"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "本文档",
                "responses": {"200": json_answer({"type": "object"}, "OpenAPI 文档")},
            }
        },
    }
