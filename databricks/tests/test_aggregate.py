"""Unit tests of aggregate.py's pure logic (arguments, keys, SQL, ordering). No Spark needed:
python3 -m unittest discover -s databricks/tests  (run by DatabricksBundleTests too)."""

import json
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import aggregate  # noqa: E402

BASE = [
    "--dataset", "sales", "--run_id", "r-7",
    "--curated_table", "abfss://curated@acct.dfs.core.windows.net/{dataset}/",
    "--aggregate_table", "abfss://results@acct.dfs.core.windows.net/{dataset}/aggregate/",
    "--aggregation_sql", "SELECT `region`, sum(`amount`) AS `total` FROM curated GROUP BY 1 ORDER BY 1;",
    "--summary_path", "abfss://results@acct.dfs.core.windows.net/{dataset}/run={runId}/_databricks_summary.json",
]


def parse(*extra):
    return aggregate.parse_args(BASE + list(extra))


class ArgumentTests(unittest.TestCase):
    def test_required_parameters_expand_placeholders_and_default_to_full_mode(self):
        a = parse("--curated_version", "12")
        self.assertEqual("abfss://curated@acct.dfs.core.windows.net/sales/", a.curated_table)
        self.assertEqual("abfss://results@acct.dfs.core.windows.net/sales/aggregate/", a.aggregate_table)
        self.assertEqual("abfss://results@acct.dfs.core.windows.net/sales/run=r-7/_databricks_summary.json", a.summary_path)
        self.assertEqual("SELECT `region`, sum(`amount`) AS `total` FROM curated GROUP BY 1 ORDER BY 1", a.aggregation_sql)
        self.assertEqual(12, a.curated_version)
        self.assertEqual(aggregate.FULL, a.mode)
        self.assertIsNone(a.keys)

    def test_empty_optional_parameters_as_the_bundle_forwards_them(self):
        a = parse("--curated_version", "", "--affected_keys", "", "--affected_keys_path", "", "--affected_predicate", " ")
        self.assertIsNone(a.curated_version)
        self.assertEqual(aggregate.FULL, a.mode)
        self.assertIsNone(a.affected_predicate)

    def test_inline_keys_make_an_incremental_refresh(self):
        a = parse("--curated_version", "3", "--affected_keys", json.dumps({"columns": ["region"], "keys": [["EU"], ["US"], ["EU"]]}))
        self.assertEqual(aggregate.INCREMENTAL, a.mode)
        self.assertEqual((("EU",), ("US",)), a.keys.rows)

    def test_keys_file_path_is_expanded(self):
        a = parse("--affected_keys_path", "abfss://results@acct.dfs.core.windows.net/{dataset}/aggregate/_refresh/{runId}.json")
        self.assertEqual(aggregate.INCREMENTAL, a.mode)
        self.assertEqual("abfss://results@acct.dfs.core.windows.net/sales/aggregate/_refresh/r-7.json", a.affected_keys_path)

    def test_predicate_makes_an_incremental_refresh(self):
        a = parse("--affected_predicate", "`region` IN ('EU')")
        self.assertEqual((aggregate.INCREMENTAL, "`region` IN ('EU')"), (a.mode, a.affected_predicate))

    def test_refusals(self):
        cases = [
            ["--dataset", ""],
            ["--curated_version", "abc"],
            ["--curated_version", "-1"],
            ["--affected_keys", "{}", "--affected_predicate", "x"],
            ["--affected_keys", "not json"],
            ["--affected_keys", json.dumps({"columns": [], "keys": []})],
            ["--affected_keys", json.dumps({"columns": ["a", "b"], "keys": [["x"]]})],
            ["--affected_keys", json.dumps({"columns": ["a"], "keys": [[{"x": 1}]]})],
        ]
        for extra in cases:
            with self.subTest(extra=extra), self.assertRaises(SystemExit), _quiet():
                parse(*extra)
        with self.assertRaises(SystemExit), _quiet():
            aggregate.parse_args(BASE[:-2])  # --summary_path missing


class KeyTests(unittest.TestCase):
    def test_values_keep_their_json_text(self):
        keys = aggregate.parse_keys(json.dumps({"columns": ["a", "b", "c"], "keys": [[1, 2.5, True], [None, "x", False]]}))
        self.assertEqual((("1", "2.5", "true"), (None, "x", "false")), keys.rows)

    def test_empty_key_list_is_valid(self):
        self.assertEqual((), aggregate.parse_keys('{"columns": ["a"], "keys": []}').rows)


class SqlTests(unittest.TestCase):
    TYPES = {"zone": "string", "hour": "timestamp", "total": "double"}

    def test_single_column_keys_become_one_in_list_with_typed_literals(self):
        keys = aggregate.KeySet(("hour",), (("2026-01-01T10:00:00Z",), ("2026-01-01T11:00:00Z",)))
        self.assertEqual(
            "`hour` IN (CAST('2026-01-01T10:00:00Z' AS timestamp), CAST('2026-01-01T11:00:00Z' AS timestamp))",
            aggregate.key_predicate(keys, self.TYPES))

    def test_multi_column_keys_use_named_structs_and_nulls_use_null_safe_equality(self):
        keys = aggregate.KeySet(("zone", "hour"), (("O'Hare", "2026-01-01T10:00:00Z"), (None, "2026-01-01T10:00:00Z")))
        self.assertEqual(
            "(named_struct('zone', `zone`, 'hour', `hour`) IN (named_struct('zone', 'O\\'Hare', 'hour', CAST('2026-01-01T10:00:00Z' AS timestamp)))"
            " OR (`zone` IS NULL AND `hour` <=> CAST('2026-01-01T10:00:00Z' AS timestamp)))",
            aggregate.key_predicate(keys, self.TYPES))

    def test_quoting_and_escaping(self):
        self.assertEqual("`we``ird`", aggregate.quote("we`ird"))
        self.assertEqual("'a\\\\b\\'c'", aggregate.string_literal("a\\b'c"))
        self.assertEqual("NULL", aggregate.literal(None, "bigint"))
        self.assertEqual("CAST('12.50' AS decimal(10,2))", aggregate.literal("12.50", "decimal(10,2)"))

    def test_empty_keys_match_nothing_and_unknown_columns_are_refused(self):
        self.assertEqual("false", aggregate.key_predicate(aggregate.KeySet(("zone",), ()), self.TYPES))
        with self.assertRaises(ValueError):
            aggregate.key_predicate(aggregate.KeySet(("nope",), (("x",),)), self.TYPES)

    def test_affected_sql_wraps_the_compiled_statement(self):
        sql = "SELECT `zone`, count(*) AS `n` FROM curated GROUP BY 1 ORDER BY 1"
        self.assertEqual(sql, aggregate.affected_sql(sql, None))
        self.assertEqual(f"SELECT * FROM ({sql}) AS tributary_groups WHERE `zone` IN ('A')", aggregate.affected_sql(sql, "`zone` IN ('A')"))


class OrderingTests(unittest.TestCase):
    def test_user_metadata_round_trips_the_curated_version(self):
        md = aggregate.user_metadata(41, "r-7", aggregate.INCREMENTAL, 3)
        self.assertEqual({"curatedVersion": 41, "runId": "r-7", "mode": "incremental", "groups": 3, "engine": "databricks"}, json.loads(md))
        self.assertEqual(41, aggregate.recorded_curated_version([None, "not json", '"str"', md, '{"curatedVersion": 7}', '{"curatedVersion": true}']))
        self.assertIsNone(aggregate.recorded_curated_version([None, ""]))

    def test_decide_never_lets_an_older_view_overwrite_a_newer_one(self):
        d = aggregate.decide
        self.assertEqual(aggregate.APPLY, d(5, None, aggregate.INCREMENTAL))
        self.assertEqual(aggregate.APPLY, d(5, 4, aggregate.INCREMENTAL))
        self.assertEqual(aggregate.SKIP_APPLIED, d(5, 5, aggregate.INCREMENTAL))  # a retried run
        self.assertEqual(aggregate.APPLY, d(5, 5, aggregate.FULL))                # a forced full recompute
        self.assertEqual(aggregate.SKIP_STALE, d(5, 6, aggregate.INCREMENTAL))
        self.assertEqual(aggregate.SKIP_STALE, d(5, 6, aggregate.FULL))

    def test_txn_app_ids_differ_per_mode_and_dataset(self):
        self.assertEqual("tributary-aggregate-incremental:sales", aggregate.txn_app_id("sales", aggregate.INCREMENTAL))
        self.assertNotEqual(aggregate.txn_app_id("sales", aggregate.FULL), aggregate.txn_app_id("sales", aggregate.INCREMENTAL))

    def test_schema_change_is_detected(self):
        self.assertTrue(aggregate.same_schema([("Zone", "string")], [("zone", "string")]))
        self.assertFalse(aggregate.same_schema([("zone", "string"), ("n", "bigint")], [("zone", "string")]))

    def test_summary_has_what_the_collect_activity_reads(self):
        s = aggregate.summary(parse("--curated_version", "9"), 9, "full", "apply", None, 12, 3, [{"name": "zone", "type": "string"}], "3.5.0", None)
        for field in ("dataset", "run_id", "rows", "columns", "result_path", "spark_version", "curated_version", "mode", "action", "aggregate_version"):
            self.assertIn(field, s)


class _quiet:
    def __enter__(self):
        self._err = sys.stderr
        sys.stderr = open(os.devnull, "w")

    def __exit__(self, *exc):
        sys.stderr.close()
        sys.stderr = self._err
        return False


if __name__ == "__main__":
    unittest.main()
