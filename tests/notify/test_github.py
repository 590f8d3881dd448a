from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.github_server import REPOSITORY, FakeGitHub

from reportgen.config import load_settings
from reportgen.errors import NotifyError
from reportgen.notify.github import IssueTracker, marker

LABEL = "rollout-incident"
ISSUES = f"/repos/{REPOSITORY}/issues"


_OPEN: list[IssueTracker] = []


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server
    while _OPEN:  # every client made by `tracker` is closed before the server goes
        _OPEN.pop().close_client()


class FakeClock:
    """Monotonic time that only sleeping moves: the client's waits are recorded, not waited."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def tracker(
    github: FakeGitHub,
    *,
    interval: float = 0.0,
    timeout: float = 5.0,
    clock: FakeClock | None = None,
) -> IssueTracker:
    clock = clock or FakeClock()
    client = IssueTracker(
        api_url=github.api_url,
        repository=REPOSITORY,
        token="test-token",
        label=LABEL,
        write_interval_seconds=interval,
        timeout=timeout,
        max_wait_seconds=5.0,
        clock=clock,
        sleep=clock.sleep,
    )
    _OPEN.append(client)
    return client


def calls(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in github.requests]


def test_github_open_incident_creates_labelled_issue_with_marker(github: FakeGitHub) -> None:
    issue = tracker(github).open_incident("k1", "Rollout incident: x", "body text\n")
    assert issue.number == 1
    created = github.issues[1]
    assert created.labels == [LABEL]
    assert created.body == "<!-- reportgen:key=k1 -->\nbody text\n"
    assert calls(github) == [("GET", ISSUES), ("POST", ISSUES)]
    assert github.requests[0].query == {"state": "open", "labels": LABEL, "per_page": "100"}
    assert github.requests[1].authorization == "Bearer test-token"


def test_github_open_incident_finds_the_open_issue_instead_of_a_duplicate(
    github: FakeGitHub,
) -> None:
    tracker(github).open_incident("k1", "t", "b")
    again = tracker(github).open_incident("k1", "t", "b")
    assert again.number == 1
    assert len(github.issues) == 1


def test_github_find_open_follows_link_pagination(github: FakeGitHub) -> None:
    github.add_issue("ours", f"{marker('k1')}\nbody", [LABEL])
    for n in range(150):  # newer issues push ours to the second page
        github.add_issue(f"other {n}", "no marker", [LABEL])
    github.add_issue("closed one", marker("k2"), [LABEL], state="closed")
    github.add_issue("unlabelled", marker("k3"), ["bug"])
    client = tracker(github)
    found = client.find_open("k1")
    assert found is not None
    assert (found.number, found.title) == (1, "ours")
    assert client.find_open("k2") is None
    assert client.find_open("k3") is None
    assert [(r.method, r.query.get("page")) for r in github.requests] == [
        ("GET", None),
        ("GET", "2"),
    ]
    assert not any("/search" in path for _, path in calls(github))


def test_github_create_500_lists_again_then_retries_once(github: FakeGitHub) -> None:
    github.fail_next("POST", 500)
    issue = tracker(github).open_incident("k1", "t", "b")
    assert issue.number == 1
    assert len(github.issues) == 1
    assert calls(github) == [("GET", ISSUES), ("POST", ISSUES), ("GET", ISSUES), ("POST", ISSUES)]


def test_github_create_that_times_out_after_creating_is_found_not_duplicated(
    github: FakeGitHub,
) -> None:
    github.slow_next_create(2.0)
    issue = tracker(github, timeout=0.5).open_incident("k1", "t", "b")
    assert issue.number == 1
    assert len(github.issues) == 1
    assert calls(github) == [("GET", ISSUES), ("POST", ISSUES), ("GET", ISSUES)]


def test_github_create_failing_every_time_raises_after_three_attempts(github: FakeGitHub) -> None:
    github.fail_next("POST", 502, times=3)
    with pytest.raises(NotifyError, match=f"GitHub POST {ISSUES}: HTTP 502"):
        tracker(github).open_incident("k1", "t", "b")
    assert github.issues == {}
    assert [m for m, _ in calls(github)] == ["GET", "POST", "GET", "POST", "GET", "POST", "GET"]


def test_github_403_retry_after_is_honoured(github: FakeGitHub) -> None:
    github.fail_next("POST", 403, {"retry-after": "3"})
    clock = FakeClock()
    tracker(github, clock=clock).open_incident("k1", "t", "b")
    assert len(github.writes()) == 2
    assert clock.sleeps == [3.0]  # waited exactly what GitHub asked, then wrote again
    assert len(github.issues) == 1


def test_github_429_reset_too_far_away_gives_up(github: FakeGitHub) -> None:
    github.fail_next("GET", 429, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999999999"})
    with pytest.raises(NotifyError, match=r"^GitHub rate limit: retry in \d+ s$"):
        tracker(github).open_incident("k1", "t", "b")
    assert github.issues == {}


def test_github_403_without_rate_limit_headers_fails_at_once(github: FakeGitHub) -> None:
    github.fail_next("GET", 403)
    with pytest.raises(NotifyError, match=f"^GitHub GET {ISSUES}: HTTP 403$"):
        tracker(github).find_open("k1")
    assert len(github.requests) == 1


def test_github_writes_are_serial_and_spaced(github: FakeGitHub) -> None:
    clock = FakeClock()
    client = tracker(github, interval=0.3, clock=clock)
    issue = client.open_incident("k1", "t", "b")
    client.comment(issue.number, "escalated")
    client.close("k1", issue.number, "resolved")
    writes = github.writes()
    assert [(w.method, w.path) for w in writes] == [
        ("POST", ISSUES),
        ("POST", f"{ISSUES}/1/comments"),
        ("POST", f"{ISSUES}/1/comments"),
        ("PATCH", f"{ISSUES}/1"),
    ]
    # Each write after the first waited out the interval (no time passes between them here).
    assert clock.sleeps == pytest.approx([0.3, 0.3, 0.3])
    assert github.issues[1].state == "closed"
    assert github.issues[1].comments == ["escalated", "resolved"]
    assert writes[-1].body == {"state": "closed", "state_reason": "completed"}
    assert client.find_open("k1") is None


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_github_from_settings_never_acts_in_a_pull_request_run(event: str) -> None:
    environ = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPOSITORY}
    settings = load_settings(environ=environ)
    assert IssueTracker.from_settings(settings, {**environ, "GITHUB_EVENT_NAME": event}) is None
    found = IssueTracker.from_settings(settings, {**environ, "GITHUB_EVENT_NAME": "schedule"})
    assert found is not None
    found.close_client()


def test_github_from_settings_without_token_is_none() -> None:
    settings = load_settings(environ={"GITHUB_REPOSITORY": REPOSITORY})
    assert IssueTracker.from_settings(settings, {}) is None


def test_github_unexpected_answer_is_a_notify_error(github: FakeGitHub) -> None:
    github.fail_next("GET", 200)  # a 200 whose body is not a list of issues
    with pytest.raises(NotifyError, match=f"^GitHub {ISSUES}: unexpected answer$"):
        tracker(github).find_open("k1")
