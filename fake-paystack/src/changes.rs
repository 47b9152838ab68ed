//! Records changed after their creation: versions kept as an overlay.
//!
//! Records are never stored ([`crate::store`]), so a change is not written
//! into one: each stream keeps an [`Overlay`], a map from a record's id to
//! its [`Version`] (how often it changed, and when last). Rendering looks a
//! record up there and, when it changed, writes its top-level `updatedAt`
//! (or `updated_at`) as the time of the change and its stream's changed
//! field ([`Change`], a column of the endpoint table) as the version's
//! value. The creation time never changes, so a changed record keeps its
//! place in every list. Until the first change the overlay is empty and
//! rendering does not look it up.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a stream's changed field takes a new value at each version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Steps through these values (JSON texts), in the order of Paystack's
    /// lifecycle for the field: version `v` is the value `v` steps after
    /// the record's own, wrapping round (a value not in the list starts at
    /// the first).
    Cycle(&'static [&'static str]),
    /// An integer that moves by this much at each version (never below 0);
    /// null stays null.
    Add(i64),
}

/// A stream's changed field: a top-level field of its records and how it
/// changes. Streams without one change `updatedAt` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub kind: Kind,
}

impl Change {
    pub const fn new(field: &'static str, kind: Kind) -> Self {
        Change { field, kind }
    }
}

/// The top-level fields that hold a record's update time.
pub const UPDATED_FIELDS: [&str; 2] = ["updatedAt", "updated_at"];

/// One changed record: its version (1 after the first change) and the
/// time of its last change, Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub n: u32,
    pub at_ms: i64,
}

/// The versions of one stream's changed records, by id.
#[derive(Debug, Default)]
pub struct Overlay {
    /// Whether any record changed: unchanged streams skip the lookup.
    any: AtomicBool,
    versions: RwLock<HashMap<u64, Version>>,
}

impl Overlay {
    /// The version of record `id`, `None` when it never changed.
    #[inline]
    pub fn get(&self, id: u64) -> Option<Version> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        self.versions.read().expect("lock").get(&id).copied()
    }

    /// How often record `id` changed (0: never).
    pub fn version(&self, id: u64) -> u32 {
        self.get(id).map_or(0, |v| v.n)
    }

    /// Gives record `id` its next version, changed at `now_ms`, or later:
    /// not before `floor_ms` (its creation) and strictly after its previous
    /// change, so each version is newer than the one before.
    pub fn bump(&self, id: u64, now_ms: i64, floor_ms: i64) -> Version {
        let mut versions = self.versions.write().expect("lock");
        let v = versions.entry(id).or_insert(Version {
            n: 0,
            at_ms: i64::MIN,
        });
        v.n += 1;
        v.at_ms = now_ms.max(floor_ms).max(v.at_ms.saturating_add(1));
        let out = *v;
        self.any.store(true, Ordering::Release);
        out
    }
}

/// Ids spread evenly over `ids` (ascending): `count` of them, the middle
/// of each of `count` equal parts, so every age is represented; all of them
/// when `count` is at least their number.
pub fn spread(ids: &[u64], count: u64) -> Vec<u64> {
    let n = ids.len() as u64;
    if count >= n {
        return ids.to_vec();
    }
    (0..count)
        .map(|k| ids[((2 * k + 1) * n / (2 * count)) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_and_move_forward() {
        let o = Overlay::default();
        assert_eq!(o.get(7), None);
        assert_eq!(o.version(7), 0);
        let v1 = o.bump(7, 1_000, 0);
        assert_eq!(v1, Version { n: 1, at_ms: 1_000 });
        // The same millisecond again: still a newer time.
        let v2 = o.bump(7, 1_000, 0);
        assert_eq!(v2, Version { n: 2, at_ms: 1_001 });
        // Never before the creation.
        assert_eq!(o.bump(8, 1_000, 5_000).at_ms, 5_000);
        assert_eq!(o.version(7), 2);
        assert_eq!(o.version(9), 0);
    }

    #[test]
    fn spread_covers_every_age() {
        let ids: Vec<u64> = (100..200).collect();
        assert_eq!(spread(&ids, 4), vec![112, 137, 162, 187]);
        assert_eq!(spread(&ids, 1), vec![150]);
        assert_eq!(spread(&ids, 0), Vec::<u64>::new());
        assert_eq!(spread(&ids[..3], 5), vec![100, 101, 102]);
    }
}
