//! The type drift Paystack has been seen to send, served on purpose.
//!
//! The fixtures hold each value in its schema's type. Each endpoint row
//! ([`crate::endpoints::Endpoint::drift`]) lists the fields that drift and
//! how; on every record, each of those fields is drawn on its own (from the
//! seed, the stream, the record's index and the field) and drifts on
//! [`ONE_IN`] of records: the same seed gives the same drift. A field only
//! drifts where its fixture value has the shape the drift needs (a boolean
//! for [`Kind::ZeroOne`], an integer for [`Kind::Digits`]…); elsewhere it is
//! served as written.

/// One record in this many has each drifting field drifted.
pub const ONE_IN: u64 = 4;

/// How a field drifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean sent as `0`/`1` (`authorization.reusable`, `active`).
    ZeroOne,
    /// An integer `0`/`1` sent as `false`/`true` (`refunds.fully_deducted`).
    TrueFalse,
    /// An object (or null) sent as `""` (`transactions.metadata`).
    Empty,
    /// An object or array sent as its JSON text in a string (`"{}"`).
    JsonText,
    /// An integer sent as a string of its digits (`"4"`).
    Digits,
}

/// A drifting field: its path in the record (`customer.metadata`,
/// `subscriptions[].authorization.reusable`) and how it drifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drift {
    pub path: &'static str,
    pub kind: Kind,
}

impl Drift {
    pub const fn new(path: &'static str, kind: Kind) -> Self {
        Drift { path, kind }
    }
}

impl Kind {
    /// The drifted text of a value (its minified JSON text), or `None` when
    /// the value does not have the shape this drift needs.
    pub fn apply(self, text: &str) -> Option<String> {
        match self {
            Kind::ZeroOne => match text {
                "true" => Some("1".into()),
                "false" => Some("0".into()),
                _ => None,
            },
            Kind::TrueFalse => match text {
                "1" => Some("true".into()),
                "0" => Some("false".into()),
                _ => None,
            },
            Kind::Empty => Some("\"\"".into()),
            Kind::JsonText => (text.starts_with('{') || text.starts_with('['))
                .then(|| serde_json::to_string(text).expect("a string serialises")),
            Kind::Digits => {
                let digits = text.strip_prefix('-').unwrap_or(text);
                (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| format!("\"{text}\""))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_drifts_only_the_shape_it_needs() {
        assert_eq!(Kind::ZeroOne.apply("true").as_deref(), Some("1"));
        assert_eq!(Kind::ZeroOne.apply("false").as_deref(), Some("0"));
        assert_eq!(Kind::ZeroOne.apply("null"), None);
        assert_eq!(Kind::TrueFalse.apply("1").as_deref(), Some("true"));
        assert_eq!(Kind::TrueFalse.apply("2"), None);
        assert_eq!(Kind::Empty.apply("{\"a\":1}").as_deref(), Some("\"\""));
        assert_eq!(Kind::Empty.apply("null").as_deref(), Some("\"\""));
        assert_eq!(
            Kind::JsonText.apply(r#"{"a":"b"}"#).as_deref(),
            Some(r#""{\"a\":\"b\"}""#)
        );
        assert_eq!(Kind::JsonText.apply("[]").as_deref(), Some(r#""[]""#));
        assert_eq!(Kind::JsonText.apply("null"), None);
        assert_eq!(Kind::Digits.apply("-42").as_deref(), Some(r#""-42""#));
        assert_eq!(Kind::Digits.apply("1.5"), None);
        assert_eq!(Kind::Digits.apply("null"), None);
    }
}
