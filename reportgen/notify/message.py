"""One alert notification as every channel (Sentry, GitHub, the outbox, logs) sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reportgen.findings import NoticeKind
from reportgen.render.formatting import readable_durations

SentryLevel = Literal["fatal", "warning", "info"]

# Sentry's levels for our severities.
_LEVELS: dict[str, SentryLevel] = {"critical": "fatal", "warning": "warning", "info": "info"}


@dataclass(frozen=True)
class AlertNotice:
    """What one notification says: the alert, what changed, and the context behind it."""

    key: str
    kind: NoticeKind
    severity: str  # critical | warning | info: the alert's severity, also when resolved
    rule: str
    scope: str
    message: str
    value: float | None = None
    threshold: float | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    processor: str | None = None
    rollout_percentage: float | None = None
    first_seen: str | None = None
    as_of: str | None = None

    def sentry_level(self) -> SentryLevel:
        # A resolution is good news whatever the alert's severity was.
        return "info" if self.kind == "resolved" else _LEVELS.get(self.severity, "info")

    def title(self) -> str:
        label = "resolved" if self.kind == "resolved" else self.severity
        # A Sentry event's message reads as the other views do (`6 d 18 h`, not `585360000 ms`).
        message = readable_durations(self.message)
        return f"[{label}] {self.rule} ({self.scope}): {message}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = dict(self.counts)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AlertNotice:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)
