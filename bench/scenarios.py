"""What the benchmark measures and what it must reach.

To measure a new page, add a Scenario to SCENARIOS; to hold it to a figure, add
a Target to TARGETS. run.py loads, serves, verifies and measures whatever is here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from bench.fixture import BenchFixture


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: Callable[[BenchFixture], str]
    # Signed-in scenarios send the benchmark applicant's session cookies.
    signed_in: bool = False
    # Text the page must contain for the pre-flight check; a login page or an error page will not.
    expect_text: Callable[[BenchFixture], str] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TargetOutcome:
    passed: bool
    detail: str


@dataclass(frozen=True)
class Target:
    name: str
    needs: tuple[str, ...]  # scenario names the check reads
    check: Callable[[dict[str, dict]], TargetOutcome]


SCENARIOS: list[Scenario] = [
    Scenario(
        name="status_page",
        description="Signed-in status page of the application with a 30-event history",
        path=lambda fixture: f"/en/applications/{fixture.application_number}/",
        signed_in=True,
        expect_text=lambda fixture: fixture.application_number,
    ),
    Scenario(
        name="bare",
        description="Ceiling: same stack, one primary-key query, a few bytes, no session",
        path=lambda fixture: "/bench/bare/",
        expect_text=lambda fixture: fixture.application_number,
    ),
    Scenario(
        name="bare_signed_in",
        description="Floor of any signed-in page: the bare view behind login_required, with a session cookie",
        path=lambda fixture: "/bench/bare-signed-in/",
        signed_in=True,
        expect_text=lambda fixture: fixture.application_number,
    ),
]


def _status_vs_bare(results: dict[str, dict]) -> TargetOutcome:
    ratio = results["status_page"]["requests_per_second"] / results["bare"]["requests_per_second"]
    return TargetOutcome(passed=ratio >= 0.5, detail=f"ratio {ratio:.2f}")


def _status_p95(results: dict[str, dict]) -> TargetOutcome:
    p95 = results["status_page"]["latency_ms"]["p95"]
    return TargetOutcome(passed=p95 < 100, detail=f"p95 {p95:.1f} ms")


TARGETS: list[Target] = [
    Target(name="status page >= 0.5 x bare requests/s", needs=("status_page", "bare"), check=_status_vs_bare),
    Target(name="status page p95 < 100 ms", needs=("status_page",), check=_status_p95),
]
