from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.config import load_settings
from reportgen.errors import ConfigError


def test_load_settings_defaults() -> None:
    settings = load_settings(environ={})
    assert settings.report.timezone == "UTC"
    assert settings.report.min_jobs == 10
    assert settings.thresholds.error_rate_critical == 5.0
    assert settings.store.path == Path("data/reportgen.duckdb")


def test_load_settings_layers_file_env_flags(tmp_path: Path) -> None:
    config = tmp_path / "reportgen.toml"
    config.write_text('[report]\ntimezone = "Europe/Berlin"\nmin_jobs = 3\n', encoding="utf-8")
    settings = load_settings(
        config,
        overrides={"store": {"path": "x.duckdb"}},
        environ={"HYBRID_MIN_JOBS_FOR_ANALYSIS": "7", "REPORTGEN_THRESHOLDS__QUEUE_PENDING": "5"},
    )
    assert settings.report.timezone == "Europe/Berlin"
    assert settings.report.min_jobs == 7
    assert settings.thresholds.queue_pending == 5
    assert settings.store.path == Path("x.duckdb")


def test_load_settings_reads_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.reportgen.thresholds]\nerror_rate_warning = 1.5\n", encoding="utf-8"
    )
    assert load_settings(environ={}).thresholds.error_rate_warning == 1.5


def test_load_settings_reports_every_error_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            environ={
                "HYBRID_MIN_JOBS_FOR_ANALYSIS": "many",
                "REPORTGEN_REPORT__TIMEZONE": "Mars/Olympus",
                "REPORTGEN_NOPE__FIELD": "1",
            }
        )
    assert str(caught.value) == (
        "invalid configuration (defaults and environment):\n"
        "  report.timezone: Value error, unknown time zone 'Mars/Olympus'\n"
        "  report.min_jobs: Input should be a valid integer, unable to parse string as an integer\n"
        "  nope: Extra inputs are not permitted"
    )


def test_load_settings_refuses_secrets_in_file(tmp_path: Path) -> None:
    config = tmp_path / "reportgen.toml"
    config.write_text('github_token = "ghp_x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="secrets are read from the environment only"):
        load_settings(config, environ={})


def test_load_settings_secrets_from_environment() -> None:
    settings = load_settings(
        environ={"SENTRY_DSN": "http://k@127.0.0.1:1/1", "GITHUB_TOKEN": "ghp_secret"}
    )
    assert settings.secrets.values() == ["http://k@127.0.0.1:1/1", "ghp_secret"]
    assert "ghp_secret" not in repr(settings.secrets.github_token)


def test_load_settings_invalid_toml(tmp_path: Path) -> None:
    config = Path("bad.toml")
    config.write_text("[report\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^bad.toml: not valid TOML"):
        load_settings(config, environ={})


def test_load_settings_json_value_from_environment() -> None:
    settings = load_settings(
        environ={"REPORTGEN_SITE__RANGES": '{"incident": "2026-11-18..2026-11-19"}'}
    )
    assert settings.site.ranges == {"incident": "2026-11-18..2026-11-19"}


def test_readme_documents_every_setting() -> None:
    from reportgen.config import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for section, field in Settings.model_fields.items():
        if section == "secrets":
            continue
        model = field.annotation
        assert isinstance(model, type)
        for name in model.model_fields:
            assert f"`{section}.{name}`" in readme, f"README lacks {section}.{name}"


def test_load_settings_checks_named_ranges_with_the_other_errors(tmp_path: Path) -> None:
    config = tmp_path / "reportgen.toml"
    config.write_text(
        "[report]\nmin_jobs = -1\n"
        "[site.ranges]\n"
        'Launch = "2026-11-23..2026-11-30"\n'
        'backwards = "2026-11-30..2026-11-01"\n'
        'no-dots = "2026-11-23"\n'
        'garbage = "soon..later"\n'
        'ok = "2026-11-18T14:00..2026-11-18T17:00"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert str(caught.value) == (
        f"invalid configuration ({config}):\n"
        "  report.min_jobs: Input should be greater than or equal to 0\n"
        "  site.ranges: Value error, 'Launch' is not a valid name (lowercase letters, digits "
        "and '-'); backwards: END '2026-11-01' is not after START '2026-11-30'; "
        "no-dots: '2026-11-23' is not START..END; "
        "garbage: 'soon..later' is not START..END of ISO 8601 dates or times"
    )
