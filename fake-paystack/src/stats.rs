//! Request counters, for tests and `GET /__stats`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A snapshot of the server's counters. Only API requests count (not the
/// `/__…` admin paths).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// API requests received.
    pub requests: u64,
    /// Responses by HTTP status (a dropped connection counts under the
    /// status its headers carried).
    pub by_status: BTreeMap<u16, u64>,
    /// API requests by path.
    pub by_path: BTreeMap<String, u64>,
    /// Every 429 sent: rate limiting and injected ones.
    pub rate_limited: u64,
    /// 429s sent because a key was over its limit.
    pub rate_limited_by_limit: u64,
    /// Faults injected (scripted and random).
    pub faults: u64,
    /// Faults injected, by kind (`500`, `drop`, `slow`, …).
    pub faults_by_kind: BTreeMap<String, u64>,
    /// Records sent in list pages (including pages later cut by a fault).
    pub records_served: u64,
    /// Records inserted after start (`insert_now`, the admin endpoint,
    /// `grow_every`).
    pub inserted: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Collector {
    inner: Mutex<Stats>,
}

/// What one request did, for the counters.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub status: u16,
    pub fault: Option<String>,
    pub limited: bool,
    pub records: u64,
}

impl Collector {
    pub fn record(&self, path: &str, o: &Outcome) {
        let mut s = self.inner.lock().expect("lock");
        s.requests += 1;
        *s.by_status.entry(o.status).or_default() += 1;
        match s.by_path.get_mut(path) {
            Some(c) => *c += 1,
            None => {
                s.by_path.insert(path.to_owned(), 1);
            }
        }
        if o.status == 429 {
            s.rate_limited += 1;
        }
        if o.limited {
            s.rate_limited_by_limit += 1;
        }
        if let Some(kind) = &o.fault {
            s.faults += 1;
            *s.faults_by_kind.entry(kind.clone()).or_default() += 1;
        }
        s.records_served += o.records;
    }

    pub fn inserted(&self, n: u64) {
        self.inner.lock().expect("lock").inserted += n;
    }

    pub fn snapshot(&self) -> Stats {
        self.inner.lock().expect("lock").clone()
    }

    pub fn reset(&self) {
        *self.inner.lock().expect("lock") = Stats::default();
    }
}
