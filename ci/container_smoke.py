"""Helpers of ci/container-smoke.sh (standard library only, no YAML parser).

    python3 ci/container_smoke.py mirror SUITE          the Debian mirror apt uses for SUITE
    python3 ci/container_smoke.py expect                "REPO TAG" from metadata.yaml (or Cargo.toml)
    python3 ci/container_smoke.py image INSPECT.json REPO TAG MAX_MB
    python3 ci/container_smoke.py outputs DIR URL CATALOG KEY...

Each check prints what it saw; on a failure it prints every failed assertion
and exits 1.
"""

import glob
import json
import os
import re
import sys
import tomllib
import urllib.request

ENTRYPOINT = ["/usr/local/bin/source-paystack"]


class Checks:
    def __init__(self, what):
        self.what = what
        self.failures = []

    def ok(self, cond, message):
        if not cond:
            self.failures.append(message)
        return cond

    def done(self):
        if self.failures:
            for f in self.failures:
                print(f"   FAIL ({self.what}): {f}", file=sys.stderr)
            sys.exit(1)


# --- mirror ------------------------------------------------------------------


def apt_uris(suite):
    """URIs of the enabled `deb` sources that list SUITE, deb822 files first."""
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            text = f.read()
        for block in re.split(r"\n[ \t]*\n", text):
            fields, key = {}, None
            for line in block.splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                if line[0] in " \t" and key:
                    fields[key] += " " + line.strip()
                    continue
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            if "deb" in fields.get("types", "").split() and suite in fields.get("suites", "").split():
                yield from fields.get("uris", "").split()
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            with open(path) as f:
                lines = f.readlines()
        except OSError:
            continue
        for line in lines:
            line = re.sub(r"\[[^\]]*\]", "", line.split("#", 1)[0])
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and parts[2] == suite:
                yield parts[1]


def cmd_mirror(suite):
    for uri in apt_uris(suite):
        if uri.startswith(("http://", "https://")):
            print(uri.rstrip("/"))
            return
    sys.exit(f"no http(s) Debian mirror for '{suite}' in /etc/apt/sources.list(.d)")


# --- expected name and tag ---------------------------------------------------


def metadata_data(path):
    """The scalar keys directly under `data:` of an Airbyte metadata.yaml."""
    fields, in_data, indent = {}, False, None
    with open(path) as f:
        for raw in f:
            line = re.sub(r"\s+#.*$", "", raw.rstrip("\n")).rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            ind = len(line) - len(line.lstrip())
            if ind == 0:
                in_data = line.strip() == "data:"
                continue
            if not in_data:
                continue
            if indent is None:
                indent = ind
            if ind != indent:
                continue
            key, sep, value = line.strip().partition(":")
            if sep and value.strip():
                fields[key.strip()] = value.strip().strip("'\"")
    return fields


def cmd_expect():
    with open("Cargo.toml", "rb") as f:
        version = tomllib.load(f)["package"]["version"]
    if not os.path.exists("metadata.yaml"):
        print(f"   metadata.yaml not found: expecting airbyte/source-paystack:{version} (Cargo.toml)", file=sys.stderr)
        print("airbyte/source-paystack", version)
        return
    data = metadata_data("metadata.yaml")
    repo, tag = data.get("dockerRepository"), data.get("dockerImageTag")
    c = Checks("metadata.yaml")
    c.ok(repo, "no data.dockerRepository")
    c.ok(tag, "no data.dockerImageTag")
    c.ok(tag == version, f"data.dockerImageTag {tag!r} is not the crate version {version!r} of Cargo.toml")
    c.done()
    print(f"   metadata.yaml: {repo}:{tag}", file=sys.stderr)
    print(repo, tag)


# --- the image's metadata ----------------------------------------------------


def cmd_image(inspect_path, repo, tag, max_mb):
    with open(inspect_path) as f:
        image = json.load(f)[0]
    config = image.get("Config") or {}
    labels = config.get("Labels") or {}
    env = dict(e.split("=", 1) for e in config.get("Env") or [])
    entrypoint = config.get("Entrypoint")
    user = config.get("User") or ""
    size_mb = image["Size"] / 1e6
    c = Checks("image")
    print(f"   size {size_mb:.1f} MB ({image['Size'] / 2**20:.1f} MiB), user {user!r}, entrypoint {entrypoint}")
    print(f"   labels io.airbyte.name={labels.get('io.airbyte.name')!r} io.airbyte.version={labels.get('io.airbyte.version')!r}")
    c.ok(size_mb < float(max_mb), f"image is {size_mb:.1f} MB, the limit is {max_mb} MB")
    c.ok(labels.get("io.airbyte.name") == repo, f"label io.airbyte.name={labels.get('io.airbyte.name')!r}, metadata.yaml says {repo!r}")
    c.ok(labels.get("io.airbyte.version") == tag, f"label io.airbyte.version={labels.get('io.airbyte.version')!r}, metadata.yaml says {tag!r}")
    c.ok(entrypoint == ENTRYPOINT, f"Entrypoint {entrypoint!r}, expected {ENTRYPOINT!r} (exec form)")
    c.ok(env.get("AIRBYTE_ENTRYPOINT") == " ".join(entrypoint or []),
         f"AIRBYTE_ENTRYPOINT={env.get('AIRBYTE_ENTRYPOINT')!r} is not the entrypoint {' '.join(entrypoint or [])!r}")
    c.ok(not config.get("Cmd"), f"Cmd {config.get('Cmd')!r} would be appended to the entrypoint's arguments")
    uid = user.split(":", 1)[0]
    c.ok(uid not in ("", "0", "root"), f"User {user!r} is root (or unset)")
    c.done()


# --- the connector's outputs -------------------------------------------------


def messages(c, path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                m = json.loads(line)
            except ValueError:
                c.ok(False, f"{os.path.basename(path)} line {n} is not JSON: {line[:200]!r}")
                continue
            if c.ok(isinstance(m, dict) and "type" in m, f"{os.path.basename(path)} line {n} is not an Airbyte message"):
                out.append(m)
    return out


def of_type(msgs, t):
    return [m for m in msgs if m["type"] == t]


def errors(msgs):
    return [m["trace"]["error"].get("message") for m in of_type(msgs, "TRACE") if m["trace"].get("type") == "ERROR"]


def rc(d, name):
    with open(os.path.join(d, name + ".rc")) as f:
        return int(f.read())


def fake_total(url, stream):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/__admin/total?stream={stream}", timeout=10) as r:
        return json.load(r)["total"]


def cmd_outputs(d, url, catalog_path, *keys):
    c = Checks("connector")
    with open(catalog_path) as f:
        wanted = [s["stream"]["name"] for s in json.load(f)["streams"]]

    spec = messages(c, os.path.join(d, "spec.out"))
    c.ok(rc(d, "spec") == 0, f"spec exited {rc(d, 'spec')}")
    specs = of_type(spec, "SPEC")
    c.ok(len(specs) == 1 and len(spec) == 1, f"spec: {len(spec)} messages, {len(specs)} SPEC (want exactly one SPEC)")
    c.ok(specs and "connectionSpecification" in specs[0]["spec"], "spec: no connectionSpecification")
    print(f"   spec: {len(specs)} SPEC message")

    for name, want in (("check", "SUCCEEDED"), ("check-wrong-key", "FAILED")):
        msgs = messages(c, os.path.join(d, name + ".out"))
        c.ok(rc(d, name) == 0, f"{name} exited {rc(d, name)}")
        st = of_type(msgs, "CONNECTION_STATUS")
        got = st[0]["connectionStatus"]["status"] if len(st) == 1 else f"{len(st)} CONNECTION_STATUS messages"
        c.ok(got == want, f"{name}: {got}, want {want}")
        print(f"   {name}: {got}" + (f" ({st[0]['connectionStatus'].get('message', '')[:100]})" if want == "FAILED" and st else ""))

    disc = messages(c, os.path.join(d, "discover.out"))
    c.ok(rc(d, "discover") == 0, f"discover exited {rc(d, 'discover')}")
    cats = of_type(disc, "CATALOG")
    names = [s["name"] for s in cats[0]["catalog"]["streams"]] if len(cats) == 1 else []
    c.ok(len(cats) == 1, f"discover: {len(cats)} CATALOG messages")
    missing = sorted(set(wanted) - set(names))
    c.ok(not missing, f"discover does not list {missing}")
    c.ok(len(names) == len(set(names)), "discover lists a stream twice")
    print(f"   discover: {len(names)} streams")

    read = messages(c, os.path.join(d, "read.out"))
    c.ok(rc(d, "read") == 0, f"read exited {rc(d, 'read')}")
    ids, states, status = {}, {}, {}
    for m in read:
        if m["type"] == "RECORD":
            ids.setdefault(m["record"]["stream"], []).append(m["record"]["data"].get("id"))
        elif m["type"] == "STATE":
            s = m["state"]["stream"]["stream_descriptor"]["name"]
            states[s] = states.get(s, 0) + 1
        elif m["type"] == "TRACE" and m["trace"].get("type") == "STREAM_STATUS":
            ss = m["trace"]["stream_status"]
            status[ss["stream_descriptor"]["name"]] = ss["status"]
    for e in errors(read) + errors(spec) + errors(disc):
        c.ok(False, f"ERROR trace: {e}")
    extra = sorted(set(ids) - set(wanted))
    c.ok(not extra, f"read: records of streams not in the catalog: {extra}")
    print(f"   read: {len(read)} messages")
    print(f"   {'stream':<22}{'records':>8}{'expected':>9}{'states':>7}  status")
    for s in wanted:
        n, expected = len(ids.get(s, [])), fake_total(url, s)
        print(f"   {s:<22}{n:>8}{expected:>9}{states.get(s, 0):>7}  {status.get(s)}")
        c.ok(n == expected and n > 0, f"read {s}: {n} records, the fake holds {expected}")
        c.ok(len(set(ids.get(s, []))) == n, f"read {s}: duplicate ids")
        c.ok(states.get(s, 0) >= 1, f"read {s}: no STATE")
        c.ok(status.get(s) == "COMPLETE", f"read {s}: last status {status.get(s)}, want COMPLETE")

    for name in ("spec", "check", "check-wrong-key", "discover", "read"):
        for ext in (".out", ".err"):
            with open(os.path.join(d, name + ext), errors="replace") as f:
                text = f.read()
            for key in keys:
                c.ok(key not in text, f"{name}{ext} shows a secret key")
    c.done()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"mirror": cmd_mirror, "expect": cmd_expect, "image": cmd_image, "outputs": cmd_outputs}[cmd](*args)
