//! The streams, as data. Every stream is read by the same generic code
//! (`crate::read`); a stream is one row of this table and one JSON schema.

use crate::protocol::{AirbyteStream, SyncMode};

/// One Paystack list endpoint exposed as an Airbyte stream.
#[derive(Debug)]
pub struct StreamDef {
    /// Airbyte stream name.
    pub name: &'static str,
    /// List endpoint, relative to the API base URL.
    pub path: &'static str,
    /// Creation-time field of the records: the incremental cursor and what
    /// Paystack's `from`/`to` filter on.
    pub cursor_field: &'static str,
    /// JSON schema of one record.
    pub schema: &'static str,
}

/// Every stream the connector offers, in the order `discover` lists them.
pub const STREAMS: &[StreamDef] = &[
    StreamDef {
        name: "customers",
        path: "/customer",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/customers.json"),
    },
    StreamDef {
        name: "disputes",
        path: "/dispute",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/disputes.json"),
    },
    StreamDef {
        name: "invoices",
        path: "/paymentrequest",
        cursor_field: "created_at",
        schema: include_str!("../schemas/invoices.json"),
    },
    StreamDef {
        name: "refunds",
        path: "/refund",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/refunds.json"),
    },
    StreamDef {
        name: "settlements",
        path: "/settlement",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/settlements.json"),
    },
    StreamDef {
        name: "subscriptions",
        path: "/subscription",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/subscriptions.json"),
    },
    StreamDef {
        name: "transactions",
        path: "/transaction",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/transactions.json"),
    },
    StreamDef {
        name: "transfers",
        path: "/transfer",
        cursor_field: "createdAt",
        schema: include_str!("../schemas/transfers.json"),
    },
];

/// Looks a stream up by name.
pub fn find(name: &str) -> Option<&'static StreamDef> {
    STREAMS.iter().find(|s| s.name == name)
}

/// Comma-separated stream names, for error messages.
pub fn names() -> String {
    STREAMS
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl StreamDef {
    /// The stream as `discover` describes it.
    pub fn airbyte_stream(&'static self) -> AirbyteStream {
        AirbyteStream {
            name: self.name,
            json_schema: serde_json::from_str(self.schema)
                .expect("stream schemas are valid JSON (checked by tests)"),
            supported_sync_modes: vec![SyncMode::FullRefresh, SyncMode::Incremental],
            source_defined_cursor: true,
            default_cursor_field: vec![self.cursor_field],
            source_defined_primary_key: vec![vec!["id"]],
            is_resumable: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_consistent() {
        let mut names = std::collections::HashSet::new();
        for s in STREAMS {
            assert!(names.insert(s.name), "duplicate stream {}", s.name);
            assert!(s.path.starts_with('/'), "{}", s.name);
            let schema: serde_json::Value = serde_json::from_str(s.schema).unwrap();
            let props = &schema["properties"];
            assert!(
                props.get(s.cursor_field).is_some(),
                "{} lacks its cursor",
                s.name
            );
            assert!(props.get("id").is_some(), "{} lacks id", s.name);
            assert_eq!(schema["additionalProperties"], true, "{}", s.name);
        }
        assert_eq!(find("invoices").unwrap().cursor_field, "created_at");
        assert_eq!(find("invoices").unwrap().path, "/paymentrequest");
        assert!(find("nope").is_none());
    }
}
