"""Copies the tables PyAirbyte wrote into one schema of a DuckDB file into
another schema, shaped as Airbyte's destinations write them: each column
named as the stream's field (`createdAt`, not PyAirbyte's `createdat`),
date-times as TIMESTAMP WITH TIME ZONE, objects and arrays as JSON text
(VARCHAR). ci/dbt.sh builds the dbt package on both and compares the marts.

Usage: python dbt_airbyte_naming.py DUCKDB_FILE FROM_SCHEMA TO_SCHEMA SCHEMAS_DIR"""

import json
import sys

import duckdb

db_path, source, dest, schemas_dir = sys.argv[1:5]
db = duckdb.connect(db_path)
# The instants PyAirbyte wrote (UTC, no zone) become the same instants.
db.execute("set TimeZone = 'UTC'")
db.execute(f'create schema if not exists "{dest}"')
tables = [
    t for (t,) in db.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "and table_name not like '\\_airbyte%' escape '\\'",
        [source],
    ).fetchall()
]
for table in tables:
    props = json.load(open(f"{schemas_dir}/{table}.json"))["properties"]
    names = {p.lower(): p for p in props}
    columns = []
    for column, data_type in db.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [source, table],
    ).fetchall():
        name = names.get(column, column)
        if data_type == "TIMESTAMP":
            expr = f'cast("{column}" as timestamptz)'
        elif data_type == "JSON":
            expr = f'cast("{column}" as varchar)'
        else:
            expr = f'"{column}"'
        columns.append(f'{expr} as "{name}"')
    db.execute(
        f'create or replace table "{dest}"."{table}" as '
        f'select {", ".join(columns)} from "{source}"."{table}"'
    )
print(f"{dest}: {len(tables)} tables as Airbyte's destinations name and type them")
