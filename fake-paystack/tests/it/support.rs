//! Shared helpers: a small HTTP client and server options.

#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use fake_paystack::{FakePaystack, Options};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const KEY: &str = "sk_test_fakepaystack000";
pub const LIVE_KEY: &str = "sk_live_fakepaystack000";

pub fn t(s: &str) -> DateTime<Utc> {
    fake_paystack::time::parse_datetime(s).expect("test time")
}

/// Options with these record counts (other streams empty).
pub fn options(records: &[(&'static str, u64)]) -> Options {
    Options {
        records: records.iter().copied().collect(),
        ..Default::default()
    }
}

pub async fn start(records: &[(&'static str, u64)]) -> FakePaystack {
    FakePaystack::start(options(records)).await.expect("start")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Got {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Got {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `data[*].id`.
    pub fn ids(&self) -> Vec<u64> {
        self.json()["data"]
            .as_array()
            .expect("data is a list")
            .iter()
            .map(|r| r["id"].as_u64().expect("integer id"))
            .collect()
    }
}

/// GET `path_and_query` with `key` (no Authorization header when `None`).
pub async fn get_with(server: &FakePaystack, path_and_query: &str, key: Option<&str>) -> Got {
    let mut req = client().get(format!("{}{}", server.uri(), path_and_query));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    Got {
        status,
        headers,
        text,
    }
}

/// GET an admin path (no key), as JSON.
pub async fn admin_get(server: &FakePaystack, path_and_query: &str) -> Value {
    client()
        .get(format!("{}{}", server.uri(), path_and_query))
        .send()
        .await
        .expect("request")
        .json::<Value>()
        .await
        .expect("JSON")
}

/// GET with the default test key.
pub async fn get(server: &FakePaystack, path_and_query: &str) -> Got {
    get_with(server, path_and_query, Some(KEY)).await
}

/// Every id of a listing, paging with `per_page` until an empty page.
pub async fn all_pages(
    server: &FakePaystack,
    path: &str,
    query: &str,
    per_page: u32,
) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let sep = if query.is_empty() { "" } else { "&" };
        let got = get(
            server,
            &format!("{path}?perPage={per_page}&page={page}{sep}{query}"),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.text);
        let data = got.json()["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        out.extend(data);
    }
    out
}
