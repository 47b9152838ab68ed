"""Reads every stream of source-paystack with PyAirbyte into one schema of a
DuckDB file: the warehouse the dbt package's CI builds on (ci/dbt.sh runs
it once per business, each into its own schema of the same file).

Usage: python dbt_load.py EXECUTABLE API_URL DUCKDB_FILE SCHEMA"""

import sys

from fake_source import fake_source

executable, api_url, db_path, schema = sys.argv[1:5]

source = fake_source(executable, api_url)
source.select_all_streams()

from airbyte.caches import DuckDBCache  # noqa: E402

cache = DuckDBCache(db_path=db_path, schema_name=schema)
result = source.read(cache=cache)
counts = {name: len(dataset.to_pandas()) for name, dataset in result.streams.items()}
print(f"{schema}: {len(counts)} streams, {sum(counts.values())} rows into {db_path}")
if len(counts) != 23 or not all(counts.values()):
    sys.exit(f"{schema}: expected 23 non-empty streams, got {counts}")
