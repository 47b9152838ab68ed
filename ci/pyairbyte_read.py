"""Reads every stream of source-paystack with PyAirbyte into its default
DuckDB cache, then checks the tables a warehouse user gets:

- the row counts against what the fake Paystack holds;
- the type of every column against the stream's JSON schema, as PyAirbyte
  maps it (airbyte/types.py): integer -> BIGINT, boolean -> BOOLEAN, string
  with format date-time -> TIMESTAMP WITH TIME ZONE, object and array ->
  JSON, number -> DECIMAL(38,9), string -> VARCHAR; an untyped property
  (`{}`: no sample shows its type) gets whatever column PyAirbyte gives it,
  and only its non-null count is checked. The mapping is checked
  through PyAirbyte's own type converter, and the column DuckDB holds is
  checked too: for date-times that is TIMESTAMP, because PyAirbyte writes
  its CREATE TABLE with str(sqlalchemy.TIMESTAMP(timezone=True)), which is
  "TIMESTAMP" (its own _airbyte_extracted_at column, a TIMESTAMP WITH TIME
  ZONE in its mapping, lands the same way). DuckDB converts each "…Z" value
  to UTC on the way in, so the instants are checked (their sum in ms);
- the values, column by column, against every record the fake served
  (its /__admin/records, drift included): as many non-null values as the
  fake sent non-null ones (a "" sent for an object or array is null by
  design), the same sum in BIGINT and DECIMAL columns, the same number of
  true values in BOOLEAN columns; and every JSON value valid against its
  property's schema (so drift nested in objects was converted too). A
  drifted value that did not land in its typed column shows up as a
  missing count.

Usage: python pyairbyte_read.py EXECUTABLE API_URL
(run from an empty working directory: the default cache lives in ./.cache)."""

import json
import sys
import urllib.request
from datetime import datetime
from decimal import Decimal

executable, api_url = sys.argv[1], sys.argv[2]

# The column type each schema type maps to (PyAirbyte's type converter,
# compiled for DuckDB), and the type DuckDB reports for the column PyAirbyte
# creates (see above for date-times).
SQL_TYPES = {
    "integer": ("BIGINT", "BIGINT"),
    "boolean": ("BOOLEAN", "BOOLEAN"),
    "date-time": ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
    "object": ("JSON", "JSON"),
    "array": ("JSON", "JSON"),
    "number": ("DECIMAL(38, 9)", "DECIMAL(38,9)"),
    "string": ("VARCHAR", "VARCHAR"),
}

# The fields the connector adds to child records (their parent's key and
# creation time): never in what the fake serves, never null in the table.
PARENT_TAGS = {
    "settlement_transactions": {"settlement_id", "settlement_created_at"},
    "bulk_charge_items": {"bulk_charge_code", "bulk_charge_created_at"},
}


def admin(path):
    """GET one of the fake Paystack's admin endpoints."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{api_url}{path}", timeout=60) as r:
        return json.load(r)


def schema_type(prop):
    """The one non-null type of a property (`date-time` for a marked
    string), `untyped` when it has none, or None when it has several."""
    if "type" not in prop:
        return "untyped"
    types = prop["type"]
    types = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    if len(types) != 1:
        return None
    if types[0] == "string" and prop.get("format") == "date-time":
        return "date-time"
    return types[0]


def drifted(kind, value):
    """Whether a value the fake sent is not of its column's type."""
    if value is None or kind == "untyped":
        return False
    if kind in ("integer", "number"):
        return isinstance(value, (bool, str)) or (kind == "integer" and isinstance(value, float))
    if kind == "boolean":
        return not isinstance(value, bool)
    if kind == "object":
        return not isinstance(value, dict)
    if kind == "array":
        return not isinstance(value, list)
    return not isinstance(value, str)


def as_number(value):
    """A value as the connector writes it into a number column (true/false
    to 1/0, a numeric string to its integer)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return int(value)
    return Decimal(str(value))


def expected(kind, values):
    """What the column should hold, from the values the fake sent:
    (non-null count, check name, check value)."""
    present = [
        v for v in values
        if v is not None and not (kind in ("object", "array") and v == "")
    ]
    if kind in ("integer", "number"):
        return len(present), "sum", sum((as_number(v) for v in present), Decimal(0))
    if kind == "boolean":
        return len(present), "true", sum(1 for v in present if v is True or v == 1)
    if kind == "date-time":
        return len(present), "ms", sum(epoch_ms(v) for v in present)
    return len(present), None, None


def epoch_ms(value):
    """Milliseconds since the epoch of an ISO date-time with a zone."""
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return round(at.timestamp() * 1000)


import airbyte as ab  # noqa: E402
import duckdb_engine  # noqa: E402
import jsonschema  # noqa: E402
from airbyte._util.name_normalizers import LowerCaseNormalizer  # noqa: E402
from airbyte.types import SQLTypeConverter  # noqa: E402
from fake_source import fake_source  # noqa: E402
from sqlalchemy import text  # noqa: E402

converter = SQLTypeConverter()
dialect = duckdb_engine.Dialect()

source = fake_source(executable, api_url)
source.check()
streams = source.get_available_streams()
schemas = {s.name: s.json_schema for s in source.discovered_catalog.streams}
source.select_all_streams()
cache = ab.get_default_cache()
result = source.read(cache=cache)

failures = []
print(f"{'stream':<25}{'rows':>8}{'distinct ids':>14}{'the fake holds':>16}")
total_rows = 0
for name in streams:
    expected_rows = admin(f"/__admin/total?stream={name}")["total"]
    df = cache[name].to_pandas()
    rows, distinct = len(df), df["id"].nunique()
    total_rows += rows
    print(f"{name:<25}{rows:>8}{distinct:>14}{expected_rows:>16}")
    if rows != expected_rows or distinct != expected_rows or rows == 0:
        failures.append(
            f"{name}: {rows} rows, {distinct} distinct ids, the fake holds {expected_rows}"
        )
print(f"cache: {cache.db_path}")
if len(streams) != 23:
    failures.append(f"expected 23 streams, got {len(streams)}: {streams}")

# Column types and values.
types_seen = {}
drift_rows = []
columns_checked = 0
with cache.get_sql_engine().connect() as db:
    for name in streams:
        table = cache[name].to_sql_table()
        got_types = {
            column: data_type
            for column, data_type in db.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = :schema AND table_name = :table"
                ),
                {"schema": table.schema or "main", "table": table.name},
            )
        }
        sent = admin(f"/__admin/records?stream={name}")["records"]
        for prop, prop_schema in schemas[name]["properties"].items():
            column = LowerCaseNormalizer.normalize(prop)
            kind = schema_type(prop_schema)
            where = f"{name}.{prop}"
            if kind is None:
                failures.append(f"{where}: not one type in the schema: {prop_schema.get('type')}")
                continue
            got_mapped = converter.to_sql_type(prop_schema).compile(dialect=dialect)
            got_type = got_types.get(column)
            if kind == "untyped":
                mapped, want_type = got_mapped, got_type or "a column"
            else:
                mapped, want_type = SQL_TYPES[kind]
            label = f"{mapped} (untyped)" if kind == "untyped" else mapped
            types_seen[label] = types_seen.get(label, 0) + 1
            columns_checked += 1
            if got_mapped != mapped:
                failures.append(f"{where}: PyAirbyte maps it to {got_mapped}, not {mapped}")
            if got_type != want_type:
                failures.append(f"{where}: column {column} is {got_type}, not {want_type}")
                continue
            quoted = f'"{column}"'
            tbl = f'"{table.schema or "main"}"."{table.name}"'
            non_null = db.execute(text(f"SELECT count({quoted}) FROM {tbl}")).scalar()
            if prop in PARENT_TAGS.get(name, ()):
                if non_null != len(sent):
                    failures.append(f"{where}: {non_null} non-null parent tags for {len(sent)} rows")
                continue
            values = [r.get(prop) for r in sent]
            want_non_null, check, want_check = expected(kind, values)
            got_check = None
            if check == "sum":
                got_check = db.execute(text(f"SELECT sum({quoted}) FROM {tbl}")).scalar()
                got_check = Decimal(0) if got_check is None else Decimal(got_check)
            elif check == "true":
                got_check = db.execute(
                    text(f"SELECT count(*) FROM {tbl} WHERE {quoted}")
                ).scalar()
            elif check == "ms":
                got_check = db.execute(text(f"SELECT sum(epoch_ms({quoted})) FROM {tbl}")).scalar()
                got_check = 0 if got_check is None else int(got_check)
            if want_type == "JSON" and kind != "untyped":
                validator = jsonschema.Draft7Validator(prop_schema)
                for (stored,) in db.execute(
                    text(f"SELECT CAST({quoted} AS VARCHAR) FROM {tbl} WHERE {quoted} IS NOT NULL")
                ):
                    errors = [e.message for e in validator.iter_errors(json.loads(stored))]
                    if errors:
                        failures.append(f"{where}: a stored value breaks its schema: {errors[:2]}")
                        break
            if non_null != want_non_null:
                failures.append(
                    f"{where} ({want_type}): {non_null} non-null values, the fake sent {want_non_null}"
                )
            if check is not None and got_check != want_check:
                failures.append(
                    f"{where} ({want_type}): {check} {got_check}, from what the fake sent {want_check}"
                )
            n_drifted = sum(1 for v in values if drifted(kind, v))
            if n_drifted:
                kinds = sorted({type(v).__name__ if v != "" else "empty str" for v in values if drifted(kind, v)})
                drift_rows.append(
                    (where, want_type, n_drifted, ", ".join(kinds), want_non_null, non_null,
                     f"{check} {got_check} / {want_check}" if check else "")
                )

print()
print("Column types (every top-level property of the 23 streams), as PyAirbyte")
print("maps the schema, and as DuckDB holds the column:")
stored = {mapped: held for mapped, held in SQL_TYPES.values()}
for sql_type, n in sorted(types_seen.items()):
    held = stored.get(sql_type, sql_type.removesuffix(" (untyped)"))
    print(f"  {sql_type:<26}{n:>5} columns  (DuckDB: {held})")
print(f"  {'all':<26}{columns_checked:>5} columns")
print()
print("Columns the fake sent drifted values in (top level; nested drift sits in JSON")
print("columns, each value of which was validated against its property's schema):")
header = ("column", "type", "drifted", "sent as", "want non-null", "non-null", "check (got / want)")
print(f"| {' | '.join(header)} |")
print(f"|{'|'.join('---' for _ in header)}|")
for row in drift_rows:
    print(f"| {' | '.join(str(c) for c in row)} |")
if not drift_rows:
    failures.append("the fake sent no drifted top-level value: the drift check checked nothing")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(
    f"PyAirbyte read {len(streams)} streams, {total_rows} rows, into DuckDB: "
    f"row counts, {columns_checked} column types and their values: OK"
)
