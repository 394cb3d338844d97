"""Tributary aggregate refresh for Databricks (job `tributary_aggregate`).

Reads the dataset's curated Delta table at the curated version Tributary committed (`versionAsOf`), exposes it as
the temp view `curated`, runs the Spark SQL Tributary compiled for the dataset (the same spec the DuckDB engine
runs) restricted to the affected groups, and replaces those groups in the aggregate Delta table in one commit
(`replaceWhere` on the group keys: groups left without rows disappear). Without affected groups it recomputes
everything (full overwrite). Then it writes a small JSON summary for Tributary's collect activity.

Idempotency and ordering:
- the write carries `txnAppId` / `txnVersion` (= the curated version), so a retried job run does not apply twice;
- the commit's `userMetadata` records {"curatedVersion": N, ...}; before writing, the job reads the versions the
  aggregate's recent commits recorded and drops a refresh older than the newest one (never older over newer).

Job parameters arrive as command-line arguments (`--key value`), forwarded by the task's `parameters` with dynamic
value references `{{job.parameters.<key>}}` (see databricks.yml). Everything above `main` is pure Python so that
argument handling and SQL building are tested without Spark (databricks/tests/test_aggregate.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

REQUIRED = ("dataset", "run_id", "curated_table", "aggregate_table", "aggregation_sql", "summary_path")
OPTIONAL = ("curated_version", "affected_keys", "affected_keys_path", "affected_predicate")
PARAMETERS = REQUIRED + OPTIONAL

FULL = "full"
INCREMENTAL = "incremental"

APPLY = "apply"
SKIP_STALE = "skipped-stale"
SKIP_APPLIED = "skipped-already-applied"
NOTHING = "nothing-to-refresh"

#: userMetadata key of the curated version an aggregate commit reflects (the DuckDB engine writes the same name).
CURATED_VERSION_KEY = "curatedVersion"
#: How many recent aggregate commits are searched for the newest recorded curated version.
HISTORY_DEPTH = 50


@dataclass(frozen=True)
class KeySet:
    """Affected groups: the aggregate's group-key column names and one row of values (strings or None) per group."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aggregate.py", description=__doc__.splitlines()[0])
    for name in REQUIRED:
        parser.add_argument(f"--{name}", required=True)
    for name in OPTIONAL:
        parser.add_argument(f"--{name}", default="")
    args = parser.parse_args(argv)
    for name in REQUIRED:
        if not getattr(args, name).strip():
            parser.error(f"--{name} must not be empty")
    for name in ("curated_table", "aggregate_table", "summary_path", "affected_keys_path"):
        setattr(args, name, expand(getattr(args, name).strip(), args.dataset, args.run_id))
    args.aggregation_sql = normalize_sql(args.aggregation_sql)

    version = args.curated_version.strip()
    if version:
        try:
            args.curated_version = int(version)
        except ValueError:
            parser.error(f"--curated_version must be a table version (an integer >= 0), not '{version}'")
        if args.curated_version < 0:
            parser.error(f"--curated_version must be >= 0, not {args.curated_version}")
    else:
        args.curated_version = None  # the table's latest version, read and recorded by the job

    given = [n for n in ("affected_keys", "affected_keys_path", "affected_predicate") if getattr(args, n).strip()]
    if len(given) > 1:
        parser.error("give at most one of --affected_keys, --affected_keys_path, --affected_predicate (got " + ", ".join(given) + ")")
    args.affected_predicate = args.affected_predicate.strip() or None
    args.keys = None
    if args.affected_keys.strip():
        try:
            args.keys = parse_keys(args.affected_keys)
        except ValueError as error:
            parser.error(f"--affected_keys: {error}")
    args.mode = INCREMENTAL if given else FULL
    return args


def expand(path: str, dataset: str, run_id: str) -> str:
    """Fills the {dataset} and {runId} placeholders of a path."""
    return path.replace("{dataset}", dataset).replace("{runId}", run_id).replace("{run_id}", run_id)


def normalize_sql(sql: str) -> str:
    """The statement over the view `curated`, without a trailing semicolon (spark.sql runs one statement)."""
    return sql.strip().rstrip(";").strip()


def parse_keys(text: str) -> KeySet:
    """Parses {"columns": [...], "keys": [[...], ...]} (the affected-keys file or inline parameter).

    Values are strings (timestamps in ISO 8601), numbers or booleans (kept as their JSON text) or null. Duplicate
    rows are dropped; an empty "keys" list is valid (nothing to refresh).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error.msg} at {error.pos}") from None
    if not isinstance(document, dict):
        raise ValueError("expected an object with 'columns' and 'keys'")
    columns = document.get("columns")
    rows = document.get("keys")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns):
        raise ValueError("'columns' must be a non-empty list of column names")
    if len(set(columns)) != len(columns):
        raise ValueError("'columns' has duplicates")
    if not isinstance(rows, list):
        raise ValueError("'keys' must be a list of rows")
    seen: dict[tuple[str | None, ...], None] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ValueError(f"key {index} must be a list of {len(columns)} values")
        seen.setdefault(tuple(_key_value(v, index) for v in row), None)
    return KeySet(tuple(columns), tuple(seen))


def _key_value(value: Any, index: int) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise ValueError(f"key {index}: values must be strings, numbers, booleans or null")


def quote(identifier: str) -> str:
    """A Spark SQL identifier (backticks, doubled inside), as AggregationSqlCompiler quotes."""
    return "`" + identifier.replace("`", "``") + "`"


def string_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal(value: str | None, spark_type: str) -> str:
    """A typed literal: CAST('<value>' AS <type>), or NULL."""
    if value is None:
        return "NULL"
    if spark_type == "string":
        return string_literal(value)
    return f"CAST({string_literal(value)} AS {spark_type})"


def key_predicate(keys: KeySet, types: dict[str, str]) -> str:
    """A predicate over the aggregate's group-key columns that is true exactly for the given groups.

    Groups without nulls become one IN list (a hash set in Spark: thousands of keys stay one expression); groups with a
    null key use null-safe equality (<=>), since IN never matches NULL. An empty key set gives `false`.
    """
    missing = [c for c in keys.columns if c not in types]
    if missing:
        raise ValueError(f"affected key columns {missing} are not columns of the aggregate ({sorted(types)})")
    plain = [row for row in keys.rows if all(v is not None for v in row)]
    with_nulls = [row for row in keys.rows if any(v is None for v in row)]
    terms: list[str] = []
    if plain:
        if len(keys.columns) == 1:
            column = keys.columns[0]
            values = ", ".join(literal(row[0], types[column]) for row in plain)
            terms.append(f"{quote(column)} IN ({values})")
        else:
            target = _named_struct(keys.columns, [quote(c) for c in keys.columns])
            values = ", ".join(_named_struct(keys.columns, [literal(v, types[c]) for c, v in zip(keys.columns, row)]) for row in plain)
            terms.append(f"{target} IN ({values})")
    for row in with_nulls:
        parts = [f"{quote(c)} IS NULL" if v is None else f"{quote(c)} <=> {literal(v, types[c])}" for c, v in zip(keys.columns, row)]
        terms.append("(" + " AND ".join(parts) + ")")
    if not terms:
        return "false"
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _named_struct(columns: Iterable[str], values: Iterable[str]) -> str:
    return "named_struct(" + ", ".join(f"{string_literal(c)}, {v}" for c, v in zip(columns, values)) + ")"


def affected_sql(aggregation_sql: str, predicate: str | None) -> str:
    """The compiled aggregation restricted to the affected groups (Spark pushes a filter on grouping columns below the
    aggregate, so only the affected groups' rows are aggregated); the whole aggregation without a predicate."""
    if predicate is None:
        return aggregation_sql
    return f"SELECT * FROM ({aggregation_sql}) AS tributary_groups WHERE {predicate}"


def txn_app_id(dataset: str, mode: str) -> str:
    """The Delta txn application id of a refresh. Full and incremental refreshes have their own, so a full recompute
    at a curated version an incremental refresh already reflects is still applied (its txnVersion is not 'old')."""
    return f"tributary-aggregate-{mode}:{dataset}"


def user_metadata(curated_version: int, run_id: str, mode: str, groups: int | None) -> str:
    """The commit's userMetadata: the curated version this aggregate reflects, and what produced it."""
    return json.dumps({CURATED_VERSION_KEY: curated_version, "runId": run_id, "mode": mode, "groups": groups, "engine": "databricks"},
                      separators=(",", ":"))


def recorded_curated_version(metadata: Iterable[str | None]) -> int | None:
    """The newest curated version recorded by aggregate commits, from their userMetadata (JSON with curatedVersion)."""
    newest = None
    for text in metadata:
        if not text:
            continue
        try:
            value = json.loads(text).get(CURATED_VERSION_KEY)
        except (json.JSONDecodeError, AttributeError):
            continue
        if isinstance(value, int) and not isinstance(value, bool) and (newest is None or value > newest):
            newest = value
    return newest


def decide(requested: int, recorded: int | None, mode: str) -> str:
    """Whether to write: never let an older view overwrite a newer one; an incremental refresh of a version already
    reflected is a retry (already applied); a full refresh of the same version is applied again (forced recompute)."""
    if recorded is None:
        return APPLY
    if recorded > requested:
        return SKIP_STALE
    if recorded == requested and mode == INCREMENTAL:
        return SKIP_APPLIED
    return APPLY


def same_schema(result: Sequence[tuple[str, str]], table: Sequence[tuple[str, str]]) -> bool:
    """Whether the aggregate table has the columns (name, type) the compiled SQL produces, in order."""
    return [(n.lower(), t) for n, t in result] == [(n.lower(), t) for n, t in table]


def summary(args: argparse.Namespace, curated_version: int, mode: str, action: str, groups: int | None,
            rows: int | None, aggregate_version: int | None, columns: list[dict[str, str]], spark_version: str,
            recorded: int | None) -> dict[str, Any]:
    """The job summary Tributary's collect activity reads (DatabricksJobSummary)."""
    return {
        "dataset": args.dataset,
        "run_id": args.run_id,
        "curated_version": curated_version,
        "mode": mode,
        "action": action,
        "groups": groups,
        "rows": rows,
        "aggregate_version": aggregate_version,
        "recorded_curated_version": recorded,
        "columns": columns,
        "result_path": args.aggregate_table,
        "spark_version": spark_version,
    }


def write_text(spark, path: str, text: str) -> None:
    """Writes one small text file, overwriting it (dbutils on Databricks, the local file system elsewhere)."""
    try:
        from pyspark.dbutils import DBUtils  # available on Databricks runtimes and serverless

        DBUtils(spark).fs.put(path, text, True)
    except ImportError:
        local = path[len("file:"):] if path.startswith("file:") else path
        os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        with open(local, "w", encoding="utf-8") as handle:
            handle.write(text)


def read_text(spark, path: str) -> str:
    """Reads one small text file (the affected-keys file)."""
    return "\n".join(row.value for row in spark.read.text(path, wholetext=True).collect())


# ---- Spark from here on (not imported by the unit tests' code paths) ----

def _history(spark, table: str, limit: int):
    return spark.sql(f"DESCRIBE HISTORY delta.{quote(table)} LIMIT {limit}").collect()


def _is_delta_table(spark, table: str) -> bool:
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, table)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    from pyspark.sql import SparkSession  # imported here so argument handling can be checked without Spark

    spark = SparkSession.builder.appName(f"tributary-aggregate-{args.dataset}-{args.run_id}").getOrCreate()

    # The curated table at the version the run committed (or its latest, recorded as read).
    curated_version = args.curated_version
    if curated_version is None:
        curated_version = int(_history(spark, args.curated_table, 1)[0]["version"])
    spark.read.format("delta").option("versionAsOf", curated_version).load(args.curated_table).createOrReplaceTempView("curated")

    full = spark.sql(args.aggregation_sql)
    result_columns = [(f.name, f.dataType.simpleString()) for f in full.schema.fields]
    types = dict(result_columns)

    exists = _is_delta_table(spark, args.aggregate_table)
    mode = args.mode
    if exists and mode == INCREMENTAL:
        table_columns = [(f.name, f.dataType.simpleString()) for f in spark.read.format("delta").load(args.aggregate_table).schema.fields]
        if not same_schema(result_columns, table_columns):
            mode = FULL  # the spec changed: the aggregate is recomputed, not patched
    if not exists:
        mode = FULL  # the first refresh creates the table

    recorded = recorded_curated_version(r["userMetadata"] for r in _history(spark, args.aggregate_table, HISTORY_DEPTH)) if exists else None
    action = decide(curated_version, recorded, mode)

    predicate = None
    groups = None
    if action == APPLY and mode == INCREMENTAL:
        if args.affected_predicate is not None:
            predicate = args.affected_predicate
        else:
            keys = args.keys if args.keys is not None else parse_keys(read_text(spark, args.affected_keys_path))
            groups = len(keys.rows)
            predicate = key_predicate(keys, types) if keys.rows else None
            if predicate is None:
                action = NOTHING

    if action == APPLY:
        writer = (spark.sql(affected_sql(args.aggregation_sql, predicate)).write.format("delta")
                  .mode("overwrite")
                  .option("txnAppId", txn_app_id(args.dataset, mode))
                  .option("txnVersion", curated_version)
                  .option("userMetadata", user_metadata(curated_version, args.run_id, mode, groups)))
        if predicate is not None:
            writer = writer.option("replaceWhere", predicate)  # deletes the affected groups, writes their new rows
        else:
            writer = writer.option("overwriteSchema", "true")
        writer.save(args.aggregate_table)

    aggregate_version = None
    rows = None
    columns: list[dict[str, str]] = []
    if action == APPLY or exists:
        table = spark.read.format("delta").load(args.aggregate_table)
        rows = table.count()
        columns = [{"name": f.name, "type": f.dataType.simpleString()} for f in table.schema.fields]
        aggregate_version = int(_history(spark, args.aggregate_table, 1)[0]["version"])

    result = summary(args, curated_version, mode, action, groups, rows, aggregate_version, columns, spark.version, recorded)
    write_text(spark, args.summary_path, json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
