//! Record templates: JSON text with `{%…%}` placeholders, compiled once into
//! a list of literal byte runs and value generators, then rendered straight
//! into a byte buffer for each record (no JSON trees).
//!
//! # Placeholder language
//!
//! A placeholder is `{%[?P[q]~]NAME[@KEY][:ARGS]%}`. It writes raw text: the
//! template supplies the quotes around string values unless noted.
//!
//! | placeholder | writes |
//! |---|---|
//! | `id` | the record id |
//! | `seq` | the record's index + 1 (1 = oldest) |
//! | `idpad:N` | the id, zero-padded to N digits |
//! | `created` | creation time, ISO with milliseconds (no quotes) |
//! | `created_unix` | creation time in Unix seconds |
//! | `at:A..B` | creation time + a random offset in [A, B] seconds, ISO |
//! | `later:A..B` | creation time + max(0, random in [A, B]) seconds, ISO (often equal to `created`) |
//! | `day:A..B[+S]` | midnight UTC of (creation + random in [A, B]) + S seconds, ISO |
//! | `unix:A..B` | creation + random in [A, B], Unix seconds |
//! | `int:A..B[/S]` | random integer in [A, B], in steps of S |
//! | `pick:a\|b\|c` | one of the raw alternatives (repeat one to weight it) |
//! | `alnum:N` / `ALNUM:N` | N random lower-case / upper-case letters and digits |
//! | `digits:N`, `hex:N` | N random digits / lower-case hex digits |
//! | `ip` | an address from the documentation ranges (no quotes) |
//! | `idof:STREAM` | the id of some record of STREAM |
//! | `code:N` | N lower-case letters and digits that encode the record id reversibly ([`decode_code`]; N ≤ 12) |
//! | `parent` | the id of the parent record (child streams; 0 otherwise) |
//! | `cust.F` | field F of the record's customer (a JSON value, quoted when a string) |
//! | `me.F` | field F of the person the record itself is (the customers stream) |
//!
//! Person fields `F`: `id`, `first`, `last`, `name`, `email`, `phone`,
//! `intl_phone`, `code`, `meta`, `risk`, and `upper` (the name in capitals,
//! `ADA OBI`, or `CUSTOMER` for a person without a name; unquoted, for use
//! inside a string). About one person in eight has no name and no phone, like
//! Paystack's "email only" customers.
//!
//! Randomness is a pure function of (seed, stream, record index, key): the
//! key is the placeholder's slot in the template, or `@KEY` when given, so
//! placeholders sharing a key share their random draw (`int@amt:…` twice
//! writes the same amount; `pick@brand:` lists of equal length pick the same
//! position).
//!
//! The prefix `?P~` writes `null` for P percent of records instead of the
//! value; `?Pq~` also wraps the value in quotes (a nullable string).

use crate::time::{DAY, write_iso};

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
#[inline]
pub fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string (stable names → salts and keys).
pub fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What a template may refer to beyond its own record: the seed, the
/// customers (for `cust.*`) and the other streams (for `idof:`).
#[derive(Debug, Clone)]
pub struct World {
    pub seed: u64,
    /// Id of customer 0.
    pub customers_base: u64,
    /// How many customers `cust.*` picks from.
    pub customers_pool: u64,
    /// `(stream name, id base, pool size)` for `idof:`.
    pub streams: Vec<(&'static str, u64, u64)>,
}

/// The per-record inputs of rendering.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub id: u64,
    pub index: u64,
    pub created: i64,
    /// The record's hash: everything random derives from it.
    pub h: u64,
    /// The parent record's id (child streams), else 0.
    pub parent: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Cust,
    Me,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PersonField {
    Id,
    First,
    Last,
    Name,
    Email,
    Phone,
    IntlPhone,
    Code,
    Meta,
    Risk,
    Upper,
}

#[derive(Debug, Clone)]
enum Gen {
    Id,
    Seq,
    IdPad(usize),
    Created,
    CreatedUnix,
    At(i64, i64),
    Later(i64, i64),
    Day(i64, i64, i64),
    Unix(i64, i64),
    Int(i64, i64, i64),
    Pick(Vec<Box<[u8]>>),
    Chars(usize, &'static [u8]),
    Ip,
    IdOf(u64, u64),
    Code(usize),
    Parent,
    Person(Who, PersonField),
}

#[derive(Debug, Clone)]
enum Op {
    Lit(Box<[u8]>),
    Gen {
        generator: Gen,
        key: u64,
        /// Percent of records that get `null` instead.
        null_pct: u8,
        quote: bool,
    },
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    ops: Vec<Op>,
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

const FIRST: &[&str] = &[
    "ada", "kwame", "chidi", "amara", "tunde", "ngozi", "kofi", "abena", "emeka", "zainab", "yaw",
    "efua", "sipho", "thandi", "wanjiru", "otieno", "fatima", "musa", "bisi", "femi", "lerato",
    "themba", "akosua", "kojo", "halima", "ibrahim", "nneka", "obinna", "aisha", "samuel", "grace",
    "david",
];
const LAST: &[&str] = &[
    "obi", "mensah", "okafor", "adeyemi", "boateng", "nwosu", "asante", "eze", "bello", "owusu",
    "dlamini", "nkosi", "kamau", "odhiambo", "abubakar", "danjuma", "ogunleye", "appiah",
    "mokoena", "mwangi", "balogun", "okeke", "addo", "sithole", "achieng", "lawal", "yeboah",
    "chukwu", "afolabi", "ndlovu", "otieno", "kariuki",
];

/// Compiles a template. The JSON text outside strings is minified first, so
/// templates can be written indented.
///
/// # Errors
/// A malformed placeholder, with its text.
pub fn compile(src: &str, world: &World) -> Result<Template, String> {
    let text = minify(src);
    let mut ops = Vec::new();
    let mut rest = text.as_str();
    let mut slot: u64 = 0;
    while let Some(start) = rest.find("{%") {
        if start > 0 {
            ops.push(Op::Lit(rest.as_bytes()[..start].into()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("%}")
            .ok_or_else(|| format!("unclosed placeholder at {:?}", &rest[start..]))?;
        slot += 1;
        ops.push(parse_placeholder(&after[..end], slot, world)?);
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        ops.push(Op::Lit(rest.as_bytes().into()));
    }
    // Merge adjacent literals (none today, but cheap insurance).
    let mut merged: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        match (merged.last_mut(), op) {
            (Some(Op::Lit(a)), Op::Lit(b)) => {
                let mut v = a.to_vec();
                v.extend_from_slice(&b);
                *a = v.into_boxed_slice();
            }
            (_, op) => merged.push(op),
        }
    }
    Ok(Template { ops: merged })
}

/// Removes whitespace outside JSON strings (placeholders count as outside
/// unless they sit inside a string).
fn minify(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut in_str = false;
    let mut escaped = false;
    for c in src.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn range(args: &str, spec: &str) -> Result<(i64, i64), String> {
    let (a, b) = args
        .split_once("..")
        .ok_or_else(|| format!("expected A..B in {spec:?}"))?;
    let a: i64 = a.parse().map_err(|_| format!("bad number in {spec:?}"))?;
    let b: i64 = b.parse().map_err(|_| format!("bad number in {spec:?}"))?;
    if b < a {
        return Err(format!("empty range in {spec:?}"));
    }
    Ok((a, b))
}

fn parse_placeholder(spec: &str, slot: u64, world: &World) -> Result<Op, String> {
    let mut body = spec;
    let mut null_pct = 0u8;
    let mut quote = false;
    if let Some(p) = body.strip_prefix('?') {
        let (head, tail) = p
            .split_once('~')
            .ok_or_else(|| format!("expected ?P~ in {spec:?}"))?;
        let digits = head.trim_end_matches('q');
        quote = head.ends_with('q');
        null_pct = digits
            .parse()
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| format!("bad percentage in {spec:?}"))?;
        body = tail;
    }
    let (head, args) = match body.split_once(':') {
        Some((h, a)) => (h, a),
        None => (body, ""),
    };
    let (name, key) = match head.split_once('@') {
        Some((n, k)) => (n, mix(fnv(k))),
        None => (head, mix(slot.wrapping_mul(0x2545_F491_4F6C_DD1D))),
    };
    let count = |args: &str| -> Result<usize, String> {
        args.parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| format!("expected a length 1..=64 in {spec:?}"))
    };
    let generator = match name {
        "id" => Gen::Id,
        "seq" => Gen::Seq,
        "idpad" => Gen::IdPad(count(args)?),
        "created" => Gen::Created,
        "created_unix" => Gen::CreatedUnix,
        "at" => {
            let (a, b) = range(args, spec)?;
            Gen::At(a, b)
        }
        "later" => {
            let (a, b) = range(args, spec)?;
            Gen::Later(a, b)
        }
        "day" => {
            let (r, plus) = match args.split_once('+') {
                Some((r, p)) => (r, p.parse().map_err(|_| format!("bad +S in {spec:?}"))?),
                None => (args, 0),
            };
            let (a, b) = range(r, spec)?;
            Gen::Day(a, b, plus)
        }
        "unix" => {
            let (a, b) = range(args, spec)?;
            Gen::Unix(a, b)
        }
        "int" => {
            let (r, step) = match args.split_once('/') {
                Some((r, s)) => (
                    r,
                    s.parse::<i64>()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| format!("bad step in {spec:?}"))?,
                ),
                None => (args, 1),
            };
            let (a, b) = range(r, spec)?;
            Gen::Int(a, b, step)
        }
        "pick" => {
            if args.is_empty() {
                return Err(format!("pick without alternatives: {spec:?}"));
            }
            Gen::Pick(args.split('|').map(|a| a.as_bytes().into()).collect())
        }
        "alnum" => Gen::Chars(count(args)?, LOWER),
        "ALNUM" => Gen::Chars(count(args)?, UPPER),
        "digits" => Gen::Chars(count(args)?, DIGITS),
        "hex" => Gen::Chars(count(args)?, HEX),
        "ip" => Gen::Ip,
        "code" => {
            let n = count(args)?;
            if n > CODE_MAX_LEN {
                return Err(format!("code longer than {CODE_MAX_LEN} in {spec:?}"));
            }
            Gen::Code(n)
        }
        "parent" => Gen::Parent,
        "idof" => {
            let (_, base, pool) = world
                .streams
                .iter()
                .find(|(n, _, _)| *n == args)
                .ok_or_else(|| format!("unknown stream in {spec:?}"))?;
            Gen::IdOf(*base, (*pool).max(1))
        }
        other => {
            let (who, field) = other
                .split_once('.')
                .ok_or_else(|| format!("unknown placeholder {spec:?}"))?;
            let who = match who {
                "cust" => Who::Cust,
                "me" => Who::Me,
                _ => return Err(format!("unknown placeholder {spec:?}")),
            };
            let field = match field {
                "id" => PersonField::Id,
                "first" => PersonField::First,
                "last" => PersonField::Last,
                "name" => PersonField::Name,
                "email" => PersonField::Email,
                "phone" => PersonField::Phone,
                "intl_phone" => PersonField::IntlPhone,
                "code" => PersonField::Code,
                "meta" => PersonField::Meta,
                "risk" => PersonField::Risk,
                "upper" => PersonField::Upper,
                _ => return Err(format!("unknown person field in {spec:?}")),
            };
            Gen::Person(who, field)
        }
    };
    Ok(Op::Gen {
        generator,
        key,
        null_pct,
        quote,
    })
}

const CUST_KEY: u64 = 0x5EED_C057_0000_0001;
const PERSON_SALT: u64 = 0x9E6C_63D0_676A_9A99;
const CODE_SALT: u64 = 0xC0DE_C0DE_1234_5678;

/// A person's derived attributes (customers, and the customer of a record).
struct Person {
    number: u64,
    id: u64,
    h: u64,
}

impl Person {
    fn named(&self) -> bool {
        self.h % 8 != 0
    }
    fn first(&self) -> &'static str {
        FIRST[((self.h >> 8) % FIRST.len() as u64) as usize]
    }
    fn last(&self) -> &'static str {
        LAST[((self.h >> 16) % LAST.len() as u64) as usize]
    }
    fn has_phone(&self) -> bool {
        self.named() && (self.h >> 40) % 5 != 0
    }
    /// (calling code, local prefix, local digits after the prefix)
    fn country(&self) -> (&'static str, &'static str, usize) {
        match (self.h >> 24) % 6 {
            0..=2 => ("+234", "080", 8),
            3 => ("+233", "020", 7),
            4 => ("+254", "07", 8),
            _ => ("+27", "08", 8),
        }
    }
    fn local_digits(&self, buf: &mut Vec<u8>, n: usize) {
        let mut x = mix(self.h ^ 0x0123_4567);
        for _ in 0..n {
            buf.push(b'0' + (x % 10) as u8);
            x /= 10;
        }
    }
}

#[inline]
fn capitalised(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    buf.push(b[0].to_ascii_uppercase());
    buf.extend_from_slice(&b[1..]);
}

#[inline]
fn write_i64(buf: &mut Vec<u8>, v: i64) {
    let mut b = itoa::Buffer::new();
    buf.extend_from_slice(b.format(v).as_bytes());
}

#[inline]
fn write_u64(buf: &mut Vec<u8>, v: u64) {
    let mut b = itoa::Buffer::new();
    buf.extend_from_slice(b.format(v).as_bytes());
}

#[inline]
fn pick_in(r: u64, lo: i64, hi: i64) -> i64 {
    let n = (hi - lo) as u64 + 1;
    lo + (r % n) as i64
}

impl Template {
    /// Appends the record described by `ctx` to `buf`.
    pub fn render(&self, ctx: &Ctx, world: &World, buf: &mut Vec<u8>) {
        for op in &self.ops {
            match op {
                Op::Lit(b) => buf.extend_from_slice(b),
                Op::Gen {
                    generator,
                    key,
                    null_pct,
                    quote,
                } => {
                    let r = mix(ctx.h ^ key);
                    if *null_pct > 0 && (mix(r) % 100) < u64::from(*null_pct) {
                        buf.extend_from_slice(b"null");
                        continue;
                    }
                    if *quote {
                        buf.push(b'"');
                    }
                    render_gen(generator, r, ctx, world, buf);
                    if *quote {
                        buf.push(b'"');
                    }
                }
            }
        }
    }
}

fn render_gen(generator: &Gen, r: u64, ctx: &Ctx, world: &World, buf: &mut Vec<u8>) {
    match generator {
        Gen::Id => write_u64(buf, ctx.id),
        Gen::Seq => write_u64(buf, ctx.index + 1),
        Gen::IdPad(n) => {
            let mut b = itoa::Buffer::new();
            let s = b.format(ctx.id);
            for _ in s.len()..*n {
                buf.push(b'0');
            }
            buf.extend_from_slice(s.as_bytes());
        }
        Gen::Created => write_iso(buf, ctx.created),
        Gen::CreatedUnix => write_i64(buf, ctx.created),
        Gen::At(a, b) => write_iso(buf, ctx.created + pick_in(r, *a, *b)),
        Gen::Later(a, b) => write_iso(buf, ctx.created + pick_in(r, *a, *b).max(0)),
        Gen::Day(a, b, plus) => {
            let t = ctx.created + pick_in(r, *a, *b);
            write_iso(buf, t - t.rem_euclid(DAY) + plus);
        }
        Gen::Unix(a, b) => write_i64(buf, ctx.created + pick_in(r, *a, *b)),
        Gen::Int(a, b, step) => {
            let n = ((b - a) / step) as u64 + 1;
            write_i64(buf, a + (r % n) as i64 * step);
        }
        Gen::Pick(alts) => buf.extend_from_slice(&alts[(r % alts.len() as u64) as usize]),
        Gen::Chars(n, set) => {
            let mut x = r;
            let base = set.len() as u64;
            for i in 0..*n {
                if i > 0 && i % 12 == 0 {
                    x = mix(x ^ i as u64);
                }
                buf.push(set[(x % base) as usize]);
                x /= base;
            }
        }
        Gen::Ip => {
            let (prefix, last) = match r % 3 {
                0 => ("192.0.2.", 1 + (r >> 8) % 254),
                1 => ("198.51.100.", 1 + (r >> 8) % 254),
                _ => ("203.0.113.", 1 + (r >> 8) % 254),
            };
            buf.extend_from_slice(prefix.as_bytes());
            write_u64(buf, last);
        }
        Gen::IdOf(base, pool) => write_u64(buf, base + (r % pool)),
        Gen::Code(n) => write_code(buf, ctx.id, *n, world.seed),
        Gen::Parent => write_u64(buf, ctx.parent),
        Gen::Person(who, field) => {
            let person = match who {
                Who::Cust => {
                    let number = mix(ctx.h ^ CUST_KEY) % world.customers_pool.max(1);
                    Person {
                        number,
                        id: world.customers_base + number,
                        h: mix(number ^ world.seed ^ PERSON_SALT),
                    }
                }
                Who::Me => Person {
                    number: ctx.index,
                    id: ctx.id,
                    h: mix(ctx.index ^ world.seed ^ PERSON_SALT),
                },
            };
            render_person(&person, *field, world, buf);
        }
    }
}

fn render_person(p: &Person, field: PersonField, world: &World, buf: &mut Vec<u8>) {
    let null = |buf: &mut Vec<u8>| buf.extend_from_slice(b"null");
    match field {
        PersonField::Id => write_u64(buf, p.id),
        PersonField::First | PersonField::Last | PersonField::Name if !p.named() => null(buf),
        PersonField::First => {
            buf.push(b'"');
            capitalised(buf, p.first());
            buf.push(b'"');
        }
        PersonField::Last => {
            buf.push(b'"');
            capitalised(buf, p.last());
            buf.push(b'"');
        }
        PersonField::Name => {
            buf.push(b'"');
            capitalised(buf, p.first());
            buf.push(b' ');
            capitalised(buf, p.last());
            buf.push(b'"');
        }
        PersonField::Email => {
            buf.push(b'"');
            if p.named() {
                buf.extend_from_slice(p.first().as_bytes());
                buf.push(b'.');
                buf.extend_from_slice(p.last().as_bytes());
                buf.push(b'.');
            } else {
                buf.extend_from_slice(b"customer");
            }
            write_u64(buf, p.number);
            buf.extend_from_slice(b"@example.com\"");
        }
        PersonField::Phone | PersonField::IntlPhone if !p.has_phone() => null(buf),
        PersonField::Phone => {
            let (_, prefix, n) = p.country();
            buf.push(b'"');
            buf.extend_from_slice(prefix.as_bytes());
            p.local_digits(buf, n);
            buf.push(b'"');
        }
        PersonField::IntlPhone => {
            let (cc, prefix, n) = p.country();
            buf.push(b'"');
            buf.extend_from_slice(cc.as_bytes());
            buf.extend_from_slice(&prefix.as_bytes()[1..]);
            p.local_digits(buf, n);
            buf.push(b'"');
        }
        PersonField::Code => {
            buf.extend_from_slice(b"\"CUS_");
            let mut x = mix(p.number ^ world.seed ^ CODE_SALT);
            for i in 0..14 {
                if i == 12 {
                    x = mix(x);
                }
                buf.push(LOWER[(x % 36) as usize]);
                x /= 36;
            }
            buf.push(b'"');
        }
        PersonField::Meta => {
            if !p.named() {
                null(buf)
            } else if (p.h >> 48) % 4 == 0 {
                buf.extend_from_slice(b"{}");
            } else {
                buf.extend_from_slice(b"{\"calling_code\":\"");
                buf.extend_from_slice(p.country().0.as_bytes());
                buf.extend_from_slice(b"\"}");
            }
        }
        PersonField::Upper => {
            if p.named() {
                for b in p.first().bytes().chain(std::iter::once(b' ')) {
                    buf.push(b.to_ascii_uppercase());
                }
                for b in p.last().bytes() {
                    buf.push(b.to_ascii_uppercase());
                }
            } else {
                buf.extend_from_slice(b"CUSTOMER");
            }
        }
        PersonField::Risk => buf.extend_from_slice(match (p.h >> 52) % 20 {
            0 => b"\"allow\"",
            1 => b"\"deny\"",
            _ => b"\"default\"",
        }),
    }
}

/// Longest `code:N`: 36^12 < 2^63 keeps the arithmetic in `u128`.
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

/// Appends the `code:N` of `id`: an affine bijection of `id mod 36^N`
/// (salted by the seed), in base 36, most significant first.
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

/// The id whose `code:N` (N = the length of `code`) is `code`, or `None`
/// when `code` is not one (wrong length or characters, or an id beyond
/// `u64`).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World {
            seed: 7,
            customers_base: 1000,
            customers_pool: 50,
            streams: vec![("transactions", 4_000_000_000, 10)],
        }
    }

    fn render(src: &str, index: u64) -> String {
        let t = compile(src, &world()).unwrap();
        let mut buf = Vec::new();
        let ctx = Ctx {
            id: 500 + index,
            index,
            created: 1_709_288_130,
            h: mix(index),
            parent: 77,
        };
        t.render(&ctx, &world(), &mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn literals_are_minified_outside_strings() {
        assert_eq!(
            render("{ \"a b\" : [ 1 , 2 ],\n  \"c\": \"x  y\" }", 0),
            r#"{"a b":[1,2],"c":"x  y"}"#
        );
    }

    #[test]
    fn basic_generators() {
        assert_eq!(render("{%id%}|{%seq%}|{%idpad:6%}", 3), "503|4|000503");
        assert_eq!(
            render("\"{%created%}\" {%created_unix%}", 0),
            "\"2024-03-01T10:15:30.000Z\"1709288130"
        );
        assert_eq!(
            render("\"{%day:0..0+3600%}\"", 0),
            "\"2024-03-01T01:00:00.000Z\""
        );
        for i in 0..200 {
            let v: i64 = render("{%int:100..1000/50%}", i).parse().unwrap();
            assert!((100..=1000).contains(&v) && v % 50 == 0, "{v}");
            let s = render("{%pick:\"a\"|\"b\"|null%}", i);
            assert!(["\"a\"", "\"b\"", "null"].contains(&s.as_str()), "{s}");
            let s = render("{%ALNUM:20%}", i);
            assert_eq!(s.len(), 20);
            assert!(s.bytes().all(|b| UPPER.contains(&b)));
            let id: u64 = render("{%idof:transactions%}", i).parse().unwrap();
            assert!((4_000_000_000..4_000_000_010).contains(&id));
        }
    }

    #[test]
    fn shared_keys_share_draws() {
        for i in 0..100 {
            let s = render("{%int@a:1..1000000%},{%int@a:1..1000000%}", i);
            let (x, y) = s.split_once(',').unwrap();
            assert_eq!(x, y);
            let s = render(
                "{%pick@b:\"visa \"|\"mastercard\"%},{%pick@b:\"visa\"|\"mastercard\"%}",
                i,
            );
            assert!(s == "\"visa \",\"visa\"" || s == "\"mastercard\",\"mastercard\"");
        }
    }

    #[test]
    fn nullable_prefix() {
        let mut nulls = 0;
        for i in 0..1000 {
            let s = render("{%?30q~alnum:4%}", i);
            if s == "null" {
                nulls += 1;
            } else {
                assert!(
                    s.starts_with('"') && s.ends_with('"') && s.len() == 6,
                    "{s}"
                );
            }
        }
        assert!((200..400).contains(&nulls), "{nulls}");
    }

    #[test]
    fn customers_are_consistent_people() {
        let src = "[{%cust.id%},{%cust.first%},{%cust.email%},{%cust.code%},{%cust.phone%},{%cust.intl_phone%},{%cust.meta%}]";
        let mut seen = std::collections::HashMap::new();
        for i in 0..500 {
            let v: serde_json::Value = serde_json::from_str(&render(src, i)).unwrap();
            let id = v[0].as_u64().unwrap();
            assert!((1000..1050).contains(&id));
            assert!(v[2].as_str().unwrap().ends_with("@example.com"));
            assert!(v[3].as_str().unwrap().starts_with("CUS_"));
            if let (Some(p), Some(intl)) = (v[4].as_str(), v[5].as_str()) {
                assert!(intl.starts_with('+'));
                assert!(intl.ends_with(&p[1..]), "{p} {intl}");
            }
            if let Some(prev) = seen.insert(id, v.clone()) {
                assert_eq!(prev, v, "customer {id} is always the same person");
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for seed in [1, 7, 12345] {
            let mut seen = std::collections::HashSet::new();
            for id in (0..2000u64).chain([66_570_000, u64::from(u32::MAX) + 5]) {
                let mut buf = Vec::new();
                write_code(&mut buf, id, 12, seed);
                let code = String::from_utf8(buf).unwrap();
                assert_eq!(code.len(), 12);
                assert!(code.bytes().all(|b| LOWER.contains(&b)));
                assert_eq!(decode_code(&code, seed), Some(id), "{code}");
                assert!(seen.insert(code));
            }
        }
        assert_eq!(decode_code("", 1), None);
        assert_eq!(decode_code("ABC", 1), None);
        assert_eq!(decode_code("abcdefghijklm", 1), None);
        assert_eq!(render("{%code:12%}|{%parent%}", 1).len(), 15);
        assert!(render("{%parent%}", 1) == "77");
        let upper = render("\"{%cust.upper%}\"", 3);
        assert!(upper == "\"CUSTOMER\"" || upper.contains(' '), "{upper}");
    }

    #[test]
    fn bad_placeholders_are_reported() {
        let w = world();
        for bad in [
            "{%nope%}",
            "{%int:5..1%}",
            "{%at:1%}",
            "{%alnum:0%}",
            "{%pick:%}",
            "{%idof:nope%}",
            "{%cust.shoe%}",
            "{%?200~id%}",
            "{%code:13%}",
            "{%id",
        ] {
            assert!(compile(bad, &w).is_err(), "{bad}");
        }
    }
}
