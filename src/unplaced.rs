//! Records the connector cannot place, counted per stream and told in one
//! WARN when the stream completes:
//! - **without an id** (absent, null, or not a whole number): emitted, but
//!   without their primary key, so a destination in deduped mode cannot
//!   deduplicate them;
//! - **created in the future**: later than the window's end, when the window
//!   ends at the sync start, and later than the clock when they arrive (an
//!   endpoint that ignores `to`, or a clock or time zone error at
//!   Paystack's). Such a record is outside every slice, so it would never
//!   be emitted (a later sync's window ends before it too, until its time
//!   comes). It is emitted once, by the first slice that delivers it, and
//!   does not raise the state, which stays at the sync's own end: nothing
//!   after the window is skipped. Once its time comes, Paystack may deliver
//!   it again.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::time::format_cursor;

/// The records of one stream the connector cannot place (see the module
/// docs).
#[derive(Debug, Default)]
pub struct Unplaced {
    /// Records emitted without an id.
    pub no_id: u64,
    /// Records created in the future, emitted.
    future: u64,
    /// The latest creation time among them.
    latest: Option<DateTime<Utc>>,
    /// Their ids (each is emitted once, whichever slice delivers it).
    future_ids: HashSet<u64>,
}

impl Unplaced {
    /// Books a record created in the future (`at`) with this `id`; true
    /// when it is to be emitted (not emitted before; a record without an id
    /// cannot be told from another and is emitted each time).
    pub fn future(&mut self, id: Option<u64>, at: DateTime<Utc>) -> bool {
        if id.is_some_and(|id| !self.future_ids.insert(id)) {
            return false;
        }
        self.future += 1;
        self.latest = self.latest.max(Some(at));
        true
    }

    /// The WARN for `stream`, if it had records it could not place; `now`
    /// is the clock.
    pub fn warning(&self, stream: &str, now: DateTime<Utc>) -> Option<String> {
        let records = |n: u64| format!("{n} record{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        if self.no_id > 0 {
            parts.push(format!(
                "{} had no id (emitted without it; a destination in deduped mode cannot \
                 deduplicate them: sync this stream in append mode, or report the records to \
                 Paystack support)",
                records(self.no_id)
            ));
        }
        if let Some(latest) = self.latest {
            parts.push(format!(
                "{} {} created in the future (the latest at {}, later than now, {}): emitted, \
                 without moving the state past the sync's own end, so nothing is skipped; \
                 Paystack may deliver {} again once {} time comes",
                records(self.future),
                if self.future == 1 { "was" } else { "were" },
                format_cursor(latest),
                format_cursor(now),
                if self.future == 1 { "it" } else { "them" },
                if self.future == 1 { "its" } else { "their" },
            ));
        }
        (!parts.is_empty()).then(|| format!("{stream}: {}.", parts.join(", and ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::t;

    #[test]
    fn each_future_record_is_emitted_once_and_the_warning_says_both() {
        let mut u = Unplaced::default();
        let now = t("2026-06-01T00:00:00Z");
        assert_eq!(u.warning("transactions", now), None, "nothing to say");
        assert!(u.future(Some(7), t("2031-01-01T00:00:00Z")));
        assert!(!u.future(Some(7), t("2031-01-01T00:00:00Z")), "once");
        assert!(u.future(None, t("2030-01-01T00:00:00Z")));
        assert!(
            u.future(None, t("2030-01-01T00:00:00Z")),
            "no id: each time"
        );
        let text = u.warning("transactions", now).unwrap();
        assert_eq!(
            text,
            "transactions: 3 records were created in the future (the latest at \
             2031-01-01T00:00:00.000Z, later than now, 2026-06-01T00:00:00.000Z): emitted, \
             without moving the state past the sync's own end, so nothing is skipped; Paystack \
             may deliver them again once their time comes."
        );
        u.no_id = 1;
        let text = u.warning("transactions", now).unwrap();
        assert!(
            text.starts_with("transactions: 1 record had no id (emitted without it; a destination in deduped mode cannot deduplicate them"),
            "{text}"
        );
        assert!(
            text.contains("Paystack support), and 3 records were created"),
            "{text}"
        );
    }
}
