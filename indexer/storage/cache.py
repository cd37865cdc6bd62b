"""A bounded least-recently-used cache of docnum arrays: what a worker keeps of the postings and scored
words its searches read (``generation``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class BoundedCache:
    """Least recently used values (arrays of docnums, or tuples of them), bounded by the total number of
    docnums held."""

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def cost(value: Any) -> int:
        return len(value[0]) if isinstance(value, tuple) else len(value)

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        cost = self.cost(value)
        with self.lock:
            if key in self.items or cost > self.budget:
                return
            self.items[key] = value
            self.size += cost
            while self.size > self.budget:
                _, evicted = self.items.popitem(last=False)
                self.size -= self.cost(evicted)
