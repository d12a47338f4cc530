"""Run callables in parallel threads, all released at once: for the tests that prove locks and counters."""

import threading

from django.db import connection


def in_parallel(calls: list) -> list:
    """Run each callable in its own thread, all starting together; return results (or exceptions) in order.

    Each thread closes its own database connection when done. A thread's exception is returned in
    its place, for the test to report, rather than dying silently.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
