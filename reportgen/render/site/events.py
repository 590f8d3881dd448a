"""What happened when, for the time charts: rollout changes, alert episodes, coverage gaps.

Rollout changes come from the reports (`rollout.changes`, the rollout history rows of each
period); alert episodes from the alert lifecycle's transitions (an episode runs from a
transition into `firing` to the alert's next transition to `resolved` or `normal`, or is still
open: as in the lifecycle, an inconclusive stretch in between does not end it); coverage
gaps from the period and the store's data span. Charts draw changes as labelled rules and
episodes and gaps as shaded spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportgen.render import formatting

Report = Mapping[str, Any]
SEVERITY_RANK = {"info": 0, "inconclusive": 0, "ok": 0, "warning": 1, "critical": 2}
ACTION_LABELS = {"rollback": "rollback", "emergency_stop": "emergency stop", "created": "created"}


@dataclass(frozen=True)
class Episode:
    """One alert's firing episode; `end` is None while it is still firing, and then `until`
    is the newest moment the lifecycle was judged at (when known): how far it is known open."""

    key: str
    rule: str
    scope: str
    start: datetime
    end: datetime | None
    severity: str
    messages: tuple[str, ...] = ()  # the opening result's, then each escalation's
    issue_number: int | None = None
    until: datetime | None = None

    @property
    def last(self) -> datetime | None:
        """Its end, or how far an open episode is known; None: open, with no end in sight."""
        return self.end if self.end is not None else self.until

    def overlaps(self, start: datetime, end: datetime) -> bool:
        last = self.last
        return self.start < end and (last is None or last > start)


@dataclass(frozen=True)
class Incident:
    """Overlapping alert episodes, read as one incident."""

    start: datetime
    end: datetime | None
    severity: str
    episodes: tuple[Episode, ...] = field(default_factory=tuple)
    until: datetime | None = None  # while open: how far it is known (see `Episode.until`)


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# The states that end an episode; `inconclusive` and `pending` do not (the lifecycle keeps
# the episode open through a stretch it cannot judge).
_EPISODE_ENDS = frozenset({"resolved", "normal"})


def episodes(
    transitions: Iterable[Mapping[str, Any]], until: datetime | None = None
) -> list[Episode]:
    """The firing episodes in the alert transitions (any order), oldest first; `until` is the
    newest moment the lifecycle was judged at, how far the still open ones are known."""
    ordered = sorted(transitions, key=lambda t: (_moment(t["changed_at"]), str(t.get("key"))))
    open_: dict[str, dict[str, Any]] = {}
    found: list[Episode] = []
    for row in ordered:
        key, state = str(row.get("key")), row.get("to_state")
        if state == "firing" and key not in open_:
            open_[key] = {
                "row": row,
                "start": _moment(row["changed_at"]),
                "severity": str(row.get("severity") or "warning"),
                "messages": [str(row.get("message") or "")],
            }
        elif state == "firing":
            # A firing row's message may be a healthy result's (on the way to resolving):
            # only an escalation's says more than the one that opened the episode.
            episode = open_[key]
            if severity_rank(row.get("severity")) > severity_rank(episode["severity"]):
                episode["severity"] = str(row.get("severity"))
                episode["messages"].append(str(row.get("message") or ""))
        elif key in open_ and state in _EPISODE_ENDS:
            found.append(_episode(key, open_.pop(key), _moment(row["changed_at"])))
    found.extend(_episode(key, episode, None, until) for key, episode in open_.items())
    return sorted(found, key=lambda e: (e.start, e.key))


def severity_rank(severity: Any) -> int:
    """How severe: critical above warning above the rest."""
    return SEVERITY_RANK.get(str(severity), 0)


def _episode(
    key: str, episode: Mapping[str, Any], end: datetime | None, until: datetime | None = None
) -> Episode:
    row = episode["row"]
    return Episode(
        key=key,
        rule=str(row.get("rule") or ""),
        scope=str(row.get("scope") or ""),
        start=episode["start"],
        end=end,
        severity=episode["severity"],
        messages=tuple(dict.fromkeys(m for m in episode["messages"] if m)),
        issue_number=row.get("issue_number"),
        until=until if end is None else None,
    )


def incidents(found: Sequence[Episode]) -> list[Incident]:
    """Episodes grouped where they overlap in time, newest (and any still open) first."""
    groups: list[list[Episode]] = []
    reach: datetime | None = None
    for episode in sorted(found, key=lambda e: e.start):
        if groups and (reach is None or episode.start <= reach):
            groups[-1].append(episode)
        else:
            groups.append([episode])
        ends = [e.last for e in groups[-1]]
        reach = None if None in ends else max(e for e in ends if e is not None)
    result = [
        Incident(
            start=group[0].start,
            end=None if any(e.end is None for e in group) else max(e.end for e in group if e.end),
            severity=max((e.severity for e in group), key=severity_rank),
            episodes=tuple(group),
            until=max((e.until for e in group if e.until is not None), default=None),
        )
        for group in groups
    ]
    # Still open first, then newest first: the current state leads.
    return sorted(result, key=lambda i: (i.end is None, i.start), reverse=True)


def rollout_label(change: Mapping[str, Any]) -> str:
    """`rollback 50 % → 0 %`, `emergency stop`, `25 % → 50 %`."""
    before, after = change.get("previous_percentage"), change.get("new_percentage")
    action = ACTION_LABELS.get(str(change.get("action")), "")
    moved = (
        f"{formatting.percent(before, 0)} → {formatting.percent(after, 0)}"
        if before is not None and after is not None
        else formatting.percent(after, 0)
        if after is not None
        else ""
    )
    return " ".join(part for part in (action, moved) if part) or str(change.get("action"))


LABEL_LANES = 3


@dataclass(frozen=True)
class ChartEvents:
    """The events of one chart's time window, as rows of its `events` and `spans` datasets."""

    rules: tuple[dict[str, Any], ...] = ()
    spans: tuple[dict[str, Any], ...] = ()
    # Where the data end (the newest snapshot), when that is before the window's end: an
    # hour from it on has no data, and its zeros are not drawn as if they were measured.
    data_end: datetime | None = None


def chart_events(
    reports: Sequence[Report],
    window: tuple[datetime, datetime],
    found: Sequence[Episode],
    data_start: datetime | None,
    elapsed_end: datetime | None,
    data_as_of: datetime | None = None,
) -> ChartEvents:
    """Rollout rules, episode spans and coverage gaps within `window` (`[start, end)`): before
    the data start, and from the newest snapshot (`data_as_of`) or the end of the elapsed
    time, whichever comes first, to the window's end."""
    start, end = window
    changes = sorted(
        (
            change
            for report in reports
            for change in (report.get("rollout") or {}).get("changes") or ()
            if start <= _moment(change["created_at"]) < end
        ),
        key=lambda change: _moment(change["created_at"]),
    )
    rules = [
        {
            "at": str(change["created_at"]),
            "event": rollout_label(change),
            "kind": str(change.get("action") or "updated"),
            # Labels of close changes take turns on LABEL_LANES lines instead of overprinting.
            "lane": index % LABEL_LANES,
        }
        for index, change in enumerate(changes)
    ]
    spans = [
        {
            "start": max(e.start, start).isoformat(),
            "end": min(e.last or end, end).isoformat(),
            "event": f"{e.severity} alert: {e.rule} ({e.scope})",
            "kind": "alert",
        }
        for e in found
        if e.overlaps(start, end)
    ]
    if data_start is not None and data_start > start:
        gap_end = min(data_start, end)
        spans.append(
            {
                "start": start.isoformat(),
                "end": gap_end.isoformat(),
                "event": "before data start",
                "kind": "uncovered",
            }
        )
    data_end = data_as_of if data_as_of is not None and data_as_of < end else None
    if data_end is not None and (elapsed_end is None or data_end <= elapsed_end):
        # The period has elapsed (or will) past the newest snapshot: no data after it yet.
        spans.append(
            {
                "start": max(data_end, start).isoformat(),
                "end": end.isoformat(),
                "event": "after the newest snapshot",
                "kind": "after_data",
            }
        )
    elif elapsed_end is not None and elapsed_end < end:
        spans.append(
            {
                "start": max(elapsed_end, start).isoformat(),
                "end": end.isoformat(),
                "event": "partial: no data yet",
                "kind": "partial",
            }
        )
    return ChartEvents(tuple(rules), tuple(spans), data_end)
