//! Records rendered from the connector's fixtures,
//! `tests/fixtures/records/<stream>.json`: the one description of what a
//! record of each stream looks like, quirks included. Each fixture record is
//! a variant; record `i` of a stream is the variant picked by a hash of
//! (seed, stream, i), with spliced in:
//!
//! - its `id`;
//! - every date-time (`YYYY-MM-DDTHH:MM:SS.mmmZ`) anywhere in it, moved as
//!   far as the creation time moved: the creation field becomes the
//!   record's creation time, and `updatedAt`, `paid_at`, a nested
//!   transaction's times keep their distance to it; each is written in the
//!   [`TimeFormat`] asked for;
//! - each Unix-seconds field of the endpoint's row (a subscription's
//!   `start`), moved as far as the creation time moved;
//! - the field referring to a record of another stream (the ledger's
//!   `model_row`, [`Refers`]): the id of that stream's record of the same
//!   index;
//! - on a child record, its parent's id ([`crate::endpoints::Parent::id_field`],
//!   `bulkcharge` of a bulk charge item);
//! - on a parent named in its children's path by a code
//!   ([`ParentKey::Code`]), that code (`batch_code`: `BCH_` and the code of
//!   its id, see [`write_code`]);
//! - each drifting field of the endpoint's row ([`crate::drift`]), drifted
//!   or not by its own draw;
//! - on a record changed since its creation ([`crate::changes`]), its
//!   top-level `updatedAt` (or `updated_at`) as the time of its last change,
//!   and its stream's changed field as its version's value.
//!
//! The field the connector adds to child records (`settlement_id`,
//! `bulk_charge_code`) is left out: the API does not send it. Everything
//! else is the fixture's text, minified, so a fixture is compiled once into
//! literal byte runs and splices, and a record is rendered straight into a
//! byte buffer (no JSON trees).

use crate::changes::{self, Change, Version};
use crate::drift::{self, Drift};
use crate::endpoints::{Endpoint, ParentKey, Refers};
use crate::time::{TimeFormat, write_time};

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
#[inline]
pub fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string (stable names → salts).
pub fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What goes into one record beyond its fixture.
#[derive(Debug, Clone, Copy)]
pub struct Splice {
    pub id: u64,
    /// The creation time, Unix seconds.
    pub created: i64,
    /// The parent's id (child records), else 0.
    pub parent: u64,
    pub seed: u64,
    /// How the date-times are written.
    pub times: TimeFormat,
    /// The record's version, when it changed since its creation.
    pub change: Option<Version>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Lit(Box<[u8]>),
    Id,
    ParentId,
    /// The id of the record of the same index in another stream: that
    /// stream's id base plus the index ([`Refers`]).
    Ref(u64),
    /// A date-time this many milliseconds after the creation time.
    Date(i64),
    /// A time in Unix seconds, this many milliseconds after the creation
    /// time.
    UnixSeconds(i64),
    /// The record's update time: as [`Op::Date`], or the time of its last
    /// change when it changed.
    Updated(i64),
    /// The stream's changed field: its fixture value, or its version's.
    Changed(Box<Changed>),
    /// `"PREFIX` + the code of the id + `"`.
    Code {
        prefix: &'static str,
        len: usize,
    },
    /// A drifting field's value: `drifted` on one record in
    /// [`drift::ONE_IN`], drawn with `salt`; `clean` otherwise.
    Alt {
        salt: u64,
        clean: Box<[u8]>,
        drifted: Box<[u8]>,
    },
}

/// The changed field of one fixture record, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Changed {
    /// Version `v` is `next[(v - 1) % next.len()]`.
    Cycle {
        clean: Box<[u8]>,
        next: Box<[Box<[u8]>]>,
    },
    /// Version `v` is `base + v × delta` (not below 0); no `base` (null):
    /// always `clean`.
    Add {
        clean: Box<[u8]>,
        base: Option<i64>,
        delta: i64,
    },
}

impl Changed {
    fn new(clean: Vec<u8>, change: &Change) -> Self {
        let clean = clean.into_boxed_slice();
        match change.kind {
            changes::Kind::Cycle(values) => {
                let start = values
                    .iter()
                    .position(|v| v.as_bytes() == &*clean)
                    .map_or(0, |p| p + 1);
                let next = (0..values.len())
                    .map(|k| Box::from(values[(start + k) % values.len()].as_bytes()))
                    .collect();
                Changed::Cycle { clean, next }
            }
            changes::Kind::Add(delta) => {
                let base = std::str::from_utf8(&clean)
                    .ok()
                    .and_then(|t| t.parse::<i64>().ok());
                Changed::Add { clean, base, delta }
            }
        }
    }

    fn write(&self, version: Option<Version>, buf: &mut Vec<u8>) {
        match (version, self) {
            (Some(v), Changed::Cycle { next, .. }) if !next.is_empty() => {
                buf.extend_from_slice(&next[(v.n as usize - 1) % next.len()]);
            }
            (
                Some(v),
                Changed::Add {
                    base: Some(base),
                    delta,
                    ..
                },
            ) => {
                let value = base.saturating_add(delta.saturating_mul(i64::from(v.n)));
                buf.extend_from_slice(itoa::Buffer::new().format(value.max(0)).as_bytes());
            }
            _ => buf.extend_from_slice(self.clean()),
        }
    }

    fn clean(&self) -> &[u8] {
        match self {
            Changed::Cycle { clean, .. } | Changed::Add { clean, .. } => clean,
        }
    }
}

/// One fixture record, compiled.
#[derive(Debug, Clone)]
struct Variant {
    ops: Vec<Op>,
}

/// A stream's fixture records, compiled, and its salt.
#[derive(Debug)]
pub struct Fixture {
    salt: u64,
    variants: Vec<Variant>,
}

/// What to splice where, for one endpoint.
struct Rules<'a> {
    /// The creation field: dates move relative to it.
    created: Option<&'a str>,
    /// A top-level field left out.
    drop: Option<&'a str>,
    /// A top-level field that is the parent's id.
    parent_id: Option<&'a str>,
    /// A top-level field that is the record's code.
    code: Option<(&'a str, &'static str, usize)>,
    /// The fields that drift.
    drift: &'a [Drift],
    /// The field a change changes.
    change: Option<Change>,
    /// The field that refers to a record of another stream.
    refers: Option<Refers>,
    /// The integer fields holding a time in Unix seconds.
    unix_times: &'a [&'a str],
}

impl Fixture {
    /// Compiles the fixture of `endpoint`; `code` is the field, prefix and
    /// length of the code its children's path names it by, if any.
    ///
    /// # Errors
    /// A fixture that is not a list of JSON objects, or lacks the id, the
    /// creation field or the code field (a bug in the table).
    pub fn new(
        endpoint: &Endpoint,
        code: Option<(&'static str, &'static str, usize)>,
    ) -> Result<Self, String> {
        let what = |e: String| format!("{} fixture: {e}", endpoint.stream);
        let records: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(endpoint.fixture).map_err(|e| what(e.to_string()))?;
        if records.is_empty() {
            return Err(what("no records".into()));
        }
        let rules = Rules {
            created: endpoint.cursor_field,
            drop: endpoint.parent.map(|p| p.connector_tag),
            parent_id: endpoint.parent.and_then(|p| p.id_field),
            code,
            drift: endpoint.drift,
            change: endpoint.change,
            refers: endpoint.refers,
            unix_times: endpoint.unix_times,
        };
        let variants = records
            .iter()
            .enumerate()
            .map(|(i, r)| compile(r.get(), &rules).map_err(|e| what(format!("record {i}: {e}"))))
            .collect::<Result<_, _>>()?;
        Ok(Fixture {
            salt: fnv(endpoint.stream),
            variants,
        })
    }

    /// The stream's salt (a hash of its name), for per-record draws.
    pub fn salt(&self) -> u64 {
        self.salt
    }

    /// Renders the record with this `index` (the hash input) into `buf`.
    pub fn render(&self, index: u64, s: &Splice, buf: &mut Vec<u8>) {
        let h = mix(s.seed ^ self.salt ^ mix(index));
        let v = &self.variants[((h >> 32) % self.variants.len() as u64) as usize];
        let mut it = itoa::Buffer::new();
        for op in &v.ops {
            match op {
                Op::Lit(bytes) => buf.extend_from_slice(bytes),
                Op::Id => buf.extend_from_slice(it.format(s.id).as_bytes()),
                Op::ParentId => buf.extend_from_slice(it.format(s.parent).as_bytes()),
                Op::Ref(base) => buf.extend_from_slice(it.format(base + index).as_bytes()),
                Op::Date(after) => write_time(buf, s.created * 1000 + after, s.times),
                Op::UnixSeconds(after) => {
                    let at = (s.created * 1000 + after).div_euclid(1000);
                    buf.extend_from_slice(it.format(at).as_bytes());
                }
                Op::Updated(after) => {
                    let at = s.change.map_or(s.created * 1000 + after, |v| v.at_ms);
                    write_time(buf, at, s.times);
                }
                Op::Changed(field) => field.write(s.change, buf),
                Op::Code { prefix, len } => {
                    buf.push(b'"');
                    buf.extend_from_slice(prefix.as_bytes());
                    write_code(buf, s.id, *len, s.seed);
                    buf.push(b'"');
                }
                Op::Alt {
                    salt,
                    clean,
                    drifted,
                } => {
                    let drifts = mix(h ^ salt) % drift::ONE_IN == 0;
                    buf.extend_from_slice(if drifts { drifted } else { clean });
                }
            }
        }
    }
}

/// Compiles one fixture record (JSON text) by the rules.
fn compile(text: &str, rules: &Rules<'_>) -> Result<Variant, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let top = value.as_object().ok_or("not a JSON object")?;
    let base = match rules.created {
        Some(field) => {
            let at = top.get(field).and_then(serde_json::Value::as_str);
            Some(
                at.and_then(date_millis)
                    .ok_or(format!("no date-time {field}"))?,
            )
        }
        None => None,
    };
    for field in std::iter::once("id")
        .chain(rules.parent_id)
        .chain(rules.code.map(|c| c.0))
    {
        if !top.contains_key(field) {
            return Err(format!("no {field}"));
        }
    }
    let mut c = Compiler {
        s: text.as_bytes(),
        i: 0,
        ops: Vec::new(),
        lit: Vec::new(),
        rules,
        base,
        path: String::new(),
        refers: rules.refers.and_then(|r| referred_base(&r, top)),
    };
    c.value(0, None)?;
    c.flush();
    Ok(Variant { ops: c.ops })
}

/// The field that refers to another stream's record and that stream's id
/// base, when the record's kind field names a listed kind.
fn referred_base(
    refers: &Refers,
    top: &serde_json::Map<String, serde_json::Value>,
) -> Option<(&'static str, u64)> {
    let kind = top.get(refers.kind_field)?.as_str()?;
    let (_, stream) = refers.streams.iter().find(|(k, _)| *k == kind)?;
    let (_, endpoint) = crate::endpoints::by_stream(stream)?;
    Some((refers.field, endpoint.id_base))
}

/// A `YYYY-MM-DDTHH:MM:SS.mmmZ` string as Unix milliseconds.
fn date_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    // The fixtures' one format: RFC 3339 with milliseconds, in UTC.
    if b.len() != 24 || b[10] != b'T' || b[19] != b'.' || b[23] != b'Z' {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Walks a record's JSON text, copying it minified and turning the spliced
/// values into ops.
struct Compiler<'a> {
    s: &'a [u8],
    i: usize,
    ops: Vec<Op>,
    /// The literal run being built.
    lit: Vec<u8>,
    rules: &'a Rules<'a>,
    /// The fixture's creation time, in milliseconds.
    base: Option<i64>,
    /// Where the value being compiled is: `customer.metadata`,
    /// `subscriptions[].plan` (the paths of [`Drift`]).
    path: String,
    /// The field referring to another stream's record, and its id base.
    refers: Option<(&'static str, u64)>,
}

impl<'a> Compiler<'a> {
    fn flush(&mut self) {
        if !self.lit.is_empty() {
            let lit = std::mem::take(&mut self.lit);
            self.ops.push(Op::Lit(lit.into_boxed_slice()));
        }
    }

    fn op(&mut self, op: Op) {
        self.flush();
        self.ops.push(op);
    }

    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Result<u8, String> {
        self.skip_ws();
        self.s.get(self.i).copied().ok_or("unexpected end".into())
    }

    /// The raw text of the string at `i` (quotes included).
    fn string(&mut self) -> Result<&'a [u8], String> {
        let s = self.s;
        let start = self.i;
        self.i += 1;
        loop {
            match self.s.get(self.i) {
                None => return Err("unterminated string".into()),
                Some(b'\\') => self.i += 2,
                Some(b'"') => break,
                Some(_) => self.i += 1,
            }
        }
        self.i += 1;
        Ok(&s[start..self.i])
    }

    /// One value; `key` is its member name when it is a member of the
    /// record itself (depth 1). A drifting field's value becomes an
    /// [`Op::Alt`].
    fn value(&mut self, depth: usize, key: Option<&str>) -> Result<(), String> {
        let Some(rule) = self.rules.drift.iter().find(|d| d.path == self.path) else {
            return self.plain_value(depth, key);
        };
        let clean = self.literal_value(depth, key, rule.path, "drifts")?;
        let text = std::str::from_utf8(&clean).map_err(|e| e.to_string())?;
        match rule.kind.apply(text) {
            Some(drifted) => self.ops.push(Op::Alt {
                salt: fnv(rule.path),
                clean: clean.into_boxed_slice(),
                drifted: drifted.into_bytes().into_boxed_slice(),
            }),
            None => self.lit.extend_from_slice(&clean),
        }
        Ok(())
    }

    fn plain_value(&mut self, depth: usize, key: Option<&str>) -> Result<(), String> {
        match self.peek()? {
            b'{' => self.container(depth, b'}'),
            b'[' => self.container(depth, b']'),
            b'"' => {
                let raw = self.string()?;
                let text =
                    std::str::from_utf8(&raw[1..raw.len() - 1]).map_err(|e| e.to_string())?;
                let code = self.rules.code.filter(|c| key == Some(c.0));
                if let Some((_, prefix, len)) = code {
                    self.op(Op::Code { prefix, len });
                } else if let (Some(at), Some(base)) = (date_millis(text), self.base) {
                    if key.is_some_and(|k| changes::UPDATED_FIELDS.contains(&k)) {
                        self.op(Op::Updated(at - base));
                    } else {
                        self.op(Op::Date(at - base));
                    }
                } else {
                    self.lit.extend_from_slice(raw);
                }
                Ok(())
            }
            _ => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                match key {
                    Some("id") => self.op(Op::Id),
                    Some(k) if self.rules.parent_id == Some(k) => self.op(Op::ParentId),
                    Some(k) if self.refers.is_some_and(|(field, _)| field == k) => {
                        let base = self.refers.map_or(0, |(_, base)| base);
                        self.op(Op::Ref(base));
                    }
                    Some(k) if self.rules.unix_times.contains(&k) => {
                        let text = std::str::from_utf8(&self.s[start..self.i])
                            .map_err(|e| e.to_string())?;
                        let secs = text.parse::<i64>().ok();
                        match (secs, self.base) {
                            (Some(secs), Some(base)) => {
                                self.op(Op::UnixSeconds(secs * 1000 - base))
                            }
                            _ => return Err(format!("{k} is not Unix seconds: {text}")),
                        }
                    }
                    _ => {
                        let raw = self.s[start..self.i].to_vec();
                        self.lit.extend_from_slice(&raw);
                    }
                }
                Ok(())
            }
        }
    }

    /// Compiles one value that must hold no spliced value (the `field`
    /// that `does` something) and returns its text instead of a literal op.
    fn literal_value(
        &mut self,
        depth: usize,
        key: Option<&str>,
        field: &str,
        does: &str,
    ) -> Result<Vec<u8>, String> {
        self.flush();
        let mark = self.ops.len();
        self.plain_value(depth, key)?;
        self.flush();
        let mut clean = Vec::new();
        for op in self.ops.drain(mark..) {
            match op {
                Op::Lit(bytes) => clean.extend_from_slice(&bytes),
                _ => return Err(format!("{field} {does} but holds spliced values")),
            }
        }
        Ok(clean)
    }

    /// The value of the stream's changed field, as an [`Op::Changed`].
    fn changed_value(&mut self, depth: usize, change: &Change) -> Result<(), String> {
        if self.rules.drift.iter().any(|d| d.path == change.field) {
            return Err(format!("{} both changes and drifts", change.field));
        }
        let clean = self.literal_value(depth, None, change.field, "changes")?;
        self.ops
            .push(Op::Changed(Box::new(Changed::new(clean, change))));
        Ok(())
    }

    /// An object or array, from its opening bracket to `close`.
    fn container(&mut self, depth: usize, close: u8) -> Result<(), String> {
        let object = close == b'}';
        self.lit.push(self.s[self.i]);
        self.i += 1;
        let mut first = true;
        loop {
            if self.peek()? == close {
                self.i += 1;
                self.lit.push(close);
                return Ok(());
            }
            if self.peek()? == b',' {
                self.i += 1;
                continue;
            }
            if !object {
                if !first {
                    self.lit.push(b',');
                }
                let len = self.path.len();
                self.path.push_str("[]");
                self.value(depth + 1, None)?;
                self.path.truncate(len);
                first = false;
                continue;
            }
            let name = self.string()?;
            let key =
                String::from_utf8(name[1..name.len() - 1].to_vec()).map_err(|e| e.to_string())?;
            if self.peek()? != b':' {
                return Err(format!("no ':' after {key}"));
            }
            self.i += 1;
            let top = depth == 0;
            if top && self.rules.drop == Some(key.as_str()) {
                // Read the value, keep nothing of it.
                let (ops, lit) = (self.ops.len(), self.lit.len());
                self.value(depth + 1, None)?;
                self.ops.truncate(ops);
                self.lit.truncate(lit);
                continue;
            }
            if !first {
                self.lit.push(b',');
            }
            self.lit.extend_from_slice(name);
            self.lit.push(b':');
            let len = self.path.len();
            if len > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key);
            match self.rules.change.filter(|c| top && c.field == key) {
                Some(change) => self.changed_value(depth + 1, &change)?,
                None => self.value(depth + 1, top.then_some(key.as_str()))?,
            }
            self.path.truncate(len);
            first = false;
        }
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// The longest code: 36^12 < 2^63 keeps the arithmetic in `u128`.
pub const CODE_MAX_LEN: usize = 12;
const CODE_MUL: u128 = 0x9E37_79B9_7F4A_7C15; // odd, not a multiple of 3
const CODE_SALT_KEY: u64 = 0xBA7C_40DE_0000_0001;

fn code_params(n: usize, seed: u64) -> (u128, u128, u128) {
    let m = 36u128.pow(n as u32);
    let a = CODE_MUL % m;
    let b = u128::from(mix(seed ^ CODE_SALT_KEY)) % m;
    (m, a, b)
}

/// The inverse of `a` modulo `m` (they are coprime).
fn inverse(a: u128, m: u128) -> u128 {
    let (mut r0, mut r1) = (m as i128, a as i128);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(m as i128) as u128
}

/// Appends the `n`-character code of `id`: an affine bijection of
/// `id mod 36^n` (salted by the seed), in base 36, most significant first.
pub fn write_code(buf: &mut Vec<u8>, id: u64, n: usize, seed: u64) {
    let (m, a, b) = code_params(n, seed);
    let mut v = (u128::from(id) % m * a + b) % m;
    let at = buf.len();
    buf.resize(at + n, b'0');
    for i in (0..n).rev() {
        buf[at + i] = LOWER[(v % 36) as usize];
        v /= 36;
    }
}

/// The id whose code (of the length of `code`) is `code`, or `None` when
/// `code` is not one (wrong length or characters, or an id beyond `u64`).
pub fn decode_code(code: &str, seed: u64) -> Option<u64> {
    let n = code.len();
    if n == 0 || n > CODE_MAX_LEN {
        return None;
    }
    let (m, a, b) = code_params(n, seed);
    let mut c: u128 = 0;
    for ch in code.bytes() {
        let d = LOWER.iter().position(|x| *x == ch)?;
        c = c * 36 + d as u128;
    }
    let id = (c + m - b) % m * inverse(a, m) % m;
    u64::try_from(id).ok()
}

/// The code field of `endpoint`'s records, when its children's path names
/// them by code: `(field, prefix, length)`.
pub fn code_of(endpoint: &Endpoint) -> Option<(&'static str, &'static str, usize)> {
    let (_, child) = crate::endpoints::child_of(endpoint.stream)?;
    match child.parent?.key {
        ParentKey::Code { field, prefix, len } => Some((field, prefix, len)),
        ParentKey::Id => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{ENDPOINTS, by_stream};

    fn render(stream: &str, id: u64, created: i64, parent: u64) -> serde_json::Value {
        let (_, e) = by_stream(stream).unwrap();
        let f = Fixture::new(e, code_of(e)).unwrap();
        let mut buf = Vec::new();
        let s = Splice {
            id,
            created,
            parent,
            seed: 1,
            times: TimeFormat::Millis,
            change: None,
        };
        f.render(id, &s, &mut buf);
        serde_json::from_slice(&buf).unwrap()
    }

    #[test]
    fn every_fixture_compiles() {
        for e in ENDPOINTS {
            let f = Fixture::new(e, code_of(e)).unwrap();
            assert!(!f.variants.is_empty(), "{}", e.stream);
        }
    }

    #[test]
    fn ids_times_and_parents_are_spliced_in() {
        // 2025-01-02T03:04:05Z
        let t = 1_735_787_045;
        let r = render("transactions", 4_300_000_007, t, 0);
        assert_eq!(r["id"], 4_300_000_007u64);
        assert_eq!(r["createdAt"], "2025-01-02T03:04:05.000Z");
        assert_eq!(r["created_at"], r["createdAt"]);
        let item = render("bulk_charge_items", 15_180_001, t, 66_570_002);
        assert_eq!(item["bulkcharge"], 66_570_002);
        assert!(
            item.get("bulk_charge_code").is_none(),
            "the connector's tag"
        );
        let batch = render("bulk_charges", 66_570_002, t, 0);
        let code = batch["batch_code"].as_str().unwrap();
        assert_eq!(
            decode_code(code.strip_prefix("BCH_").unwrap(), 1),
            Some(66_570_002)
        );
        let settled = render("settlement_transactions", 4_400_000_001, t, 3_050_000);
        assert!(
            settled.get("settlement_id").is_none(),
            "the connector's tag"
        );
    }

    #[test]
    fn other_times_keep_their_distance_to_the_creation_time() {
        // The customers fixture's second record was updated 15 h 40 min 27 s
        // after its creation.
        let fixture: serde_json::Value =
            serde_json::from_str(by_stream("customers").unwrap().1.fixture).unwrap();
        let created = date_millis(fixture[1]["createdAt"].as_str().unwrap()).unwrap();
        let updated = date_millis(fixture[1]["updatedAt"].as_str().unwrap()).unwrap();
        for id in 0..30 {
            let r = render("customers", id, 1_735_787_045, 0);
            if r["email"] == fixture[1]["email"] {
                let at = date_millis(r["updatedAt"].as_str().unwrap()).unwrap();
                assert_eq!(at - 1_735_787_045_000, updated - created);
                return;
            }
        }
        panic!("the second variant never came up");
    }

    #[test]
    fn codes_round_trip() {
        for seed in [1, 7, 99] {
            for id in [0, 1, 66_570_000, 66_570_123, u64::from(u32::MAX) + 5] {
                let mut buf = Vec::new();
                write_code(&mut buf, id, 12, seed);
                let code = String::from_utf8(buf).unwrap();
                assert_eq!(code.len(), 12);
                assert_eq!(decode_code(&code, seed), Some(id), "{code}");
            }
        }
        assert_eq!(decode_code("", 1), None);
        assert_eq!(decode_code("ABC", 1), None);
        assert_eq!(decode_code("0000000000000", 1), None);
    }

    #[test]
    fn drifting_fields_drift_on_a_quarter_of_records_the_same_for_a_seed() {
        let rules = Rules {
            created: Some("createdAt"),
            drop: None,
            parent_id: None,
            code: None,
            change: None,
            refers: None,
            unix_times: &[],
            drift: &[
                Drift::new("flags[].on", drift::Kind::ZeroOne),
                Drift::new("meta", drift::Kind::JsonText),
                Drift::new("nested.n", drift::Kind::Digits),
            ],
        };
        let text = r#"{"id":1,"createdAt":"2024-01-01T00:00:00.000Z","meta":{"a":[1]},
            "flags":[{"on":true},{"on":null}],"nested":{"n":42,"m":7}}"#;
        let fixture = Fixture {
            salt: 9,
            variants: vec![compile(text, &rules).unwrap()],
        };
        let render = |index: u64, seed: u64| {
            let mut buf = Vec::new();
            let s = Splice {
                id: index,
                created: 0,
                parent: 0,
                seed,
                times: TimeFormat::Millis,
                change: None,
            };
            fixture.render(index, &s, &mut buf);
            serde_json::from_slice::<serde_json::Value>(&buf).unwrap()
        };
        let (mut on, mut meta, mut n) = (0, 0, 0);
        for i in 0..4000 {
            let r = render(i, 1);
            assert_eq!(r, render(i, 1), "the same seed, the same record");
            match &r["flags"][0]["on"] {
                serde_json::Value::Bool(true) => {}
                v => {
                    assert_eq!(v, 1);
                    on += 1;
                }
            }
            assert_eq!(r["flags"][1]["on"], serde_json::Value::Null, "null stays");
            if r["meta"].is_string() {
                assert_eq!(r["meta"], r#"{"a":[1]}"#);
                meta += 1;
            }
            if r["nested"]["n"].is_string() {
                assert_eq!(r["nested"]["n"], "42");
                n += 1;
            }
            assert_eq!(r["nested"]["m"], 7);
        }
        for count in [on, meta, n] {
            assert!((850..1150).contains(&count), "{count} of 4000");
        }
        assert_ne!(on, meta, "each field is drawn on its own");
        let other_seed = (0..4000)
            .filter(|&i| render(i, 2)["meta"].is_string())
            .count();
        assert_ne!(other_seed, meta, "another seed, other records");
        // A drifting field cannot hold a spliced value.
        let rules = Rules {
            drift: &[Drift::new("id", drift::Kind::Digits)],
            ..rules
        };
        assert!(compile(text, &rules).is_err());
    }

    #[test]
    fn a_broken_fixture_is_reported() {
        let rules = Rules {
            created: Some("createdAt"),
            drop: None,
            parent_id: None,
            code: None,
            change: None,
            refers: None,
            unix_times: &[],
            drift: &[],
        };
        assert!(compile(r#"{"id":1}"#, &rules).is_err(), "no creation time");
        assert!(compile(r#"{"createdAt":"2024-01-01T00:00:00.000Z"}"#, &rules).is_err());
        assert!(compile("[1]", &rules).is_err());
        let ok = compile(
            r#"{ "id" : 1, "createdAt": "2024-01-01T00:00:00.000Z", "a": [ 1, "x" ] }"#,
            &rules,
        )
        .unwrap();
        assert_eq!(
            ok.ops,
            [
                Op::Lit((*br#"{"id":"#).into()),
                Op::Id,
                Op::Lit((*br#","createdAt":"#).into()),
                Op::Date(0),
                Op::Lit((*br#","a":[1,"x"]}"#).into()),
            ]
        );
    }
}
