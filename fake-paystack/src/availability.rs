//! Endpoints the business lacks: Paystack answers some endpoints only when
//! the business has their feature (Terminal, dedicated virtual accounts,
//! Commerce). Which status it answers otherwise is undocumented (400, 401,
//! 403 and 404 are all plausible), so each [`Unavailable`] says the status
//! and the message of its `{"status": false, "message": …}` answer.
//!
//! A refusal is served after authentication and rate limiting, like any
//! answer of an authorised request: a wrong key still gets its 401, the
//! refused request counts against the key's window and carries the
//! `x-ratelimit-*` headers, and a request over the limit gets its 429.

use std::fmt;
use std::str::FromStr;

use crate::endpoints;

/// The message of a refusal when none is given.
pub const DEFAULT_MESSAGE: &str = "This feature is not available on your integration";

/// One endpoint the business lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// The endpoint's path as [`crate::ENDPOINTS`] spells it (a child
    /// endpoint by its pattern, `/settlement/{id}/transactions`).
    pub path: String,
    /// The status answered (a 4xx).
    pub status: u16,
    pub message: String,
}

/// A Paystack feature a business may lack, with the endpoints it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Paystack Terminal: `/terminal`, `/virtual_terminal`.
    Terminal,
    /// Dedicated virtual accounts: `/dedicated_account`.
    DedicatedAccounts,
    /// Paystack Commerce: `/order`, `/storefront`.
    Commerce,
}

impl Feature {
    /// Every feature, as the CLI names them.
    pub const ALL: [(&'static str, Feature); 3] = [
        ("terminal", Feature::Terminal),
        ("dedicated_accounts", Feature::DedicatedAccounts),
        ("commerce", Feature::Commerce),
    ];

    /// The endpoints the feature opens.
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Feature::Terminal => &["/terminal", "/virtual_terminal"],
            Feature::DedicatedAccounts => &["/dedicated_account"],
            Feature::Commerce => &["/order", "/storefront"],
        }
    }
}

impl Unavailable {
    /// `path` answers `status` with [`DEFAULT_MESSAGE`].
    pub fn new(path: &str, status: u16) -> Self {
        Unavailable {
            path: path.to_owned(),
            status,
            message: DEFAULT_MESSAGE.to_owned(),
        }
    }

    /// The same, with `message`.
    #[must_use]
    pub fn saying(mut self, message: &str) -> Self {
        self.message = message.to_owned();
        self
    }

    /// A business without `feature`: each of its endpoints answers `status`
    /// with [`DEFAULT_MESSAGE`]. For [`crate::Options::unavailable`]:
    /// `unavailable: Unavailable::lacking(Feature::Terminal, 404)`.
    pub fn lacking(feature: Feature, status: u16) -> Vec<Unavailable> {
        feature
            .paths()
            .iter()
            .map(|p| Unavailable::new(p, status))
            .collect()
    }

    /// Checks the path and the status.
    ///
    /// # Errors
    /// A path that is no endpoint's, or a status that is not a 4xx.
    pub fn check(&self) -> Result<(), String> {
        if !endpoints::ENDPOINTS.iter().any(|e| e.path == self.path) {
            return Err(format!(
                "unavailable: no endpoint {:?}; endpoints: {}",
                self.path,
                endpoints::ENDPOINTS
                    .iter()
                    .map(|e| e.path)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !(400..500).contains(&self.status) {
            return Err(format!(
                "unavailable: {} must answer a 4xx status, not {}",
                self.path, self.status
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}:{}", self.path, self.status, self.message)
    }
}

/// Parses `PATH=STATUS[:MESSAGE]` or `FEATURE=STATUS[:MESSAGE]` (a name of
/// [`Feature::ALL`]: every endpoint of the feature).
///
/// # Errors
/// A malformed rule, an unknown path or feature, a status that is not a 4xx.
pub fn parse(s: &str) -> Result<Vec<Unavailable>, String> {
    let (what, answer) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=STATUS[:MESSAGE] in {s:?}"))?;
    let (status, message) = match answer.split_once(':') {
        Some((st, m)) => (st, Some(m.trim().trim_matches('"'))),
        None => (answer, None),
    };
    let status: u16 = status
        .trim()
        .parse()
        .map_err(|_| format!("bad status {status:?} in {s:?}"))?;
    let what = what.trim();
    let mut rules = match Feature::ALL.iter().find(|(name, _)| *name == what) {
        Some((_, feature)) => Unavailable::lacking(*feature, status),
        None => vec![Unavailable::new(what, status)],
    };
    for rule in &mut rules {
        if let Some(m) = message.filter(|m| !m.is_empty()) {
            rule.message = m.to_owned();
        }
        rule.check()?;
    }
    Ok(rules)
}

impl FromStr for Unavailable {
    type Err = String;

    /// `PATH=STATUS[:MESSAGE]`: one endpoint (see [`parse`] for features).
    fn from_str(s: &str) -> Result<Self, String> {
        let mut rules = parse(s)?;
        match rules.len() {
            1 => Ok(rules.remove(0)),
            _ => Err(format!("{s:?} names a feature: use availability::parse")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_and_without_a_message_and_by_feature() {
        assert_eq!(
            parse("/dedicated_account=404:\"Feature unavailable\"").unwrap(),
            [Unavailable::new("/dedicated_account", 404).saying("Feature unavailable")]
        );
        assert_eq!(
            parse("/settlement/{id}/transactions=403").unwrap(),
            [Unavailable::new("/settlement/{id}/transactions", 403)]
        );
        assert_eq!(
            parse("terminal=400:No terminal").unwrap(),
            [
                Unavailable::new("/terminal", 400).saying("No terminal"),
                Unavailable::new("/virtual_terminal", 400).saying("No terminal"),
            ]
        );
        for bad in ["/nope=404", "/terminal=500", "/terminal", "/terminal=x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let one: Unavailable = "/order=401:Nope".parse().unwrap();
        assert_eq!(one.to_string(), "/order=401:Nope");
        assert!("commerce=401".parse::<Unavailable>().is_err());
    }
}
