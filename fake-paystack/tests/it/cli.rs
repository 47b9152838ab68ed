//! The `fake-paystack` binary: its one stdout line, its flags, and a clean
//! exit on SIGTERM/SIGINT.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};

use serde_json::Value;

struct Running {
    child: Child,
    stdout: BufReader<ChildStdout>,
    uri: String,
}

fn run(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-paystack"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let uri = line
        .strip_prefix("fake-paystack listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_end()
        .to_owned();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    Running { child, stdout, uri }
}

impl Running {
    fn get(&self, path: &str, key: &str) -> (u16, Value) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = crate::support::client()
                .get(format!("{}{path}", self.uri))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// Sends `signal`, waits, and returns the rest of stdout.
    fn stop(mut self, signal: &str) -> String {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit status {status:?}");
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        rest
    }
}

#[test]
fn prints_one_line_serves_and_exits_on_sigterm() {
    let server = run(&["--records", "7"]);
    let (status, body) = server.get("/customer", "sk_test_fakepaystack000");
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 7);
    let (status, _) = server.get("/transaction", "sk_live_fakepaystack000");
    assert_eq!(status, 200);
    let (status, _) = server.get("/transaction", "sk_test_other");
    assert_eq!(status, 401);
    assert_eq!(server.stop("-TERM"), "", "nothing else on stdout");
}

#[test]
fn flags_shape_the_server() {
    let server = run(&[
        "--total",
        "214",
        "--children-per-parent",
        "1",
        "--stream-records",
        "customers=5",
        "--key",
        "sk_test_mine",
        "--max-per-page",
        "4",
        "--per-page-as-string",
        "--fault",
        "/dispute=403",
        "--rate-limit",
        "on",
        "--test-limit",
        "7",
        "--start",
        "2024-01-01",
        "--end",
        "2024-02-01",
        "--seed",
        "9",
    ]);
    let key = "sk_test_mine";
    let (status, body) = server.get("/customer?perPage=10", key);
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 5);
    assert_eq!(body["meta"]["perPage"], "10");
    assert_eq!(body["data"].as_array().unwrap().len(), 4);
    let (_, body) = server.get("/transaction", key);
    assert_eq!(
        body["meta"]["total"], 10,
        "214 over the 21 top-level streams: 11 or 10 each"
    );
    let (_, body) = server.get("/storefront", key);
    assert_eq!(body["meta"]["total"], 10);
    let (_, body) = server.get("/settlement?perPage=4", key);
    let settlement = body["data"][0]["id"].as_u64().unwrap();
    let (status, body) = server.get(&format!("/settlement/{settlement}/transactions"), key);
    assert_eq!(status, 200);
    assert!(
        body["meta"]["total"].as_u64().unwrap() <= 2,
        "0..=2 children"
    );
    let (_, body) = server.get("/paymentrequest", key);
    assert_eq!(body["meta"]["total"], 11);
    let created = body["data"][0]["created_at"].as_str().unwrap().to_owned();
    assert!(created.starts_with("2024-01"), "{created}");
    let (status, _) = server.get("/dispute", key);
    assert_eq!(status, 403);
    let (status, _) = server.get("/customer", "sk_test_fakepaystack000");
    assert_eq!(status, 401, "--key replaces the default keys");
    // Six list requests counted against the limit of 7 (the 403 fault and
    // the 401 did not): one more passes, then 429.
    assert_eq!(server.get("/customer", key).0, 200);
    assert_eq!(server.get("/customer", key).0, 429);
    assert_eq!(server.stop("-INT"), "");
}

/// `--unavailable`: an endpoint, or a feature's endpoints, refused with
/// the status and message given (a default message without one).
#[test]
fn unavailable_endpoints_answer_their_status_and_message() {
    let server = run(&[
        "--records",
        "3",
        "--unavailable",
        "/dedicated_account=404:\"Feature unavailable\"",
        "--unavailable",
        "terminal=400",
    ]);
    let key = "sk_test_fakepaystack000";
    let default = fake_paystack::availability::DEFAULT_MESSAGE;
    for (path, want) in [
        ("/dedicated_account", (404, "Feature unavailable")),
        ("/terminal", (400, default)),
        ("/virtual_terminal", (400, default)),
    ] {
        let (status, body) = server.get(path, key);
        assert_eq!((status, body["message"].as_str().unwrap()), want, "{path}");
    }
    assert_eq!(server.get("/customer", key).0, 200);
    assert_eq!(server.stop("-INT"), "");
}

#[test]
fn behaviour_flags_shape_the_records_and_order() {
    let server = run(&[
        "--stream-records",
        "terminals=4",
        "--stream-records",
        "customers=4",
        "--records",
        "0",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-01T00:00:02Z",
        "--time-format",
        "offset",
        "--ties",
        "id-asc",
        "--bound-precision",
        "truncated",
        "--to-exclusive",
        "--null-cursor-as-string",
    ]);
    let key = "sk_test_fakepaystack000";
    let (_, body) = server.get("/customer", key);
    let rows = body["data"].as_array().unwrap();
    let ids: Vec<u64> = rows.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(
        ids,
        [181_000_002, 181_000_003, 181_000_000, 181_000_001],
        "ties ascending"
    );
    assert_eq!(rows[0]["createdAt"], "2024-01-01T01:00:01+01:00");
    // `to` 00:00:01.900 reads as 00:00:01, exclusive: only the first second.
    let (_, body) = server.get("/customer?to=2024-01-01T00:00:01.900Z", key);
    assert_eq!(body["meta"]["total"], 2);
    let (_, body) = server.get("/terminal", key);
    assert_eq!(body["meta"]["next"], "null");
    assert_eq!(body["meta"]["previous"], "null");
    assert_eq!(server.stop("-TERM"), "");
}

#[test]
fn bad_flags_exit_with_usage_errors() {
    for args in [
        &["--stream-records", "nope=3"][..],
        &["--stream-records", "settlement_transactions=3"],
        &["--children-per-parent", "100000"],
        &["--start", "yesterday"],
        &["--records", "3", "--total", "9"],
        &["--fault", "x=500"],
        &["--time-format", "nanos"],
        &["--ties", "random"],
        &["--bound-precision", "days"],
        &["--unavailable", "/nowhere=404"],
        &["--unavailable", "terminal=500"],
        &["--reset-format", "hours"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fake-paystack"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fake-paystack"))
        .args(["--fault-rate", "0.5", "--fault-kinds", "500,bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
