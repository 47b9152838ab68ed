"""Prints what ci/dbt.sh's dbt builds made: the rows of each mart per
business, and the nodes of each build by kind and status (from dbt's
run_results.json); and checks the deduplication of business gh, read twice
in append mode with records changed in between: its staging models hold
each record once, with the status the fake serves now (WORK_DIR/gh-STREAM.json);
and checks that the marts built on gh's tables as Airbyte's destinations
name and type them (build airbyte_naming) are those built on PyAirbyte's.

Usage: python dbt_summary.py DUCKDB_FILE WORK_DIR NAME:TARGET_PATH..."""

import json
import sys
from collections import Counter

import duckdb

MARTS = [
    "paystack__balance_transactions",
    "paystack__settlement_reconciliation",
    "paystack__subscription_periods",
    "paystack__monthly_recurring_revenue",
    "paystack__daily_overview",
]

db = duckdb.connect(sys.argv[1], read_only=True)
work = sys.argv[2]
for arg in sys.argv[3:]:
    name, target = arg.split(":", 1)
    print(f"{name}:")
    for mart in MARTS:
        rows = db.sql(
            f"select source_relation, count(*) from {name}_paystack.{mart} group by 1 order by 1"
        ).fetchall()
        per = ", ".join(f"{source} {count}" for source, count in rows)
        print(f"  {mart:<38} {sum(c for _, c in rows):>6} rows ({per})")
    results = json.load(open(f"{target}/run_results.json"))["results"]
    kinds = Counter()
    for r in results:
        kind = r["unique_id"].split(".")[0]
        kinds[(kind, r["status"])] += 1
    print("  " + ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(kinds.items())))

ng = "two_businesses_paystack"
print("figures (two businesses):")
for label, sql in [
    ("ledger entries matched to their record",
     f"select sum(case when has_related_record then 1 else 0 end) || ' of ' || count(*) from {ng}.paystack__balance_transactions"),
    ("settlements reconciled",
     f"select sum(case when is_reconciled then 1 else 0 end) || ' of ' || count(*) from {ng}.paystack__settlement_reconciliation"),
    ("ng: MRR of the last month (NGN, major unit)",
     f"select month_start || ': ' || mrr_major || ', ' || active_subscriptions || ' live, ' || churned_subscriptions || ' churned' from {ng}.paystack__monthly_recurring_revenue where source_relation = 'ng' order by month_start desc limit 1"),
    ("subscriptions churned per business, of them in their first month",
     f"select string_agg(source_relation || ' ' || n || ', ' || first_month, '; ') from (select source_relation, count(*) as n, sum(case when is_first_month then 1 else 0 end) as first_month from {ng}.paystack__subscription_periods where is_churn_month group by 1 order by 1)"),
    ("ended subscriptions by the evidence of their end",
     f"select string_agg(ended_by || ' ' || n, ', ') from (select ended_by, count(distinct source_relation || subscription_id) as n from {ng}.paystack__subscription_periods where ended_by is not null group by 1 order by 1)"),
    ("gross volume of successful charges per business (major unit)",
     f"select string_agg(source_relation || ' ' || currency || ' ' || v, ', ') from (select source_relation, currency, sum(gross_volume_major) as v from {ng}.paystack__daily_overview group by 1, 2 order by 1)"),
]:
    print(f"  {label}: {db.sql(sql).fetchone()[0]}")

failures = []
print("deduplication (gh read twice, in append mode, records changed in between):")
for stream, key in [("subscriptions", "subscription_id"), ("transactions", "transaction_id")]:
    served = {r["id"]: r["status"] for r in json.load(open(f"{work}/gh-{stream}.json"))["records"]}
    staged = dict(
        db.sql(
            f"select {key}, status from two_businesses_paystack_staging.stg_paystack__{stream} "
            "where source_relation = 'gh'"
        ).fetchall()
    )
    raw, changed = db.sql(
        f"select count(*), (select count(*) from (select id from paystack_gh.{stream} "
        f"group by id having count(distinct status) > 1)) from paystack_gh.{stream}"
    ).fetchone()
    print(f"  {stream}: {raw} rows landed, {len(staged)} staged, {changed} changed between the reads")
    if staged != served:
        wrong = sorted(i for i in served if staged.get(i) != served[i])
        failures.append(f"{stream}: {len(wrong)} records not as the fake serves them now, e.g. {wrong[:3]}")
    if raw != 2 * len(served) or changed == 0:
        failures.append(f"{stream}: {raw} rows landed for {len(served)} records, {changed} changed")
print("gh landed as Airbyte's destinations land it (camelCase, zoned date-times, JSON text):")
for mart in MARTS:
    pyairbyte = f"(select * from two_businesses_paystack.{mart} where source_relation = 'gh')"
    airbyte = f"airbyte_naming_paystack.{mart}"
    rows = db.sql(f"select count(*) from {airbyte}").fetchone()[0]
    differ = db.sql(
        f"select count(*) from ((select * from {pyairbyte} except all select * from {airbyte}) "
        f"union all (select * from {airbyte} except all select * from {pyairbyte}))"
    ).fetchone()[0]
    print(f"  {mart:<38} {rows:>6} rows, {differ} differ from PyAirbyte's")
    if differ or not rows:
        failures.append(f"{mart}: {differ} rows differ between the namings ({rows} rows)")
ended_by_invoice = db.sql(
    "select count(distinct subscription_id) from two_businesses_paystack.paystack__subscription_periods "
    "where source_relation = 'gh' and ended_by = 'invoice_period'"
).fetchone()[0]
if ended_by_invoice == 0:
    failures.append("gh: no subscription ended at its most recent invoice's period (the changed ones should)")
if failures:
    sys.exit("FAILED:\n  " + "\n  ".join(failures))
