"""The settings model: defaults < config file < environment < command-line flags.

The file is `reportgen.toml` (or `--config FILE`), else `[tool.reportgen]` in `pyproject.toml`.
Environment variables are `REPORTGEN_<SECTION>__<FIELD>` (e.g. `REPORTGEN_REPORT__TIMEZONE`),
plus the seed system's `HYBRID_*` names for the thresholds it had. Secrets (tokens, DSNs,
database URLs) are read from the environment only and refused in a file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from reportgen.errors import ConfigError
from reportgen.periods import RANGE_SLUG, parse_bound

DEFAULT_CONFIG_FILE = Path("reportgen.toml")

# The seed system's variable names, kept so existing deployments keep working.
HYBRID_ENV = {
    "HYBRID_ERROR_RATE_THRESHOLD": ("thresholds", "error_rate_critical"),
    "HYBRID_HEALTH_SCORE_THRESHOLD": ("thresholds", "health_score_warning"),
    "HYBRID_MIN_JOBS_FOR_ANALYSIS": ("report", "min_jobs"),
    "HYBRID_HEALTH_CHECK_INTERVAL": ("health", "interval_minutes"),
}

SECRET_ENV = {
    "sentry_dsn": "SENTRY_DSN",
    "github_token": "GITHUB_TOKEN",
    "database_url": "REPORTGEN_DATABASE_URL",
}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_BYTES = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "TiB": 1024**4,
}
MIN_MEMORY_BYTES = 256 * 1000**2
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$")


def size_bytes(value: str) -> int:
    """A memory size as DuckDB reads it (`2GB` = 2 * 1000**3, `1GiB` = 1024**3) in bytes."""
    size = _SIZE.fullmatch(value)
    if size is None:
        raise ValueError(f"not a memory size: {value!r}")
    return int(float(size[1]) * _BYTES[size[2]])


class StoreSettings(Section):
    path: Path = Field(Path("data/reportgen.duckdb"), description="The DuckDB store file.")
    wait_seconds: float = Field(
        30.0, ge=0, description="How long a command waits for another process to free the store."
    )
    memory_limit: str = Field(
        "2GB",
        pattern=_SIZE.pattern,
        description="DuckDB's memory cap per command, at least `256MB`; beyond it DuckDB spills.",
    )
    threads: int = Field(
        2,
        ge=1,
        le=256,
        description="Worker threads per command: DuckDB's, and reports `build` computes at once.",
    )
    temp_directory: Path | None = Field(
        None, description="Where DuckDB spills past `memory_limit`; unset: `<store path>.tmp`."
    )

    @field_validator("memory_limit")
    @classmethod
    def _enough_memory(cls, value: str) -> str:
        # Below it DuckDB has no room for a join's hash table beside the scans' buffers.
        if size_bytes(value) < MIN_MEMORY_BYTES:
            raise ValueError(f"{value.strip()} is below the minimum of 256MB")
        return value.strip()


class SourceSettings(Section):
    path: str = Field(
        "data/sample", description="Where `pull` reads snapshots: a directory, a glob or a file."
    )
    jobs_table: str = Field(
        "progressive_capture_jobs", description="PostgreSQL table (or schema.table) of the jobs."
    )
    rollout_configuration_table: str = Field(
        "rollout_configuration", description="PostgreSQL table of the rollout configuration."
    )
    rollout_history_table: str = Field(
        "rollout_history", description="PostgreSQL table of the rollout history."
    )
    repository_categories_table: str = Field(
        "repository_categories", description="PostgreSQL table of the repository categories."
    )
    batch_rows: int = Field(
        100_000, ge=1, description="PostgreSQL: rows read per batch (bounds the pull's memory)."
    )
    overlap_seconds: float = Field(
        60, ge=0, description="PostgreSQL: rows changed this long before the watermark are re-read."
    )


class ReportSettings(Section):
    timezone: str = Field("UTC", description="IANA time zone that periods are cut in.")
    min_jobs: int = Field(
        10, ge=0, description="A rate is conclusive only with more finished jobs than this."
    )
    feature: str = Field(
        "hybrid_progressive_capture", description="The rollout feature being watched."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class ThresholdSettings(Section):
    error_rate_warning: float = Field(2.5, ge=0, le=100, description="Error rate % that warns.")
    error_rate_critical: float = Field(
        5.0, ge=0, le=100, description="Error rate % that is critical (`max_error_rate`)."
    )
    health_score_warning: float = Field(70, ge=0, le=100, description="Score below this warns.")
    health_score_critical: float = Field(
        50, ge=0, le=100, description="Score below this, held, is critical."
    )
    health_score_hold_minutes: int = Field(
        30, ge=0, description="How long a critical score must hold before it counts."
    )
    error_rate_trend_pct: float = Field(
        50, ge=0, description="Error rate rising more than this % vs the previous window warns."
    )
    p95_trend_pct: float = Field(
        25, ge=0, description="p95 processing time rising more than this % warns."
    )
    cost_warning_pct: float = Field(
        25, ge=0, description="Cost per billed job rising more than this % warns (never critical)."
    )
    queue_pending: int = Field(100, ge=0, description="More pending jobs than this warns.")
    oldest_pending_minutes: float = Field(
        60, ge=0, description="Oldest pending job older than this is critical."
    )
    stuck_minutes: float = Field(
        60, ge=0, description="A job processing for longer than this is stuck."
    )
    connection_failure_pct: float = Field(
        50, ge=0, le=100, description="Share of a processor's failures that are `network`."
    )
    health_score_error_rate_high: float = Field(10, description="Score: error rate above → −30.")
    health_score_error_rate_medium: float = Field(5, description="Score: error rate above → −15.")
    health_score_success_rate_low: float = Field(90, description="Score: success below → −20.")
    health_score_processing_ms: float = Field(
        300_000, description="Score: mean processing time above this many ms → −10."
    )
    trend_dead_band_pct: float = Field(5, ge=0, description="Changes within ±this % are `flat`.")
    evidence_confidence_pct: float = Field(
        95, gt=50, lt=100, description="One-sided confidence a rate's bound must have to breach."
    )
    trend_confidence_pct: float = Field(
        99,
        gt=50,
        lt=100,
        description="One-sided confidence a rise vs the previous window must have to warn.",
    )
    cusum_warning: float = Field(
        5.0, gt=0, description="CUSUM log-likelihood ratio at which the error rate warns."
    )
    cusum_critical: float = Field(
        5.0, gt=0, description="CUSUM log-likelihood ratio at which the error rate is critical."
    )
    breaker_hold_minutes: int = Field(
        30, ge=0, description="How long a critical error rate must hold before a rollback."
    )
    data_stale_minutes: float = Field(
        60, ge=0, description="Health: a newest snapshot older than this warns (`data_stale`)."
    )


class PriceSettings(Section):
    inngest_per_job: float = Field(0.0002, ge=0, description="US dollars per inngest job.")
    github_actions_per_minute: float = Field(
        0.008, ge=0, description="US dollars per GitHub Actions minute."
    )
    rounding: Literal["up", "exact"] = Field(
        "up", description="`up` bills each job's minutes rounded up, as GitHub does."
    )


class HealthSettings(Section):
    evaluation_window_minutes: int = Field(
        60, gt=0, description="Error-rate, score and breaker rules judge this many minutes."
    )
    monitoring_window_hours: int = Field(
        24,
        gt=0,
        description="Trend, latency and cost rules compare this window with the one before.",
    )
    interval_minutes: int = Field(15, gt=0, description="The schedule of `health` runs.")
    repeat_interval_hours: float = Field(
        4, gt=0, description="An unchanged firing alert is re-notified at most this often."
    )
    resolve_after: int = Field(
        2, ge=1, description="Healthy, conclusive evaluations needed before an alert resolves."
    )


class SiteSettings(Section):
    out: Path = Field(Path("site"), description="Where `build` writes the site.")
    title: str = Field("Rollout dashboard", description="Shown in every page header.")
    stale_after_hours: float = Field(
        36, gt=0, description="Pages flag data older than this as stale."
    )
    ranges: dict[str, str] = Field(
        default_factory=dict, description="Named custom ranges: slug = 'START..END'."
    )
    base_url: str = Field("", description="Public URL of the site, used in issue links.")
    templates: Path | None = Field(
        None, description="A folder of template overrides (a file there replaces the shipped one)."
    )

    @field_validator("ranges")
    @classmethod
    def _named_spans(cls, ranges: dict[str, str]) -> dict[str, str]:
        # Checked here so a bad range is reported with every other configuration problem
        # (exit 1), not only when `build` reaches it. The period rules live in periods.py.
        problems = [
            problem for slug, span in ranges.items() if (problem := _range_problem(slug, span))
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return ranges


def _range_problem(slug: str, span: str) -> str | None:
    """What is wrong with one `[site.ranges]` entry, or None."""
    if not RANGE_SLUG.fullmatch(slug):
        return f"{slug!r} is not a valid name (lowercase letters, digits and '-')"
    first, separator, last = (part.strip() for part in span.partition(".."))
    if not separator:
        return f"{slug}: {span!r} is not START..END"
    try:
        start, end = _moment(parse_bound(first)), _moment(parse_bound(last))
    except ValueError:
        return f"{slug}: {span!r} is not START..END of ISO 8601 dates or times"
    # Naive and aware ends are compared later, in the report time zone.
    if (start.tzinfo is None) == (end.tzinfo is None) and end <= start:
        return f"{slug}: END {last!r} is not after START {first!r}"
    return None


def _moment(bound: date | datetime) -> datetime:
    return bound if isinstance(bound, datetime) else datetime.combine(bound, time())


class GithubSettings(Section):
    repository: str = Field("", description="owner/name for incident issues (GITHUB_REPOSITORY).")
    api_url: str = Field(
        "https://api.github.com", description="GitHub API base (Enterprise, tests)."
    )
    label: str = Field("rollout-incident", description="Label of incident issues.")
    write_interval_seconds: float = Field(1.0, ge=0, description="Minimum gap between writes.")


class Secrets(BaseModel):
    """Read from the environment only; never written to the site or logs."""

    model_config = ConfigDict(frozen=True)

    sentry_dsn: SecretStr | None = None
    github_token: SecretStr | None = None
    database_url: SecretStr | None = None

    def values(self) -> list[str]:
        """Every secret that is set, for scanning output before it is written."""
        found = [self.sentry_dsn, self.github_token, self.database_url]
        return [s.get_secret_value() for s in found if s is not None and s.get_secret_value()]


class Settings(BaseSettings):
    # The environment is read by `load_settings`, not by pydantic-settings: the seed's HYBRID_*
    # names map into nested sections, and every layer's faults must be reported together.
    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    store: StoreSettings = StoreSettings()
    source: SourceSettings = SourceSettings()
    report: ReportSettings = ReportSettings()
    thresholds: ThresholdSettings = ThresholdSettings()
    prices: PriceSettings = PriceSettings()
    health: HealthSettings = HealthSettings()
    site: SiteSettings = SiteSettings()
    github: GithubSettings = GithubSettings()
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings merges file, HYBRID_* and REPORTGEN_* layers in their order of
        # precedence and passes the result as init values, so one error lists every layer's faults.
        return (init_settings,)


def _read_file(path: Path | None) -> tuple[dict[str, Any], str | None]:
    """The `[tool.reportgen]`-style table and the name of the file it came from."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        return _parse_toml(path, path.name == "pyproject.toml"), str(path)
    if DEFAULT_CONFIG_FILE.is_file():
        return _parse_toml(DEFAULT_CONFIG_FILE, False), str(DEFAULT_CONFIG_FILE)
    pyproject = Path("pyproject.toml")
    if pyproject.is_file():
        table = _parse_toml(pyproject, True)
        if table:
            return table, str(pyproject)
    return {}, None


def _parse_toml(path: Path, is_pyproject: bool) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    if is_pyproject:
        table = data.get("tool", {}).get("reportgen", {})
        return table if isinstance(table, dict) else {}
    return data


def _hybrid_env(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for name, (section, field) in HYBRID_ENV.items():
        if name in environ:
            values.setdefault(section, {})[field] = environ[name]
    return values


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _format_errors(exc: ValidationError, origin: str) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "config"
        lines.append(f"  {where}: {error['msg']}")
    return f"invalid configuration ({origin}):\n" + "\n".join(lines)


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from every layer; all problems are reported in one ConfigError."""
    env = os.environ if environ is None else environ
    file_values, origin = _read_file(config_file)
    for field in SECRET_ENV:
        if field in file_values or "secrets" in file_values:
            raise ConfigError(
                f"{origin}: secrets are read from the environment only; remove them from the file",
                hint="Set SENTRY_DSN, GITHUB_TOKEN and REPORTGEN_DATABASE_URL in the environment.",
            )
    layered = _deep_merge(file_values, _hybrid_env(env))
    layered = _deep_merge(layered, _reportgen_env(env))
    layered = _deep_merge(layered, {k: dict(v) for k, v in (overrides or {}).items()})
    secrets = Secrets(**{field: env.get(name) or None for field, name in SECRET_ENV.items()})
    if not layered.get("github", {}).get("repository") and env.get("GITHUB_REPOSITORY"):
        layered = _deep_merge(layered, {"github": {"repository": env["GITHUB_REPOSITORY"]}})
    try:
        return Settings(**layered, secrets=secrets)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, origin or "defaults and environment")) from None


def _env_value(value: str) -> Any:
    """A JSON object or list for the fields that hold one (e.g. `site.ranges`), else the text."""
    if value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _reportgen_env(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith("REPORTGEN_") or "__" not in name:
            continue
        section, _, field = name.removeprefix("REPORTGEN_").lower().partition("__")
        values.setdefault(section, {})[field] = _env_value(value)
    return values
