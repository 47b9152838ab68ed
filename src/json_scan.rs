//! A walk through the text of one JSON value that builds nothing:
//! [`Scanner`] steps over strings, numbers, objects and arrays byte by byte,
//! and [`Kind`] says what a value's text is from its first bytes. The text
//! has already been parsed once (a page's envelope), so it is valid JSON;
//! the walk still gives up (`None`) rather than panic on anything else.

use std::borrow::Cow;
use std::fmt;

/// A walk through the text of one JSON value: past values, and through the
/// members of an object and the items of an array, building nothing.
pub struct Scanner<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner {
            text,
            s: text.as_bytes(),
            i: 0,
        }
    }

    /// The text walked.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Where the walk is: a byte offset into the text.
    pub fn pos(&self) -> usize {
        self.i
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    pub fn at(&mut self) -> Option<u8> {
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
    pub fn items(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
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
}

/// What the text of a JSON value is (for a value out of place: what it was).
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

impl Kind {
    /// What the JSON text of a value is, by its first bytes.
    pub fn of(raw: &str) -> Kind {
        match raw.as_bytes().first() {
            Some(b't' | b'f') => Kind::Boolean,
            Some(b'"') if raw.len() == 2 => Kind::EmptyString,
            Some(b'"') => Kind::String,
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            _ => Kind::of_number(raw),
        }
    }

    /// The kind of a JSON number's text.
    #[inline]
    pub fn of_number(raw: &str) -> Kind {
        if raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            Kind::Number
        } else if raw.len() <= 18 || raw.parse::<i64>().is_ok() {
            Kind::Integer
        } else {
            Kind::BigInteger
        }
    }
}
