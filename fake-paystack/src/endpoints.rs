//! The list endpoints, as a table: one [`Endpoint`] row per Paystack list
//! endpoint. Adding an endpoint is adding a row; its records are rendered
//! from the connector's fixture of the stream
//! (`tests/fixtures/records/<stream>.json`, see [`crate::records`]), and the
//! server, the data model and the tests are generic over the table.
//!
//! Columns that differ between endpoints: the creation-time field rendered
//! (`cursor_field`, absent from `subaccounts` and `terminals` rows), whether
//! `from`/`to` are honoured (`honours_from_to`: only where Paystack documents
//! them), the paging kind (`paging`: offset, cursor on `/terminal`, optional
//! cursor on some endpoints) and, for a child endpoint, the parent
//! (`parent`), and the field a change gives a new value (`change`).

use crate::changes::{self, Change};
use crate::drift::{Drift, Kind};

/// Extra `meta` fields some endpoints add to the offset meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaExtra {
    None,
    /// `/transaction`, `/settlement/{id}/transactions`: `total_volume`. An
    /// estimate (`total` × the mean amount), since the exact sum would need
    /// a scan of the records.
    TotalVolume,
    /// `/refund`: `failedRefundCount` (always 0: the fake does not track it).
    FailedRefundCount,
}

/// How an endpoint pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `page` and `perPage`; `meta` has `total`, `skipped`, `perPage`,
    /// `page` and `pageCount`.
    Offset,
    /// Offset paging, or cursor paging (as [`Paging::Cursor`]) when the
    /// request has `use_cursor=true` (Paystack's pagination page lists these
    /// endpoints).
    OffsetOrCursor,
    /// Cursors only: `next` / `previous` (opaque) and `perPage`; `page` is
    /// ignored; `meta` is `{"next", "previous", "perPage"}` (`/terminal`).
    Cursor,
}

/// How a child endpoint's path names its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentKey {
    /// The parent's id, in decimal (`/settlement/3050001/transactions`).
    Id,
    /// The parent's field `field`, which is `prefix` followed by the
    /// `{%code:len%}` of the parent's id (`/bulkcharge/BCH_…/charges`).
    Code {
        field: &'static str,
        prefix: &'static str,
        len: usize,
    },
}

/// When a parent's children were created, relative to the parent's
/// creation second `P`. Child `j` of `k` (0 = oldest) gets:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildTimes {
    /// `P - w + floor((j + 1) * w / (k + 1))`: spread over the `w` seconds
    /// before the parent, strictly before it (a settlement's transactions).
    Before(i64),
    /// `P + j * step`: the first at the parent's second, then `step` apart
    /// (the charges of a bulk charge, queued as the batch is created).
    After(i64),
}

/// The parent of a child endpoint (`/settlement/{id}/transactions`).
///
/// Children are derived from their parent: parent index `p` has
/// `k(p)` children, `k(p)` drawn from `0..=2 × children_per_parent` by a hash
/// of (seed, child stream, p), and child `j` has id
/// `id_base + p × (2 × children_per_parent + 1) + j`, so ids are unique
/// across parents and grow with the parent's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// The parent stream, e.g. `settlements`.
    pub stream: &'static str,
    /// How the path names the parent.
    pub key: ParentKey,
    /// The message of the 404 for a parent that does not exist.
    pub not_found: &'static str,
    /// The field the connector adds to each child record (the API does not
    /// send it, so the fake does not either), e.g. `settlement_id`.
    pub connector_tag: &'static str,
    /// The child record's field that holds its parent's id, if any
    /// (`bulkcharge`).
    pub id_field: Option<&'static str>,
    /// Creation times of the children.
    pub times: ChildTimes,
}

/// One list endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// Path, e.g. `/customer`; a child endpoint has one `{…}` segment for
    /// its parent's key, e.g. `/settlement/{id}/transactions`.
    pub path: &'static str,
    /// Airbyte stream name, e.g. `customers`.
    pub stream: &'static str,
    /// The envelope's `message`.
    pub message: &'static str,
    /// The creation-time field as rendered, or `None` when the list rows
    /// have no creation time (`subaccounts`, `terminals`: the store still
    /// keeps one, for the order).
    pub cursor_field: Option<&'static str>,
    /// Whether `from`/`to` filter on the creation time. Where Paystack does
    /// not document them the fake ignores them (serves everything, and does
    /// not even parse them), as an API ignores unknown parameters.
    pub honours_from_to: bool,
    /// How the endpoint pages.
    pub paging: Paging,
    /// Id of record 0; record `i` has id `id_base + i` (child endpoints:
    /// see [`Parent`]).
    pub id_base: u64,
    /// The stream's fixture: a JSON list of realistic records, each a
    /// variant the records are rendered from ([`crate::records`]).
    pub fixture: &'static str,
    pub meta_extra: MetaExtra,
    /// `Some` for a child endpoint.
    pub parent: Option<Parent>,
    /// The fields served in another type than their schema's on a share of
    /// records ([`crate::drift`]).
    pub drift: &'static [Drift],
    /// The top-level field a change ([`crate::changes`]) gives a new value,
    /// following Paystack's lifecycle for it; `None`: a change moves
    /// `updatedAt` alone.
    pub change: Option<Change>,
    /// A top-level field holding the id of a record of another stream
    /// ([`Refers`]), or none.
    pub refers: Option<Refers>,
    /// Top-level integer fields holding a time in Unix seconds (a
    /// subscription's `start`): moved with the creation time, as the
    /// date-times are.
    pub unix_times: &'static [&'static str],
}

/// A top-level field that holds the id of a record of another stream, the
/// stream named by another field's value: the ledger's `model_row`, by its
/// `model_responsible`. Record `i` refers to record `i` of that stream (the
/// same creation second when both streams hold as many records). A fixture
/// record whose kind is not listed keeps its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refers {
    /// The field holding the id, e.g. `model_row`.
    pub field: &'static str,
    /// The field naming the kind of record, e.g. `model_responsible`.
    pub kind_field: &'static str,
    /// Each kind and the stream of its records: `("Refund", "refunds")`.
    pub streams: &'static [(&'static str, &'static str)],
}

impl Endpoint {
    /// A top-level endpoint with offset paging that honours `from`/`to`.
    const fn top(
        path: &'static str,
        stream: &'static str,
        message: &'static str,
        cursor_field: &'static str,
        id_base: u64,
        fixture: &'static str,
    ) -> Self {
        Endpoint {
            path,
            stream,
            message,
            cursor_field: Some(cursor_field),
            honours_from_to: true,
            paging: Paging::Offset,
            id_base,
            fixture,
            meta_extra: MetaExtra::None,
            parent: None,
            drift: &[],
            change: None,
            refers: None,
            unix_times: &[],
        }
    }

    /// Whether this is a child endpoint.
    pub fn is_child(&self) -> bool {
        self.parent.is_some()
    }
}

/// The connector's fixture of `stream`.
macro_rules! fixture {
    ($stream:literal) => {
        include_str!(concat!("../../tests/fixtures/records/", $stream, ".json"))
    };
}

/// Every endpoint the fake serves, in the connector's stream order (a
/// parent before its children).
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint::top(
        "/customer",
        "customers",
        "Customers retrieved",
        "createdAt",
        181_000_000,
        fixture!("customers"),
    )
    .cycling("risk_action", &[r#""default""#, r#""allow""#, r#""deny""#])
    .with_paging(Paging::OffsetOrCursor)
    .with_drift(&[Drift::new("metadata", Kind::JsonText)]),
    Endpoint::top(
        "/dispute",
        "disputes",
        "Disputes retrieved",
        "createdAt",
        2_000,
        fixture!("disputes"),
    )
    .cycling(
        "status",
        &[
            r#""awaiting-merchant-feedback""#,
            r#""awaiting-bank-feedback""#,
            r#""pending""#,
            r#""resolved""#,
        ],
    )
    .with_drift(&[Drift::new("transaction.metadata", Kind::Empty)]),
    Endpoint::top(
        "/paymentrequest",
        "invoices",
        "Payment requests retrieved",
        "created_at",
        14_000_000,
        fixture!("invoices"),
    )
    .cycling("status", &[r#""draft""#, r#""pending""#, r#""success""#]),
    Endpoint::top(
        "/refund",
        "refunds",
        "Refunds retrieved",
        "createdAt",
        3_000_000,
        fixture!("refunds"),
    )
    .cycling(
        "status",
        &[r#""pending""#, r#""processing""#, r#""processed""#],
    )
    .with_meta(MetaExtra::FailedRefundCount)
    .with_drift(&[
        Drift::new("fully_deducted", Kind::TrueFalse),
        Drift::new("customer.metadata", Kind::JsonText),
    ]),
    Endpoint::top(
        "/settlement",
        "settlements",
        "Settlements retrieved",
        "createdAt",
        3_050_000,
        fixture!("settlements"),
    )
    .cycling(
        "status",
        &[r#""pending""#, r#""processing""#, r#""success""#],
    ),
    Endpoint::top(
        "/subscription",
        "subscriptions",
        "Subscriptions retrieved",
        "createdAt",
        320_000,
        fixture!("subscriptions"),
    )
    .with_unix_times(&["start"])
    .cycling(
        "status",
        &[r#""active""#, r#""non-renewing""#, r#""cancelled""#],
    )
    .with_drift(&[
        Drift::new("authorization.reusable", Kind::ZeroOne),
        Drift::new("most_recent_invoice.paid", Kind::ZeroOne),
        Drift::new("customer.metadata", Kind::JsonText),
        Drift::new("invoice_limit", Kind::Digits),
    ]),
    // Ids above 2^32, so they overflow both i32 and u32 (real ones are
    // already above 2^31).
    Endpoint::top(
        "/transaction",
        "transactions",
        "Transactions retrieved",
        "createdAt",
        4_300_000_000,
        fixture!("transactions"),
    )
    .cycling("status", &[r#""pending""#, r#""success""#, r#""reversed""#])
    .with_meta(MetaExtra::TotalVolume)
    .with_paging(Paging::OffsetOrCursor)
    .with_drift(&[
        Drift::new("metadata", Kind::Empty),
        Drift::new("log.time_spent", Kind::Digits),
    ]),
    Endpoint::top(
        "/transfer",
        "transfers",
        "Transfers retrieved",
        "createdAt",
        260_000_000,
        fixture!("transfers"),
    )
    .cycling("status", &[r#""pending""#, r#""success""#, r#""reversed""#])
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/plan",
        "plans",
        "Plans retrieved",
        "createdAt",
        182_000,
        fixture!("plans"),
    )
    .adding("amount", 10_000)
    .with_drift(&[Drift::new(
        "subscriptions[].authorization.reusable",
        Kind::ZeroOne,
    )]),
    Endpoint::top(
        "/product",
        "products",
        "Products retrieved",
        "createdAt",
        2_179_000,
        fixture!("products"),
    )
    .adding("quantity", -1)
    .with_drift(&[Drift::new("low_stock_alert", Kind::ZeroOne)]),
    Endpoint::top(
        "/page",
        "payment_pages",
        "Pages retrieved",
        "createdAt",
        1_890_000,
        fixture!("payment_pages"),
    )
    .cycling("active", &["true", "false"]),
    Endpoint {
        cursor_field: None,
        honours_from_to: false,
        ..Endpoint::top(
            "/subaccount",
            "subaccounts",
            "Subaccounts retrieved",
            "",
            1_150_000,
            fixture!("subaccounts"),
        )
        .cycling("settlement_bank", &[r#""Test Bank""#, r#""Zenith Bank""#])
        .with_drift(&[Drift::new("active", Kind::ZeroOne)])
    },
    Endpoint::top(
        "/split",
        "splits",
        "Split retrieved",
        "createdAt",
        2_700_000,
        fixture!("splits"),
    )
    .cycling("active", &["true", "false"]),
    Endpoint::top(
        "/transferrecipient",
        "transfer_recipients",
        "Recipients retrieved",
        "createdAt",
        20_280_000,
        fixture!("transfer_recipients"),
    )
    .cycling("active", &["true", "false"])
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/bulkcharge",
        "bulk_charges",
        "Bulk charges retrieved",
        "createdAt",
        66_570_000,
        fixture!("bulk_charges"),
    )
    .cycling("status", &[r#""active""#, r#""paused""#, r#""complete""#]),
    Endpoint {
        parent: Some(Parent {
            stream: "bulk_charges",
            key: ParentKey::Code {
                field: "batch_code",
                prefix: "BCH_",
                len: 12,
            },
            not_found: "Bulk charge not found",
            connector_tag: "bulk_charge_code",
            id_field: Some("bulkcharge"),
            times: ChildTimes::After(1),
        }),
        ..Endpoint::top(
            "/bulkcharge/{code}/charges",
            "bulk_charge_items",
            "Bulk charge items retrieved",
            "createdAt",
            15_180_000,
            fixture!("bulk_charge_items"),
        )
        .cycling("status", &[r#""pending""#, r#""success""#])
        .with_drift(&[Drift::new("transaction.metadata", Kind::Empty)])
    },
    Endpoint {
        honours_from_to: false,
        ..Endpoint::top(
            "/dedicated_account",
            "dedicated_accounts",
            "Managed accounts successfully retrieved",
            "created_at",
            172_900,
            fixture!("dedicated_accounts"),
        )
        .cycling("active", &["true", "false"])
        .with_drift(&[Drift::new("split_config", Kind::JsonText)])
    },
    Endpoint::top(
        "/balance/ledger",
        "balance_history",
        "Balance ledger retrieved",
        "createdAt",
        149_000_000,
        fixture!("balance_history"),
    )
    .referring(Refers {
        field: "model_row",
        kind_field: "model_responsible",
        streams: &[
            ("Transaction", "transactions"),
            ("Refund", "refunds"),
            ("Transfer", "transfers"),
        ],
    }),
    Endpoint {
        parent: Some(Parent {
            stream: "settlements",
            key: ParentKey::Id,
            not_found: "Settlement not found",
            connector_tag: "settlement_id",
            id_field: None,
            times: ChildTimes::Before(86_400),
        }),
        ..Endpoint::top(
            "/settlement/{id}/transactions",
            "settlement_transactions",
            "Transactions retrieved",
            "createdAt",
            4_400_000_000,
            fixture!("settlement_transactions"),
        )
        .cycling("status", &[r#""pending""#, r#""success""#, r#""reversed""#])
        .with_meta(MetaExtra::TotalVolume)
        .with_drift(&[Drift::new("metadata", Kind::Empty)])
    },
    Endpoint {
        cursor_field: None,
        honours_from_to: false,
        ..Endpoint::top(
            "/terminal",
            "terminals",
            "Terminals retrieved successfully",
            "",
            1_000,
            fixture!("terminals"),
        )
        .cycling("status", &[r#""active""#, r#""inactive""#])
        .with_paging(Paging::Cursor)
    },
    Endpoint {
        honours_from_to: false,
        ..Endpoint::top(
            "/virtual_terminal",
            "virtual_terminals",
            "Virtual Terminals retrieved",
            "created_at",
            26_500,
            fixture!("virtual_terminals"),
        )
        .cycling("active", &["true", "false"])
    },
    Endpoint::top(
        "/order",
        "orders",
        "Orders retrieved",
        "created_at",
        1_558_000,
        fixture!("orders"),
    )
    .cycling("status", &[r#""pending""#, r#""success""#])
    .with_drift(&[Drift::new("metadata", Kind::JsonText)]),
    Endpoint {
        honours_from_to: false,
        ..Endpoint::top(
            "/storefront",
            "storefronts",
            "Storefronts retrieved",
            "createdAt",
            1_551_000,
            fixture!("storefronts"),
        )
        .cycling("status", &[r#""active""#, r#""inactive""#])
    },
];

impl Endpoint {
    const fn with_meta(self, meta_extra: MetaExtra) -> Self {
        Endpoint { meta_extra, ..self }
    }

    const fn with_paging(self, paging: Paging) -> Self {
        Endpoint { paging, ..self }
    }

    const fn with_drift(self, drift: &'static [Drift]) -> Self {
        Endpoint { drift, ..self }
    }

    /// A change steps `field` through `values` (JSON texts), in lifecycle
    /// order.
    const fn cycling(self, field: &'static str, values: &'static [&'static str]) -> Self {
        Endpoint {
            change: Some(Change::new(field, changes::Kind::Cycle(values))),
            ..self
        }
    }

    const fn with_unix_times(self, unix_times: &'static [&'static str]) -> Self {
        Endpoint { unix_times, ..self }
    }

    const fn referring(self, refers: Refers) -> Self {
        Endpoint {
            refers: Some(refers),
            ..self
        }
    }

    /// A change moves the integer `field` by `delta`.
    const fn adding(self, field: &'static str, delta: i64) -> Self {
        Endpoint {
            change: Some(Change::new(field, changes::Kind::Add(delta))),
            ..self
        }
    }
}

/// The mean transaction amount used for the `total_volume` estimate.
pub const MEAN_TRANSACTION_AMOUNT: u64 = 250_000;

/// Looks an endpoint up by stream name.
pub fn by_stream(stream: &str) -> Option<(usize, &'static Endpoint)> {
    ENDPOINTS
        .iter()
        .enumerate()
        .find(|(_, e)| e.stream == stream)
}

/// The top-level (non-child) endpoints: those with a record count of their
/// own.
pub fn top_level() -> impl Iterator<Item = &'static Endpoint> {
    ENDPOINTS.iter().filter(|e| !e.is_child())
}

/// The child endpoint whose parent is `parent_stream`, if any.
pub fn child_of(parent_stream: &str) -> Option<(usize, &'static Endpoint)> {
    ENDPOINTS
        .iter()
        .enumerate()
        .find(|(_, e)| e.parent.is_some_and(|p| p.stream == parent_stream))
}

/// Looks an endpoint up by path (a trailing slash is ignored). For a child
/// endpoint the third value is the parent's key from the path.
pub fn route(path: &str) -> Option<(usize, &'static Endpoint, Option<&str>)> {
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    ENDPOINTS.iter().enumerate().find_map(|(i, e)| {
        if !e.is_child() {
            return (e.path == path).then_some((i, e, None));
        }
        let mut key = None;
        let mut want = e.path.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return Some((i, e, key)),
                (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => key = Some(g),
                (Some(w), Some(g)) if w == g => {}
                _ => return None,
            }
        }
    })
}

/// Looks an endpoint up by path (a trailing slash is ignored); child
/// endpoints match with any parent key.
pub fn by_path(path: &str) -> Option<(usize, &'static Endpoint)> {
    route(path).map(|(i, e, _)| (i, e))
}
