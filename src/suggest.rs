//! "Did you mean …?": how far a name the user wrote is from a known one,
//! and the closest known name when it is near enough to be a typo of it.

/// `s` in lower case without `_`, `-` and spaces.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// How far `found` is from `known` as a typo: the fewest single-letter
/// insertions, deletions, changes or swaps of neighbours, ignoring case,
/// and ignoring `_`, `-` and spaces when that is closer
/// (`lookbackWindowDays` is 0 from `lookback_window_days`).
pub fn typo_distance(found: &str, known: &str) -> usize {
    strsim::osa_distance(&found.to_lowercase(), known)
        .min(strsim::osa_distance(&squash(found), &squash(known)))
}

/// Whether `found` is near enough to `known` to be a typo of it: two
/// letters off, or a quarter of a long name (`lookback_window` is
/// `lookback_window_days` cut short).
pub fn is_typo_of(found: &str, known: &str) -> bool {
    typo_distance(found, known) <= 2.max(squash(known).chars().count() / 4)
}

/// The candidate closest to `name` (see [`typo_distance`]), if it is close
/// enough to be a typo of it.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.max(name.trim().chars().count() / 3);
    candidates
        .map(|c| (typo_distance(name.trim(), c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_matched_to_the_closest_stream_name() {
        assert_eq!(typo_distance("dispute", "disputes"), 1);
        assert_eq!(
            typo_distance("settlement-transactions", "settlement_transactions"),
            0
        );
        let names = || ["transfers", "transactions", "refunds"].into_iter();
        assert_eq!(did_you_mean("transfer", names()), Some("transfers"));
        assert_eq!(did_you_mean(" Transaction ", names()), Some("transactions"));
        assert_eq!(did_you_mean("refund", names()), Some("refunds"));
        assert_eq!(did_you_mean("customers", names()), None);
        assert_eq!(
            did_you_mean("Bulk-Charges", ["bulk_charges"].into_iter()),
            Some("bulk_charges")
        );
    }

    #[test]
    fn a_long_name_cut_short_is_a_typo_and_a_short_stem_is_not() {
        assert!(is_typo_of("lookback_window", "lookback_window_days"));
        assert!(is_typo_of("requests_per_min", "requests_per_minute"));
        assert!(is_typo_of("enddate", "end_date"));
        assert!(!is_typo_of("lookback", "lookback_window_days"));
        assert!(!is_typo_of("start_datetime", "start_date"));
        assert!(!is_typo_of("end_time", "end_date"));
    }
}
