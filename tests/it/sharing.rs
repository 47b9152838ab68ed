//! Streams share the requests: under a pace, every selected stream gets its
//! turn from the start, seen in the fake Paystack's request log.

use std::collections::BTreeMap;

use serde_json::json;

use crate::support::*;

const STREAMS: [&str; 3] = ["customers", "invoices", "transfers"];

/// Three streams of 400 records (20 a page, slices of 4 pages: about 25
/// requests each), read at 6,000 requests a minute, 4 at once: the first
/// requests go to each stream in turn, and in any stretch of the read
/// while all three have pages left each gets about a third.
#[tokio::test]
async fn under_a_pace_every_stream_gets_its_turn_from_the_start() {
    let server = fake_with(|o| {
        o.records = STREAMS.iter().map(|s| (*s, 400)).collect();
    })
    .await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"}));
    let catalog = files.catalog(&STREAMS.map(|s| (s, "incremental")));
    let mut settings = fake_settings(server.uri(), 20, 4);
    settings.requests_per_minute = Some(Some(6_000));
    let out = run(read_cmd(&config, &catalog, None), &settings).await;
    assert_eq!(out.code, 0, "{}", out.text);

    let paths: BTreeMap<&str, &str> = STREAMS.iter().map(|s| (def(s).path, *s)).collect();
    let log: Vec<&str> = server
        .requests()
        .iter()
        .filter_map(|r| paths.get(r.split('?').next().unwrap_or_default()).copied())
        .collect();
    assert!(log.len() > 60, "{} requests", log.len());
    assert_eq!(log[..3], STREAMS, "the first requests, one per stream");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for stream in &log[..45] {
        *counts.entry(stream).or_default() += 1;
    }
    for stream in STREAMS {
        let n = counts.get(stream).copied().unwrap_or(0);
        assert!(
            (12..=18).contains(&n),
            "{stream}: {n} of the first 45: {counts:?}"
        );
    }
}
