"""The documented error categorisation, restated so tests can check the simulated messages."""

from __future__ import annotations

# In the documented order: the first category with a matching keyword wins.
SPEC_KEYWORDS = {
    "rate_limit": ("rate limit", "403", "quota", "429"),
    "network": ("timeout", "network", "connection", "econn"),
    "authentication": ("auth", "permission", "unauthorized", "401", "bad credentials"),
    "not_found": ("not found", "404"),
    "database": ("schema", "column", "constraint", "database"),
    "validation": ("validation", "invalid"),
}


def spec_category(message: str) -> str:
    lowered = message.lower()
    for category, keywords in SPEC_KEYWORDS.items():
        if any(keyword in lowered for keyword in keywords):
            return category
    return "unknown"
