"""Summary of a read, for scripts/quickstart.sh (and anyone with a messages file):

    python3 scripts/summary.py MESSAGES.jsonl CATALOG.jsonl SECONDS [READ.log]

MESSAGES.jsonl is the stdout of `source-paystack read`; CATALOG.jsonl the
stdout of `source-paystack discover` (it gives each stream's cursor field);
SECONDS how long the read took. Prints records, states, status and final
state per stream, the records/s and what paces it, and the newest record of
each stream: the one with the greatest cursor, wherever it was in the
output (streams are read oldest slice first, newest record first within a
page). With READ.log (the read's stderr), also the connector's accounting
line of each stream. Exits 1 when the read wrote an ERROR trace.
"""

import json
import re
import sys
from collections import defaultdict
from datetime import datetime

# Paystack's documented request limits and the connector's page size.
TEST_RPM, LIVE_RPM, PER_PAGE = 100, 600, 200


def cursor_key(value):
    """A cursor value, comparable: a parsed date-time where it parses."""
    if isinstance(value, str):
        try:
            return (1, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp(), value)
        except ValueError:
            return (0, 0, value)
    if isinstance(value, (int, float)):
        return (1, float(value), "")
    return (-1, 0, "")


def main(messages_path, catalog_path, seconds, log_path=None):
    cursors = {}
    for line in open(catalog_path):
        m = json.loads(line)
        if m["type"] == "CATALOG":
            for s in m["catalog"]["streams"]:
                field = s.get("default_cursor_field") or []
                cursors[s["name"]] = field[0] if field else None

    records, states, status, last_state, newest = (
        defaultdict(int), defaultdict(int), {}, {}, {})
    errors, lines = [], 0
    for line in open(messages_path):
        lines += 1
        m = json.loads(line)
        t = m["type"]
        if t == "RECORD":
            s, data = m["record"]["stream"], m["record"]["data"]
            records[s] += 1
            field = cursors.get(s)
            if s not in newest or (
                field and cursor_key(data.get(field)) > cursor_key(newest[s].get(field))
            ):
                newest[s] = data
        elif t == "STATE":
            s = m["state"]["stream"]["stream_descriptor"]["name"]
            states[s] += 1
            last_state[s] = m["state"]["stream"]["stream_state"]
        elif t == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
            ss = m["trace"]["stream_status"]
            status[ss["stream_descriptor"]["name"]] = ss["status"]
        elif t == "TRACE" and m["trace"]["type"] == "ERROR":
            errors.append(m["trace"]["error"]["message"])

    print(f"\n{lines} protocol messages in {seconds:.2f} s\n")
    print(f"{'stream':<25}{'records':>9}{'states':>8}  {'status':<10} final state")
    for s in sorted(set(status) | set(records)):
        print(f"{s:<25}{records[s]:>9}{states[s]:>8}  {status.get(s, '?'):<10} "
              f"{json.dumps(last_state.get(s))}")
    total = sum(records.values())
    rate = total / seconds if seconds > 0 else 0
    print(f"\n{total} records, {rate:,.0f} records/s")
    print(f"(Paced by this machine: the fake Paystack answers at once and the config lifts "
          f"the request cap. Against Paystack the rate limit sets the pace: "
          f"{TEST_RPM} requests a minute with a test key, {LIVE_RPM} with a live key, "
          f"{PER_PAGE} records a page, so at most about {TEST_RPM * PER_PAGE // 60:,} and "
          f"{LIVE_RPM * PER_PAGE // 60:,} records/s.)")
    if log_path:
        # The connector's accounting line for each stream (its log): what it
        # read, and how each list checked out against Paystack's own count.
        accounting = {}
        for line in open(log_path, errors="replace"):
            m = re.search(r'Stream (?:complete|incomplete): (.*)\. stream="(\w+)"', line)
            if m:
                accounting[m.group(2)] = m.group(1)
        print("\nper stream, from the connector's log:")
        for s in sorted(accounting):
            print(f"  {s:<25}{accounting[s]}")
    if newest:
        print("\na record of each stream, the newest where it has a cursor (first 120 characters):")
    for s in sorted(newest):
        field = cursors.get(s)
        text = json.dumps(newest[s])
        what = (f"newest {s} record ({field} {newest[s].get(field)})" if field
                else f"a {s} record (no cursor)")
        print(f"{what}: {text[:120]}{'...' if len(text) > 120 else ''}")
    for e in errors:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), *sys.argv[4:]))
