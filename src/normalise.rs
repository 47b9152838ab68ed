//! Paystack's known drift, made to fit the schema (issue 11).
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
//! A stream's schema is compiled once into a [`Plan`]: a tree of only the
//! properties that have a type to check. The page decoder
//! ([`crate::page::decode_page`]) already walks every record to find its id
//! and cursor; it checks each value against the plan in the same walk
//! ([`Scanner`]), without building anything: a leaf is judged by its first
//! bytes. The walk notes where each value out of place is ([`Misfit`]), so
//! a record that needs a change is rewritten without being parsed again
//! ([`resolve`]): the converted values are spliced in and every other byte
//! is copied as it arrived. Records that match their schema are written
//! straight from the response body.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use serde_json::Value;
use serde_json::value::RawValue;

use crate::streams::{STREAMS, StreamDef};

/// The one JSON type a schema property allows besides `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    Boolean,
    Integer,
    Number,
    String,
    Object,
    Array,
}

impl Type {
    fn parse(name: &str) -> Option<Type> {
        Some(match name {
            "boolean" => Type::Boolean,
            "integer" => Type::Integer,
            "number" => Type::Number,
            "string" => Type::String,
            "object" => Type::Object,
            "array" => Type::Array,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Type::Boolean => "boolean",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::String => "string",
            Type::Object => "object",
            Type::Array => "array",
        }
    }
}

/// A compiled schema node: the type to check, and the nodes under it that
/// check something. A stream's plan is the node of its records.
pub struct Plan {
    /// Where the node is, for logs: `transaction.metadata`,
    /// `subscriptions[].authorization.reusable`.
    path: Arc<str>,
    /// `None`: any type (several types, or none, are declared).
    ty: Option<Type>,
    props: HashMap<Box<str>, Plan, BuildHasherDefault<Fx>>,
    items: Option<Box<Plan>>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plan({:?}, {:?})", self.path, self.ty)
    }
}

/// Plans are compiled once per stream and shared: one plan is equal only to
/// itself.
impl PartialEq for Plan {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Plan {}

static PLANS: LazyLock<Vec<Plan>> = LazyLock::new(|| {
    STREAMS
        .iter()
        .map(|def| {
            let schema: Value =
                serde_json::from_str(def.schema).expect("stream schemas are valid JSON (tested)");
            Plan::compile(&schema)
        })
        .collect()
});

impl Plan {
    /// The plan of the records of `def`, compiled on first use.
    pub fn of(def: &StreamDef) -> &'static Plan {
        let i = STREAMS
            .iter()
            .position(|d| d.name == def.name)
            .expect("every stream is in the table");
        &PLANS[i]
    }

    /// Compiles the schema of one record.
    pub fn compile(schema: &Value) -> Plan {
        Plan::node(schema, Arc::from(""))
    }

    fn node(schema: &Value, path: Arc<str>) -> Plan {
        let ty = match schema.get("type") {
            Some(Value::String(t)) => Type::parse(t),
            Some(Value::Array(types)) => {
                let mut named = types
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null");
                match (named.next(), named.next()) {
                    (Some(t), None) => Type::parse(t),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut props = HashMap::default();
        if let Some(map) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in map {
                let child_path = if path.is_empty() {
                    Arc::from(name.as_str())
                } else {
                    Arc::from(format!("{path}.{name}"))
                };
                let child = Plan::node(prop, child_path);
                if child.checks() {
                    props.insert(name.as_str().into(), child);
                }
            }
        }
        let items = schema
            .get("items")
            .filter(|i| i.is_object())
            .map(|i| Plan::node(i, Arc::from(format!("{path}[]"))))
            .filter(Plan::checks)
            .map(Box::new);
        Plan {
            path,
            ty,
            props,
            items,
        }
    }

    fn checks(&self) -> bool {
        self.ty.is_some() || !self.props.is_empty() || self.items.is_some()
    }

    /// The node of the property `name`, when it has anything to check.
    #[inline]
    pub fn child(&self, name: &str) -> Option<&Plan> {
        if self.props.is_empty() {
            return None;
        }
        self.props.get(name)
    }

    /// Whether the JSON text `raw` of a value matches this node's type
    /// (what is inside an object or array is not looked at).
    #[inline]
    fn leaf_accepts(&self, raw: &str) -> bool {
        let Some(ty) = self.ty else {
            return true;
        };
        match raw.as_bytes().first() {
            None | Some(b'n') => true,
            Some(b't' | b'f') => ty == Type::Boolean,
            Some(b'"') => ty == Type::String,
            Some(b'{') => ty == Type::Object,
            Some(b'[') => ty == Type::Array,
            Some(_) => match ty {
                Type::Number => true,
                Type::Integer => match number_kind(raw) {
                    Kind::Integer => true,
                    Kind::Number => raw.parse::<f64>().is_ok_and(whole_i64),
                    _ => false,
                },
                _ => false,
            },
        }
    }

    #[inline]
    fn allows(&self, t: Type) -> bool {
        self.ty.is_none_or(|ty| ty == t)
    }
}

/// A whole number strictly inside the `i64` range (`5.0` is an integer, as
/// JSON Schema counts them). A float cannot tell -2^63 from the integers
/// just below it, so it is left out at both ends.
fn whole_i64(f: f64) -> bool {
    const TWO_63: f64 = 9.223_372_036_854_776e18;
    f.fract() == 0.0 && f > -TWO_63 && f < TWO_63
}

/// FxHash (rustc's): a fast hash for the short property names of a plan.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

const FX_K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(FX_K);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(FX_K);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A walk through the text of one JSON value, checking what a plan asks for
/// on the way and building nothing. The text has already been parsed once
/// (the page's envelope), so it is valid JSON; the walk still gives up
/// (`None`) rather than panic on anything else.
pub struct Scanner<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

/// A value that does not match its node: where it is in the text walked.
#[derive(Debug, Clone, Copy)]
pub struct Misfit<'p> {
    start: usize,
    end: usize,
    plan: &'p Plan,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner {
            text,
            s: text.as_bytes(),
            i: 0,
        }
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    fn at(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    /// Only whitespace is left.
    pub fn end(&mut self) -> Option<()> {
        (self.at().is_none()).then_some(())
    }

    /// From a string's opening quote to past its closing one; whether it
    /// holds escapes.
    #[inline]
    fn string(&mut self) -> Option<bool> {
        self.i += 1;
        let mut escaped = false;
        loop {
            match *self.s.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                _ => self.i += 1,
            }
        }
    }

    /// Past one value, whatever it is; its range.
    pub fn skip(&mut self) -> Option<(usize, usize)> {
        let first = self.at()?;
        let start = self.i;
        match first {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *self.s.get(self.i)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while let Some(b) = self.s.get(self.i) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
        (self.i > start).then_some((start, self.i))
    }

    /// Calls `member` on each member of the object here, with the scanner at
    /// the member's value, which `member` must walk past.
    pub fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.list(b'{', b'}', |sc| {
            if sc.at()? != b'"' {
                return None;
            }
            let start = sc.i;
            let escaped = sc.string()?;
            let key = if escaped {
                Cow::Owned(serde_json::from_str(sc.text.get(start..sc.i)?).ok()?)
            } else {
                Cow::Borrowed(sc.text.get(start + 1..sc.i - 1)?)
            };
            if sc.at()? != b':' {
                return None;
            }
            sc.i += 1;
            member(sc, key)
        })
    }

    /// Calls `item` on each item of the array here, as [`Scanner::members`].
    fn items(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.list(b'[', b']', item)
    }

    /// Calls `each` on each element of the object or array here, from `open`
    /// to `close`: `each` walks past one element.
    fn list(
        &mut self,
        open: u8,
        close: u8,
        mut each: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if self.at()? != open {
            return None;
        }
        self.i += 1;
        if self.at()? == close {
            self.i += 1;
            return Some(());
        }
        loop {
            each(self)?;
            match self.at()? {
                b',' => self.i += 1,
                c if c == close => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Past one value, checked against `plan` all the way down: each value
    /// out of place is added to `misfits`. Its range.
    pub fn check<'p>(
        &mut self,
        plan: &'p Plan,
        misfits: &mut Vec<Misfit<'p>>,
    ) -> Option<(usize, usize)> {
        let first = self.at()?;
        let start = self.i;
        match first {
            b'{' if !plan.props.is_empty() && plan.allows(Type::Object) => {
                self.members(|sc, key| match plan.child(&key) {
                    Some(child) => sc.check(child, misfits).map(drop),
                    None => sc.skip().map(drop),
                })?;
            }
            b'[' if plan.allows(Type::Array) && plan.items.is_some() => {
                let items = plan.items.as_deref()?;
                self.items(|sc| sc.check(items, misfits).map(drop))?;
            }
            _ => {
                let (start, end) = self.skip()?;
                if !plan.leaf_accepts(self.text.get(start..end)?) {
                    misfits.push(Misfit { start, end, plan });
                }
            }
        }
        Some((start, self.i))
    }
}

/// What a value out of place was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Boolean,
    Integer,
    /// An integer outside the signed 64-bit range.
    BigInteger,
    /// A number with a fraction, or an exponent.
    Number,
    String,
    EmptyString,
    Object,
    Array,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Boolean => "boolean",
            Kind::Integer => "integer",
            Kind::BigInteger => "integer beyond 64 bits",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::EmptyString => "empty string",
            Kind::Object => "object",
            Kind::Array => "array",
        })
    }
}

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
        let kind = kind_of(raw);
        let Some(wanted) = m.plan.ty else {
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
                    path: Arc::clone(&m.plan.path),
                    outcome: Outcome::Converted(how),
                });
            }
            None => seen.push(Seen {
                path: Arc::clone(&m.plan.path),
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

/// What the JSON text of a value is.
fn kind_of(raw: &str) -> Kind {
    match raw.as_bytes().first() {
        Some(b't' | b'f') => Kind::Boolean,
        Some(b'"') if raw.len() == 2 => Kind::EmptyString,
        Some(b'"') => Kind::String,
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        _ => number_kind(raw),
    }
}

/// The kind of a JSON number's text.
#[inline]
fn number_kind(raw: &str) -> Kind {
    if raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        Kind::Number
    } else if raw.len() <= 18 || raw.parse::<i64>().is_ok() {
        Kind::Integer
    } else {
        Kind::BigInteger
    }
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

    #[test]
    fn every_stream_has_a_plan_that_checks_its_ids() {
        for def in STREAMS {
            let plan = Plan::of(def);
            assert_eq!(plan.ty, Some(Type::Object), "{}", def.name);
            assert_eq!(
                plan.child("id").map(|c| c.ty),
                Some(Some(Type::Integer)),
                "{}",
                def.name
            );
        }
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
