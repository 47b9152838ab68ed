//! Paystack's rate headers, read in one place: `Retry-After`,
//! `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset`.
//! [`RateHeaders::read`] takes the headers and the wall-clock time and returns
//! plain values; the pacing ([`crate::ratelimit`]) and the retries
//! ([`crate::retry`]) both use it.
//!
//! Paystack documents `x-ratelimit-reset` as "a time in seconds indicating
//! when the current limit window ends", which is either the seconds left in
//! the window or the window's end as a Unix time. Every plausible form is
//! read:
//!
//! - seconds remaining, whole or with a fraction (`12`, `0.25`);
//! - a Unix time in seconds (`1765000060`) or milliseconds (`1765000060000`);
//! - an HTTP date (`Sat, 06 Dec 2025 06:47:40 GMT`);
//! - anything else is ignored.
//!
//! A number is told apart by its size against `now` (Unix seconds
//! ≈ 1.7 × 10⁹ in 2025): below half of `now` in seconds it is a count of
//! seconds (a window lasts a minute; half of `now` is 28 years); above that
//! it is a Unix time, in seconds or milliseconds, whichever puts it nearer
//! to `now` (the boundary is `now` × √1000, the geometric middle of the two).
//!
//! `Retry-After` is seconds or an HTTP date, as HTTP defines it.
//!
//! A wait is not believed blindly: a reset later than Paystack's documented
//! window ([`WINDOW`]) is cut to the window, and a `Retry-After` longer than
//! [`MAX_RETRY_AFTER`] to that. [`Wait::asked`] keeps what the header asked
//! for, so the caller can say so.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// Paystack's documented rate-limit window: a reset never means a longer
/// wait than this.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The longest `Retry-After` believed: two documented windows. A 429's wait
/// is at most the rest of a window; twice that leaves room for an HTTP
/// date's clock skew and for a window that opened just before. A longer
/// wait is not Paystack's rate limit: the retries' backoff and budget deal
/// with it better than one long silence.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How a header's value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A count of seconds.
    Seconds,
    /// A Unix time in seconds.
    UnixSeconds,
    /// A Unix time in milliseconds.
    UnixMillis,
    /// An HTTP date.
    HttpDate,
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Form::Seconds => "seconds",
            Form::UnixSeconds => "a Unix time in seconds",
            Form::UnixMillis => "a Unix time in milliseconds",
            Form::HttpDate => "an HTTP date",
        })
    }
}

/// A wait read from one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// The wait from `now`, cut to the cap; zero for a time in the past.
    pub wait: Duration,
    pub form: Form,
    /// What the header asked for, when it was more than the cap.
    pub asked: Option<Duration>,
    /// The header's value as sent.
    pub raw: String,
}

/// Paystack's rate headers, as read from one answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateHeaders {
    /// `x-ratelimit-limit`: requests a window allows (at least 1).
    pub limit: Option<f64>,
    /// `x-ratelimit-remaining`: requests left in the window.
    pub remaining: Option<f64>,
    /// `x-ratelimit-reset`: until the window ends, at most [`WINDOW`].
    pub reset: Option<Wait>,
    /// `Retry-After`, at most [`MAX_RETRY_AFTER`].
    pub retry_after: Option<Wait>,
}

impl RateHeaders {
    /// Reads the rate headers of an answer received at `now`. Values that
    /// cannot be read are `None`.
    pub fn read(headers: &HeaderMap, now: DateTime<Utc>) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        RateHeaders {
            limit: header("x-ratelimit-limit")
                .and_then(number)
                .filter(|l| *l >= 1.0),
            remaining: header("x-ratelimit-remaining").and_then(number),
            reset: header("x-ratelimit-reset").and_then(|v| reset(v, now)),
            retry_after: header("retry-after").and_then(|v| retry_after(v, now)),
        }
    }

    /// The wait the answer asks for: `Retry-After`, else the window's reset
    /// unless `x-ratelimit-remaining` says the window still has room (then
    /// the reset is no reason to wait).
    pub fn server_wait(&self) -> Option<Duration> {
        if let Some(r) = &self.retry_after {
            return Some(r.wait);
        }
        if self.remaining.is_some_and(|r| r >= 1.0) {
            return None;
        }
        self.reset.as_ref().map(|r| r.wait)
    }
}

/// A finite, non-negative number.
fn number(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0)
}

/// Seconds since the Unix epoch, with milliseconds.
fn unix(now: DateTime<Utc>) -> f64 {
    now.timestamp_millis() as f64 / 1000.0
}

/// Reads `x-ratelimit-reset` (see the module docs).
fn reset(raw: &str, now: DateTime<Utc>) -> Option<Wait> {
    let (secs, form) = match number(raw) {
        Some(n) => {
            let now_s = unix(now);
            if n < now_s / 2.0 {
                (n, Form::Seconds)
            } else if n < now_s * 1000f64.sqrt() {
                (n - now_s, Form::UnixSeconds)
            } else {
                (n / 1000.0 - now_s, Form::UnixMillis)
            }
        }
        None => (http_date(raw, now)?, Form::HttpDate),
    };
    Some(capped(secs, form, WINDOW, raw))
}

/// Reads `Retry-After`: seconds or an HTTP date.
fn retry_after(raw: &str, now: DateTime<Utc>) -> Option<Wait> {
    let (secs, form) = match number(raw) {
        Some(n) => (n, Form::Seconds),
        None => (http_date(raw, now)?, Form::HttpDate),
    };
    Some(capped(secs, form, MAX_RETRY_AFTER, raw))
}

/// Seconds from `now` to an HTTP date (IMF-fixdate or RFC 2822); negative
/// when it is past.
fn http_date(raw: &str, now: DateTime<Utc>) -> Option<f64> {
    let at = DateTime::parse_from_rfc2822(raw).ok()?;
    Some((at.timestamp_millis() - now.timestamp_millis()) as f64 / 1000.0)
}

/// A wait of `secs` (zero when negative), cut to `cap`.
fn capped(secs: f64, form: Form, cap: Duration, raw: &str) -> Wait {
    // Far beyond any cap; keeps the conversion to a Duration in range.
    let secs = secs.clamp(0.0, 1.0e12);
    let asked = Duration::from_secs_f64(secs);
    Wait {
        wait: asked.min(cap),
        form,
        asked: (asked > cap).then_some(asked),
        raw: raw.to_owned(),
    }
}

/// A duration for people: `250 ms`, `45 s`, `1.5 s`, `90 s`, `2 min 5 s`, `15 min`,
/// `3 h 12 min`, `12 d 8 h`, `55 years`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (min, h, day, year) = (60, 3600, 86_400, 31_557_600);
    let two = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        if small == 0 {
            format!("{big} {big_unit}")
        } else {
            format!("{big} {big_unit} {small} {small_unit}")
        }
    };
    match s {
        _ if s >= year => format!("{} years", s / year),
        _ if s >= day => two(s / day, "d", s % day / h, "h"),
        _ if s >= h => two(s / h, "h", s % h / min, "min"),
        _ if s >= 2 * min => two(s / min, "min", s % min, "s"),
        _ if d < Duration::from_secs(1) => format!("{} ms", d.as_millis()),
        _ => format!("{} s", (d.as_secs_f64() * 10.0).round() / 10.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// 2025-12-06T05:46:40Z.
    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_765_000_000, 0).unwrap()
    }

    fn read(pairs: &[(&'static str, &str)]) -> RateHeaders {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        RateHeaders::read(&h, now())
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// A header's value, and what it reads as: the form, the wait (seconds)
    /// and the wait asked for when that was more than the cap.
    type Row = (&'static str, Option<(Form, f64, Option<f64>)>);

    /// Reads each row's value as `header` and checks what `pick` finds.
    fn check(header: &'static str, rows: &[Row], pick: fn(RateHeaders) -> Option<Wait>) {
        for (raw, want) in rows {
            let got = pick(read(&[(header, raw)])).map(|w| {
                assert_eq!(w.raw, raw.trim());
                (w.form, w.wait, w.asked)
            });
            let want = want.map(|(form, wait, asked)| (form, secs(wait), asked.map(secs)));
            assert_eq!(got, want, "{header}: {raw:?}");
        }
    }

    /// Every form of `x-ratelimit-reset`; a wait beyond the window is cut
    /// to it.
    #[test]
    fn every_form_of_the_reset() {
        use Form::*;
        let rows: &[Row] = &[
            // Seconds remaining, whole or not.
            ("12", Some((Seconds, 12.0, None))),
            (" 7 ", Some((Seconds, 7.0, None))),
            ("0", Some((Seconds, 0.0, None))),
            ("0.25", Some((Seconds, 0.25, None))),
            ("60", Some((Seconds, 60.0, None))),
            // More than a window: cut to it.
            ("3600", Some((Seconds, 60.0, Some(3600.0)))),
            ("800000000", Some((Seconds, 60.0, Some(800_000_000.0)))),
            // Unix seconds: in 20 s, in 12.5 s, past, far ahead.
            ("1765000020", Some((UnixSeconds, 20.0, None))),
            ("1765000012.5", Some((UnixSeconds, 12.5, None))),
            ("1764999990", Some((UnixSeconds, 0.0, None))),
            ("1765011520", Some((UnixSeconds, 60.0, Some(11_520.0)))),
            // Unix milliseconds.
            ("1765000020000", Some((UnixMillis, 20.0, None))),
            ("1765000000250", Some((UnixMillis, 0.25, None))),
            ("1764999999000", Some((UnixMillis, 0.0, None))),
            ("1765011520000", Some((UnixMillis, 60.0, Some(11_520.0)))),
            // HTTP dates: IMF-fixdate, RFC 2822 with an offset.
            (
                "Sat, 06 Dec 2025 05:47:10 GMT",
                Some((HttpDate, 30.0, None)),
            ),
            (
                "Sat, 06 Dec 2025 06:47:15 +0100",
                Some((HttpDate, 35.0, None)),
            ),
            ("Sat, 06 Dec 2025 05:46:00 GMT", Some((HttpDate, 0.0, None))),
            (
                "Sat, 06 Dec 2025 07:46:40 GMT",
                Some((HttpDate, 60.0, Some(7200.0))),
            ),
            // Junk.
            ("soon", None),
            ("", None),
            ("-5", None),
            ("NaN", None),
            ("inf", None),
            ("1e400", None),
            ("12s", None),
            ("Sat, 32 Dec 2025 05:47:10 GMT", None),
        ];
        check("x-ratelimit-reset", rows, |r| r.reset);
    }

    /// Every form of `Retry-After`; a wait beyond two windows is cut.
    #[test]
    fn every_form_of_retry_after() {
        use Form::*;
        let rows: &[Row] = &[
            ("3", Some((Seconds, 3.0, None))),
            ("0", Some((Seconds, 0.0, None))),
            ("1.5", Some((Seconds, 1.5, None))),
            ("120", Some((Seconds, 120.0, None))),
            ("600", Some((Seconds, 120.0, Some(600.0)))),
            // Always seconds, never a Unix time.
            ("1765000020", Some((Seconds, 120.0, Some(1_765_000_020.0)))),
            (
                "Sat, 06 Dec 2025 05:47:10 GMT",
                Some((HttpDate, 30.0, None)),
            ),
            ("Sat, 06 Dec 2025 05:40:00 GMT", Some((HttpDate, 0.0, None))),
            ("later", None),
            ("-1", None),
        ];
        check("retry-after", rows, |r| r.retry_after);
    }

    #[test]
    fn limit_and_remaining_are_numbers() {
        let r = read(&[
            ("x-ratelimit-limit", "600"),
            ("x-ratelimit-remaining", " 41 "),
        ]);
        assert_eq!((r.limit, r.remaining), (Some(600.0), Some(41.0)));
        let r = read(&[
            ("x-ratelimit-limit", "0"),
            ("x-ratelimit-remaining", "many"),
        ]);
        assert_eq!((r.limit, r.remaining), (None, None));
        assert_eq!(read(&[]), RateHeaders::default());
    }

    /// Retry-After first; else the reset of a used-up window (or of a window
    /// whose room is not said); a window with room is no reason to wait.
    #[test]
    fn the_wait_an_answer_asks_for() {
        let wait = |pairs: &[(&'static str, &str)]| read(pairs).server_wait();
        assert_eq!(wait(&[]), None);
        assert_eq!(wait(&[("x-ratelimit-reset", "12")]), Some(secs(12.0)));
        let used_up = [
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1765000045"),
        ];
        assert_eq!(wait(&used_up), Some(secs(45.0)));
        let room = [
            ("x-ratelimit-remaining", "412"),
            ("x-ratelimit-reset", "1765000045000"),
        ];
        assert_eq!(wait(&room), None);
        let told = [
            ("x-ratelimit-remaining", "412"),
            ("x-ratelimit-reset", "45"),
            ("retry-after", "2"),
        ];
        assert_eq!(wait(&told), Some(secs(2.0)));
        assert_eq!(
            wait(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "?")]),
            None,
            "an unreadable reset names no wait"
        );
    }

    #[test]
    fn durations_for_people() {
        for (s, text) in [
            (0.25, "250 ms"),
            (0.0, "0 ms"),
            (1.46, "1.5 s"),
            (45.0, "45 s"),
            (90.0, "90 s"),
            (125.0, "2 min 5 s"),
            (900.0, "15 min"),
            (10_800.0, "3 h"),
            (11_520.0, "3 h 12 min"),
            (1_065_600.0, "12 d 8 h"),
            (1.765e9, "55 years"),
        ] {
            assert_eq!(human(secs(s)), text, "{s}");
        }
    }

    crate::testing::never_panics!(
        reading_never_panics,
        |text: &str| {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(text) {
                for name in [
                    "retry-after",
                    "x-ratelimit-limit",
                    "x-ratelimit-remaining",
                    "x-ratelimit-reset",
                ] {
                    h.insert(name, v.clone());
                }
            }
            let _ = RateHeaders::read(&h, Utc::now()).server_wait();
        },
        "VALUE"
    );
}
