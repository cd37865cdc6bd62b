"""The API's own HTTP error: a 400 that names the parameter."""

from __future__ import annotations

from typing import Any

import falcon


class ParamError(falcon.HTTPBadRequest):
    """A 400 whose body names the parameter: {"title", "description", "param"}."""

    def __init__(self, param: str, message: str):
        super().__init__(title="参数无效", description=f"参数 {param}：{message}")
        self.param = param

    def to_dict(self, obj_type: type = dict) -> Any:
        body = super().to_dict(obj_type)
        body["param"] = self.param
        return body
