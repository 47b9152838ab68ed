"""Runs the connector's image the way Airbyte's platform launches it, and
checks what the platform would see. Driven by ci/launcher-test.sh.

    python3 ci/launcher_test.py IMAGE FAKE_URL KEY WORK_DIR

Standard library only. Each case prints one line; on any failure it prints
every failed assertion and exits 1.

Where each rule comes from (airbytehq/airbyte-platform, read with the search
tool; the file and the commit of the version read):

- The scripts are ContainerCommandFactory.kt's, rendered below as the
  launcher renders them:
  airbyte-workload-launcher/src/main/kotlin/pods/factories/ContainerCommandFactory.kt
  @ bcc008dc93a4f15ef1fdc3ffd49a66049f6ed358
  - `source()`: the replication pod's source container; `read` with stdout
    and stderr redirected to the named pipes `stdout` and `stderr`, `--state`
    only when `inputState.json` exists;
  - `connectorOperation(op, args)`: the check/discover/spec pods' main
    container; stdout to /config/jobOutput.json;
  - `connectorCommandWrapper()`: both run the command in a background
    subshell, watch for a TERMINATED file every 10 s (then `kill` the
    subshell), `wait`, write the exit code to TEMP_EXIT_CODE.txt and `mv` it
    to exitCode.txt; exit 127 when AIRBYTE_ENTRYPOINT is empty.
- File names: airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/pod/FileConstants.kt
  @ 0477d5506f5b41421c7a2d9af7a5dfd73afc0506.
- The source container runs `sh -c SCRIPT` in working directory /source:
  ReplicationContainerFactory.kt @ 39c3a285fe3f9dfd50b8ab6a25aacd7a1165f95a.
  The connector pods' main container runs in /config with
  `--config /config/connectionConfiguration.json` (none for spec):
  ConnectorPodFactory.kt @ 2cc9beca0f42c0a0a6c6a2da1efc51af60e6c1c0,
  PodFactoryBeanFactory.kt @ 11775aa386fcea0144fab4fdc8ff0443fb4c27e7.
  /source and /config are emptyDir volumes: VolumeFactory.kt
  @ 140e45ae0b2dca3440645a25ccd66583c5f43749.
- Rootless pods: UID/GID 1000, runAsNonRoot, seccomp RuntimeDefault, all
  capabilities dropped, no privilege escalation:
  airbyte-workload-launcher/src/main/kotlin/context/WorkloadSecurityContextProvider.kt
  @ 324eaa79fc1e6898f5131d1f291ca41c1232a757. Here: --user 1000:1000,
  podman's default seccomp profile, --cap-drop ALL, no-new-privileges, and,
  stricter than the platform, a read-only root file system with only /tmp
  (a tmpfs) and the pod's volume writable.

How a cancel reaches the connector: the orchestrator's exit touches
/source/TERMINATED; within 10 s the wrapper kills the subshell, writes 143
and exits, which, as PID 1, ends the container and every process in it.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

# --- FileConstants.kt ---------------------------------------------------------
SOURCE_DIR = "/source"
CONFIG_DIR = "/config"
STDOUT_PIPE_FILE = "stdout"
STDERR_PIPE_FILE = "stderr"
EXIT_CODE_FILE = "exitCode.txt"
JOB_OUTPUT_FILE = "jobOutput.json"
CONNECTION_CONFIGURATION_FILE = "connectionConfiguration.json"
CONNECTOR_CONFIG_FILE = "connectorConfig.json"
CATALOG_FILE = "catalog.json"
INPUT_STATE_FILE = "inputState.json"
TERMINATION_MARKER_FILE = "TERMINATED"

# --- ContainerCommandFactory.kt -----------------------------------------------
TERMINATION_CHECK_INTERVAL_SECONDS = 10


def connector_command_wrapper(command):
    return f"""# fail loudly if entry point not set
if [ -z "$AIRBYTE_ENTRYPOINT" ]; then
  echo "Entrypoint was not set! AIRBYTE_ENTRYPOINT must be set in the container."
  exit 127
else
  echo "Using AIRBYTE_ENTRYPOINT: $AIRBYTE_ENTRYPOINT"
fi

# run connector in background and store PID
({command}) &
CHILD_PID=$!

# run busy loop in background that checks for termination file and if present kills the connector operation and exits
(while true; do if [ -f {TERMINATION_MARKER_FILE} ]; then kill $CHILD_PID; exit 0; fi; sleep {TERMINATION_CHECK_INTERVAL_SECONDS}; done) &

# wait on connector operation
wait $CHILD_PID
EXIT_CODE=$?

# write its exit code to a file for the sidecar
echo $EXIT_CODE > TEMP_EXIT_CODE.txt
# use a swap file to make creation and writing atomic
mv TEMP_EXIT_CODE.txt {EXIT_CODE_FILE}

# propagate connector exit code by assuming it
exit $EXIT_CODE"""


def connector_operation(operation, config_args):
    return connector_command_wrapper(
        f'eval "$AIRBYTE_ENTRYPOINT {operation} {config_args}" > {CONFIG_DIR}/{JOB_OUTPUT_FILE}'
    )


def source():
    read = f"$AIRBYTE_ENTRYPOINT read --config {SOURCE_DIR}/{CONNECTOR_CONFIG_FILE} --catalog {SOURCE_DIR}/{CATALOG_FILE}"
    return connector_command_wrapper(f"""# only provide the state flag if present
if [ ! -f {SOURCE_DIR}/{INPUT_STATE_FILE} ]; then
  eval "{read}" 2> {STDERR_PIPE_FILE} > {STDOUT_PIPE_FILE}
else
  eval "{read} --state {SOURCE_DIR}/{INPUT_STATE_FILE}" 2> {STDERR_PIPE_FILE} > {STDOUT_PIPE_FILE}
fi""")


# PodFactoryBeanFactory.kt: connectorArgs, joined as " --k v" (prefix " ").
def config_args(args):
    return " " + " ".join(f"--{k} {v}" for k, v in args.items())


# --- the pod, as podman arguments ----------------------------------------------
UID = GID = 1000
POD = [
    "--user", f"{UID}:{GID}",
    "--cap-drop", "ALL",
    "--security-opt", "no-new-privileges",
    "--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp:rw,mode=1777",
]


class Checks:
    def __init__(self):
        self.failures = []

    def ok(self, cond, case, message):
        if not cond:
            self.failures.append(f"{case}: {message}")
        return cond


C = Checks()


def volume(work, name):
    """An emptyDir volume: a fresh directory owned by the pod's user."""
    d = os.path.join(work, re.sub(r"\W+", "-", name).strip("-"))
    os.makedirs(d)
    os.chown(d, UID, GID)
    return d


def put(d, name, value, mode=0o600):
    """A file the platform's init container writes: owned by the pod's user,
    readable by it alone."""
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(value if isinstance(value, str) else json.dumps(value))
    os.chown(p, UID, GID)
    os.chmod(p, mode)
    return p


class Pipe(threading.Thread):
    """A named pipe in a volume, read to its end as the orchestrator reads
    the source's stdout and stderr. `on_line` sees each line as it comes."""

    def __init__(self, d, name, on_line=None):
        super().__init__(daemon=True)
        self.path = os.path.join(d, name)
        os.mkfifo(self.path, 0o600)
        os.chown(self.path, UID, GID)
        self.on_line = on_line
        self.lines = []
        self.tail = b""  # an unterminated last line
        self.opened = threading.Event()
        self.start()

    def run(self):
        with open(self.path, "rb") as f:  # blocks until the writer opens it
            self.opened.set()
            buf = b""
            for chunk in iter(lambda: f.read1(1 << 16), b""):
                buf += chunk
                *whole, buf = buf.split(b"\n")
                for raw in whole:
                    line = raw.decode("utf-8", "replace")
                    self.lines.append(line)
                    if self.on_line:
                        self.on_line(line)
            self.tail = buf

    def close(self):
        """After the container: unblock a reader whose writer never came."""
        if not self.opened.is_set():
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        self.join(10)


def podman(args, timeout=300):
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)


def run_pod(image, url, mount, workdir, script, env=(), name=None, on_start=None):
    """`sh -c SCRIPT` in the image as the platform runs it; returns
    (exit code, container output, seconds)."""
    cmd = ["podman", "run", "--rm", "--pull=never", "--http-proxy=false", "--network", "host", *POD,
           "-v", f"{mount}:{workdir}", "-w", workdir, "-e", f"PAYSTACK_API_URL={url}"]
    for e in env:
        cmd += ["-e", e]
    if name:
        cmd += ["--name", name]
    cmd += ["--entrypoint", "sh", image, "-c", script]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if on_start:
        on_start(proc)
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out, time.monotonic() - t0


def messages(case, lines):
    out = []
    for n, line in enumerate(lines, 1):
        try:
            m = json.loads(line)
        except ValueError:
            C.ok(False, case, f"line {n} on stdout is not JSON: {line[:200]!r}")
            continue
        if C.ok(isinstance(m, dict) and "type" in m, case, f"line {n} is not an Airbyte message"):
            out.append(m)
    return out


def exit_code_file(case, d, want):
    p = os.path.join(d, EXIT_CODE_FILE)
    if not C.ok(os.path.exists(p), case, f"no {EXIT_CODE_FILE} in the volume"):
        return None
    with open(p) as f:
        got = f.read().strip()
    C.ok(got == str(want), case, f"{EXIT_CODE_FILE} says {got!r}, want {want}")
    C.ok(not os.path.exists(os.path.join(d, "TEMP_EXIT_CODE.txt")), case, "TEMP_EXIT_CODE.txt was left")
    return got


def admin(url, path):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/__admin/{path}", timeout=10) as r:
        return json.load(r)


class Read:
    """What the orchestrator saw of one read."""

    def __init__(self):
        self.ids = {}
        self.states = {}
        self.statuses = {}
        self.n_states = 0
        self.errors = []
        self.lock = threading.Lock()

    def take(self, case, m):
        t = m.get("type")
        if t == "RECORD":
            r = m["record"]
            self.ids.setdefault(r["stream"], set()).add(r["data"].get("id"))
        elif t == "STATE":
            s = m["state"]
            C.ok(s.get("type") == "STREAM", case, f"a STATE of type {s.get('type')}")
            self.states[s["stream"]["stream_descriptor"]["name"]] = s
            self.n_states += 1
        elif t == "TRACE" and m["trace"].get("type") == "STREAM_STATUS":
            st = m["trace"]["stream_status"]
            self.statuses[st["stream_descriptor"]["name"]] = st["status"]
        elif t == "TRACE" and m["trace"].get("type") == "ERROR":
            self.errors.append(m["trace"]["error"].get("message"))


def read_case(case, image, url, work, config, catalog, state=None, env=(), stop_after_states=None):
    """One read in a replication pod's source container. With
    `stop_after_states`, cancels the sync the platform's way once that many
    STATE messages are out: /source/TERMINATED, as the orchestrator's exit
    trap writes it. Returns (Read, exit code, seconds from cancel to exit)."""
    d = volume(work, case)
    put(d, CONNECTOR_CONFIG_FILE, config)
    put(d, CATALOG_FILE, catalog)
    if state is not None:
        put(d, INPUT_STATE_FILE, state)
    seen = Read()
    cancelled = {}

    def on_stdout(line):
        try:
            m = json.loads(line)
        except ValueError:
            return  # reported below, from the pipe's lines
        seen.take(case, m)
        if stop_after_states and "at" not in cancelled and seen.n_states >= stop_after_states:
            cancelled["at"] = time.monotonic()
            marker = os.path.join(d, TERMINATION_MARKER_FILE)
            open(marker, "w").close()

    out_pipe = Pipe(d, STDOUT_PIPE_FILE, on_stdout)
    err_pipe = Pipe(d, STDERR_PIPE_FILE)
    code, log, secs = run_pod(image, url, d, SOURCE_DIR, source(), env)
    out_pipe.close()
    err_pipe.close()
    stopped_in = time.monotonic() - cancelled["at"] if "at" in cancelled else None
    messages(case, out_pipe.lines)
    if stop_after_states:
        # The container ends with the wrapper; a line cut off there is never
        # read by the platform (its reader exited first).
        C.ok(b"\n" not in out_pipe.tail, case, "more than one unterminated line")
    else:
        C.ok(out_pipe.tail == b"", case, f"stdout ends without a newline: {out_pipe.tail[:100]!r}")
    C.ok(err_pipe.lines or err_pipe.tail, case, "nothing on the stderr pipe")
    C.ok(all(not line.startswith('{"type"') for line in err_pipe.lines), case, "Airbyte messages on stderr")
    C.ok("Using AIRBYTE_ENTRYPOINT: /usr/local/bin/source-paystack" in log, case,
         f"the wrapper did not find the entrypoint: {log[:300]!r}")
    for text in [log, "\n".join(out_pipe.lines), "\n".join(err_pipe.lines)]:
        C.ok(config["secret_key"] not in text, case, "the secret key is in the output")
    seen.stderr = err_pipe.lines
    seen.secs = secs
    return seen, code, d, stopped_in


def main(image, url, key, work):
    streams = [s["stream"]["name"] for s in json.load(open("sample_files/configured_catalog.json"))["streams"]]
    catalog = json.load(open("sample_files/configured_catalog.json"))
    config = {"secret_key": key, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}
    totals = {s: admin(url, f"total?stream={s}")["total"] for s in streams}

    # --- the wrapper itself: an image without AIRBYTE_ENTRYPOINT fails loudly
    case = "no AIRBYTE_ENTRYPOINT"
    d = volume(work, "noentry")
    code, log, _ = run_pod(image, url, d, CONFIG_DIR, connector_operation("spec", ""), env=["AIRBYTE_ENTRYPOINT="])
    C.ok(code == 127 and "Entrypoint was not set!" in log, case, f"exit {code}, {log[:200]!r}")
    print(f"   {case:<28} exit {code} (the wrapper's own check: 127)")

    # --- connector pods: spec, check, discover -> /config/jobOutput.json
    ops = [
        ("spec", "spec", {}, None, "SPEC"),
        ("check", "check", {"config": f"{CONFIG_DIR}/{CONNECTION_CONFIGURATION_FILE}"}, config, "SUCCEEDED"),
        ("check, wrong key", "check", {"config": f"{CONFIG_DIR}/{CONNECTION_CONFIGURATION_FILE}"},
         dict(config, secret_key="sk_test_notthekey000111"), "FAILED"),
        ("discover", "discover", {"config": f"{CONFIG_DIR}/{CONNECTION_CONFIGURATION_FILE}"}, config, "CATALOG"),
    ]
    for case, op, args, cfg, want in ops:
        d = volume(work, case.replace(" ", "").replace(",", "-"))
        if cfg is not None:
            put(d, CONNECTION_CONFIGURATION_FILE, cfg)
        code, log, secs = run_pod(image, url, d, CONFIG_DIR, connector_operation(op, config_args(args) if args else ""))
        C.ok(code == 0, case, f"exit {code}: {log[-300:]!r}")
        exit_code_file(case, d, 0)
        p = os.path.join(d, JOB_OUTPUT_FILE)
        msgs = messages(case, open(p).read().splitlines()) if C.ok(os.path.exists(p), case, "no jobOutput.json") else []
        types = [m["type"] for m in msgs]
        if op == "spec":
            C.ok(types == ["SPEC"], case, f"jobOutput.json holds {types}")
            got = "SPEC" if types == ["SPEC"] else types
        elif op == "check":
            st = [m["connectionStatus"]["status"] for m in msgs if m["type"] == "CONNECTION_STATUS"]
            C.ok(st == [want], case, f"CONNECTION_STATUS {st}, want [{want}]")
            got = st[0] if st else None
        else:
            cats = [m for m in msgs if m["type"] == "CATALOG"]
            names = [s["name"] for s in cats[0]["catalog"]["streams"]] if cats else []
            C.ok(sorted(names) == sorted(streams), case, f"catalog streams {names}")
            got = f"CATALOG of {len(names)} streams"
        for text in (log, open(p).read() if os.path.exists(p) else ""):
            C.ok(key not in text, case, "the secret key is in the output")
        print(f"   {case:<28} exit {code}, exitCode.txt 0, jobOutput.json: {got} ({secs:.1f} s)")

    # --- replication: a read without, then with, a state file
    case = "read, no state"
    first, code, d, _ = read_case(case, image, url, work, config, catalog)
    C.ok(code == 0, case, f"exit {code}")
    exit_code_file(case, d, 0)
    C.ok(not first.errors, case, f"ERROR traces: {first.errors}")
    for s in streams:
        n = len(first.ids.get(s, ()))
        C.ok(n == totals[s], case, f"{s}: {n} records, the fake holds {totals[s]}")
        C.ok(first.statuses.get(s) == "COMPLETE", case, f"{s} ended {first.statuses.get(s)}")
        C.ok(s in first.states, case, f"{s}: no STATE")
    print(f"   {case:<28} exit {code}, {sum(len(v) for v in first.ids.values())} records of {len(streams)} streams, "
          f"{first.n_states} states, all COMPLETE ({first.secs:.1f} s)")

    case = "read, with state"
    state = list(first.states.values())
    second, code, d, _ = read_case(case, image, url, work, config, catalog, state=state)
    C.ok(code == 0, case, f"exit {code}")
    exit_code_file(case, d, 0)
    C.ok(not second.errors, case, f"ERROR traces: {second.errors}")
    incremental = [s["stream"]["name"] for s in catalog["streams"] if s["sync_mode"] == "incremental"]
    for s in streams:
        C.ok(second.statuses.get(s) == "COMPLETE", case, f"{s} ended {second.statuses.get(s)}")
    reread = {s: len(second.ids.get(s, ())) for s in incremental}
    # lookback 0: only records at or after each saved cursor come again
    C.ok(all(n < totals[s] / 10 for s, n in reread.items()), case, f"re-read too much: {reread}")
    print(f"   {case:<28} exit {code}, --state passed (inputState.json): {sum(reread.values())} records "
          f"again over {len(incremental)} incremental streams ({second.secs:.1f} s)")

    # --- a cancelled sync, the platform's way, then a resume
    case = "cancel (TERMINATED)"
    slow = dict(config, requests_per_minute=600)
    paced = ["SOURCE_PAYSTACK_PAGE_SIZE=20", "SOURCE_PAYSTACK_SLICE_PAGES=2"]
    cut, code, d, stopped_in = read_case(case, image, url, work, slow, catalog, env=paced, stop_after_states=3)
    C.ok(stopped_in is not None, case, "the read ended before 3 states")
    limit = TERMINATION_CHECK_INTERVAL_SECONDS + 5
    C.ok(stopped_in is None or stopped_in < limit, case, f"stopped {stopped_in:.1f} s after the cancel, limit {limit}")
    C.ok(code == 143, case, f"exit {code}, want 143 (the subshell killed by SIGTERM)")
    exit_code_file(case, d, 143)
    C.ok(not cut.errors, case, f"ERROR traces: {cut.errors}")
    got = sum(len(v) for v in cut.ids.values())
    C.ok(got < sum(totals.values()), case, "the read finished before the cancel")
    resume_case(case, image, url, work, config, catalog, cut, streams)
    # The wrapper's exit ends the container a moment after the connector's
    # SIGTERM, so its "Stopped" line may or may not make it: reported only.
    said = "yes" if any("Stopped by SIGTERM" in line for line in cut.stderr) else "no (the container ended first)"
    print(f"   {case:<28} exit {code}, exitCode.txt 143, stopped {stopped_in or 0:.1f} s after TERMINATED, "
          f"{got} records and {cut.n_states} states before; resumed from its states: nothing lost; "
          f"stop line on stderr: {said}")

    # --- `docker stop`: SIGTERM to the connector as PID 1 (docker run, PyAirbyte's docker mode)
    case = "docker stop"
    cut, code, stop_secs = stop_case(case, image, url, work, slow, catalog, paced)
    C.ok(code == 143, case, f"exit {code}, want 143")
    C.ok(stop_secs < 5, case, f"podman stop took {stop_secs:.1f} s (SIGTERM ignored until the kill?)")
    C.ok(any("Stopped by SIGTERM" in line for line in cut.stderr), case, "no stop line on stderr")
    resume_case(case, image, url, work, config, catalog, cut, streams)
    print(f"   {case:<28} exit {code}, stopped in {stop_secs:.1f} s (timeout 30 s), "
          f"{sum(len(v) for v in cut.ids.values())} records and {cut.n_states} states before; resumed: nothing lost")

    if C.failures:
        for f in C.failures:
            print(f"   FAIL {f}", file=sys.stderr)
        sys.exit(1)


def stop_case(case, image, url, work, config, catalog, env):
    """`podman run IMAGE read ...` (the entrypoint, PID 1), stopped with
    `podman stop` (SIGTERM, then SIGKILL after 30 s) after 3 states."""
    d = volume(work, "dockerstop")
    put(d, "config.json", config)
    put(d, "catalog.json", catalog)
    name = f"launcher-test-stop-{os.getpid()}"
    cmd = ["podman", "run", "--rm", "--pull=never", "--http-proxy=false", "--network", "host", *POD,
           "--name", name, "-v", f"{d}:/data", "-e", f"PAYSTACK_API_URL={url}"]
    for e in env:
        cmd += ["-e", e]
    cmd += [image, "read", "--config", "/data/config.json", "--catalog", "/data/catalog.json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = Read()
    stderr = []
    t = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    t.start()
    stop_secs = None
    for line in proc.stdout:
        try:
            seen.take(case, json.loads(line))
        except ValueError:
            C.ok(False, case, f"stdout line is not JSON: {line[:200]!r}")
        if stop_secs is None and seen.n_states >= 3:
            t0 = time.monotonic()
            r = podman(["stop", "-t", "30", name])
            stop_secs = time.monotonic() - t0
            C.ok(r.returncode == 0, case, f"podman stop: {r.stderr[:200]}")
    code = proc.wait()
    t.join(10)
    seen.stderr = stderr
    C.ok(stop_secs is not None, case, "the read ended before 3 states")
    return seen, code, stop_secs or 0.0


def resume_case(case, image, url, work, config, catalog, cut, streams):
    """Resumes from the last states `cut` saw; together the two reads must
    hold every record of the fake."""
    resumed, code, d, _ = read_case(case.split(" ")[0] + "-resume", image, url, work, config, catalog,
                                    state=list(cut.states.values()))
    C.ok(code == 0, case, f"the resume exited {code}")
    for s in streams:
        want = set(admin(url, f"ids?stream={s}")["ids"])
        got = cut.ids.get(s, set()) | resumed.ids.get(s, set())
        missing = want - got
        C.ok(not missing, case, f"{s}: {len(missing)} records lost, e.g. {sorted(missing)[:3]}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
