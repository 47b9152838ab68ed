//! The streams, as data. Every stream is read by the same generic code
//! (`crate::read`, `crate::slice`); a stream is one row of this table and one
//! JSON schema.
//!
//! - **Incremental** streams are those whose endpoint filters on creation
//!   time (`from`/`to`): their window is walked in time slices, and dense
//!   slices are split when Paystack's reference documents the filter (on
//!   endpoints where only the prose docs mention it, the window is read as
//!   one slice, which stays correct even if the filter is ignored: records
//!   are always kept or dropped on their own creation time).
//! - **Full refresh** streams have no creation-time filter (or no creation
//!   time at all): every page is read on every sync.
//! - **Child** streams list the records of each parent record (one pass per
//!   settlement, per bulk charge). They are incremental on the parent's
//!   creation time: only the parents inside the window are re-read. Each
//!   record is tagged with its parent's key and creation time.

/// How a stream's list endpoint pages. `src/paging.rs` gives each kind its
/// type, which writes the kind's query parameters and guards its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `perPage` and `page`, sized by `meta.pageCount` / `meta.total`.
    Offset,
    /// `perPage` and the `next` cursor of the previous page (`meta.next`),
    /// no page numbers.
    Cursor,
}

impl Paging {
    /// Its lists announce a count (`meta.total`) they are checked against.
    pub const fn counted(self) -> bool {
        match self {
            Paging::Offset => true,
            Paging::Cursor => false,
        }
    }
}

/// How a stream is synced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The endpoint filters on creation time. `cursor` is the creation-time
    /// field (and state key); `split` allows dense slices to be split.
    Incremental { cursor: &'static str, split: bool },
    /// No creation-time filter: full refresh only.
    FullRefresh,
}

/// A child stream's parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// The parent stream (its endpoint and creation-time field are used).
    pub stream: &'static str,
    /// The parent record's field that goes into the child path.
    pub key: &'static str,
    /// The child endpoint, with `{}` where the key goes.
    pub path: &'static str,
    /// The field added to each child record: the parent's key.
    pub key_tag: &'static str,
    /// The field added to each child record: the parent's creation time.
    pub cursor_tag: &'static str,
    /// How the child endpoint pages.
    pub paging: Paging,
}

/// One Paystack list endpoint exposed as an Airbyte stream.
#[derive(Debug, Clone, Copy)]
pub struct StreamDef {
    /// Airbyte stream name.
    pub name: &'static str,
    /// List endpoint, relative to the API base URL (for child streams, the
    /// parent's endpoint).
    pub path: &'static str,
    pub mode: Mode,
    pub paging: Paging,
    /// Another spelling of the creation-time field seen in the wild.
    pub cursor_alias: Option<&'static str>,
    pub primary_key: &'static [&'static str],
    pub parent: Option<Parent>,
    /// JSON schema of one record.
    pub schema: &'static str,
    /// The Paystack feature the endpoint needs, for a business that lacks
    /// it, and how to get it (see [`StreamDef::feature`]); `None` for the
    /// endpoints every business has.
    pub feature: Option<&'static str>,
}

const fn incremental(
    name: &'static str,
    path: &'static str,
    cursor: &'static str,
    split: bool,
    schema: &'static str,
) -> StreamDef {
    row(name, path, Mode::Incremental { cursor, split }, schema)
}

const fn full_refresh(name: &'static str, path: &'static str, schema: &'static str) -> StreamDef {
    row(name, path, Mode::FullRefresh, schema)
}

/// A top-level offset list keyed by `id`, every business has it.
const fn row(
    name: &'static str,
    path: &'static str,
    mode: Mode,
    schema: &'static str,
) -> StreamDef {
    StreamDef {
        name,
        path,
        mode,
        paging: Paging::Offset,
        cursor_alias: None,
        primary_key: &["id"],
        parent: None,
        schema,
        feature: None,
    }
}

const TERMINAL: &str = "Paystack Terminal: ask Paystack to enable Terminal for your business";
const COMMERCE: &str =
    "Paystack Commerce (storefronts and orders): ask Paystack to enable it for your business";

/// Every stream the connector offers, in the order `discover` lists them:
/// Airbyte's eight first, then the rest of Paystack's list endpoints.
pub const STREAMS: &[StreamDef] = &[
    incremental(
        "customers",
        "/customer",
        "createdAt",
        true,
        include_str!("../schemas/customers.json"),
    ),
    incremental(
        "disputes",
        "/dispute",
        "createdAt",
        true,
        include_str!("../schemas/disputes.json"),
    ),
    incremental(
        "invoices",
        "/paymentrequest",
        "created_at",
        true,
        include_str!("../schemas/invoices.json"),
    ),
    incremental(
        "refunds",
        "/refund",
        "createdAt",
        true,
        include_str!("../schemas/refunds.json"),
    ),
    incremental(
        "settlements",
        "/settlement",
        "createdAt",
        true,
        include_str!("../schemas/settlements.json"),
    ),
    incremental(
        "subscriptions",
        "/subscription",
        "createdAt",
        true,
        include_str!("../schemas/subscriptions.json"),
    ),
    incremental(
        "transactions",
        "/transaction",
        "createdAt",
        true,
        include_str!("../schemas/transactions.json"),
    ),
    incremental(
        "transfers",
        "/transfer",
        "createdAt",
        true,
        include_str!("../schemas/transfers.json"),
    ),
    incremental(
        "plans",
        "/plan",
        "createdAt",
        true,
        include_str!("../schemas/plans.json"),
    ),
    incremental(
        "products",
        "/product",
        "createdAt",
        true,
        include_str!("../schemas/products.json"),
    ),
    incremental(
        "payment_pages",
        "/page",
        "createdAt",
        true,
        include_str!("../schemas/payment_pages.json"),
    ),
    full_refresh(
        "subaccounts",
        "/subaccount",
        include_str!("../schemas/subaccounts.json"),
    ),
    incremental(
        "splits",
        "/split",
        "createdAt",
        true,
        include_str!("../schemas/splits.json"),
    ),
    // `from`/`to` appear in the prose docs only: read the window as one
    // slice, correct whether or not Paystack applies the filter.
    incremental(
        "transfer_recipients",
        "/transferrecipient",
        "createdAt",
        false,
        include_str!("../schemas/transfer_recipients.json"),
    ),
    incremental(
        "bulk_charges",
        "/bulkcharge",
        "createdAt",
        false,
        include_str!("../schemas/bulk_charges.json"),
    ),
    StreamDef {
        primary_key: &["bulk_charge_code", "id"],
        parent: Some(Parent {
            stream: "bulk_charges",
            key: "batch_code",
            path: "/bulkcharge/{}/charges",
            key_tag: "bulk_charge_code",
            cursor_tag: "bulk_charge_created_at",
            paging: Paging::Offset,
        }),
        ..incremental(
            "bulk_charge_items",
            "/bulkcharge",
            "bulk_charge_created_at",
            false,
            include_str!("../schemas/bulk_charge_items.json"),
        )
    },
    StreamDef {
        feature: Some(
            "Dedicated Virtual Accounts (registered businesses in Nigeria or Ghana that have \
             gone live): ask Paystack to enable it for your business",
        ),
        ..full_refresh(
            "dedicated_accounts",
            "/dedicated_account",
            include_str!("../schemas/dedicated_accounts.json"),
        )
    },
    incremental(
        "balance_history",
        "/balance/ledger",
        "createdAt",
        true,
        include_str!("../schemas/balance_history.json"),
    ),
    StreamDef {
        primary_key: &["settlement_id", "id"],
        parent: Some(Parent {
            stream: "settlements",
            key: "id",
            path: "/settlement/{}/transactions",
            key_tag: "settlement_id",
            cursor_tag: "settlement_created_at",
            paging: Paging::Offset,
        }),
        ..incremental(
            "settlement_transactions",
            "/settlement",
            "settlement_created_at",
            true,
            include_str!("../schemas/settlement_transactions.json"),
        )
    },
    StreamDef {
        paging: Paging::Cursor,
        feature: Some(TERMINAL),
        ..full_refresh(
            "terminals",
            "/terminal",
            include_str!("../schemas/terminals.json"),
        )
    },
    StreamDef {
        feature: Some(TERMINAL),
        ..full_refresh(
            "virtual_terminals",
            "/virtual_terminal",
            include_str!("../schemas/virtual_terminals.json"),
        )
    },
    StreamDef {
        cursor_alias: Some("createdAt"),
        feature: Some(COMMERCE),
        ..incremental(
            "orders",
            "/order",
            "created_at",
            true,
            include_str!("../schemas/orders.json"),
        )
    },
    StreamDef {
        feature: Some(COMMERCE),
        ..full_refresh(
            "storefronts",
            "/storefront",
            include_str!("../schemas/storefronts.json"),
        )
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
    /// The state key and cursor field, for incremental streams.
    pub fn cursor_field(&self) -> Option<&'static str> {
        match self.mode {
            Mode::Incremental { cursor, .. } => Some(cursor),
            Mode::FullRefresh => None,
        }
    }

    /// What enables the stream's endpoint for a business that lacks it: the
    /// row's feature (or its parent's), else a question for Paystack.
    pub fn feature(&self) -> &'static str {
        self.feature.or(self.listed_feature()).unwrap_or(
            "ask Paystack support which feature of your business this endpoint needs, and to \
             enable it",
        )
    }

    fn listed_feature(&self) -> Option<&'static str> {
        self.parent
            .and_then(|p| find(p.stream))
            .and_then(|p| p.feature)
    }

    /// The stream whose endpoint this stream lists: itself, or its parent.
    pub fn listed(&self) -> &StreamDef {
        match self.parent {
            Some(p) => find(p.stream).expect("parents are in the table"),
            None => self,
        }
    }

    /// Its lists carry a count they are checked against
    /// (`crate::completeness`): its own list, or its child lists.
    pub fn counted(&self) -> bool {
        self.paging.counted() || self.parent.is_some_and(|p| p.paging.counted())
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
            if let Some(cursor) = s.cursor_field() {
                assert!(
                    props.get(cursor).is_some(),
                    "{} lacks its cursor {cursor}",
                    s.name
                );
            }
            for key in s.primary_key {
                assert!(props.get(*key).is_some(), "{} lacks key {key}", s.name);
            }
            assert_eq!(schema["additionalProperties"], true, "{}", s.name);
            if let Some(p) = s.parent {
                let parent = find(p.stream).expect("the parent exists");
                assert_eq!(
                    parent.path, s.path,
                    "{}: the parent endpoint is listed",
                    s.name
                );
                assert!(parent.parent.is_none());
                assert!(p.path.contains("{}"));
                assert_eq!(s.cursor_field(), Some(p.cursor_tag), "{}", s.name);
                assert!(
                    props.get(p.key_tag).is_some(),
                    "{} lacks {}",
                    s.name,
                    p.key_tag
                );
                let parent_schema: serde_json::Value = serde_json::from_str(parent.schema).unwrap();
                assert!(
                    parent_schema["properties"].get(p.key).is_some(),
                    "{}",
                    p.key
                );
            }
        }
        assert_eq!(find("invoices").unwrap().cursor_field(), Some("created_at"));
        assert_eq!(find("invoices").unwrap().path, "/paymentrequest");
        assert_eq!(
            find("settlement_transactions")
                .unwrap()
                .listed()
                .cursor_field(),
            Some("createdAt")
        );
        assert_eq!(find("subaccounts").unwrap().cursor_field(), None);
        assert!(find("nope").is_none());
    }

    /// Every row has its schema and fixture, and every schema and fixture
    /// file has its row: a stream is one row, one schema, one fixture.
    #[test]
    fn the_table_the_schemas_and_the_fixtures_agree() {
        let rows: std::collections::BTreeSet<String> =
            STREAMS.iter().map(|s| s.name.to_owned()).collect();
        for dir in ["schemas", "tests/fixtures/records"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let files: std::collections::BTreeSet<String> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter_map(|f| f.strip_suffix(".json").map(str::to_owned))
                .collect();
            assert_eq!(files, rows, "{dir}");
        }
        for s in STREAMS {
            let schema = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("schemas")
                    .join(format!("{}.json", s.name)),
            )
            .unwrap();
            assert_eq!(
                s.schema, schema,
                "{}: the row compiles in its own schema",
                s.name
            );
        }
    }
}
