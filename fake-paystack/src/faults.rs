//! Injected faults: scripted ([`FaultRule`]: "the Nth request", "the Nth
//! request to path P", "every request to path P") and random
//! ([`RandomFaults`]: probability p per request over a list of kinds,
//! seeded).
//!
//! Requests to the API (everything but `/__…` admin paths) are numbered from
//! 1, overall and per path, in the order they arrive. Scripted rules are
//! checked first, in order (the first match wins); random faults apply only
//! when no rule matched. A random draw is a pure function of the seed and
//! the request's number, so a run with the same request order injects the
//! same faults.
//!
//! Some faults *replace* the response and are served before authentication
//! and rate limiting (they consume no quota): the status codes, the 429s, the HTML
//! pages and `status: false`. The others *alter* the normal response and go
//! through the whole pipeline: a slow answer, a dropped connection, a
//! truncated body, a missing `meta`, a string `meta.perPage`, a record left
//! out of a page (the same one, or a different one each time the page is
//! served), a `meta.total` that is missing or wrong.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::records::mix;

/// One kind of fault. Its text form (used by the CLI, [`FromStr`] and
/// [`fmt::Display`], and as the key of the stats) is given per variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An error status with a JSON body `{"status": false, "message": …}`:
    /// `500`, `502`, `503`, `504`, `401`/`403`/`404` (a feature not
    /// enabled for the integration), or `400` (a query refused, such as an
    /// invalid cursor). Text: the code.
    Status(u16),
    /// 429 with Paystack's body, the key's `x-ratelimit-limit`,
    /// `x-ratelimit-remaining: 0`, `x-ratelimit-reset`: `reset_secs` from
    /// now, in the rate limit's [`crate::ResetFormat`], and `Retry-After`
    /// when set: a window used up. Text: `429`, `429:RESET`,
    /// `429:RESET:RETRY_AFTER`.
    RateLimited {
        reset_secs: u64,
        retry_after: Option<u64>,
    },
    /// 429 with Paystack's body while the key's window still has room (a
    /// transient refusal): the key's `x-ratelimit-limit`, and the
    /// `x-ratelimit-remaining` and `x-ratelimit-reset` of its current window
    /// as the rate limiter counts it (this request is not counted). With
    /// rate limiting off: Paystack's limit for the key and a fresh window.
    /// Text: `429-window`.
    RateLimitedInWindow,
    /// Headers and part of the body are sent, then the connection is
    /// aborted. Text: `drop`.
    DropMidBody,
    /// A complete HTTP response whose JSON is cut in half (Content-Length
    /// matches the cut body). Text: `truncate`.
    TruncatedJson,
    /// An HTML error page (like a gateway's) with this status, 200 or 502.
    /// Text: `html` (200) or `html502`.
    Html(u16),
    /// Waits this long before answering normally. Text: `slow` (3 s) or
    /// `slow:MILLIS`.
    Slow(Duration),
    /// HTTP 200 with `{"status": false, "message": …}`. Text: `false` or
    /// `false:MESSAGE`.
    StatusFalse(String),
    /// The normal page without `meta`. Text: `no-meta`.
    MissingMeta,
    /// The normal page with `meta.perPage` as a string. Text: `per-page-string`.
    PerPageString,
    /// The normal page without its first record, `meta` unchanged (it
    /// still counts the record): a record silently lost. Text: `lose-record`.
    LoseRecord,
    /// The normal page without one of its records, `meta` unchanged, and a
    /// different record each time the same page (path and query) is served
    /// with this fault: on its k-th serving (from 0), record k mod n of its
    /// n (a page of one record: on every other serving). Each read of a
    /// list misses one, and two reads deliver everything between them.
    /// Text: `lose-moving`.
    LoseMovingRecord,
    /// The normal page with `meta` but no `meta.total` (no `total_volume`
    /// either). Text: `no-total`.
    NoTotal,
    /// The normal page with `meta.total` off by this many records (never
    /// below 0); `pageCount` stays right. Text: `total:+N` or `total:-N`.
    WrongTotal(i64),
}

impl Fault {
    /// Faults that are served instead of the normal pipeline.
    pub(crate) fn replaces_response(&self) -> bool {
        matches!(
            self,
            Fault::Status(_)
                | Fault::RateLimited { .. }
                | Fault::RateLimitedInWindow
                | Fault::Html(_)
                | Fault::StatusFalse(_)
        )
    }

    /// The kind, without parameters (the key in [`crate::Stats::faults_by_kind`]).
    pub fn kind(&self) -> String {
        match self {
            Fault::Status(c) => c.to_string(),
            Fault::RateLimited { .. } => "429".into(),
            Fault::RateLimitedInWindow => "429-window".into(),
            Fault::DropMidBody => "drop".into(),
            Fault::TruncatedJson => "truncate".into(),
            Fault::Html(200) => "html".into(),
            Fault::Html(c) => format!("html{c}"),
            Fault::Slow(_) => "slow".into(),
            Fault::StatusFalse(_) => "false".into(),
            Fault::MissingMeta => "no-meta".into(),
            Fault::PerPageString => "per-page-string".into(),
            Fault::LoseRecord => "lose-record".into(),
            Fault::LoseMovingRecord => "lose-moving".into(),
            Fault::NoTotal => "no-total".into(),
            Fault::WrongTotal(_) => "total".into(),
        }
    }

    /// Every kind with default parameters (what `--fault-kinds all` means).
    pub fn all_kinds() -> Vec<Fault> {
        "500,502,503,504,429,429-window,drop,truncate,html,html502,slow,false,no-meta,per-page-string,\
         lose-record,lose-moving,no-total,total:+1"
            .split(',')
            .map(|k| k.parse().expect("known kind"))
            .collect()
    }

    /// The default kinds of random faults: server errors, 429s and broken
    /// bodies.
    pub fn default_random_kinds() -> Vec<Fault> {
        "500,502,503,504,429,drop,truncate,html502"
            .split(',')
            .map(|k| k.parse().expect("known kind"))
            .collect()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::RateLimited {
                reset_secs,
                retry_after: Some(r),
            } => write!(f, "429:{reset_secs}:{r}"),
            Fault::RateLimited {
                reset_secs,
                retry_after: None,
            } => write!(f, "429:{reset_secs}"),
            Fault::Slow(d) => write!(f, "slow:{}", d.as_millis()),
            Fault::StatusFalse(m) => write!(f, "false:{m}"),
            Fault::WrongTotal(d) => write!(f, "total:{d:+}"),
            other => f.write_str(&other.kind()),
        }
    }
}

/// The default message of [`Fault::StatusFalse`].
pub const DEFAULT_FALSE_MESSAGE: &str = "An error occurred while processing your request";

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (kind, arg) = match s.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (s, None),
        };
        let num = |a: &str| -> Result<u64, String> {
            a.parse()
                .map_err(|_| format!("bad number {a:?} in fault {s:?}"))
        };
        let no_arg = |f: Fault| -> Result<Fault, String> {
            match arg {
                None => Ok(f),
                Some(_) => Err(format!("fault {kind:?} takes no argument")),
            }
        };
        match kind {
            "429" => {
                let (reset_secs, retry_after) = match arg {
                    None => (1, None),
                    Some(a) => match a.split_once(':') {
                        Some((r, ra)) => (num(r)?, Some(num(ra)?)),
                        None => (num(a)?, None),
                    },
                };
                Ok(Fault::RateLimited {
                    reset_secs,
                    retry_after,
                })
            }
            "429-window" => no_arg(Fault::RateLimitedInWindow),
            "drop" => no_arg(Fault::DropMidBody),
            "truncate" => no_arg(Fault::TruncatedJson),
            "html" => no_arg(Fault::Html(200)),
            "html502" => no_arg(Fault::Html(502)),
            "slow" => Ok(Fault::Slow(Duration::from_millis(match arg {
                None => 3000,
                Some(a) => num(a)?,
            }))),
            "false" => Ok(Fault::StatusFalse(
                arg.unwrap_or(DEFAULT_FALSE_MESSAGE).to_owned(),
            )),
            "no-meta" => no_arg(Fault::MissingMeta),
            "per-page-string" => no_arg(Fault::PerPageString),
            "lose-record" => no_arg(Fault::LoseRecord),
            "lose-moving" => no_arg(Fault::LoseMovingRecord),
            "no-total" => no_arg(Fault::NoTotal),
            "total" => {
                let a = arg
                    .ok_or_else(|| format!("fault {s:?} needs an offset: total:+N or total:-N"))?;
                a.parse::<i64>()
                    .map(Fault::WrongTotal)
                    .map_err(|_| format!("bad offset {a:?} in fault {s:?}"))
            }
            code => match code.parse::<u16>() {
                Ok(c @ (400 | 401 | 403 | 404 | 500..=599)) => no_arg(Fault::Status(c)),
                _ => Err(format!(
                    "unknown fault {s:?} (kinds: 500, 502, 503, 504, 400, 401, 403, 404, 429[:RESET[:RETRY_AFTER]], 429-window, \
                     drop, truncate, html, html502, slow[:MS], false[:MESSAGE], no-meta, per-page-string, \
                     lose-record, lose-moving, no-total, total:+N|-N)"
                )),
            },
        }
    }
}

/// Parses a comma-separated list of kinds; `all` means [`Fault::all_kinds`].
///
/// # Errors
/// The first kind that does not parse.
pub fn parse_kinds(s: &str) -> Result<Vec<Fault>, String> {
    if s.trim() == "all" {
        return Ok(Fault::all_kinds());
    }
    s.split(',')
        .filter(|k| !k.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// A scripted fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Only requests to this path (e.g. `/transaction`); `None`: any request.
    pub path: Option<String>,
    /// The first request number (1-based; counted overall, or per path when
    /// `path` is set) that gets the fault.
    pub first: u64,
    /// How many consecutive requests get it; `None`: all from `first` on.
    pub count: Option<u64>,
    pub fault: Fault,
}

impl FaultRule {
    /// The `n`th API request overall (1-based) gets `fault`.
    pub fn nth(n: u64, fault: Fault) -> Self {
        FaultRule {
            path: None,
            first: n,
            count: Some(1),
            fault,
        }
    }

    /// The `n`th request to `path` (1-based) gets `fault`.
    pub fn nth_on(path: &str, n: u64, fault: Fault) -> Self {
        FaultRule {
            path: Some(path.to_owned()),
            first: n,
            count: Some(1),
            fault,
        }
    }

    /// Every request to `path` gets `fault` (e.g. a 403 for a feature the
    /// integration does not have).
    pub fn every_on(path: &str, fault: Fault) -> Self {
        FaultRule {
            path: Some(path.to_owned()),
            first: 1,
            count: None,
            fault,
        }
    }

    /// Applies to `count` consecutive requests from the first one.
    #[must_use]
    pub fn times(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Applies to every request from the first one on.
    #[must_use]
    pub fn onwards(mut self) -> Self {
        self.count = None;
        self
    }

    fn matches(&self, n: u64, path: &str, n_on_path: u64) -> bool {
        let x = match &self.path {
            Some(p) if p == path => n_on_path,
            Some(_) => return false,
            None => n,
        };
        x >= self.first && self.count.is_none_or(|c| x - self.first < c)
    }
}

impl FromStr for FaultRule {
    type Err = String;

    /// `N=KIND` (the Nth request), `PATH#N=KIND` (the Nth request to PATH),
    /// `PATH#N+C=KIND` (C requests from the Nth), `PATH=KIND` (every request
    /// to PATH), `N+C=KIND` (C requests from the Nth).
    fn from_str(s: &str) -> Result<Self, String> {
        let (when, kind) = s
            .split_once('=')
            .ok_or_else(|| format!("expected WHEN=KIND in {s:?}"))?;
        let fault: Fault = kind.parse()?;
        let count_of = |n: &str| -> Result<(u64, Option<u64>), String> {
            let (a, c) = match n.split_once('+') {
                Some((a, c)) => (a, Some(c)),
                None => (n, None),
            };
            let a: u64 = a
                .parse()
                .ok()
                .filter(|a| *a >= 1)
                .ok_or_else(|| format!("bad request number in {s:?}"))?;
            let c = match c {
                None => 1,
                Some(c) => c.parse().map_err(|_| format!("bad count in {s:?}"))?,
            };
            Ok((a, Some(c)))
        };
        if when.starts_with('/') {
            match when.split_once('#') {
                Some((path, n)) => {
                    let (first, count) = count_of(n)?;
                    Ok(FaultRule {
                        path: Some(path.to_owned()),
                        first,
                        count,
                        fault,
                    })
                }
                None => Ok(FaultRule::every_on(when, fault)),
            }
        } else {
            let (first, count) = count_of(when)?;
            Ok(FaultRule {
                path: None,
                first,
                count,
                fault,
            })
        }
    }
}

/// Random faults: each API request gets one with probability `rate`, of a
/// kind drawn uniformly from `kinds`.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    pub rate: f64,
    pub kinds: Vec<Fault>,
    pub seed: u64,
}

/// The numbering of requests and the fault schedule.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    pub rules: Vec<FaultRule>,
    pub random: Option<RandomFaults>,
    pub overall: u64,
    pub per_path: HashMap<String, u64>,
}

/// A request's numbers and its fault, if any.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub n: u64,
    pub fault: Option<Fault>,
}

impl FaultPlan {
    /// Numbers a request to `path` and decides its fault.
    pub fn next(&mut self, path: &str) -> Ticket {
        self.overall += 1;
        let n = self.overall;
        let n_on_path = match self.per_path.get_mut(path) {
            Some(c) => {
                *c += 1;
                *c
            }
            None => {
                self.per_path.insert(path.to_owned(), 1);
                1
            }
        };
        let scripted = self
            .rules
            .iter()
            .find(|r| r.matches(n, path, n_on_path))
            .map(|r| r.fault.clone());
        let fault = scripted.or_else(|| {
            let random = self.random.as_ref()?;
            if random.kinds.is_empty() || random.rate <= 0.0 {
                return None;
            }
            let r = mix(random.seed ^ mix(n ^ 0xFA17_FA17));
            let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
            (unit < random.rate)
                .then(|| random.kinds[(mix(r) % random.kinds.len() as u64) as usize].clone())
        });
        Ticket { n, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for f in Fault::all_kinds() {
            let text = f.to_string();
            assert_eq!(text.parse::<Fault>().unwrap(), f, "{text}");
        }
        assert_eq!(
            "429:5:7".parse::<Fault>().unwrap(),
            Fault::RateLimited {
                reset_secs: 5,
                retry_after: Some(7)
            }
        );
        assert_eq!("403".parse::<Fault>().unwrap(), Fault::Status(403));
        assert_eq!(
            "slow:250".parse::<Fault>().unwrap(),
            Fault::Slow(Duration::from_millis(250))
        );
        assert_eq!(
            "false:Duplicate".parse::<Fault>().unwrap(),
            Fault::StatusFalse("Duplicate".into())
        );
        assert_eq!(
            "429-window".parse::<Fault>().unwrap(),
            Fault::RateLimitedInWindow
        );
        for bad in [
            "200",
            "nope",
            "drop:1",
            "slow:x",
            "429:a",
            "total:x",
            "lose-record:1",
            "429-window:3",
        ] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
        assert_eq!("total:-3".parse::<Fault>().unwrap(), Fault::WrongTotal(-3));
        assert_eq!(Fault::WrongTotal(2).to_string(), "total:+2");
        assert!("total".parse::<Fault>().is_err(), "an offset is needed");
        assert_eq!(parse_kinds("all").unwrap().len(), 18);
        assert_eq!(parse_kinds("500, drop").unwrap().len(), 2);
    }

    #[test]
    fn rules_parse() {
        assert_eq!(
            "3=500".parse::<FaultRule>().unwrap(),
            FaultRule::nth(3, Fault::Status(500))
        );
        assert_eq!(
            "/transaction#2=drop".parse::<FaultRule>().unwrap(),
            FaultRule::nth_on("/transaction", 2, Fault::DropMidBody)
        );
        assert_eq!(
            "/dispute=403".parse::<FaultRule>().unwrap(),
            FaultRule::every_on("/dispute", Fault::Status(403))
        );
        assert_eq!(
            "2+3=502".parse::<FaultRule>().unwrap(),
            FaultRule::nth(2, Fault::Status(502)).times(3)
        );
        assert!("0=500".parse::<FaultRule>().is_err());
        assert!("x=500".parse::<FaultRule>().is_err());
        assert!("3".parse::<FaultRule>().is_err());
    }

    #[test]
    fn scripted_rules_fire_exactly() {
        let mut plan = FaultPlan {
            rules: vec![
                FaultRule::nth(2, Fault::Status(500)),
                FaultRule::nth_on("/refund", 2, Fault::DropMidBody),
                FaultRule::every_on("/dispute", Fault::Status(403)),
                FaultRule::nth(6, Fault::Status(503)).times(2),
            ],
            ..Default::default()
        };
        let got: Vec<Option<Fault>> = [
            "/customer",
            "/customer",
            "/refund",
            "/refund",
            "/dispute",
            "/customer",
            "/customer",
            "/customer",
            "/refund",
        ]
        .iter()
        .map(|p| plan.next(p).fault)
        .collect();
        assert_eq!(
            got,
            vec![
                None,
                Some(Fault::Status(500)),
                None,
                Some(Fault::DropMidBody),
                Some(Fault::Status(403)),
                Some(Fault::Status(503)),
                Some(Fault::Status(503)),
                None,
                None
            ]
        );
    }

    #[test]
    fn random_faults_are_seeded_and_near_the_rate() {
        let run = |seed| {
            let mut plan = FaultPlan {
                random: Some(RandomFaults {
                    rate: 0.2,
                    kinds: Fault::default_random_kinds(),
                    seed,
                }),
                ..Default::default()
            };
            (0..5000)
                .map(|_| plan.next("/transaction").fault)
                .collect::<Vec<_>>()
        };
        let a = run(9);
        assert_eq!(a, run(9));
        assert_ne!(a, run(10));
        let hits = a.iter().filter(|f| f.is_some()).count();
        assert!((800..1200).contains(&hits), "{hits}");
        let kinds: std::collections::HashSet<String> =
            a.iter().flatten().map(Fault::kind).collect();
        assert_eq!(kinds.len(), Fault::default_random_kinds().len());
    }
}
