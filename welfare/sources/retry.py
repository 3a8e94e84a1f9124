"""Retry a call with exponential backoff.

Small on purpose: the live sources (CBS OData v3 now, PDOK and OData v4 later)
decide *which* faults are worth another try; this module only does the
counting and the waiting. The sleep function is injectable so tests run in
milliseconds and can assert the waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

RetryOn = Callable[[BaseException], bool] | tuple[type[BaseException], ...]


class RetriesExhausted(Exception):
    """Every attempt failed with a retryable error.

    Attributes
    ----------
    what : str
        What was being attempted (as passed to :func:`call_with_retries`).
    attempts : int
        How many attempts were made.
    last : BaseException
        The error of the last attempt (also ``__cause__``).
    """

    def __init__(self, what: str, attempts: int, last: BaseException) -> None:
        super().__init__(f"{what}: gave up after {attempts} attempts: {last}")
        self.what = what
        self.attempts = attempts
        self.last = last


def backoff_delays(attempts: int, backoff_s: float, max_backoff_s: float = 60.0) -> list[float]:
    """Return the waits between ``attempts`` tries: ``backoff_s * 2**i``, capped.

    >>> backoff_delays(4, 0.5)
    [0.5, 1.0, 2.0]
    """
    return [min(backoff_s * (2**i), max_backoff_s) for i in range(max(attempts - 1, 0))]


def call_with_retries(
    fn: Callable[[], T],
    *,
    attempts: int,
    backoff_s: float,
    what: str,
    retry_on: RetryOn,
    sleep: Callable[[float], None] = time.sleep,
    max_backoff_s: float = 60.0,
) -> T:
    """Call ``fn()`` until it succeeds, at most ``attempts`` times.

    Parameters
    ----------
    fn
        The call to make; takes no arguments.
    attempts
        Maximum number of calls (>= 1).
    backoff_s
        Wait before the 2nd call; doubled before each further call, capped at
        ``max_backoff_s``.
    what
        Short description for log lines and :class:`RetriesExhausted`.
    retry_on
        Exception types, or a predicate on the exception, that are worth
        another try (timeouts, HTTP 5xx). Anything else propagates at once.
    sleep
        Replaced in tests.

    Returns
    -------
    Whatever ``fn`` returns.

    Raises
    ------
    RetriesExhausted
        When the last attempt failed with a retryable error (chained to it).
    Exception
        A non-retryable error from ``fn``, unchanged, at its first occurrence.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    should_retry: Callable[[BaseException], bool]
    if isinstance(retry_on, tuple):
        types = retry_on
        should_retry = lambda exc: isinstance(exc, types)  # noqa: E731
    else:
        should_retry = retry_on
    delays = backoff_delays(attempts, backoff_s, max_backoff_s)
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:  # only Exception: Ctrl-C must not be retried
            if not should_retry(exc):
                raise
            if attempt == attempts:
                raise RetriesExhausted(what, attempts, exc) from exc
            delay = delays[attempt - 1]
            log.warning(
                "%s: attempt %d of %d failed (%s); retrying in %.2f s",
                what,
                attempt,
                attempts,
                exc,
                delay,
            )
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
