"""The writer's retry policy: the storage client's predicate, waits that grow, a deadline."""

from __future__ import annotations

import itertools

import pytest
import requests
from google.api_core import exceptions as api_exceptions

from airflow_oracle_etl.gcs import WriterSettings
from airflow_oracle_etl.gcs.settings import (
    RETRY_JITTER,
    BackoffRetry,
    backoff_waits,
    conditional_retry_policy,
    retry_policy,
)


def test_waits_double_with_a_quarter_of_jitter_up_to_the_cap() -> None:
    for _ in range(200):  # random draws: every one must keep the bounds
        waits = list(itertools.islice(backoff_waits(0.5, 4.0), 6))
        steps = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
        for wait, step in zip(waits, steps, strict=True):
            assert step * (1 - RETRY_JITTER) <= wait <= step
        assert all(later > earlier for earlier, later in itertools.pairwise(waits[:4]))


def test_waits_are_jittered() -> None:
    firsts = {next(backoff_waits(1.0, 60.0)) for _ in range(20)}
    assert len(firsts) > 1


class Flaky:
    """Fails with ``error`` ``failures`` times, then answers."""

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


@pytest.mark.parametrize(
    "error",
    [
        api_exceptions.TooManyRequests("429"),
        api_exceptions.InternalServerError("500"),
        api_exceptions.ServiceUnavailable("503"),
        requests.ConnectionError("connection reset by peer"),
        requests.ReadTimeout("read timed out"),
    ],
    ids=["429", "500", "503", "reset", "timeout"],
)
def test_transient_errors_are_retried(error: Exception) -> None:
    flaky = Flaky(error, failures=2)
    assert retry_policy(5.0, initial_s=0.01)(flaky)() == "done"
    assert flaky.calls == 3


@pytest.mark.parametrize(
    "error",
    [
        api_exceptions.Forbidden("403"),
        api_exceptions.NotFound("404"),
        api_exceptions.PreconditionFailed("412"),
    ],
    ids=["403", "404", "412"],
)
def test_permanent_errors_fail_at_the_first_answer(error: Exception) -> None:
    flaky = Flaky(error, failures=1)
    with pytest.raises(type(error)):
        retry_policy(5.0, initial_s=0.01)(flaky)()
    assert flaky.calls == 1


def test_the_deadline_ends_the_retries() -> None:
    flaky = Flaky(api_exceptions.ServiceUnavailable("503"), failures=10**6)
    with pytest.raises(api_exceptions.RetryError) as raised:
        retry_policy(0.2, initial_s=0.01, maximum_s=0.05)(flaky)()
    assert isinstance(raised.value.cause, api_exceptions.ServiceUnavailable)
    assert 2 <= flaky.calls < 10**6


def test_copies_keep_the_backoff() -> None:
    """The client calls ``with_timeout`` and friends; the copies must still be ours."""
    policy = retry_policy(10.0)
    assert isinstance(policy, BackoffRetry)
    assert isinstance(policy.with_timeout(3.0), BackoffRetry)
    assert isinstance(policy.with_delay(initial=0.1), BackoffRetry)
    conditional = conditional_retry_policy(10.0)
    with_generation = conditional.get_retry_policy_if_conditions_met(
        query_params={"ifGenerationMatch": 0}
    )
    assert isinstance(with_generation, BackoffRetry)
    assert conditional.get_retry_policy_if_conditions_met(query_params={}) is None


def test_settings_build_the_policy_from_their_knobs() -> None:
    settings = WriterSettings(retry_initial=0.01, retry_max=0.02, retry_deadline=5.0)
    flaky = Flaky(api_exceptions.ServiceUnavailable("503"), failures=3)
    assert settings.retry(flaky)() == "done"
    unconditional = settings.conditional_retry.get_retry_policy_if_conditions_met(query_params={})
    assert unconditional is None


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"retry_initial": 0}, "retry_initial must be positive"),
        ({"retry_deadline": -1}, "retry_deadline must be positive"),
        ({"request_timeout": 0}, "request_timeout must be positive"),
        ({"retry_initial": 2.0, "retry_max": 1.0}, "must be at least retry_initial"),
    ],
)
def test_settings_refuse_nonsense(knobs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WriterSettings(**knobs)  # type: ignore[arg-type]
