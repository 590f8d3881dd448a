"""Set-based validation: turn a scan's values into typed columns and a reject reason per row.

One SELECT over a whole file: each column is cast with TRY_CAST, and every problem of a row
(missing, unparsable, not an allowed value, inconsistent) is joined into its `__reason`.
A row without a reason is accepted; rejects keep their raw text. Hostile text is data: it is
only ever compared and quoted, never interpreted.
"""

from __future__ import annotations

from reportgen.schema import Column, ColumnType, Table
from reportgen.store.readers import Scan, identifier, literal

# What a value that fails to parse is "not": `created_at: not a timestamp "yesterday"`.
_KIND = {
    ColumnType.TIMESTAMP: "a timestamp",
    ColumnType.INTEGER: "an integer",
    ColumnType.FLOAT: "a number",
    ColumnType.BOOLEAN: "a boolean",
    ColumnType.JSON: "a JSON object",
}

# JSON columns that hold lists of repositories rather than objects.
_JSON_ARRAYS = frozenset({"target_repositories", "excluded_repositories"})

# Rules across columns or ranges that types alone cannot express, per table.
_ROW_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "jobs": (("completed_at < started_at", "completed_at before started_at"),),
    "rollout_configuration": (
        ("rollout_percentage NOT BETWEEN 0 AND 100", "rollout_percentage: outside 0-100"),
    ),
    "rollout_history": (
        ("previous_percentage NOT BETWEEN 0 AND 100", "previous_percentage: outside 0-100"),
        ("new_percentage NOT BETWEEN 0 AND 100", "new_percentage: outside 0-100"),
    ),
}

# The upstream database's column defaults, for exports that leave them out.
DEFAULTS: dict[str, dict[str, str]] = {
    "rollout_configuration": {
        "max_error_rate": "5.0",
        "monitoring_window_hours": "24",
        "auto_rollback_enabled": "true",
        "emergency_stop": "false",
    },
}

QUOTED_VALUE_CHARS = 80


def checked_select(table: Table, scan: Scan, file_number: str, snapshot_at: str) -> str:
    """The typed rows of a scan with `__reason` (NULL when accepted) and `__raw` for rejects.

    `file_number` and `snapshot_at` are SQL: the file's number and snapshot time as a literal
    and a parameter, or the columns that a scan of several files carries them in.
    """
    typed = ", ".join(
        f"{_typed(column, column.name in scan.typed)} AS {identifier(column.name)}"
        for column in table.columns
    )
    problems = [
        problem
        for column in table.columns
        for problem in _problems(column, column.name in scan.typed)
    ]
    problems += [
        f"CASE WHEN {condition} THEN {literal(message)} END"
        for condition, message in _ROW_RULES.get(table.name, ())
    ]
    reason = f"coalesce(__parse_error, NULLIF(concat_ws('; ', {', '.join(problems)}), ''))"
    raw_record = ", ".join(
        f"{identifier(c)} := {identifier('__v_' + c)}" for c in table.column_names
    )
    defaults = DEFAULTS.get(table.name, {})
    output = ", ".join(
        f"coalesce({identifier(c)}, {defaults[c]}) AS {identifier(c)}"
        if c in defaults
        else identifier(c)
        for c in table.column_names
    )
    version = (
        "coalesce(updated_at, __snapshot)" if "updated_at" in table.column_names else ("__snapshot")
    )
    return (
        f"SELECT {file_number} AS __file, __record, __line, {output},"
        f" __snapshot AS _snapshot_at, {version} AS _version_at, __reason,"
        f" CASE WHEN __reason IS NOT NULL"
        f" THEN coalesce(__raw, to_json(struct_pack({raw_record}))::VARCHAR) END AS __raw"
        f" FROM (SELECT *, {reason} AS __reason"
        f" FROM (SELECT *, {typed}, {snapshot_at} AS __snapshot FROM ({scan.sql})))"
    )


def _value(column: Column) -> str:
    return identifier("__v_" + column.name)


def _blank(column: Column) -> str:
    # ltrim, not trim: the same answer (both strip the same characters), at a fifth of the cost.
    return f"({_value(column)} IS NULL OR ltrim({_value(column)}) = '')"


# A typed timestamp must be one Python can hold: DuckDB reaches past year 9999, and ADBC
# reads PostgreSQL's 'infinity' as a moment in 290279 BC. Rejected as their text would be.
_TIMESTAMPS = "TIMESTAMPTZ '0001-01-01 00:00:00+00' AND TIMESTAMPTZ '9999-12-31 23:59:59.999999+00'"


def _native_typed(column: Column) -> str:
    """A typed value as it is, but for the ones no job can have (NULL, then rejected)."""
    value = _value(column)
    match column.type:
        case ColumnType.TIMESTAMP:
            return f"CASE WHEN {value} BETWEEN {_TIMESTAMPS} THEN {value} END"
        case ColumnType.FLOAT:
            return f"CASE WHEN isfinite({value}) THEN {value} END"
    return value


def _typed(column: Column, native: bool) -> str:
    value = _value(column)
    if native:
        return _native_typed(column)
    # DuckDB's casts skip surrounding blanks and give NULL for '', so no trim() copy is needed.
    match column.type:
        case ColumnType.TEXT:
            return f"CASE WHEN NOT {_blank(column)} THEN {value} END" if column.required else value
        case ColumnType.TIMESTAMP:
            # 'infinity' would cast to a timestamp no job ever had.
            return (
                f"TRY_CAST(CASE WHEN NOT ({value} ILIKE '%inf%') THEN {value} END AS TIMESTAMPTZ)"
            )
        case ColumnType.INTEGER:
            # TRY_CAST would round '1.5' to 2; only whole numbers (also '12.0') are integers.
            return (
                f"CASE WHEN regexp_full_match({value}, '\\s*[+-]?[0-9]+\\s*')"
                f" THEN TRY_CAST({value} AS BIGINT)"
                f" WHEN regexp_full_match({value}, '\\s*[+-]?[0-9]+\\.0*\\s*')"
                f" THEN TRY_CAST(split_part({value}, '.', 1) AS BIGINT) END"
            )
        case ColumnType.FLOAT:
            cast = f"TRY_CAST({value} AS DOUBLE)"
            return f"CASE WHEN isfinite({cast}) THEN {cast} END"
        case ColumnType.BOOLEAN:
            return f"TRY_CAST(lower(trim({value})) AS BOOLEAN)"
        case ColumnType.JSON:
            # Valid JSON that starts with '{' is an object; checking the first character is
            # much cheaper than asking json_type() to parse it a second time.
            opener = "[" if column.name in _JSON_ARRAYS else "{"
            return (
                f"CASE WHEN starts_with(ltrim({value}), '{opener}') AND json_valid({value})"
                f" THEN CAST({value} AS JSON) END"
            )


def _quoted(value: str) -> str:
    """A value in a reason: quoted and cut short (the raw text keeps all of it)."""
    return f"'\"' || left({value}, {QUOTED_VALUE_CHARS}) || '\"'"


def _problems(column: Column, native: bool) -> list[str]:
    name = identifier(column.name)
    value = _value(column)
    found = []
    if column.required:
        blank = f"{value} IS NULL" if native else _blank(column)
        found.append(f"CASE WHEN {name} IS NULL AND {blank} THEN 'missing {column.name}' END")
    if native and _native_typed(column) != value:
        # PostgreSQL's 'infinity' arrives as a moment in 290279 BC: "out of range" says both.
        what = (
            "out of range" if column.type is ColumnType.TIMESTAMP else f"not {_KIND[column.type]}"
        )
        found.append(
            f"CASE WHEN {name} IS NULL AND {value} IS NOT NULL"
            f" THEN '{column.name}: {what} ' || {_quoted(f'{value}::VARCHAR')} END"
        )
    if column.type is not ColumnType.TEXT and not native:
        kind = _KIND[column.type]
        if column.name in _JSON_ARRAYS:
            kind = "a JSON array"
        found.append(
            f"CASE WHEN {name} IS NULL AND NOT {_blank(column)}"
            f" THEN '{column.name}: not {kind} ' || {_quoted(value)} END"
        )
    if column.allowed:
        allowed = ", ".join(literal(choice) for choice in column.allowed)
        found.append(
            f"CASE WHEN {name} NOT IN ({allowed})"
            f" THEN '{column.name}: unknown value ' || {_quoted(name)} END"
        )
    return found
