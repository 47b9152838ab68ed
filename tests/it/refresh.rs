//! The refresh sweep (`refresh_window_days`, `stream_refresh_days`): a
//! config without them reads exactly as before; with them, each sync also
//! re-reads a part of the history older than the lookback, so that every
//! record, changed at any age, reaches the output within the horizon, at
//! any sync cadence. Months of syncs run in seconds on a simulated clock.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use fake_paystack::FakePaystack;
use serde_json::{Value, json};

use crate::support::*;

const START: &str = "2023-01-01T00:00:00Z";
/// The first simulated sync (the fake's records end the day before).
const FIRST_SYNC: &str = "2025-10-02T02:00:00Z";

/// The binary's `read` of `customers` from the fake at `uri` with `config`
/// and a saved cursor of 2024-06-01: its records and states (without their
/// `emitted_at`), and its stderr.
async fn read_from_june(uri: String, config: Value) -> (Vec<Value>, String) {
    let files = Files::new();
    let config = files.config(config);
    let catalog = files.catalog(&[("customers", "incremental")]);
    let state = files.state(r#"{"customers":{"createdAt":"2024-06-01T00:00:00.000Z"}}"#);
    let now = ("SOURCE_PAYSTACK_NOW", "2024-07-01T00:00:00Z".to_owned());
    let (out, stderr) = read_binary_from(uri, config, catalog, state, vec![now]).await;
    assert_eq!(out.code, 0, "{stderr}");
    let kept = (out.messages.into_iter())
        .filter(|m| m["type"] == "RECORD" || m["type"] == "STATE")
        .map(|mut m| {
            if let Some(record) = m.get_mut("record").and_then(Value::as_object_mut) {
                record.remove("emitted_at");
            }
            m
        })
        .collect();
    (kept, stderr)
}

fn ids_of(messages: &[Value]) -> Vec<u64> {
    let mut ids: Vec<u64> = (messages.iter())
        .filter(|m| m["type"] == "RECORD")
        .map(|m| m["record"]["data"]["id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sweeping_sync_rereads_older_history_and_keeps_the_cursor_where_it_was() {
    let server = fake_with(|o| o.records = [("customers", 400)].into()).await;
    let base = json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z",
        "lookback_window_days": 2, "requests_per_minute": 100000});
    let (without, quiet) = read_from_june(server.uri(), base.clone()).await;
    assert!(!quiet.contains("swept"), "{quiet}");
    let states = |ms: &[Value]| -> Vec<Value> {
        (ms.iter())
            .filter(|m| m["type"] == "STATE")
            .map(|m| m["state"]["stream"]["stream_state"].clone())
            .collect()
    };
    assert!(
        states(&without).iter().all(|s| s.get("sweep").is_none()),
        "no sweep without a horizon: {without:?}"
    );

    let mut with = base.clone();
    with["refresh_window_days"] = json!(30);
    with["stream_refresh_days"] = json!({"subscriptions": 7});
    let (refreshed, stderr) = read_from_june(server.uri(), with).await;
    // The window's records, and older ones besides: each once.
    let (old, new) = (ids_of(&without), ids_of(&refreshed));
    assert!(new.windows(2).all(|w| w[0] != w[1]), "a duplicate");
    assert!(old.iter().all(|id| new.contains(id)));
    // A first sweep reads a day's share of a 30-day pass: 1/29 of the
    // history from 2024-01-01 to the window (2024-05-30).
    let history = t("2024-05-30T00:00:00Z") - t("2024-01-01T00:00:00Z");
    let due = t("2024-01-01T00:00:00Z") + TimeDelta::seconds(history.num_seconds() / 29);
    let swept = server.ids("customers", t("2024-01-01T00:00:00Z"), due);
    assert!(!swept.is_empty());
    assert_eq!(new.len(), old.len() + swept.len(), "{stderr}");
    // The cursor is the same; the sweep's place is beside it.
    let (a, b) = (states(&without), states(&refreshed));
    assert_eq!(
        a.last().unwrap()["createdAt"],
        b.last().unwrap()["createdAt"]
    );
    let sweep = &b.last().unwrap()["sweep"];
    assert_eq!(sweep["position"], fmt(due), "{sweep}");
    assert_eq!(sweep["synced"], "2024-07-01T00:00:00.000Z");
    let line = stderr
        .lines()
        .find(|l| l.contains("Stream complete") && l.contains("swept"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.contains(&format!(
            "swept 2024-01-01T00:00:00Z..{} ({} records, ",
            due.format("%Y-%m-%dT%H:%M:%SZ"),
            swept.len()
        )) && line.contains("; every record re-read within 30 days"),
        "{line}"
    );
}

/// A month (or more) of syncs of one stream, on a simulated clock.
struct Sim {
    server: FakePaystack,
    files: Files,
    config: std::path::PathBuf,
    catalog: std::path::PathBuf,
    stream: &'static str,
    state: Option<String>,
    /// When each record was last read, and the newest `updatedAt` read.
    read_at: HashMap<u64, DateTime<Utc>>,
    updated: HashMap<u64, DateTime<Utc>>,
    /// Changes made: the record, and when.
    changes: Vec<(u64, DateTime<Utc>)>,
    horizon: TimeDelta,
    /// The largest time a record of the history went without a read, just
    /// before a sync and just after one.
    stale_before: TimeDelta,
    stale_after: TimeDelta,
}

impl Sim {
    async fn new(stream: &'static str, records: u64, horizon_days: i64) -> Sim {
        let server = fake_with(|o| {
            o.records = [(stream, records)].into();
            o.start = t(START);
            o.end = t("2025-10-01T00:00:00Z");
        })
        .await;
        let files = Files::new();
        let config = files.config(json!({"secret_key": KEY, "start_date": START,
            "lookback_window_days": 3, "stream_refresh_days": {stream: horizon_days}}));
        let catalog = files.catalog(&[(stream, "incremental")]);
        Sim {
            server,
            files,
            config,
            catalog,
            stream,
            state: None,
            read_at: HashMap::new(),
            updated: HashMap::new(),
            changes: Vec::new(),
            horizon: TimeDelta::days(horizon_days),
            stale_before: TimeDelta::zero(),
            stale_after: TimeDelta::zero(),
        }
    }

    /// Changes `n` records created before `now - 5 days`, of every age, at
    /// `now - 1 h`; and a new record or two come in.
    fn business(&mut self, now: DateTime<Utc>, n: usize) {
        self.server
            .insert_at(self.stream, now - TimeDelta::hours(3), 2);
        let old = self
            .server
            .ids(self.stream, t(START), now - TimeDelta::days(5));
        if n == 0 || old.is_empty() {
            return;
        }
        let step = (old.len() / n).max(1);
        let at = now - TimeDelta::hours(1);
        let picked: Vec<u64> = old.iter().copied().skip(step / 2).step_by(step).collect();
        self.server.change_at(self.stream, &picked, at);
        self.changes.extend(picked.iter().map(|&id| (id, at)));
    }

    /// The largest time since a read, over the records created before `now`.
    fn staleness(&self, now: DateTime<Utc>) -> TimeDelta {
        let ids = self.server.ids(self.stream, t(START), now);
        (ids.iter())
            .map(|id| now - self.read_at.get(id).copied().unwrap_or(now))
            .max()
            .unwrap_or_default()
    }

    async fn sync(&mut self, now: DateTime<Utc>) -> Output {
        self.stale_before = self.stale_before.max(self.staleness(now));
        let mut settings = settings(&self.server, 4);
        settings.now = Some(now);
        let state = self
            .state
            .as_deref()
            .map(|s| self.files.write("state.json", s));
        let out = run(
            read_cmd(&self.config, &self.catalog, state.as_deref()),
            &settings,
        )
        .await;
        assert_eq!(out.code, 0, "{}", out.text);
        out.unique_ids(self.stream);
        for r in out.records(self.stream) {
            let id = r["id"].as_u64().unwrap();
            self.read_at.insert(id, now);
            if let Some(at) = r["updatedAt"].as_str().and_then(|s| s.parse().ok()) {
                let slot = self.updated.entry(id).or_insert(at);
                *slot = (*slot).max(at);
            }
        }
        let last = out.states(self.stream).last().copied().cloned().unwrap();
        self.state = Some(json!([last]).to_string());
        self.stale_after = self.stale_after.max(self.staleness(now));
        out
    }

    /// Every change reached the output within the horizon of being made.
    fn assert_changes_arrived(&self, syncs: &[DateTime<Utc>]) {
        assert!(!self.changes.is_empty());
        for &(id, at) in &self.changes {
            let seen = self.updated.get(&id).copied();
            assert!(
                seen.is_some_and(|s| s >= at),
                "record {id} changed at {at} never arrived (newest read: {seen:?})"
            );
            // The first sync at or after the change that read the record.
            let first = syncs.iter().find(|&&s| s >= at).unwrap();
            let arrived = self.read_at[&id];
            assert!(arrived >= *first);
        }
    }
}

/// Syncs every `every` from [`FIRST_SYNC`] for `span` (none during `gap`),
/// changing records of every age on the first days.
async fn simulate(
    every: TimeDelta,
    span: TimeDelta,
    gap: Option<(DateTime<Utc>, DateTime<Utc>)>,
    horizon_days: i64,
) -> Sim {
    // Customers: Paystack's list serves their updatedAt (subscriptions'
    // has none), so the output shows which version was read.
    let mut sim = Sim::new("customers", 1_200, horizon_days).await;
    let first = t(FIRST_SYNC);
    let mut syncs = Vec::new();
    let mut now = first;
    // Changes stop a horizon before the end, so each has had a horizon.
    let changes_until = first + span - sim.horizon;
    while now <= first + span {
        if !gap.is_some_and(|(a, b)| a <= now && now < b) {
            let n = if now < changes_until { 6 } else { 0 };
            sim.business(now, n);
            sim.sync(now).await;
            syncs.push(now);
        }
        now += every;
    }
    sim.assert_changes_arrived(&syncs);
    sim
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_syncs_bring_every_change_of_any_age_within_30_days() {
    let sim = simulate(TimeDelta::days(1), TimeDelta::days(75), None, 30).await;
    assert!(sim.stale_before <= sim.horizon, "{}", sim.stale_before);
    assert!(sim.changes.len() > 200, "{}", sim.changes.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn weekly_syncs_hold_the_horizon() {
    let sim = simulate(TimeDelta::days(7), TimeDelta::days(105), None, 30).await;
    assert!(sim.stale_before <= sim.horizon, "{}", sim.stale_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn hourly_syncs_hold_a_two_day_horizon() {
    let sim = simulate(TimeDelta::hours(1), TimeDelta::days(5), None, 2).await;
    assert!(sim.stale_before <= sim.horizon, "{}", sim.stale_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_week_is_caught_up_by_the_next_sync() {
    let first = t(FIRST_SYNC);
    let gap = (first + TimeDelta::days(40), first + TimeDelta::days(47));
    let sim = simulate(TimeDelta::days(1), TimeDelta::days(75), Some(gap), 30).await;
    assert!(sim.stale_after <= sim.horizon, "{}", sim.stale_after);
    assert!(
        sim.stale_before > sim.horizon,
        "the week without syncs left some stale"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_child_stream_sweeps_its_parents_older_lists() {
    let server = fake_with(|o| {
        o.records = [("settlements", 60)].into();
        o.children_per_parent = 2;
    })
    .await;
    let files = Files::new();
    let config = files.config(
        json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z",
        "refresh_window_days": 10}),
    );
    let catalog = files.catalog(&[("settlement_transactions", "incremental")]);
    let state = files.write(
        "state.json",
        r#"{"settlement_transactions":{"settlement_created_at":"2024-05-01T00:00:00.000Z"}}"#,
    );
    let mut s = settings(&server, 4);
    s.now = Some(t("2024-05-02T00:00:00Z"));
    let out = run(read_cmd(&config, &catalog, Some(&state)), &s).await;
    assert_eq!(out.code, 0, "{}", out.text);
    // A first sweep of a 10-day horizon: 1/9 of the history.
    let due =
        t("2024-01-01T00:00:00Z") + (t("2024-05-01T00:00:00Z") - t("2024-01-01T00:00:00Z")) / 9;
    let parents = server.ids("settlements", t("2024-01-01T00:00:00Z"), due);
    assert!(!parents.is_empty());
    // The children of the parents created in the swept range, once each.
    let children = server.ids("settlement_transactions", t("2024-01-01T00:00:00Z"), due);
    assert!(children.len() >= parents.len(), "{children:?}");
    assert_eq!(out.unique_ids("settlement_transactions"), children);
    for r in out.records("settlement_transactions") {
        let parent = r["settlement_id"].as_u64().unwrap();
        assert!(parents.contains(&parent), "{r}");
    }
    let last = out
        .states("settlement_transactions")
        .last()
        .copied()
        .unwrap();
    let state = &last["stream"]["stream_state"];
    assert_eq!(state["settlement_created_at"], "2024-05-01T00:00:00.000Z");
    assert_eq!(state["sweep"]["position"], fmt(due));
}
