"""What a process keeps in memory between requests: a bounded map, least recently used out.

For values that are expensive to make and never go stale under their key (a published
version's content, a page made from everything in its key). One lock: gunicorn's threaded
workers and runserver serve requests on several threads of one process.
"""

import threading
from collections import OrderedDict


class Kept:
    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept under ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
