"""Reads every stream of source-paystack with PyAirbyte into one schema of a
DuckDB file: the warehouse the dbt package's CI builds on (ci/dbt.sh runs
it once per business, each into its own schema of the same file).

With `append`, it reads every record again (a full refresh) and appends
them to the tables, as a connection in append mode does: each record is
then there twice, an older and a newer copy, for the staging models to
deduplicate.

Usage: python dbt_load.py EXECUTABLE API_URL DUCKDB_FILE SCHEMA [append]"""

import sys

from fake_source import fake_source

executable, api_url, db_path, schema = sys.argv[1:5]
append = sys.argv[5:] == ["append"]

source = fake_source(executable, api_url)
source.select_all_streams()

from airbyte.caches import DuckDBCache  # noqa: E402

cache = DuckDBCache(db_path=db_path, schema_name=schema)
if append:
    result = source.read(cache=cache, write_strategy="append", force_full_refresh=True)
else:
    result = source.read(cache=cache)
counts = {name: len(dataset.to_pandas()) for name, dataset in result.streams.items()}
print(f"{schema}: {len(counts)} streams, {sum(counts.values())} rows into {db_path}")
if len(counts) != 23 or not all(counts.values()):
    sys.exit(f"{schema}: expected 23 non-empty streams, got {counts}")
