//! Paystack's known drift, made to fit the schema.
//!
//! Every schema property has one JSON type (plus `null`), and Paystack does
//! not always send that type. Where the schema asks for a type and the value
//! can be converted to it exactly, the record is rewritten:
//!
//! | sent | in a field of type | becomes |
//! |---|---|---|
//! | `0` / `1` | boolean | `false` / `true` |
//! | `true` / `false` | integer | `1` / `0` |
//! | `""` | object, array | `null` |
//! | a string holding a JSON object or array (`"{}"`, `"[1]"`) | object, array (the same) | the parsed value, itself normalised |
//! | a string holding a decimal integer in the 64-bit range (`"-12"`, no sign `+`, no leading zero) | integer | the integer |
//!
//! Any other value that does not match its type is left as it is (nothing is
//! dropped) and reported, so that [`crate::drift`] can say so at the end of
//! the stream.
//!
//! # The fast path
//! The page decoder ([`crate::page::decode_page`]) already walks every
//! record to find its id and cursor; it checks each value against the
//! stream's compiled schema ([`Plan`]) in the same walk, and notes where each
//! value out of place is ([`Misfit`]). A record that needs a change is
//! rewritten without being parsed again ([`resolve`]): the converted values
//! are spliced in and every other byte is copied as it arrived. Records that
//! match their schema are written straight from the response body.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde_json::value::RawValue;

use crate::json_scan::{Kind, Scanner};
use crate::schema_plan::{Misfit, Plan, Type};

/// A conversion made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Conversion {
    /// `0`/`1` to `false`/`true`.
    NumberToBoolean,
    /// `true`/`false` to `1`/`0`.
    BooleanToInteger,
    /// `""` to `null`.
    EmptyToNull,
    /// A string holding JSON text to the object or array it holds.
    JsonText(Type),
    /// A string holding a decimal integer to the integer.
    NumericString,
}

impl fmt::Display for Conversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conversion::NumberToBoolean => f.write_str("0/1 to boolean"),
            Conversion::BooleanToInteger => f.write_str("true/false to integer"),
            Conversion::EmptyToNull => f.write_str("\"\" to null"),
            Conversion::JsonText(t) => write!(f, "JSON text to {}", t.name()),
            Conversion::NumericString => f.write_str("numeric string to integer"),
        }
    }
}

/// One value out of place, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The property's path in the record (see [`Plan`]).
    pub path: Arc<str>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Converted to the schema's type.
    Converted(Conversion),
    /// Left as sent: `kind`, where the schema wants `wanted`; `example` is
    /// the value's JSON text, cut short.
    Kept {
        kind: Kind,
        wanted: Type,
        example: Box<str>,
    },
}

/// A record's values out of place, and the record rewritten when any of them
/// was converted (tests; the decoder keeps the two apart).
#[cfg(test)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixed {
    /// The record's new JSON text; `None` when nothing was converted (it is
    /// then written as sent).
    pub text: Option<String>,
    pub seen: Vec<Seen>,
}

/// Normalises one record (its JSON text) by `plan`. Every byte outside the
/// converted values is kept as it was, key order and number spelling
/// included.
#[cfg(test)]
pub fn fix(plan: &Plan, record: &str) -> Fixed {
    let mut seen = Vec::new();
    let text = fix_text(plan, record, &mut seen);
    Fixed { text, seen }
}

/// The text of the value `raw` with its conversions made, or `None` when
/// none was made (also for text that is not JSON).
fn fix_text(plan: &Plan, raw: &str, seen: &mut Vec<Seen>) -> Option<String> {
    let mut sc = Scanner::new(raw);
    let mut misfits = Vec::new();
    sc.check(plan, &mut misfits)?;
    sc.end()?;
    resolve(raw, &misfits, seen)
}

/// Converts the `misfits` found in `text` where they convert exactly, and
/// reports each in `seen`: the new text, or `None` when nothing converted.
pub fn resolve(text: &str, misfits: &[Misfit<'_>], seen: &mut Vec<Seen>) -> Option<String> {
    let mut out = String::new();
    let (mut at, mut changed) = (0, false);
    for m in misfits {
        let raw = &text[m.start..m.end];
        let kind = Kind::of(raw);
        let Some(wanted) = m.plan.ty() else {
            continue; // only a typed node can misfit
        };
        match convert(m.plan, wanted, kind, raw, seen) {
            Some((new, how)) => {
                if !changed {
                    changed = true;
                    out.reserve(text.len() + 16);
                }
                out.push_str(&text[at..m.start]);
                out.push_str(&new);
                at = m.end;
                seen.push(Seen {
                    path: Arc::clone(m.plan.path()),
                    outcome: Outcome::Converted(how),
                });
            }
            None => seen.push(Seen {
                path: Arc::clone(m.plan.path()),
                outcome: Outcome::Kept {
                    kind,
                    wanted,
                    example: example(raw),
                },
            }),
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The value `raw` (of `kind`) as a `wanted`, when it converts exactly.
fn convert(
    plan: &Plan,
    wanted: Type,
    kind: Kind,
    raw: &str,
    seen: &mut Vec<Seen>,
) -> Option<(Cow<'static, str>, Conversion)> {
    match (wanted, kind) {
        (Type::Boolean, Kind::Integer) => match raw {
            "0" => Some(("false".into(), Conversion::NumberToBoolean)),
            "1" => Some(("true".into(), Conversion::NumberToBoolean)),
            _ => None,
        },
        (Type::Integer, Kind::Boolean) => match raw {
            "false" => Some(("0".into(), Conversion::BooleanToInteger)),
            "true" => Some(("1".into(), Conversion::BooleanToInteger)),
            _ => None,
        },
        (Type::Object | Type::Array, Kind::EmptyString) => {
            Some(("null".into(), Conversion::EmptyToNull))
        }
        (Type::Object | Type::Array, Kind::String) => {
            let text: String = serde_json::from_str(raw).ok()?;
            let json = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
            let open = if wanted == Type::Object { '{' } else { '[' };
            if !json.starts_with(open) || serde_json::from_str::<&RawValue>(json).is_err() {
                return None;
            }
            // The parsed value is normalised too: what it holds is reported
            // at its own path.
            let fixed = fix_text(plan, json, seen).unwrap_or_else(|| json.to_owned());
            Some((fixed.into(), Conversion::JsonText(wanted)))
        }
        (Type::Integer, Kind::String) => {
            let text: String = serde_json::from_str(raw).ok()?;
            let digits = text.strip_prefix('-').unwrap_or(&text);
            let canonical = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'))
                && text != "-0";
            if !canonical || text.parse::<i64>().is_err() {
                return None;
            }
            Some((text.into(), Conversion::NumericString))
        }
        _ => None,
    }
}

/// At most this many characters of a value are shown in a log line.
const EXAMPLE_CHARS: usize = 40;

/// A short example of a value for a log line: its JSON text, cut at
/// [`EXAMPLE_CHARS`] characters, with anything that looks like a Paystack
/// secret key (`sk_live_…`, `sk_test_…`) masked.
pub fn example(raw: &str) -> Box<str> {
    let mut masked = Cow::Borrowed(raw);
    for prefix in ["sk_live_", "sk_test_"] {
        while let Some(at) = masked.find(prefix) {
            let text = masked.to_mut();
            let end = text[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |n| at + n);
            text.replace_range(at..end, "sk_***");
        }
    }
    let mut out: String = masked.chars().take(EXAMPLE_CHARS).collect();
    if out.len() < masked.len() {
        out.push('…');
    }
    out.into_boxed_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_scan::Kind;
    use serde_json::Value;
    use serde_json::json;

    /// The plan of a record schema with these properties.
    fn plan(props: Value) -> Plan {
        Plan::compile(&json!({"type": "object", "properties": props}))
    }

    fn t(ty: &str) -> Value {
        json!({"type": ["null", ty]})
    }

    /// Normalises `text`, and checks that the result is JSON.
    fn norm(plan: &Plan, text: &str) -> Fixed {
        serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let fixed = fix(plan, text);
        if let Some(t) = &fixed.text {
            serde_json::from_str::<Value>(t).unwrap_or_else(|e| panic!("{e}: {t}"));
        }
        fixed
    }

    /// The normalised text (the text itself when nothing changes).
    fn out(plan: &Plan, text: &str) -> String {
        norm(plan, text).text.unwrap_or_else(|| text.to_owned())
    }

    fn converted(fixed: &Fixed) -> Vec<(String, Conversion)> {
        fixed
            .seen
            .iter()
            .filter_map(|s| match s.outcome {
                Outcome::Converted(c) => Some((s.path.to_string(), c)),
                Outcome::Kept { .. } => None,
            })
            .collect()
    }

    fn kept(fixed: &Fixed) -> Vec<(String, Kind)> {
        fixed
            .seen
            .iter()
            .filter_map(|s| match s.outcome {
                Outcome::Kept { kind, .. } => Some((s.path.to_string(), kind)),
                Outcome::Converted(_) => None,
            })
            .collect()
    }

    #[test]
    fn records_that_match_are_left_alone() {
        let p = plan(json!({
            "id": t("integer"), "paid": t("boolean"), "metadata": t("object"),
            "amount": t("number"), "name": t("string"), "tags": t("array"),
        }));
        for text in [
            r#"{"id":4099260516,"paid":true,"metadata":{"a":[1,"x"]},"amount":18.2,"name":"","tags":[]}"#,
            r#"{"id":null,"paid":null,"metadata":null,"amount":5,"name":null,"tags":null}"#,
            r#"{"other":"1","nested":{"paid":1},"id":-3,"amount":1e3}"#,
            "{}",
        ] {
            let fixed = norm(&p, text);
            assert_eq!(fixed, Fixed::default(), "{text}");
        }
    }

    #[test]
    fn zero_and_one_become_booleans_only_in_boolean_fields() {
        let p = plan(json!({"active": t("boolean"), "count": t("integer")}));
        assert_eq!(
            out(&p, r#"{"active":1,"count":1}"#),
            r#"{"active":true,"count":1}"#
        );
        let f = norm(&p, r#"{ "active" : 0 }"#);
        assert_eq!(f.text.as_deref(), Some(r#"{ "active" : false }"#));
        assert_eq!(
            converted(&f),
            [("active".into(), Conversion::NumberToBoolean)]
        );
        for other in ["2", "-1", "1.0", "0.0", "1e0", r#""1""#, r#""true""#] {
            let text = format!(r#"{{"active":{other}}}"#);
            let f = norm(&p, &text);
            assert_eq!(f.text, None, "{other} is not converted");
            assert_eq!(f.seen.len(), 1, "{other} is reported");
        }
    }

    #[test]
    fn booleans_become_zero_and_one_in_integer_fields() {
        let p = plan(json!({"fully_deducted": t("integer")}));
        assert_eq!(
            out(&p, r#"{"fully_deducted":true}"#),
            r#"{"fully_deducted":1}"#
        );
        assert_eq!(
            out(&p, r#"{"fully_deducted":false}"#),
            r#"{"fully_deducted":0}"#
        );
        assert_eq!(
            converted(&norm(&p, r#"{"fully_deducted":false}"#)),
            [("fully_deducted".into(), Conversion::BooleanToInteger)]
        );
    }

    #[test]
    fn empty_strings_in_object_and_array_fields_become_null() {
        let p = plan(json!({"metadata": t("object"), "list": t("array"), "name": t("string")}));
        assert_eq!(
            out(&p, r#"{"metadata":"","list":"","name":""}"#),
            r#"{"metadata":null,"list":null,"name":""}"#
        );
        // Whitespace is not empty: kept, and reported.
        let f = norm(&p, r#"{"metadata":" "}"#);
        assert_eq!(f.text, None);
        assert_eq!(kept(&f), [("metadata".into(), Kind::String)]);
    }

    #[test]
    fn json_text_becomes_the_value_it_holds_when_that_has_the_right_type() {
        let p = plan(json!({"metadata": t("object"), "list": t("array")}));
        assert_eq!(
            out(&p, r#"{"metadata":"{}","list":"[]"}"#),
            r#"{"metadata":{},"list":[]}"#
        );
        assert_eq!(
            out(
                &p,
                r#"{"metadata":"{\"a\":1,\"b\":[\"x\"],\"big\":12345678901234567890123}"}"#
            ),
            r#"{"metadata":{"a":1,"b":["x"],"big":12345678901234567890123}}"#,
            "the text is kept as it was, big numbers included"
        );
        assert_eq!(
            out(&p, r#"{"metadata":" {\"a\":\"\\u00e9\"}\n"}"#),
            r#"{"metadata":{"a":"\u00e9"}}"#
        );
        let f = norm(&p, r#"{"list":"[1]"}"#);
        assert_eq!(
            converted(&f),
            [("list".into(), Conversion::JsonText(Type::Array))]
        );
        // Strings that look like JSON but are not, or hold the wrong type.
        for (text, why) in [
            (r#"{"metadata":"[]"}"#, "an array in an object field"),
            (r#"{"list":"{}"}"#, "an object in an array field"),
            (r#"{"metadata":"{"}"#, "not JSON"),
            (r#"{"metadata":"{} {}"}"#, "two values"),
            (r#"{"metadata":"{\"a\":1,}"}"#, "a trailing comma"),
            (r#"{"metadata":"null"}"#, "null is not an object"),
            (r#"{"metadata":"1"}"#, "a number"),
            (r#"{"metadata":"\"{}\""}"#, "a string holding JSON text"),
            (r#"{"list":"attachment"}"#, "a file name"),
        ] {
            let f = norm(&p, text);
            assert_eq!(f.text, None, "{why}");
            assert_eq!(f.seen.len(), 1, "{why}");
            assert!(matches!(f.seen[0].outcome, Outcome::Kept { .. }), "{why}");
        }
    }

    #[test]
    fn numeric_strings_become_integers_exactly() {
        let p = plan(json!({"n": t("integer"), "x": t("number"), "s": t("string")}));
        for (sent, want) in [
            ("\"0\"", "0"),
            ("\"42\"", "42"),
            ("\"-7\"", "-7"),
            ("\"9223372036854775807\"", "9223372036854775807"),
            ("\"-9223372036854775808\"", "-9223372036854775808"),
        ] {
            assert_eq!(
                out(&p, &format!(r#"{{"n":{sent}}}"#)),
                format!(r#"{{"n":{want}}}"#)
            );
        }
        for sent in [
            "\"9223372036854775808\"",
            "\"-9223372036854775809\"",
            "\"18446744073709551616\"",
            "\"1.5\"",
            "\"1.0\"",
            "\"1e3\"",
            "\"+1\"",
            "\"007\"",
            "\"-0\"",
            "\" 1\"",
            "\"1 \"",
            "\"\"",
            "\"-\"",
            "\"0x10\"",
            "\"１\"",
        ] {
            let f = norm(&p, &format!(r#"{{"n":{sent}}}"#));
            assert_eq!(f.text, None, "{sent} is not converted");
            assert_eq!(f.seen.len(), 1, "{sent} is reported");
        }
        // Numeric strings are not converted where the schema wants a
        // number or a string.
        assert_eq!(
            norm(&p, r#"{"x":"1.5","s":"12"}"#).seen,
            vec![Seen {
                path: "x".into(),
                outcome: Outcome::Kept {
                    kind: Kind::String,
                    wanted: Type::Number,
                    example: r#""1.5""#.into()
                }
            }]
        );
    }

    #[test]
    fn integers_at_the_64_bit_bounds() {
        let p = plan(json!({"n": t("integer"), "x": t("number")}));
        for fits in [
            "9223372036854775807",
            "-9223372036854775808",
            "0",
            "-0",
            "5.0",
            "-2.5e3",
        ] {
            assert_eq!(
                norm(&p, &format!(r#"{{"n":{fits}}}"#)),
                Fixed::default(),
                "{fits}"
            );
        }
        for (big, kind) in [
            ("9223372036854775808", Kind::BigInteger),
            ("18446744073709551615", Kind::BigInteger),
            ("-9223372036854775809", Kind::BigInteger),
            ("123456789012345678901234567890", Kind::BigInteger),
            ("1.5", Kind::Number),
            ("-2.5e-1", Kind::Number),
            ("-9223372036854775808.0", Kind::Number),
        ] {
            let f = norm(&p, &format!(r#"{{"n":{big}}}"#));
            assert_eq!(f.text, None, "{big}");
            assert_eq!(kept(&f), [("n".into(), kind)], "{big}");
            assert_eq!(
                norm(&p, &format!(r#"{{"x":{big}}}"#)),
                Fixed::default(),
                "any number is a number: {big}"
            );
        }
    }

    #[test]
    fn nested_objects_and_array_items_are_normalised_at_any_depth() {
        let customer = json!({"type": ["null", "object"], "properties": {
            "metadata": t("object"),
        }});
        let p = plan(json!({
            "transaction": {"type": ["null", "object"], "properties": {
                "metadata": t("object"),
                "customer": customer,
                "log": {"type": ["null", "object"], "properties": {
                    "history": {"type": ["null", "array"], "items": {
                        "type": ["null", "object"], "properties": {"time": t("integer")}
                    }}
                }},
            }},
            "subscriptions": {"type": ["null", "array"], "items": {
                "type": ["null", "object"], "properties": {
                    "authorization": {"type": ["null", "object"], "properties": {
                        "reusable": t("boolean"),
                    }},
                }
            }},
        }));
        let text = r#"{"id":1,"transaction":{"metadata":"","customer":{"metadata":"{}"},"log":{"history":[{"time":"3"},{"time":4},{"time":"x"}]}},"subscriptions":[{"authorization":{"reusable":1}},{"authorization":{"reusable":false}},null]}"#;
        let f = norm(&p, text);
        assert_eq!(
            f.text.as_deref(),
            Some(
                r#"{"id":1,"transaction":{"metadata":null,"customer":{"metadata":{}},"log":{"history":[{"time":3},{"time":4},{"time":"x"}]}},"subscriptions":[{"authorization":{"reusable":true}},{"authorization":{"reusable":false}},null]}"#
            )
        );
        assert_eq!(
            converted(&f),
            [
                ("transaction.metadata".into(), Conversion::EmptyToNull),
                (
                    "transaction.customer.metadata".into(),
                    Conversion::JsonText(Type::Object)
                ),
                (
                    "transaction.log.history[].time".into(),
                    Conversion::NumericString
                ),
                (
                    "subscriptions[].authorization.reusable".into(),
                    Conversion::NumberToBoolean
                ),
            ]
        );
        assert_eq!(
            kept(&f),
            [("transaction.log.history[].time".into(), Kind::String)]
        );
    }

    #[test]
    fn json_text_is_normalised_inside_too() {
        let p = plan(
            json!({"metadata": {"type": ["null", "object"], "properties": {
                "custom_fields": {"type": ["null", "array"], "items": {
                    "type": ["null", "object"], "properties": {"shown": t("boolean")}
                }}
            }}}),
        );
        let f = norm(
            &p,
            r#"{"metadata":"{\"custom_fields\":[{\"shown\":1,\"value\":\"a\"}]}"}"#,
        );
        assert_eq!(
            f.text.as_deref(),
            Some(r#"{"metadata":{"custom_fields":[{"shown":true,"value":"a"}]}}"#)
        );
        assert_eq!(
            converted(&f),
            [
                (
                    "metadata.custom_fields[].shown".into(),
                    Conversion::NumberToBoolean
                ),
                ("metadata".into(), Conversion::JsonText(Type::Object)),
            ]
        );
    }

    #[test]
    fn values_of_the_wrong_type_are_kept_and_reported_with_an_example() {
        let p = plan(json!({
            "customer": t("integer"), "paid": t("boolean"), "name": t("string"),
            "metadata": t("object"), "when": t("string"),
        }));
        let text = r#"{"customer":{"id":181801234,"email":"kwame.mensah@example.com","phone":"0200000002"},"paid":"yes","name":12,"metadata":[],"when":false}"#;
        let f = norm(&p, text);
        assert_eq!(
            f.text, None,
            "nothing converted: the record is written as sent"
        );
        assert_eq!(
            kept(&f),
            [
                ("customer".into(), Kind::Object),
                ("paid".into(), Kind::String),
                ("name".into(), Kind::Integer),
                ("metadata".into(), Kind::Array),
                ("when".into(), Kind::Boolean),
            ]
        );
        let Outcome::Kept {
            example, wanted, ..
        } = &f.seen[0].outcome
        else {
            panic!("kept");
        };
        assert_eq!(*wanted, Type::Integer);
        assert_eq!(&**example, r#"{"id":181801234,"email":"kwame.mensah@ex…"#);
    }

    #[test]
    fn examples_never_show_a_secret_key() {
        assert_eq!(
            &*example(r#""Bearer sk_live_0123456789abcdef and sk_test_x""#),
            r#""Bearer sk_*** and sk_***""#
        );
        assert_eq!(&*example(r#""sk_test_""#), r#""sk_***""#);
        assert_eq!(example(&"é".repeat(50)).chars().count(), 41);
    }

    #[test]
    fn unions_and_untyped_properties_take_anything() {
        let p = plan(json!({
            "value": {"type": ["null", "string", "integer"]},
            "free": {},
            "obj": {"type": ["null", "object"], "properties": {"x": {"type": "null"}}},
        }));
        assert!(p.child("value").is_none() && p.child("free").is_none());
        assert!(p.child("obj").is_some());
        assert_eq!(
            norm(&p, r#"{"value":"1","free":[1],"obj":{"x":1}}"#),
            Fixed::default()
        );
    }

    #[test]
    fn escaped_keys_and_odd_spacing_are_read() {
        let p = plan(json!({"active": t("boolean")}));
        assert_eq!(
            out(&p, "{ \"act\\u0069ve\" :\n 1 , \"b\":2}"),
            "{ \"act\\u0069ve\" :\n true , \"b\":2}"
        );
    }

    crate::testing::never_panics!(
        fixing_never_panics,
        |text: &str| {
            let p = plan(
                json!({"a": t("object"), "b": t("integer"), "c": t("boolean"),
                "d": {"type": ["null", "array"], "items": t("object")}}),
            );
            // Any text: the walk gives up on what is not JSON.
            let fixed = fix(&p, text);
            if let (Some(t), true) = (fixed.text, serde_json::from_str::<&RawValue>(text).is_ok()) {
                serde_json::from_str::<&RawValue>(&t).expect("still JSON");
            }
        },
        r#"{"a": VALUE, "b": VALUE, "c": VALUE, "d": [VALUE, "VALUE"]}"#
    );
}
