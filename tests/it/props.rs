//! Property tests: no input, however malformed, makes a parser or the
//! window arithmetic panic, and the window rules hold for any input.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use source_paystack::client::{Fields, Meta, decode_page};
use source_paystack::protocol::SyncMode;
use source_paystack::slice::{StreamProgress, Tuning};
use source_paystack::window::{Window, window};
use source_paystack::{catalog, config, state};

fn any_json() -> impl Strategy<Value = Value> {
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

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-5_000_000_000i64..5_000_000_000i64).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn config_parsing_never_panics(text in ".{0,200}", value in any_json()) {
        let _ = config::parse(&text, now());
        let _ = config::parse(&value.to_string(), now());
    }

    #[test]
    fn config_errors_never_contain_the_key(value in any_json(), lookback in any_json()) {
        let key = "sk_test_PROPCANARY42";
        let mut cfg = json!({"secret_key": format!("{key}"), "start_date": value, "lookback_window_days": lookback});
        if let Err(e) = config::parse(&cfg.to_string(), now()) {
            prop_assert!(!e.to_string().contains("PROPCANARY"));
        }
        cfg["secret_key"] = json!(format!("{key}!"));
        let e = config::parse(&cfg.to_string(), now()).unwrap_err();
        prop_assert!(!e.to_string().contains("PROPCANARY"));
    }

    #[test]
    fn state_parsing_never_panics(text in ".{0,200}", value in any_json()) {
        let _ = state::parse(&text);
        let _ = state::parse(&value.to_string());
        let wrapped = json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "customers"}, "stream_state": value}}]);
        let _ = state::parse(&wrapped.to_string());
    }

    #[test]
    fn cursor_parsing_never_panics(text in ".{0,40}", n in any::<i64>()) {
        let _ = state::parse_cursor_str(&text);
        let _ = state::parse_cursor(&json!(n));
    }

    #[test]
    fn catalog_parsing_never_panics(text in ".{0,200}", value in any_json()) {
        let _ = catalog::parse(&text);
        let _ = catalog::parse(&value.to_string());
        let _ = catalog::parse(&json!({"streams": [value]}).to_string());
    }

    #[test]
    fn page_decoding_never_panics(value in any_json(), text in ".{0,100}") {
        let _ = decode_page(value.to_string().into_bytes(), Fields::cursor("createdAt"));
        let _ = decode_page(text.into_bytes(), Fields::cursor("createdAt"));
        let _ = decode_page(json!({"status": true, "data": [value], "meta": {}}).to_string().into_bytes(), Fields::cursor("createdAt"));
    }

    #[test]
    fn the_window_is_inside_start_date_and_the_sync_start(
        start in any_time(), cursor in proptest::option::of(any_time()),
        lookback in prop_oneof![0u64..400, any::<u64>()], now in any_time(),
        incremental in any::<bool>(),
    ) {
        let mode = if incremental { SyncMode::Incremental } else { SyncMode::FullRefresh };
        if let Some(w) = window(mode, start, None, cursor, lookback, now) {
            prop_assert!(w.from >= start);
            prop_assert!(w.from < w.to);
            prop_assert!(w.to <= now);
            if let (true, Some(c)) = (incremental, cursor) {
                prop_assert!(w.from <= c.max(start), "the lookback never skips past the cursor");
            }
        }
    }

}

proptest! {
    // Each case runs up to thousands of pages: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Arbitrary page sizes and counts from the API: the bookkeeping never
    /// panics, never hands out a page twice, and finishes.
    #[test]
    fn paging_bookkeeping_survives_any_meta(
        totals in prop::collection::vec((proptest::option::of(0u64..2_000), proptest::option::of(0u64..300), 0usize..5), 1..40),
        per_page in 1u32..300, max_pages in 1u32..60,
    ) {
        let w = Window { from: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), to: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(), ends_now: true };
        let mut p = StreamProgress::new(
            source_paystack::streams::find("customers").unwrap(),
            Some(w),
            None,
            w.from,
            Tuning { per_page, max_pages_per_slice: max_pages },
        );
        let mut answers = totals.into_iter().cycle();
        let mut handed = std::collections::HashSet::new();
        let mut steps = 0;
        while let Some(req) = p.next_request() {
            steps += 1;
            prop_assert!(handed.insert((req.target, req.ask.page_no)), "page handed out twice");
            let (total, page_count, n) = answers.next().unwrap();
            let records: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"id":{},"createdAt":"2024-02-01T00:00:0{}Z"}}"#, steps * 10 + i, i))
                .collect();
            let body = format!(r#"{{"status":true,"data":[{}]}}"#, records.join(","));
            let mut page = decode_page(body.into_bytes(), Fields::cursor("createdAt")).unwrap();
            page.meta = Meta { total, per_page: None, page: None, page_count, next: None };
            if p.on_page(&req, &page).is_err() {
                break;
            }
            if steps > 3_000 {
                break;
            }
        }
        let _ = p.final_state();
    }
}
