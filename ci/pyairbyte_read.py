"""Reads every stream of source-paystack with PyAirbyte into its default
DuckDB cache and checks the row counts against what the fake Paystack holds.

Usage: python pyairbyte_read.py EXECUTABLE API_URL RECORDS_PER_STREAM
(run from an empty working directory: the default cache lives in ./.cache)."""

import os
import sys

executable, api_url, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
# The connector reads the API's base URL from the environment; PyAirbyte
# passes its environment to the executable.
os.environ["PAYSTACK_API_URL"] = api_url

import airbyte as ab  # noqa: E402

source = ab.get_source(
    "source-paystack",
    local_executable=executable,
    config={
        "secret_key": "sk_test_fakepaystack",
        "start_date": "2024-01-01T00:00:00Z",
        "lookback_window_days": 0,
        "requests_per_minute": 100000,
    },
    install_if_missing=False,
)
source.check()
streams = source.get_available_streams()
source.select_all_streams()
cache = ab.get_default_cache()
result = source.read(cache=cache)

failures = []
print(f"{'stream':<15}{'rows':>8}{'distinct ids':>14}")
for name in streams:
    df = cache[name].to_pandas()
    rows, distinct = len(df), df["id"].nunique()
    print(f"{name:<15}{rows:>8}{distinct:>14}")
    if rows != expected or distinct != expected:
        failures.append(f"{name}: {rows} rows, {distinct} distinct ids, expected {expected}")
print(f"cache: {cache.db_path}")
if len(streams) != 8:
    failures.append(f"expected 8 streams, got {streams}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"PyAirbyte read {len(streams)} streams x {expected} rows into DuckDB: OK")
