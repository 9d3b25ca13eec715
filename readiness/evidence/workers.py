"""The threads of an evidence run: collectors first, then the per-resource reads they spread over the threads."""
from __future__ import annotations

import itertools
import queue
import threading
from concurrent.futures import Executor, Future
from typing import Any, Callable

COLLECT, HELP, STOP = 0, 1, 2  # the order work is taken in


class Workers(Executor):
    """`width` threads taking a collector before any helping read, and helping the oldest collector first.

    A collector's listing pages come one after another (each page names the next), so a collector waiting
    for a thread gets the next one free: listings start as early as the threads allow, and the reads
    collectors hand out (CollectContext.each, through `submit`) fill the threads left over. Those go first
    to the collector that started first, so collectors finish one after another rather than all at the
    end, and one that reads in several rounds (ECS: services, then revisions, then task definitions) is
    not kept waiting behind every read handed out after its first round.
    """

    def __init__(self, width: int, name: str = "collector") -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, int, Any]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._local = threading.local()  # the rank of the collector this thread works for
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(max(1, width))]
        for thread in self._threads:
            thread.start()

    def start(self, function: Callable[..., Any], *args: Any) -> Future:
        """Run a collector (or a session's opening) as soon as a thread is free."""
        order = next(self._order)
        return self._put(COLLECT, order, order, function, args, {})

    def submit(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run a helping read once no collector is waiting for a thread, ranked by the collector asking."""
        order = next(self._order)
        return self._put(HELP, getattr(self._local, "rank", order), order, function, args, kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for _ in self._threads:
            order = next(self._order)
            self._queue.put((STOP, order, order, None))
        if wait:
            for thread in self._threads:
                thread.join()

    def _put(self, kind: int, rank: int, order: int, function: Callable[..., Any], args: tuple,
             kwargs: dict) -> Future:
        future: Future = Future()
        self._queue.put((kind, rank, order, (future, function, args, kwargs)))
        return future

    def _work(self) -> None:
        while True:
            _, rank, _, work = self._queue.get()
            if work is None:
                return
            future, function, args, kwargs = work
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while it waited: a helper nobody needs any more
            try:
                self._local.rank = rank
                future.set_result(function(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 (handed to whoever waits on the future)
                future.set_exception(exc)

