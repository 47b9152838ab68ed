"""Derives the type each schema property may declare from the public samples,
and writes the result, with the sample it rests on, to schemas/evidence/types.json
(checked against the schemas by tests/it/schema_types.rs).

    python3 scripts/schema_evidence.py DOCS_DIR SPEC_YAML [--check]

DOCS_DIR is `Paystack-API/` of alexasomba/paystack-openapi (Paystack's API
reference text with its sample responses), SPEC_YAML is `dist/paystack.yaml`
of PaystackOSS/openapi. Samples found nowhere else (Airbyte's sandbox rows,
guide samples) are in schemas/evidence/samples.json. With --check, prints
the properties whose declared type differs from the evidence and exits 1 if
there are any, without writing.

The rule (schemas/README.md, "Evidence for the types"):
1. The samples of the stream's own list response (and Airbyte's rows, which
   are list reads) decide when they show a non-null value; else the other
   responses of the same object (fetch, create, guides). A value that is
   only a form of drift the connector converts ("" or JSON text for an
   object, 0/1 for a boolean...) is not evidence of a type.
2. A property seen in samples only as null or "" is untyped.
3. A property in no sample takes the type Paystack's OpenAPI spec gives it
   (list response first), if it gives one; otherwise it is untyped.
4. Two types in the same rank of evidence: untyped.
The same object embedded in several streams (a transaction, a customer, a
plan, an authorization, a recipient) pools the samples of every copy.
"""

import json
import os
import re
import sys
from collections import defaultdict

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SCHEMAS = os.path.join(ROOT, "schemas")

# The reference file of each stream, and the message of the responses that
# belong to the stream when a file documents several objects.
FILES = {
    "transactions": ["1-Transactions.md", "Docs/03-Verify-Payments.md", "Docs/05-Metadata.md",
                     "Docs/01-Accept-Payment.md"],
    "customers": ["5-Customers.md"], "disputes": ["25-Disputes.md"],
    "invoices": ["18-Payment-Requests.md"], "refunds": ["26-Refunds.md"],
    "settlements": ["19-Settlements.md"], "subscriptions": ["13-Subscriptions.md"],
    "transfers": ["20-Transfers.md"], "plans": ["12-Plans.md"], "products": ["14-Products.md"],
    "payment_pages": ["17-Payment-Pages.md"], "subaccounts": ["11-Subaccounts.md"],
    "splits": ["2-Transaction-splits.md"], "transfer_recipients": ["19-Transfer-Recepients.md"],
    "bulk_charges": ["22-Bulk-Charges.md"], "bulk_charge_items": ["22-Bulk-Charges.md"],
    "dedicated_accounts": ["7-Dedicated-Virtual-Account.md"],
    "balance_history": ["21-Transfers-Control.md"],
    "settlement_transactions": ["19-Settlements.md"], "terminals": ["3-Terminal.md"],
    "virtual_terminals": ["4-Virtual-Terminal.md"], "orders": ["16-Orders.md"],
    "storefronts": ["15-Storefronts.md"],
}
ONLY = {"settlement_transactions": "^Transactions retrieved", "bulk_charge_items": "items retrieved",
        "balance_history": "ledger"}
NOT = {"settlements": "Transactions retrieved", "bulk_charges": "items retrieved"}
SPEC_PATHS = {
    "transactions": "/transaction", "customers": "/customer", "disputes": "/dispute",
    "invoices": "/paymentrequest", "refunds": "/refund", "settlements": "/settlement",
    "subscriptions": "/subscription", "transfers": "/transfer", "plans": "/plan",
    "products": "/product", "payment_pages": "/page", "subaccounts": "/subaccount",
    "splits": "/split", "transfer_recipients": "/transferrecipient", "bulk_charges": "/bulkcharge",
    "bulk_charge_items": "/bulkcharge/{code}/charges", "dedicated_accounts": "/dedicated_account",
    "balance_history": "/balance/ledger", "settlement_transactions": "/settlement/{id}/transactions",
    "terminals": "/terminal", "virtual_terminals": "/virtual_terminal", "orders": "/order",
    "storefronts": "/storefront",
}
# The same Paystack object in several streams: (stream, path prefix).
TXN = [("transactions", ""), ("settlement_transactions", ""), ("disputes", ".transaction"),
       ("bulk_charge_items", ".transaction")]
GROUPS = [
    TXN,
    [(s, p + ".customer") for s, p in TXN]
    + [("customers", ""), ("subscriptions", ".customer"), ("invoices", ".customer"),
       ("refunds", ".customer"), ("dedicated_accounts", ".customer"), ("disputes", ".customer"),
       ("bulk_charge_items", ".customer")],
    [(s, p + ".plan") for s, p in TXN] + [("plans", ""), ("subscriptions", ".plan")],
    [(s, p + ".authorization") for s, p in TXN]
    + [("subscriptions", ".authorization"), ("plans", ".subscriptions[].authorization")],
    [("transfer_recipients", ""), ("transfers", ".recipient")],
]
CONNECTOR = {("settlement_transactions", ".settlement_id"),
             ("settlement_transactions", ".settlement_created_at"),
             ("bulk_charge_items", ".bulk_charge_code"),
             ("bulk_charge_items", ".bulk_charge_created_at")}
FREE_FORM = ".metadata.custom_fields[].value"


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def walk(v, path, out, src):
    out[path].append((jtype(v), src, v))
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, f"{path}.{k}", out, src)
    elif isinstance(v, list):
        for x in v:
            walk(x, f"{path}[]", out, src)


def blocks(docs, fname):
    """The JSON sample responses of one reference file (two known typos in
    them mended: a stray `}` and trailing commas)."""
    text = open(os.path.join(docs, fname)).read()
    for m in re.finditer(r"```json\n(.*?)```", text, re.S):
        t = m.group(1)
        for attempt in (t, re.sub(r",(\s*[}\]])", r"\1", re.sub(r"\},\s*\}\s*\]", "}]", t))):
            try:
                yield json.loads(attempt)
                break
            except ValueError:
                pass


def samples(docs, extra, stream):
    obs = defaultdict(list)
    for f in FILES[stream]:
        for b in blocks(docs, f):
            if not isinstance(b, dict):
                continue
            msg = b.get("message") or ""
            if stream in ONLY and not re.search(ONLY[stream], msg):
                continue
            if stream in NOT and re.search(NOT[stream], msg):
                continue
            tag = f'DOCS {os.path.basename(f)[:-3]}: "{msg[:40]}"'
            d = b.get("data")
            if isinstance(d, list):
                kind = "L" if "retrieved" in msg.lower() else "O"
                for r in d:
                    if isinstance(r, dict):
                        walk(r, "", obs, (kind, tag))
            elif isinstance(d, dict):
                walk(d, "", obs, ("O", tag))
    for e in extra.get(stream, []):
        walk(e["data"], "", obs, ("L" if e["source"].startswith("AB") else "O", e["source"]))
    return obs


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        n = spec
        for p in node["$ref"].split("/")[1:]:
            n = n[p]
        node = n
    return node


def spec_walk(spec, node, path, out, where):
    node = resolve(spec, node)
    if not isinstance(node, dict):
        return
    for comb in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(comb, []):
            spec_walk(spec, sub, path, out, where)
    t = node.get("type")
    if isinstance(t, str):
        out[path].add((t, where))
    for k, x in (node.get("properties") or {}).items():
        spec_walk(spec, x, f"{path}.{k}", out, where)
    if "items" in node:
        spec_walk(spec, node["items"], f"{path}[]", out, where)


def spec_types(spec, stream):
    """Types the spec gives the list rows and the fetched object."""
    out = defaultdict(set)
    base = SPEC_PATHS[stream]
    child = "{" in base
    for p, item in spec["paths"].items():
        fetch = not child and p.startswith(base + "/{") and p.count("/") == base.count("/") + 1
        if p != base and not fetch:
            continue
        op = item.get("get")
        if not op:
            continue
        r = resolve(spec, op["responses"].get("200", {}))
        sch = resolve(spec, r.get("content", {}).get("application/json", {}).get("schema", {}))
        data = resolve(spec, (sch.get("properties") or {}).get("data", {}))
        if data.get("type") == "array":
            data = data.get("items", {})
        spec_walk(spec, data, "", out, "fetch" if fetch else "list")
    return out


def is_json_text(v, want):
    try:
        x = json.loads(v)
    except (ValueError, TypeError):
        return False
    return isinstance(x, dict) if want == "object" else want == "array" and isinstance(x, list)


def evidence_type(t, v, declared):
    """The type a sample value shows, or None when it is only a drift form of
    the declared type (converted by the connector, so no evidence)."""
    if t == "string" and v == "" and declared != "string":
        return None
    if declared == "boolean" and t == "integer" and v in (0, 1):
        return "boolean"
    if declared == "integer" and t == "boolean":
        return None
    if declared in ("object", "array") and t == "string" and is_json_text(v, declared):
        return None
    if declared == "integer" and t == "string" and re.fullmatch(r"-?(0|[1-9][0-9]*)", v):
        return None
    if declared == "number" and t == "integer":
        return "number"
    return t


def declared_type(prop):
    t = prop.get("type")
    if t is None:
        return "untyped"
    named = [x for x in (t if isinstance(t, list) else [t]) if x != "null"]
    return named[0] if len(named) == 1 else "union"


def verdict(stream, path, declared, values, spec):
    """(type, evidence) for one property."""
    if (stream, path) in CONNECTOR:
        return declared, "added by the connector"
    if path.endswith(FREE_FORM):
        return "untyped", "free-form: set by the merchant (Docs/05-Metadata shows 209 and a string)"
    for kind in ("L", "O"):
        seen = defaultdict(set)
        for t, (k, tag), v in values:
            if k == kind and t != "null":
                et = evidence_type(t, v, declared)
                if et:
                    seen[et].add(tag)
        if len(seen) == 1:
            (ty, tags), = seen.items()
            return ty, "; ".join(sorted(tags)[:2])
        if len(seen) > 1:
            return "untyped", "samples disagree: " + "; ".join(
                f"{t} in {sorted(tags)[0]}" for t, tags in sorted(seen.items()))
    if values:
        tags = sorted({tag for _, (_, tag), _ in values})[:2]
        return "untyped", "only null or \"\" in samples: " + "; ".join(tags)

    def spec_ev(t):
        return None if declared in ("object", "array") and t == "string" else t
    for where in ("list", "fetch"):
        group = {spec_ev(t) for t, w in spec.get(path, set()) if w == where} - {None}
        if len(group) == 1:
            return next(iter(group)), f"SPEC {where} response schema (in no sample)"
        if len(group) > 1:
            return "untyped", f"SPEC {where} response schema disagrees: {sorted(group)}"
    return "untyped", "in no sample"


def props(node, path, out):
    for k, p in (node.get("properties") or {}).items():
        out.append((f"{path}.{k}", p))
        props(p, f"{path}.{k}", out)
    if isinstance(node.get("items"), dict):
        out.append((f"{path}[]", node["items"]))
        props(node["items"], f"{path}[]", out)


def main():
    docs, spec_file = sys.argv[1], sys.argv[2]
    check = "--check" in sys.argv
    spec = yaml.safe_load(open(spec_file))
    extra = json.load(open(os.path.join(SCHEMAS, "evidence", "samples.json")))
    base = {s: samples(docs, extra, s) for s in FILES}

    def values(stream, path):
        best = None
        for g in GROUPS:
            for s, pre in g:
                if s == stream and (path == pre or path.startswith((pre + ".", pre + "["))):
                    if best is None or len(pre) > len(best[1]):
                        best = (g, pre)
        if not best:
            return base[stream].get(path, [])
        g, pre = best
        rest = path[len(pre):]
        return [(t, (k, tag if (s, p) == (stream, pre) else f"{tag} [{s}{p}]"), v)
                for s, p in g for t, (k, tag), v in base[s].get(p + rest, [])]

    ledger, wrong = {}, []
    for stream in sorted(FILES):
        schema = json.load(open(os.path.join(SCHEMAS, f"{stream}.json")))
        sp = spec_types(spec, stream)
        out = []
        props(schema, "", out)
        entries = {}
        for path, prop in out:
            declared = declared_type(prop)
            ty, why = verdict(stream, path, declared, values(stream, path), sp)
            if ty == "string" and prop.get("format") == "date-time" and declared == "string":
                ty = "date-time"
                declared = "date-time"
            elif declared == "string" and prop.get("format") == "date-time":
                declared = "date-time"
            entries[path[1:]] = [ty, why]
            if ty != declared:
                wrong.append(f"{stream}{path}: declared {declared}, evidence {ty} ({why})")
        ledger[stream] = entries
    for w in wrong:
        print(w)
    if check:
        sys.exit(1 if wrong else 0)
    with open(os.path.join(SCHEMAS, "evidence", "types.json"), "w") as f:
        streams = []
        for stream, entries in ledger.items():
            lines = ",\n".join(f"    {json.dumps(p)}: {json.dumps(e, ensure_ascii=False)}"
                                for p, e in entries.items())
            streams.append(f"  {json.dumps(stream)}: {{\n{lines}\n  }}")
        f.write("{\n" + ",\n".join(streams) + "\n}\n")
    print(f"{sum(len(e) for e in ledger.values())} properties, {len(wrong)} differ")


if __name__ == "__main__":
    main()
