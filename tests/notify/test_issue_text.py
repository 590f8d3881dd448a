from __future__ import annotations

from reportgen.config import load_settings
from reportgen.notify import issue_text
from reportgen.notify.github import _key_in, marker
from reportgen.notify.issue_text import IssueLinks
from reportgen.notify.message import AlertNotice

NOTICE = AlertNotice(
    key="a36355c2f1649ba2",
    kind="firing",
    severity="critical",
    rule="error_rate",
    scope="overall",
    message="error_rate 20.0% > 5.0% over 300 finished jobs",
    value=20.0,
    threshold=5.0,
    counts={"failed": 60, "finished": 300},
    rollout_percentage=25.0,
    first_seen="2026-11-25T00:00:00+00:00",
    as_of="2026-11-25T00:00:00+00:00",
)
LINKS = IssueLinks(
    "https://acme.github.io/jobs/alerts/", "https://github.com/acme/jobs/actions/runs/42"
)


def test_issue_body_says_what_when_where_and_what_next() -> None:
    assert issue_text.body([NOTICE], LINKS) == (
        "<!-- reportgen:alert=a36355c2f1649ba2 -->\n"
        "## Rollout incident\n"
        "\n"
        "**Started:** 2026-11-25T00:00:00+00:00 · **Rollout percentage:** 25 %\n"
        "\n"
        "### What breached\n"
        "\n"
        "| severity | rule | scope | value | threshold | explanation | counts |\n"
        "|---|---|---|---|---|---|---|\n"
        "| critical | error_rate | overall | 20 | 5 | error_rate 20.0% \\> 5.0% over 300 finished "
        "jobs | failed 60, finished 300 |\n"
        "\n"
        "### Links\n"
        "\n"
        "- Dashboard: https://acme.github.io/jobs/alerts/\n"
        "- Workflow run: https://github.com/acme/jobs/actions/runs/42\n"
        "\n"
        "### Next steps\n"
        "\n"
        "- [ ] Review the Sentry alert details and context\n"
        "- [ ] Confirm the rollout status and recent changes (`reportgen health --format "
        "markdown`, the dashboard's alerts page)\n"
        "- [ ] Assess the user impact and system stability\n"
        "- [ ] Decide whether to roll back: the health check's `decision` says whether the "
        "circuit breaker would; roll back with the rollout-emergency-rollback workflow or "
        "`reportgen rollback --to 0 --reason … --confirm YES`\n"
        "- [ ] Update the stakeholders and document the response in this issue\n"
    )


def test_issue_body_escapes_untrusted_text() -> None:
    hostile = AlertNotice.from_dict(
        {
            **NOTICE.to_dict(),
            "message": "boom <!-- reportgen:key=x --> <img src=x> [click](http://evil) @admin\n| x",
        }
    )
    body = issue_text.body([hostile], LINKS)
    row = body.splitlines()[9]
    assert row == (
        "| critical | error_rate | overall | 20 | 5 | boom \\<\\!-- reportgen:key=x --\\> "
        "\\<img src=x\\> \\[click\\]\\(http\\://evil\\) @\u200badmin \\| x "
        "| failed 60, finished 300 |"
    )
    assert _key_in(f"{marker('real')}\n{body}") == "real"
    assert _key_in(body) is None  # an escaped marker in a message is not a marker


def test_issue_title_is_one_line_of_at_most_256_characters() -> None:
    long = AlertNotice.from_dict({**NOTICE.to_dict(), "message": "x\n" * 400})
    title = issue_text.title([long, NOTICE])
    assert len(title) == 256
    assert "\n" not in title
    assert title.endswith("… (+1 more)")
    assert issue_text.title([NOTICE]) == (
        "Rollout incident: error_rate (overall) — error_rate 20.0% > 5.0% over 300 finished jobs"
    )


def test_issue_comments_for_escalation_and_resolution() -> None:
    assert issue_text.comment("comment", [NOTICE], LINKS).splitlines()[0] == (
        "**Escalated** at 2026-11-25T00:00:00+00:00: now critical as well:"
    )
    closing = issue_text.comment("close", [NOTICE], LINKS)
    assert closing.splitlines()[0] == (
        "**Resolved** at 2026-11-25T00:00:00+00:00: no critical alert is firing any more. Closing."
    )
    assert closing.endswith("Workflow run: https://github.com/acme/jobs/actions/runs/42\n")


def test_issue_links_from_settings_and_the_actions_environment() -> None:
    settings = load_settings(environ={}, overrides={"site": {"base_url": "https://a.io/r/"}})
    environ = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/jobs",
        "GITHUB_RUN_ID": "77",
    }
    assert IssueLinks.from_settings(settings, environ) == IssueLinks(
        "https://a.io/r/alerts/", "https://github.com/acme/jobs/actions/runs/77"
    )
    assert IssueLinks.from_settings(load_settings(environ={}), {}) == IssueLinks(None, None)
