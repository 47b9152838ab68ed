//! A stream's schema compiled into a [`Plan`]: a tree of only the
//! properties that have a type to check, compiled once per stream and
//! shared. [`Scanner::check`] walks the text of a value against a plan in
//! one pass and notes where each value out of place is ([`Misfit`]),
//! without building anything: a leaf is judged by its first bytes.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use serde_json::Value;

use crate::json_scan::{Kind, Scanner};
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

    /// Where the node is in a record, for logs.
    pub fn path(&self) -> &Arc<str> {
        &self.path
    }

    /// The one type the node allows besides `null`; `None`: any.
    pub fn ty(&self) -> Option<Type> {
        self.ty
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
                Type::Integer => match Kind::of_number(raw) {
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

/// A value that does not match its node: where it is in the text walked.
#[derive(Debug, Clone, Copy)]
pub struct Misfit<'p> {
    pub start: usize,
    pub end: usize,
    pub plan: &'p Plan,
}

/// The schema check, on the scanner that walks the text.
impl Scanner<'_> {
    /// Past one value, checked against `plan` all the way down: each value
    /// out of place is added to `misfits`. Its range.
    pub fn check<'p>(
        &mut self,
        plan: &'p Plan,
        misfits: &mut Vec<Misfit<'p>>,
    ) -> Option<(usize, usize)> {
        let first = self.at()?;
        let start = self.pos();
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
                if !plan.leaf_accepts(self.text().get(start..end)?) {
                    misfits.push(Misfit { start, end, plan });
                }
            }
        }
        Some((start, self.pos()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
