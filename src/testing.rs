//! What the unit tests share: test times, property-test inputs, and the
//! warnings logged.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::time::parse_cursor_str;

/// A time written in a test.
pub fn t(s: &str) -> DateTime<Utc> {
    parse_cursor_str(s).expect("a test time")
}

/// Any JSON value, biased towards the names and values the connector reads.
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,30}".prop_map(Value::String),
        Just(json!("2024-05-01T10:00:00.000Z")),
        Just(json!("sk_test_abc")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("secret_key".to_owned()),
                    Just("start_date".to_owned()),
                    Just("lookback_window_days".to_owned()),
                    Just("requests_per_minute".to_owned()),
                    Just("streams".to_owned()),
                    Just("stream".to_owned()),
                    Just("name".to_owned()),
                    Just("sync_mode".to_owned()),
                    Just("type".to_owned()),
                    Just("stream_state".to_owned()),
                    Just("stream_descriptor".to_owned()),
                    Just("global".to_owned()),
                    Just("stream_states".to_owned()),
                    Just("data".to_owned()),
                    Just("customers".to_owned()),
                    Just("createdAt".to_owned()),
                    Just("slices".to_owned()),
                    ".{0,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Any whole second within about 150 years of 1970.
pub fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-5_000_000_000i64..5_000_000_000i64).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// A property test named `$name`: `$parse` (a closure taking `&str`) never
/// panics on any text, any JSON, or any JSON put in place of `VALUE` in
/// each of the `$wrapper` texts.
macro_rules! never_panics {
    ($name:ident, $parse:expr $(, $wrapper:literal)*) => {
        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig {
                cases: 400,
                ..proptest::prelude::ProptestConfig::default()
            })]

            #[test]
            fn $name(text in ".{0,200}", value in $crate::testing::any_json()) {
                let parse = $parse;
                parse(&text);
                let json = value.to_string();
                parse(&json);
                $(parse(&$wrapper.replace("VALUE", &json));)*
            }
        }
    };
}
pub(crate) use never_panics;

/// The lines logged at WARN (and above) while `f` runs, trimmed.
pub fn warnings(f: impl FnOnce()) -> Vec<String> {
    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Lines {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    text.lines().map(|l| l.trim().to_owned()).collect()
}
