"""Tributary aggregation task for Databricks (job `tributary_aggregate`).

Reads one Tributary run's curated Parquet, exposes it as the temp view `curated`, runs the Spark SQL that
Tributary compiled for the dataset, writes the result as Parquet (overwrite: a retried run replaces, never
appends) and writes a small JSON summary {rows, columns, result_path, spark_version}.

Job parameters arrive as command-line arguments (`--key value`), forwarded by the task's `parameters` with
dynamic value references `{{job.parameters.<key>}}` (see databricks.yml). Paths may contain the placeholders
`{dataset}` and `{runId}`, expanded from --dataset and --run_id.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

PARAMETERS = ("dataset", "run_id", "curated_path", "results_path", "aggregation_sql", "summary_path")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aggregate.py", description=__doc__.splitlines()[0])
    for name in PARAMETERS:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    for name in PARAMETERS:
        if not getattr(args, name).strip():
            parser.error(f"--{name} must not be empty")
    for name in ("curated_path", "results_path", "summary_path"):
        setattr(args, name, expand(getattr(args, name), args.dataset, args.run_id))
    args.aggregation_sql = normalize_sql(args.aggregation_sql)
    return args


def expand(path: str, dataset: str, run_id: str) -> str:
    """Fills the {dataset} and {runId} placeholders of a path."""
    return path.replace("{dataset}", dataset).replace("{runId}", run_id).replace("{run_id}", run_id)


def normalize_sql(sql: str) -> str:
    """The statement over the view `curated`, without a trailing semicolon (spark.sql runs one statement)."""
    return sql.strip().rstrip(";").strip()


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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    from pyspark.sql import SparkSession  # imported here so argument handling can be checked without Spark

    spark = SparkSession.builder.appName(f"tributary-aggregate-{args.dataset}-{args.run_id}").getOrCreate()

    curated = spark.read.parquet(args.curated_path)
    curated.createOrReplaceTempView("curated")

    result = spark.sql(args.aggregation_sql)
    result.write.mode("overwrite").parquet(args.results_path)

    written = spark.read.parquet(args.results_path)
    summary = {
        "dataset": args.dataset,
        "run_id": args.run_id,
        "rows": written.count(),
        "columns": [{"name": f.name, "type": f.dataType.simpleString()} for f in written.schema.fields],
        "result_path": args.results_path,
        "spark_version": spark.version,
    }
    write_text(spark, args.summary_path, json.dumps(summary, indent=2))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
