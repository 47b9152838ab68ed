"""Reads every stream of source-paystack with PyAirbyte into its default
DuckDB cache and checks the row counts against what the fake Paystack holds.

Usage: python pyairbyte_read.py EXECUTABLE API_URL
(run from an empty working directory: the default cache lives in ./.cache)."""

import json
import os
import sys
import urllib.request

executable, api_url = sys.argv[1], sys.argv[2]


def fake_total(stream):
    """The records the fake Paystack holds for a stream (its admin API)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{api_url}/__admin/total?stream={stream}", timeout=10) as r:
        return json.load(r)["total"]


# The connector reads the API's base URL from the environment; PyAirbyte
# passes its environment to the executable.
os.environ["PAYSTACK_API_URL"] = api_url

import airbyte as ab  # noqa: E402

source = ab.get_source(
    "source-paystack",
    local_executable=executable,
    config={
        "secret_key": "sk_test_fakepaystack000",
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
print(f"{'stream':<25}{'rows':>8}{'distinct ids':>14}{'the fake holds':>16}")
total_rows = 0
for name in streams:
    expected = fake_total(name)
    df = cache[name].to_pandas()
    rows, distinct = len(df), df["id"].nunique()
    total_rows += rows
    print(f"{name:<25}{rows:>8}{distinct:>14}{expected:>16}")
    if rows != expected or distinct != expected or rows == 0:
        failures.append(f"{name}: {rows} rows, {distinct} distinct ids, the fake holds {expected}")
print(f"cache: {cache.db_path}")
if len(streams) != 23:
    failures.append(f"expected 23 streams, got {len(streams)}: {streams}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"PyAirbyte read {len(streams)} streams, {total_rows} rows, into DuckDB: OK")
