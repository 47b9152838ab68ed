//! `check`: exactly one CONNECTION_STATUS, exit code 0 either way.

use fake_paystack::Unavailable;
use serde_json::json;
use source_paystack::cli::Command;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn status(out: &Output) -> (String, String) {
    assert_eq!(out.code, 0, "check always exits 0: {}", out.text);
    assert_eq!(out.messages.len(), 1, "exactly one message: {}", out.text);
    let cs = &out.messages[0]["connectionStatus"];
    assert_eq!(out.messages[0]["type"], "CONNECTION_STATUS");
    (
        cs["status"].as_str().unwrap().to_owned(),
        cs["message"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn check_succeeds_with_an_accepted_key_and_sends_auth_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(wiremock::matchers::query_param("perPage", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": true, "message": "ok", "data": [], "meta": {"total": 0}}),
        ))
        // One request per endpoint (child streams are read through their
        // parent's).
        .expect(
            source_paystack::STREAMS
                .iter()
                .filter(|d| d.parent.is_none())
                .count() as u64,
        )
        .mount(&server)
        .await;
    let files = Files::new();
    let out = run(
        Command::Check {
            config: files.default_config(0),
        },
        &mock_settings(&server, 1),
    )
    .await;
    assert_eq!(status(&out).0, "SUCCEEDED");
    let reqs = server.received_requests().await.unwrap();
    let ua = reqs[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(
        ua.starts_with(&format!("source-paystack/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
}

#[tokio::test]
async fn check_fails_with_a_rejected_key_and_says_what_to_do() {
    let server = fake_with(|o| o.keys = vec!["sk_test_another".into()]).await;
    let files = Files::new();
    let out = run(
        Command::Check {
            config: files.default_config(0),
        },
        &settings(&server, 1),
    )
    .await;
    let (s, message) = status(&out);
    assert_eq!(s, "FAILED");
    assert!(
        message.contains("HTTP 401") && message.contains("Invalid key"),
        "{message}"
    );
    assert!(message.contains("API Keys & Webhooks"), "{message}");
    assert!(!out.text.contains(KEY));
}

#[tokio::test]
async fn check_fails_on_a_bad_config_without_calling_paystack() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "last tuesday"}));
    let out = run(Command::Check { config }, &settings(&server, 1)).await;
    let (s, message) = status(&out);
    assert_eq!(s, "FAILED");
    assert!(message.contains("start_date"), "{message}");
    assert!(server.stats().requests == 0);
}

#[tokio::test]
async fn check_succeeds_and_names_the_streams_the_key_cannot_read() {
    let server = fake_with(|o| {
        o.unavailable = vec![Unavailable::new("/dispute", 403).saying("Disputes are not enabled")];
    })
    .await;
    let files = Files::new();
    let out = run(
        Command::Check {
            config: files.default_config(0),
        },
        &settings(&server, 1),
    )
    .await;
    let (s, message) = status(&out);
    assert_eq!(s, "SUCCEEDED");
    assert!(
        message.contains("disputes") && message.contains("Disputes are not enabled"),
        "{message}"
    );
}

#[tokio::test]
async fn check_fails_when_paystack_cannot_be_reached() {
    // A port nobody listens on: every request fails to connect.
    let server = fake_with(|_| {}).await;
    let mut s = settings(&server, 1);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.http.base_url = format!("http://127.0.0.1:{port}");
    let files = Files::new();
    let out = run(
        Command::Check {
            config: files.default_config(0),
        },
        &s,
    )
    .await;
    let (status, message) = status(&out);
    assert_eq!(status, "FAILED");
    assert!(
        message.contains("Could not get an answer from Paystack"),
        "{message}"
    );
    // Not Paystack's API: the message says where the requests went and why.
    assert!(
        message.ends_with(&format!(
            " The requests went to http://127.0.0.1:{port}, not to Paystack's API \
             (https://api.paystack.co): the environment variable PAYSTACK_API_URL set it, so \
             \"Paystack\" here means that server. To use Paystack, unset PAYSTACK_API_URL."
        )),
        "{message}"
    );
}
