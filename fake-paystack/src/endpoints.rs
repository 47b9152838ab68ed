//! The list endpoints, as a table: one [`Endpoint`] row per Paystack list
//! endpoint. Adding an endpoint is adding a row (and its record templates);
//! the server, the data model and the tests are generic over the table.
//!
//! Record templates follow the connector's fixtures
//! (`tests/fixtures/records/<stream>.json`): the same top-level fields, in the
//! same order, with Paystack's quirks (`metadata: ""`, `authorization.reusable:
//! 1` in subscriptions, `fully_deducted: 0`, `attachments: "[]"`, customer
//! `metadata: "{}"`, `card_type: "visa "`; and for the newer streams
//! `low_stock_alert: 0/false`, subaccount `active: 1`, `split_config` as an
//! object or a JSON string, order `customer` as an id or an object, …). See
//! [`crate::template`] for the placeholder language.
//!
//! Columns that differ between endpoints: the creation-time field rendered
//! (`cursor_field`, absent from `subaccounts` and `terminals` rows), whether
//! `from`/`to` are honoured (`honours_from_to`: only where Paystack documents
//! them), the paging kind (`paging`: offset, cursor on `/terminal`, optional
//! cursor on four endpoints) and, for the two child endpoints, the parent
//! (`parent`).

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
    /// Record templates with their weights: each record picks one variant
    /// by weight (e.g. successful, failed and abandoned transactions).
    pub variants: &'static [(u32, &'static str)],
    pub meta_extra: MetaExtra,
    /// `Some` for a child endpoint.
    pub parent: Option<Parent>,
}

impl Endpoint {
    /// A top-level endpoint with offset paging that honours `from`/`to`.
    const fn top(
        path: &'static str,
        stream: &'static str,
        message: &'static str,
        cursor_field: &'static str,
        id_base: u64,
        variants: &'static [(u32, &'static str)],
    ) -> Self {
        Endpoint {
            path,
            stream,
            message,
            cursor_field: Some(cursor_field),
            honours_from_to: true,
            paging: Paging::Offset,
            id_base,
            variants,
            meta_extra: MetaExtra::None,
            parent: None,
        }
    }

    /// Whether this is a child endpoint.
    pub fn is_child(&self) -> bool {
        self.parent.is_some()
    }
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
        &[(1, CUSTOMER)],
    )
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/dispute",
        "disputes",
        "Disputes retrieved",
        "createdAt",
        2_000,
        &[
            (40, DISPUTE_AWAITING),
            (40, DISPUTE_RESOLVED),
            (20, DISPUTE_ARCHIVED),
        ],
    ),
    Endpoint::top(
        "/paymentrequest",
        "invoices",
        "Payment requests retrieved",
        "created_at",
        14_000_000,
        &[
            (45, INVOICE_SUCCESS),
            (40, INVOICE_PENDING),
            (15, INVOICE_DRAFT),
        ],
    ),
    Endpoint::top(
        "/refund",
        "refunds",
        "Refunds retrieved",
        "createdAt",
        3_000_000,
        &[
            (35, REFUND_PENDING),
            (55, REFUND_PROCESSED),
            (10, REFUND_ATTENTION),
        ],
    )
    .with_meta(MetaExtra::FailedRefundCount),
    Endpoint::top(
        "/settlement",
        "settlements",
        "Settlements retrieved",
        "createdAt",
        3_050_000,
        &[(75, SETTLEMENT_DONE), (25, SETTLEMENT_OPEN)],
    ),
    Endpoint::top(
        "/subscription",
        "subscriptions",
        "Subscriptions retrieved",
        "createdAt",
        320_000,
        &[(55, SUBSCRIPTION_ACTIVE), (45, SUBSCRIPTION_ENDED)],
    ),
    // Ids above 2^32, so they overflow both i32 and u32 (real ones are
    // already above 2^31).
    Endpoint::top(
        "/transaction",
        "transactions",
        "Transactions retrieved",
        "createdAt",
        4_300_000_000,
        &[
            (65, TRANSACTION_SUCCESS),
            (22, TRANSACTION_FAILED),
            (13, TRANSACTION_ABANDONED),
        ],
    )
    .with_meta(MetaExtra::TotalVolume)
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/transfer",
        "transfers",
        "Transfers retrieved",
        "createdAt",
        260_000_000,
        &[
            (60, TRANSFER_SUCCESS),
            (20, TRANSFER_FAILED),
            (20, TRANSFER_PENDING),
        ],
    )
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/plan",
        "plans",
        "Plans retrieved",
        "createdAt",
        182_000,
        &[(45, PLAN_EMPTY), (55, PLAN_SUBSCRIBED)],
    ),
    Endpoint::top(
        "/product",
        "products",
        "Products retrieved",
        "createdAt",
        2_179_000,
        &[(70, PRODUCT_LIMITED), (30, PRODUCT_UNLIMITED)],
    ),
    Endpoint::top(
        "/page",
        "payment_pages",
        "Pages retrieved",
        "createdAt",
        1_890_000,
        &[(70, PAGE_PAYMENT), (30, PAGE_SUBSCRIPTION)],
    ),
    Endpoint {
        cursor_field: None,
        honours_from_to: false,
        ..Endpoint::top(
            "/subaccount",
            "subaccounts",
            "Subaccounts retrieved",
            "",
            1_150_000,
            &[(1, SUBACCOUNT)],
        )
    },
    Endpoint::top(
        "/split",
        "splits",
        "Split retrieved",
        "createdAt",
        2_700_000,
        &[(45, SPLIT_PERCENTAGE), (40, SPLIT_FLAT), (15, SPLIT_EMPTY)],
    ),
    Endpoint::top(
        "/transferrecipient",
        "transfer_recipients",
        "Recipients retrieved",
        "createdAt",
        20_280_000,
        &[
            (60, RECIPIENT_NUBAN),
            (25, RECIPIENT_MOBILE_MONEY),
            (15, RECIPIENT_AUTHORIZATION),
        ],
    )
    .with_paging(Paging::OffsetOrCursor),
    Endpoint::top(
        "/bulkcharge",
        "bulk_charges",
        "Bulk charges retrieved",
        "createdAt",
        66_570_000,
        &[(1, BULK_CHARGE)],
    ),
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
            times: ChildTimes::After(1),
        }),
        ..Endpoint::top(
            "/bulkcharge/{code}/charges",
            "bulk_charge_items",
            "Bulk charge items retrieved",
            "createdAt",
            15_180_000,
            &[
                (35, BULK_ITEM_PENDING),
                (45, BULK_ITEM_SUCCESS),
                (20, BULK_ITEM_FAILED),
            ],
        )
    },
    Endpoint {
        honours_from_to: false,
        ..Endpoint::top(
            "/dedicated_account",
            "dedicated_accounts",
            "Managed accounts successfully retrieved",
            "created_at",
            172_900,
            &[(1, DEDICATED_ACCOUNT)],
        )
    },
    Endpoint::top(
        "/balance/ledger",
        "balance_history",
        "Balance ledger retrieved",
        "createdAt",
        149_000_000,
        &[
            (55, LEDGER_TRANSACTION),
            (35, LEDGER_TRANSFER),
            (10, LEDGER_REFUND),
        ],
    ),
    Endpoint {
        parent: Some(Parent {
            stream: "settlements",
            key: ParentKey::Id,
            not_found: "Settlement not found",
            connector_tag: "settlement_id",
            times: ChildTimes::Before(86_400),
        }),
        ..Endpoint::top(
            "/settlement/{id}/transactions",
            "settlement_transactions",
            "Transactions retrieved",
            "createdAt",
            4_400_000_000,
            &[(1, SETTLEMENT_TRANSACTION)],
        )
        .with_meta(MetaExtra::TotalVolume)
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
            &[(1, TERMINAL)],
        )
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
            &[(60, VIRTUAL_TERMINAL_PLAIN), (40, VIRTUAL_TERMINAL_NUBAN)],
        )
    },
    Endpoint::top(
        "/order",
        "orders",
        "Orders retrieved",
        "created_at",
        1_558_000,
        &[
            (40, ORDER_PAID_CUSTOMER_ID),
            (20, ORDER_PENDING_CUSTOMER_ID),
            (25, ORDER_PAID_CUSTOMER_OBJECT),
            (15, ORDER_PENDING_CUSTOMER_OBJECT),
        ],
    ),
    Endpoint {
        honours_from_to: false,
        ..Endpoint::top(
            "/storefront",
            "storefronts",
            "Storefronts retrieved",
            "createdAt",
            1_551_000,
            &[(65, STOREFRONT_ACTIVE), (35, STOREFRONT_EMPTY)],
        )
    },
];

impl Endpoint {
    const fn with_meta(self, meta_extra: MetaExtra) -> Self {
        Endpoint { meta_extra, ..self }
    }

    const fn with_paging(self, paging: Paging) -> Self {
        Endpoint { paging, ..self }
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

// ---------------------------------------------------------------------------
// Customers

const CUSTOMER: &str = r#"{
  "integration": 100001,
  "first_name": {%me.first%},
  "last_name": {%me.last%},
  "email": {%me.email%},
  "phone": {%me.phone%},
  "metadata": {%me.meta%},
  "domain": "test",
  "customer_code": {%me.code%},
  "risk_action": {%me.risk%},
  "id": {%id%},
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-2592000..2592000%}"
}"#;

// ---------------------------------------------------------------------------
// Disputes

macro_rules! dispute {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            r#""transaction": {
    "id": {%idof:transactions%},
    "domain": "test",
    "status": "success",
    "reference": "T{%digits:15%}",
    "amount": {%int@damt:1000..900000/50%},
    "message": null,
    "gateway_response": "Successful",
    "paid_at": "{%at@dtx:-1209600..-3600%}",
    "created_at": "{%at@dtx:-1209600..-3600%}",
    "channel": "card",
    "currency": "NGN",
    "ip_address": null,
    "metadata": "",
    "log": null,
    "fees": {%int:10..13500%},
    "fees_split": null,
    "authorization": {},
    "customer": null,
    "plan": {},
    "subaccount": {},
    "split": {},
    "order_id": null,
    "paidAt": "{%at@dtx:-1209600..-3600%}",
    "createdAt": "{%at@dtx:-1209600..-3600%}",
    "pos_transaction_data": null
  },"#,
            $tail
        )
    };
}

const DISPUTE_AWAITING: &str = dispute!(
    r#"{
  "id": {%id%},
  "refund_amount": null,
  "currency": "NGN",
  "status": {%pick:"awaiting-merchant-feedback"|"awaiting-merchant-feedback"|"awaiting-bank-feedback"|"pending"%},
  "resolution": null,
  "domain": "test",
  "#,
    r#"
  "transaction_reference": null,
  "category": {%pick:"chargeback"|"chargeback"|"fraud"|"general"%},
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "bin": {%pick:"408408"|"539983"|"506099"%},
  "last4": "{%digits:4%}",
  "dueAt": "{%at:86400..86400%}",
  "resolvedAt": null,
  "evidence": null,
  "attachments": "[]",
  "note": null,
  "history": [
    {"status": "awaiting-merchant-feedback", "by": "support@example.com", "createdAt": "{%created%}"}
  ],
  "messages": [
    {"sender": "support@example.com", "body": {%pick:"Customer says the goods never arrived"|"Customer does not recognise this charge"|"Customer was debited twice"%}, "createdAt": "{%created%}"}
  ],
  "createdAt": "{%created%}",
  "updatedAt": "{%created%}"
}"#
);

const DISPUTE_RESOLVED: &str = dispute!(
    r#"{
  "id": {%id%},
  "refund_amount": {%int:100..900000%},
  "currency": "NGN",
  "status": "resolved",
  "resolution": {%pick:"merchant-accepted"|"merchant-accepted"|"declined"%},
  "domain": "test",
  "#,
    r#"
  "transaction_reference": null,
  "category": {%pick:"general"|"chargeback"|"fraud"%},
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "bin": null,
  "last4": null,
  "dueAt": null,
  "resolvedAt": "{%at@res:3600..1209600%}",
  "evidence": null,
  "attachments": "[]",
  "note": null,
  "history": [
    {"status": "pending", "by": "merchant@example.com", "createdAt": "{%created%}"},
    {"status": "resolved", "by": "merchant@example.com", "createdAt": "{%at@res:3600..1209600%}"}
  ],
  "messages": [
    {"sender": "merchant@example.com", "body": {%pick:"Merchant accepted"|"Refund issued"|"Evidence uploaded"%}, "createdAt": "{%at@res:3600..1209600%}"}
  ],
  "createdAt": "{%created%}",
  "updatedAt": "{%at@res:3600..1209600%}"
}"#
);

const DISPUTE_ARCHIVED: &str = dispute!(
    r#"{
  "id": {%id%},
  "refund_amount": null,
  "currency": null,
  "status": "archived",
  "resolution": null,
  "domain": "test",
  "#,
    r#"
  "transaction_reference": null,
  "category": null,
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "bin": null,
  "last4": null,
  "dueAt": null,
  "resolvedAt": null,
  "evidence": null,
  "attachments": "[]",
  "note": null,
  "history": [],
  "messages": [],
  "createdAt": "{%created%}",
  "updatedAt": "{%created%}"
}"#
);

// ---------------------------------------------------------------------------
// Invoices (payment requests)

const INVOICE_SUCCESS: &str = r#"{
  "id": {%id%},
  "integration": 100001,
  "domain": "test",
  "amount": {%int@amt:500..2000000/50%},
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"|"KES"%},
  "due_date": {%pick:null|null|"2024-12-31T00:00:00.000Z"%},
  "has_invoice": true,
  "invoice_number": {%seq%},
  "description": {%pick:"Invoice for catering"|"Monthly retainer"|"Website design"|"Consulting services"|"a test invoice"%},
  "pdf_url": "https://api.paystack.co/files/invoices/100001/{%alnum:16%}.pdf",
  "line_items": [
    {"name": {%pick:"Pancakes and sausage"|"Chicken salad"|"Design hours"|"Support plan"|"item 1"%}, "amount": {%int@amt:500..2000000/50%}, "quantity": 1}
  ],
  "tax": [],
  "request_code": "PRQ_{%alnum:15%}",
  "status": "success",
  "paid": true,
  "paid_at": "{%day:0..604800%}",
  "metadata": null,
  "notifications": [
    {"sent_at": "{%at:1..30%}", "channel": {%pick:"email"|"email"|"sms"%}}
  ],
  "offline_reference": "100001{%id%}",
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "created_at": "{%created%}",
  "discount": null,
  "split_code": null
}"#;

const INVOICE_PENDING: &str = r#"{
  "id": {%id%},
  "integration": 100001,
  "domain": "test",
  "amount": {%int:1000..2000000/50%},
  "currency": "NGN",
  "due_date": "{%day:604800..2592000%}",
  "has_invoice": true,
  "invoice_number": {%seq%},
  "description": {%pick:"a test invoice"|"Quarterly subscription"|"Event tickets"%},
  "pdf_url": null,
  "line_items": [
    {"name": "item 1", "amount": {%int:500..1000000/50%}},
    {"name": "item 2", "amount": {%int:500..1000000/50%}}
  ],
  "tax": [{"name": "VAT", "amount": {%int:50..150000/50%}}],
  "request_code": "PRQ_{%alnum:15%}",
  "status": "pending",
  "paid": false,
  "paid_at": null,
  "metadata": null,
  "notifications": [],
  "offline_reference": "100001{%id%}",
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "created_at": "{%created%}",
  "discount": {%pick:null|null|null|{"type":"percentage","amount":10}%},
  "split_code": null
}"#;

const INVOICE_DRAFT: &str = r#"{
  "id": {%id%},
  "integration": 100001,
  "domain": "test",
  "amount": {%int:1000..500000/50%},
  "currency": "NGN",
  "due_date": null,
  "has_invoice": false,
  "invoice_number": null,
  "description": null,
  "pdf_url": null,
  "line_items": [],
  "tax": [],
  "request_code": "PRQ_{%alnum:15%}",
  "status": "draft",
  "paid": false,
  "paid_at": null,
  "metadata": null,
  "notifications": [],
  "offline_reference": "100001{%id%}",
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "created_at": "{%created%}",
  "discount": null,
  "split_code": null
}"#;

// ---------------------------------------------------------------------------
// Refunds

const REFUND_PENDING: &str = r#"{
  "integration": 100001,
  "transaction": {%idof:transactions%},
  "dispute": null,
  "settlement": null,
  "id": {%id%},
  "domain": "test",
  "currency": "NGN",
  "amount": {%int:100..99950/50%},
  "status": {%pick@st:"pending"|"pending"|"processing"|"failed"%},
  "refunded_at": null,
  "refunded_by": "merchant@example.com",
  "customer_note": "Refund for transaction {%alnum@tref:12%}",
  "merchant_note": "Refund for transaction {%alnum@tref:12%} by merchant@example.com",
  "deducted_amount": 0,
  "fully_deducted": 0,
  "createdAt": "{%created%}",
  "bank_reference": null,
  "transaction_reference": "{%alnum@tref:12%}",
  "reason": {%pick@st:"PENDING"|"PENDING"|"Processing"|"Refund failed"%},
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%pick:"{}"|"{}"|{"calling_code":"+234"}%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "refund_type": "partial",
  "transaction_amount": {%int:100000..2000000/50%},
  "initiated_by": "merchant@example.com",
  "refund_channel": {%pick:"card"|"card"|"bank"|"mobile_money"%},
  "session_id": null,
  "collect_account_number": false
}"#;

const REFUND_PROCESSED: &str = r#"{
  "integration": 100001,
  "transaction": {%idof:transactions%},
  "dispute": {%?80~idof:disputes%},
  "settlement": null,
  "id": {%id%},
  "domain": "test",
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "amount": {%int@amt:100..2000000/50%},
  "status": "processed",
  "refunded_at": "{%at:3600..604800%}",
  "refunded_by": "merchant@example.com",
  "customer_note": {%pick:"Disputed charge"|"Order cancelled"|"Duplicate payment"%},
  "merchant_note": {%pick:"Accepted dispute"|"Refund approved"|"Customer request"%},
  "deducted_amount": {%int@amt:100..2000000/50%},
  "fully_deducted": 1,
  "createdAt": "{%created%}",
  "bank_reference": "{%ALNUM:15%}",
  "transaction_reference": "T{%digits:15%}",
  "reason": "Refund processed",
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "refund_type": "full",
  "transaction_amount": {%int@amt:100..2000000/50%},
  "initiated_by": "merchant@example.com",
  "refund_channel": "card",
  "session_id": null,
  "collect_account_number": false
}"#;

const REFUND_ATTENTION: &str = r#"{
  "integration": 100001,
  "transaction": {%idof:transactions%},
  "dispute": null,
  "settlement": null,
  "id": {%id%},
  "domain": "test",
  "currency": "NGN",
  "amount": {%int@amt:100..500000/50%},
  "status": "needs-attention",
  "refunded_at": null,
  "refunded_by": "merchant@example.com",
  "customer_note": null,
  "merchant_note": null,
  "deducted_amount": 0,
  "fully_deducted": 0,
  "createdAt": "{%created%}",
  "bank_reference": null,
  "transaction_reference": "T{%digits:15%}",
  "reason": null,
  "customer": null,
  "refund_type": "full",
  "transaction_amount": {%int@amt:100..500000/50%},
  "initiated_by": null,
  "refund_channel": null,
  "session_id": null,
  "collect_account_number": true
}"#;

// ---------------------------------------------------------------------------
// Settlements

const SETTLEMENT_DONE: &str = r#"{
  "id": {%id%},
  "domain": "test",
  "status": "success",
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "integration": 100001,
  "total_amount": {%int@net:900..9990000%},
  "effective_amount": {%int@net:900..9990000%},
  "total_fees": {%int:5..150000%},
  "total_processed": {%int:1000..10000000/1000%},
  "deductions": null,
  "settlement_date": "{%day:0..0%}",
  "settled_by": null,
  "createdAt": "{%created%}",
  "updatedAt": "{%at:3600..259200%}"
}"#;

const SETTLEMENT_OPEN: &str = r#"{
  "id": {%id%},
  "domain": "test",
  "status": {%pick:"pending"|"pending"|"processing"|"failed"%},
  "currency": "NGN",
  "integration": 100001,
  "total_amount": {%int@net:900..9990000%},
  "effective_amount": {%int@net:900..9990000%},
  "total_fees": {%int:5..150000%},
  "total_processed": {%int:1000..10000000/1000%},
  "deductions": null,
  "settlement_date": "{%day:0..0%}",
  "settled_by": null,
  "createdAt": "{%created%}",
  "updatedAt": "{%created%}"
}"#;

// ---------------------------------------------------------------------------
// Subscriptions

macro_rules! subscription {
    ($status:literal, $next:literal, $open:literal, $invoice:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "domain": "test",
  "status": "#,
            $status,
            r#",
  "start": {%created_unix%},
  "quantity": 1,
  "subscription_code": "SUB_{%alnum:15%}",
  "email_token": "{%alnum:15%}",
  "amount": {%pick@plan:500000|27000|150000%},
  "cron_expression": {%pick@plan:"0 0 1 * *"|"0 0 * * 6"|"0 0 1 */3 *"%},
  "next_payment_date": "#,
            $next,
            r#",
  "open_invoice": "#,
            $open,
            r#",
  "createdAt": "{%created%}",
  "integration": 100001,
  "plan": {
    "id": {%pick@plan:182190|182001|182377%},
    "domain": "test",
    "name": {%pick@plan:"Monthly retainer"|"Weekly box"|"Quarterly plan"%},
    "plan_code": {%pick@plan:"PLN_fake00000000001"|"PLN_fake00000000002"|"PLN_fake00000000003"%},
    "description": null,
    "amount": {%pick@plan:500000|27000|150000%},
    "interval": {%pick@plan:"monthly"|"weekly"|"quarterly"%},
    "send_invoices": true,
    "send_sms": true,
    "currency": "NGN",
    "integration": 100001,
    "createdAt": "2023-06-01T08:00:00.000Z",
    "updatedAt": "2023-06-01T08:00:00.000Z"
  },
  "authorization": {
    "authorization_code": "AUTH_{%alnum:10%}",
    "bin": {%pick@brand:"408408"|"539983"|"506099"%},
    "last4": "{%digits:4%}",
    "exp_month": "{%pick:01|02|03|04|05|06|07|08|09|10|11|12%}",
    "exp_year": "{%int:2026..2032%}",
    "channel": "card",
    "card_type": {%pick@brand:"visa "|"mastercard"|"verve"%},
    "bank": {%pick:"TEST BANK"|"TEST BANK"|"Guaranty Trust Bank"|"Access Bank"%},
    "country_code": "NG",
    "brand": {%pick@brand:"visa"|"mastercard"|"verve"%},
    "reusable": 1,
    "signature": "SIG_{%alnum:20%}",
    "account_name": null
  },
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%pick:"{}"|"{}"|null%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "invoice_limit": {%pick:0|0|0|4|12%},
  "split_code": null,
  "payments_count": {%int:0..24%},
  "most_recent_invoice": "#,
            $invoice,
            r#"
}"#
        )
    };
}

const SUBSCRIPTION_ACTIVE: &str = subscription!(
    r#"{%pick:"active"|"active"|"active"|"attention"%}"#,
    r#""{%day@npd:2592000..2592000%}""#,
    r#""INV_{%alnum@inv:15%}""#,
    r#"{
    "subscription": {%id%},
    "integration": 100001,
    "domain": "test",
    "invoice_code": "INV_{%alnum@inv:15%}",
    "customer": {%cust.id%},
    "transaction": null,
    "amount": {%pick@plan:500000|27000|150000%},
    "period_start": "{%day@npd:2592000..2592000%}",
    "period_end": "{%day@npd:2592000..2592000+2591999%}",
    "status": "pending",
    "paid": 0,
    "retries": 0,
    "authorization": {%int:200000000..299999999%},
    "paid_at": null,
    "next_notification": null,
    "notification_flag": null,
    "description": null,
    "id": {%int:6000000..6999999%},
    "created_at": "{%at@inv:86400..2500000%}",
    "updated_at": "{%at@inv:86400..2500000%}"
  }"#
);

const SUBSCRIPTION_ENDED: &str = subscription!(
    r#"{%pick:"non-renewing"|"cancelled"|"cancelled"|"completed"%}"#,
    "null",
    "null",
    "null"
);

// ---------------------------------------------------------------------------
// Transactions

macro_rules! transaction {
    ($status:literal, $gateway:literal, $paid:literal, $ip:literal, $metadata:literal,
     $log:literal, $fees:literal, $customer_meta:literal, $authorization:literal,
     $order:literal, $source:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "domain": "test",
  "status": "#,
            $status,
            r#",
  "reference": "{%alnum:12%}",
  "amount": {%int@amt:100..2000000/50%},
  "message": null,
  "gateway_response": "#,
            $gateway,
            r#",
  "paid_at": "#,
            $paid,
            r#",
  "created_at": "{%created%}",
  "channel": {%pick:"card"|"card"|"card"|"card"|"bank"|"ussd"|"bank_transfer"|"mobile_money"%},
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"NGN"|"GHS"|"ZAR"|"KES"|"USD"%},
  "ip_address": "#,
            $ip,
            r#",
  "metadata": "#,
            $metadata,
            r#",
  "log": "#,
            $log,
            r#",
  "fees": "#,
            $fees,
            r#",
  "fees_split": null,
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "phone": {%cust.phone%},
    "metadata": "#,
            $customer_meta,
            r#",
    "customer_code": {%cust.code%},
    "risk_action": {%cust.risk%}
  },
  "authorization": "#,
            $authorization,
            r#",
  "plan": {},
  "split": {},
  "subaccount": {},
  "order_id": "#,
            $order,
            r#",
  "paidAt": "#,
            $paid,
            r#",
  "createdAt": "{%created%}",
  "requested_amount": {%int@amt:100..2000000/50%},
  "source": "#,
            $source,
            r#",
  "connect": null,
  "pos_transaction_data": null
}"#
        )
    };
}

const TRANSACTION_SUCCESS: &str = transaction!(
    r#"{%pick:"success"|"success"|"success"|"success"|"success"|"success"|"success"|"success"|"success"|"reversed"%}"#,
    r#"{%pick:"Successful"|"Successful"|"Approved"|"Approved by Financial Institution"%}"#,
    r#""{%at@paid:3..900%}""#,
    r#""{%ip%}""#,
    r#"{%pick:""|""|null|{"referrer":"https://shop.example.com/checkout"}|{"custom_fields":[{"display_name":"Invoice ID","variable_name":"invoice_id","value":"INV-1042"}]}%}"#,
    r#"{
    "start_time": {%unix:-5..0%},
    "time_spent": {%int@spent:2..90%},
    "attempts": 1,
    "errors": 0,
    "success": true,
    "mobile": {%pick:false|false|true%},
    "input": [],
    "history": [
      {"type": "action", "message": "Attempted to pay with card", "time": 1},
      {"type": "success", "message": "Successfully paid with card", "time": {%int@spent:2..90%}}
    ]
  }"#,
    r#"{%int:10..200000%}"#,
    r#"{%cust.meta%}"#,
    r#"{
    "authorization_code": "AUTH_{%alnum:10%}",
    "bin": {%pick@brand:"408408"|"539983"|"506099"%},
    "last4": "{%digits:4%}",
    "exp_month": "{%pick:01|02|03|04|05|06|07|08|09|10|11|12%}",
    "exp_year": "{%int:2026..2032%}",
    "channel": "card",
    "card_type": {%pick@brand:"visa "|"mastercard"|"verve"%},
    "bank": {%pick:"TEST BANK"|"TEST BANK"|"Guaranty Trust Bank"|"Access Bank"|"Zenith Bank"%},
    "country_code": "NG",
    "brand": {%pick@brand:"visa"|"mastercard"|"verve"%},
    "reusable": true,
    "signature": "SIG_{%alnum:20%}",
    "account_name": null
  }"#,
    r#"{%?85~int:1000000..1999999%}"#,
    r#"{%pick:{"source":"merchant_api","type":"api","identifier":null,"entry_point":"transaction_initialize"}|{"source":"checkout","type":"web","identifier":null,"entry_point":"request_inline"}%}"#
);

const TRANSACTION_FAILED: &str = transaction!(
    r#""failed""#,
    r#"{%pick:"Declined"|"Declined"|"Insufficient Funds"|"Do Not Honor"|"Transaction not permitted to cardholder"%}"#,
    "null",
    r#""{%ip%}""#,
    r#"{%pick:{"referrer":"https://shop.example.com/checkout"}|""|null%}"#,
    r#"{
    "start_time": {%unix:-30..0%},
    "time_spent": {%int@spent:5..120%},
    "attempts": 2,
    "errors": 2,
    "success": false,
    "mobile": false,
    "input": [],
    "history": [
      {"type": "action", "message": "Attempted to pay with card", "time": 1},
      {"type": "error", "message": "Error: Declined", "time": 2},
      {"type": "action", "message": "Attempted to pay with card", "time": 4},
      {"type": "error", "message": "Error: Declined", "time": {%int@spent:5..120%}}
    ]
  }"#,
    "null",
    r#"{%pick:{}|{}|{"calling_code":"+234"}|null%}"#,
    r#"{
    "authorization_code": null,
    "bin": null,
    "last4": null,
    "exp_month": null,
    "exp_year": null,
    "channel": null,
    "card_type": null,
    "bank": null,
    "country_code": null,
    "brand": null,
    "reusable": false,
    "signature": null,
    "account_name": null
  }"#,
    r#"{%?50~int:1000000..1999999%}"#,
    r#"{"source": "checkout", "type": "web", "identifier": null, "entry_point": "request_inline"}"#
);

const TRANSACTION_ABANDONED: &str = transaction!(
    r#""abandoned""#,
    r#""The transaction was not completed""#,
    "null",
    "null",
    "null",
    "null",
    "null",
    r#"{%cust.meta%}"#,
    r#"{
    "authorization_code": null,
    "bin": null,
    "last4": null,
    "exp_month": null,
    "exp_year": null,
    "channel": null,
    "card_type": null,
    "bank": null,
    "country_code": null,
    "brand": null,
    "reusable": false,
    "signature": null,
    "account_name": null
  }"#,
    "null",
    "null"
);

// ---------------------------------------------------------------------------
// Transfers

macro_rules! transfer {
    ($status:literal, $transferred:literal, $updated:literal, $session:literal, $fee:literal) => {
        concat!(
            r#"{
  "amount": {%int:100..5000000/50%},
  "createdAt": "{%created%}",
  "currency": "NGN",
  "domain": "test",
  "failures": null,
  "id": {%id%},
  "integration": 100001,
  "reason": {%pick:"Vendor payout"|"Test refund to partner"|"Salary"|"Supplier invoice"|null%},
  "reference": "{%alnum:20%}",
  "source": "balance",
  "source_details": null,
  "status": "#,
            $status,
            r#",
  "titan_code": null,
  "transfer_code": "TRF_{%alnum:16%}",
  "request": {%int:230000000..239999999%},
  "transferred_at": "#,
            $transferred,
            r#",
  "updatedAt": "#,
            $updated,
            r#",
  "recipient": {
    "active": true,
    "createdAt": {%pick@rcp:"2023-02-20T09:24:02.000Z"|"2023-11-01T16:08:56.000Z"|"2023-05-14T12:00:41.000Z"|"2023-08-30T07:45:10.000Z"%},
    "currency": {%pick@rcp:"NGN"|"NGN"|"GHS"|"NGN"%},
    "description": {%pick@rcp:null|"partner"|null|"supplier"%},
    "domain": "test",
    "email": {%pick@rcp:"ada.obi@example.com"|null|"kwame.mensah@example.com"|"accounts@example.com"%},
    "id": {%pick@rcp:50647534|20153696|31190027|40022871%},
    "integration": 100001,
    "metadata": null,
    "name": {%pick@rcp:"Test Bank Account 1"|"Zero Partner"|"Kwame Mensah"|"Example Supplies Ltd"%},
    "recipient_code": {%pick@rcp:"RCP_fake50647534"|"RCP_fake20153696"|"RCP_fake31190027"|"RCP_fake40022871"%},
    "type": {%pick@rcp:"nuban"|"nuban"|"mobile_money"|"nuban"%},
    "updatedAt": {%pick@rcp:"2023-02-20T09:24:02.000Z"|"2023-11-01T16:08:56.000Z"|"2023-05-14T12:00:41.000Z"|"2023-08-30T07:45:10.000Z"%},
    "is_deleted": false,
    "isDeleted": false,
    "details": {
      "authorization_code": null,
      "account_number": {%pick@rcp:"0000000001"|"0000000002"|"0240000003"|"0000000004"%},
      "account_name": null,
      "bank_code": {%pick@rcp:"058"|"044"|"MTN"|"057"%},
      "bank_name": {%pick@rcp:"Guaranty Trust Bank"|"Access Bank"|"MTN Mobile Money"|"Zenith Bank"%}
    }
  },
  "session": "#,
            $session,
            r#",
  "fee_charged": "#,
            $fee,
            r#",
  "fees_breakdown": null
}"#
        )
    };
}

const TRANSFER_SUCCESS: &str = transfer!(
    r#""success""#,
    r#""{%at:5..120%}""#,
    r#""{%at:120..1800%}""#,
    r#"{"provider": "nip", "id": "{%digits:30%}"}"#,
    r#"{%pick:1075|1075|2688|5375|1000%}"#
);

const TRANSFER_FAILED: &str = transfer!(
    r#"{%pick:"failed"|"failed"|"failed"|"reversed"%}"#,
    "null",
    r#""{%at:30..900%}""#,
    r#"{"provider": null, "id": null}"#,
    "0"
);

const TRANSFER_PENDING: &str = transfer!(
    r#"{%pick:"pending"|"pending"|"pending"|"otp"%}"#,
    "null",
    r#""{%created%}""#,
    r#"{"provider": null, "id": null}"#,
    "0"
);

// ---------------------------------------------------------------------------
// Plans

macro_rules! plan {
    ($subscriptions:literal, $totals:literal) => {
        concat!(
            r#"{
  "subscriptions": "#,
            $subscriptions,
            r#",
  "pages": [],
  "domain": "test",
  "name": {%pick@plan:"Monthly retainer"|"Weekly box"|"Quarterly service"|"Annual membership"|"Daily digest"|"Biannual maintenance"%},
  "plan_code": "PLN_{%alnum:14%}",
  "description": {%pick:null|null|"Billed automatically"|"Cancel any time"%},
  "amount": {%int@amt:1000..5000000/100%},
  "interval": {%pick@plan:"monthly"|"weekly"|"quarterly"|"annually"|"daily"|"biannually"%},
  "invoice_limit": {%pick:0|0|0|4|12%},
  "send_invoices": true,
  "send_sms": {%pick:true|true|false%},
  "hosted_page": false,
  "hosted_page_url": null,
  "hosted_page_summary": null,
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"|"KES"%},
  "migrate": false,
  "is_deleted": false,
  "is_archived": {%pick:false|false|false|false|true%},
  "id": {%id%},
  "integration": 100001,
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-2592000..2592000%}",
  "#,
            $totals,
            r#"
}"#
        )
    };
}

const PLAN_EMPTY: &str = plan!(
    "[]",
    r#""total_subscriptions": 0, "active_subscriptions": 0, "total_subscriptions_revenue": 0"#
);

const PLAN_SUBSCRIBED: &str = plan!(
    r#"[
    {
      "customer": {%cust.id%},
      "plan": {%id%},
      "integration": 100001,
      "domain": "test",
      "start": {%unix@sub:3600..2592000%},
      "status": {%pick:"active"|"active"|"cancelled"|"non-renewing"|"attention"%},
      "quantity": 1,
      "amount": {%int@amt:1000..5000000/100%},
      "subscription_code": "SUB_{%alnum:15%}",
      "email_token": "{%alnum:15%}",
      "authorization": {
        "authorization_code": "AUTH_{%alnum:10%}",
        "bin": {%pick@brand:"408408"|"539983"|"506099"%},
        "last4": "{%digits:4%}",
        "exp_month": "{%pick:01|02|03|04|05|06|07|08|09|10|11|12%}",
        "exp_year": "{%int:2026..2032%}",
        "channel": "card",
        "card_type": {%pick@brand:"visa "|"mastercard"|"verve"%},
        "bank": {%pick:"TEST BANK"|"TEST BANK"|"Access Bank"%},
        "country_code": "NG",
        "brand": {%pick@brand:"visa"|"mastercard"|"verve"%},
        "reusable": {%pick:true|true|1%},
        "signature": "SIG_{%alnum:20%}",
        "account_name": null
      },
      "easy_cron_id": null,
      "cron_expression": {%pick@plan:"0 0 1 * *"|"0 0 * * 6"|"0 0 1 */3 *"|"0 0 1 1 *"|"0 0 * * *"|"0 0 1 */6 *"%},
      "next_payment_date": {%?40q~day:2592000..5184000%},
      "open_invoice": null,
      "id": {%int:320000..420000%},
      "createdAt": "{%at@sub:3600..2592000%}",
      "updatedAt": "{%at:2592000..2678400%}"
    }
  ]"#,
    r#""total_subscriptions": {%int:1..40%}, "active_subscriptions": {%int:0..20%}, "total_subscriptions_revenue": {%int:1000..90000000/100%}"#
);

// ---------------------------------------------------------------------------
// Products

macro_rules! product {
    ($quantity:literal, $unlimited:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "name": {%pick@prod:"Plantain chips (6 pack)"|"Zobo drink"|"Puff puff"|"Chin chin jar"|"Kente scarf"|"Shea butter tub"|"Ankara tote bag"|"Coffee beans 1kg"%},
  "description": {%pick@prod:"Crunchy, lightly salted"|"Hibiscus drink, 1 litre"|"Crispy flour balls with a fluffy interior"|null|"Hand-woven"|"Unrefined, 500 g"|null|"Single origin"%},
  "product_code": "PROD_{%alnum:15%}",
  "slug": "{%pick@prod:plantain-chips-6-pack|zobo-drink|puff-puff|chin-chin-jar|kente-scarf|shea-butter-tub|ankara-tote-bag|coffee-beans-1kg%}-{%alnum:6%}",
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "price": {%int:500..2000000/100%},
  "quantity": "#,
            $quantity,
            r#",
  "quantity_sold": {%int:0..500%},
  "active": {%pick:true|true|true|false%},
  "domain": "test",
  "type": "good",
  "in_stock": {%pick:true|true|true|false%},
  "unlimited": "#,
            $unlimited,
            r##",
  "metadata": {%pick:{"background_color":"#F5F5F5"}|{"background_color":"#05090B"}|null%},
  "files": {%pick:[]|null|[{"key":"products/fakeimage.jpeg","type":"image","path":"https://files.example.com/products/fakeimage.jpeg","original_filename":"product.jpeg"}]%},
  "success_message": {%pick:null|null|"Thanks for your order"%},
  "redirect_url": {%pick:null|null|"https://shop.example.com/thanks"%},
  "split_code": {%pick:null|null|null|"SPL_fakeSplit02"%},
  "notification_emails": null,
  "minimum_orderable": 1,
  "maximum_orderable": {%pick:null|null|null|10%},
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-2592000..2592000%}",
  "digital_assets": [],
  "variant_options": [],
  "is_shippable": {%pick@ship:true|false|false%},
  "shipping_fields": {%pick@ship:{"delivery_note":"optional","shipping_fees":[{"region":"Ikeja","fee":100000,"currency":"NGN"},{"region":"Rest of Lagos","fee":250000,"currency":"NGN"}]}|{"delivery_note":"disabled"}|{"delivery_note":"disabled"}%},
  "integration": 100001,
  "low_stock_alert": {%pick:0|0|false|1%}
}"##
        )
    };
}

const PRODUCT_LIMITED: &str = product!("{%int:1..1000%}", "false");
const PRODUCT_UNLIMITED: &str = product!("null", "true");

// ---------------------------------------------------------------------------
// Payment pages

macro_rules! page {
    ($plan:literal, $name:literal, $amount:literal, $type:literal) => {
        concat!(
            r#"{
  "integration": 100001,
  "plan": "#,
            $plan,
            r#",
  "domain": "test",
  "name": "#,
            $name,
            r#",
  "description": {%pick:null|"Support the community library"|"Early-bird ticket"|"Pay for your order"%},
  "amount": "#,
            $amount,
            r#",
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "slug": "{%alnum:10%}",
  "custom_fields": {%pick:null|[]|[{"display_name":"Company","variable_name":"company"},{"display_name":"T-shirt size","variable_name":"t_shirt_size"}]%},
  "type": "#,
            $type,
            r#",
  "redirect_url": {%pick:null|null|"https://events.example.com/thank-you"%},
  "success_message": {%pick:null|null|"Thank you!"%},
  "collect_phone": {%pick:false|false|true%},
  "active": {%pick:true|true|true|false%},
  "published": {%pick:true|true|false%},
  "migrate": {%pick:false|false|null%},
  "notification_email": {%pick:null|null|"events@example.com"%},
  "metadata": {%pick:null|{}%},
  "split_code": {%pick:null|null|null|"SPL_fakeSplit02"%},
  "id": {%id%},
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-432000..432000%}"
}"#
        )
    };
}

const PAGE_PAYMENT: &str = page!(
    "null",
    r#"{%pick:"Donations"|"Conference ticket"|"Catering deposit"|"School fees"|"Workshop seat"%}"#,
    "{%?35~int:1000..5000000/100%}",
    r#""payment""#
);

const PAGE_SUBSCRIPTION: &str = page!(
    "{%idof:plans%}",
    r#"{%pick:"Subscribe to plan: Monthly retainer"|"Subscribe to plan: Weekly box"|"Membership"%}"#,
    "null",
    r#""subscription""#
);

// ---------------------------------------------------------------------------
// Subaccounts (no creation time in list rows)

const SUBACCOUNT: &str = r#"{
  "id": {%id%},
  "subaccount_code": "ACCT_{%alnum:15%}",
  "business_name": {%pick@biz:"Mama Put Kitchen"|"Oasis Logistics"|"Old Partner Ltd"|"Kente Crafts"|"Lagos Prints"|"Accra Couriers"%},
  "description": {%pick@biz:"Mama Put Kitchen"|"Last-mile delivery partner"|null|"Hand-woven goods"|null|"Deliveries in Accra"%},
  "primary_contact_name": {%me.name%},
  "primary_contact_email": {%me.email%},
  "primary_contact_phone": {%me.phone%},
  "metadata": {%pick:null|null|"{\"custom_fields\":[{\"display_name\":\"Partner ID\",\"variable_name\":\"partner_id\",\"value\":\"8393\"}]}"%},
  "percentage_charge": {%pick:10|12.5|15|18.2|20|25|30|33.3|40|50%},
  "settlement_bank": {%pick@bank:"Test Bank"|"Access Bank"|"Guaranty Trust Bank"|"Zenith Bank"%},
  "bank_id": {%pick@bank:9|1|3|21%},
  "account_number": "{%digits:10%}",
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "active": {%pick:1|1|1|0%},
  "is_verified": {%pick:true|false%}
}"#;

// ---------------------------------------------------------------------------
// Splits

macro_rules! split_subaccount {
    ($share:literal) => {
        concat!(
            r#"{
      "subaccount": {
        "id": {%idof:subaccounts%},
        "subaccount_code": "ACCT_{%alnum:15%}",
        "business_name": {%pick:"Mama Put Kitchen"|"Oasis Logistics"|"Kente Crafts"|"Lagos Prints"%},
        "description": {%pick:null|"Last-mile delivery partner"%},
        "primary_contact_name": null,
        "primary_contact_email": null,
        "primary_contact_phone": null,
        "metadata": null,
        "settlement_bank": "Test Bank",
        "currency": "NGN",
        "account_number": "{%digits:10%}"
      },
      "share": "#,
            $share,
            r#"
    }"#
        )
    };
}

macro_rules! split {
    ($type:literal, $active:literal, $bearer:literal, $subaccounts:expr, $total:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "name": {%pick:"Kitchen and delivery"|"Halfsies"|"Legacy partner split"|"Marketplace fees"|"Agent commission"%},
  "type": "#,
            $type,
            r#",
  "currency": "NGN",
  "integration": 100001,
  "domain": "test",
  "split_code": "SPL_{%alnum:10%}",
  "active": "#,
            $active,
            r#",
  "bearer_type": "#,
            $bearer,
            r#",
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-1209600..1209600%}",
  "is_dynamic": false,
  "subaccounts": "#,
            $subaccounts,
            r#",
  "total_subaccounts": "#,
            $total,
            r#"
}"#
        )
    };
}

const SPLIT_PERCENTAGE: &str = split!(
    r#""percentage""#,
    "true",
    r#"{%pick:"all"|"all-proportional"|"account"%}, "bearer_subaccount": null"#,
    concat!("[", split_subaccount!("{%int:1..100%}"), "]"),
    "1"
);

const SPLIT_FLAT: &str = split!(
    r#""flat""#,
    "{%pick:true|true|false%}",
    r#""subaccount", "bearer_subaccount": {%idof:subaccounts%}"#,
    concat!(
        "[",
        split_subaccount!("{%int:1000..500000/1000%}"),
        ",",
        split_subaccount!("{%int:1000..500000/1000%}"),
        "]"
    ),
    "2"
);

const SPLIT_EMPTY: &str = split!(
    r#""percentage""#,
    "false",
    r#""all-proportional", "bearer_subaccount": null"#,
    "[]",
    "0"
);

// ---------------------------------------------------------------------------
// Transfer recipients

macro_rules! recipient {
    ($active:literal, $currency:literal, $description:literal, $email:literal, $metadata:literal,
     $type:literal, $deleted:literal, $details:literal) => {
        concat!(
            r#"{
  "active": "#,
            $active,
            r#",
  "createdAt": "{%created%}",
  "currency": "#,
            $currency,
            r#",
  "description": "#,
            $description,
            r#",
  "domain": "test",
  "email": "#,
            $email,
            r#",
  "id": {%id%},
  "integration": 100001,
  "metadata": "#,
            $metadata,
            r#",
  "name": {%pick:"Tolu Robert"|"Kwame Mensah"|"Ada Obi"|"Zainab Bello"|"Sipho Dlamini"|"Wanjiru Kamau"|"Example Supplies Ltd"|"Field Agent 7"%},
  "recipient_code": "RCP_{%alnum:15%}",
  "type": "#,
            $type,
            r#",
  "updatedAt": "{%later:-2592000..2592000%}",
  "is_deleted": "#,
            $deleted,
            r#",
  "isDeleted": "#,
            $deleted,
            r#",
  "details": "#,
            $details,
            r#"
}"#
        )
    };
}

const RECIPIENT_NUBAN: &str = recipient!(
    "true",
    r#""NGN""#,
    r#"{%pick:""|""|"Vendor payouts"|"Salary"%}"#,
    r#"{%pick:null|null|"accounts@example.com"%}"#,
    "{%pick:null|{}%}",
    r#""nuban""#,
    "false",
    r#"{
    "authorization_code": null,
    "account_number": "{%digits:10%}",
    "account_name": {%pick:null|"TOLU ROBERT"|"ADA OBI"|"EXAMPLE SUPPLIES LTD"%},
    "bank_code": {%pick@bank:"001"|"044"|"058"|"057"%},
    "bank_name": {%pick@bank:"Test Bank"|"Access Bank"|"Guaranty Trust Bank"|"Zenith Bank"%}
  }"#
);

const RECIPIENT_MOBILE_MONEY: &str = recipient!(
    "true",
    r#"{%pick:"GHS"|"GHS"|"KES"%}"#,
    r#"{%pick:"Field agent payouts"|""%}"#,
    r#"{%pick:"kwame.mensah@example.com"|null%}"#,
    r#"{%pick:{"job":"Field agent"}|null%}"#,
    r#""mobile_money""#,
    "false",
    r#"{
    "authorization_code": null,
    "account_number": "0{%digits:9%}",
    "account_name": null,
    "bank_code": {%pick@mm:"MTN"|"VOD"|"ATL"%},
    "bank_name": {%pick@mm:"MTN"|"Vodafone"|"AirtelTigo"%}
  }"#
);

const RECIPIENT_AUTHORIZATION: &str = recipient!(
    "{%pick@del:false|true|true%}",
    r#""NGN""#,
    r#""""#,
    "null",
    "{}",
    r#""authorization""#,
    "{%pick@del:true|false|false%}",
    r#"{
    "authorization_code": "AUTH_{%alnum:10%}",
    "account_number": null,
    "account_name": null,
    "bank_code": "001",
    "bank_name": "Test Bank"
  }"#
);

// ---------------------------------------------------------------------------
// Bulk charges (the `batch_code` encodes the id: the path of the charges)

const BULK_CHARGE: &str = r#"{
  "integration": 100001,
  "domain": "test",
  "batch_code": "BCH_{%code:12%}",
  "reference": "bulkcharge-{%created_unix%}000-{%alnum:10%}",
  "status": {%pick:"complete"|"complete"|"complete"|"active"|"paused"%},
  "easy_cron_id": null,
  "id": {%id%},
  "createdAt": "{%created%}",
  "updatedAt": "{%later:0..300%}"
}"#;

// ---------------------------------------------------------------------------
// Bulk charge items (children of bulk charges)

macro_rules! bulk_item {
    ($transaction:expr, $status:literal, $message:literal, $updated:literal) => {
        concat!(
            r#"{
  "integration": 100001,
  "bulkcharge": {%parent%},
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "authorization": {
    "authorization_code": "AUTH_{%alnum:10%}",
    "bin": {%pick@brand:"408408"|"539983"|"506099"%},
    "last4": "{%digits:4%}",
    "exp_month": "{%pick:01|02|03|04|05|06|07|08|09|10|11|12%}",
    "exp_year": "{%int:2024..2032%}",
    "channel": "card",
    "card_type": {%pick@brand:"visa "|"mastercard"|"verve"%},
    "bank": {%pick:"TEST BANK"|"TEST BANK"|"Access Bank"%},
    "country_code": "NG",
    "brand": {%pick@brand:"visa"|"mastercard"|"verve"%},
    "reusable": true,
    "signature": "SIG_{%alnum:20%}",
    "account_name": null
  },
  "transaction": "#,
            $transaction,
            r#",
  "domain": "test",
  "amount": {%int@amt:1000..2000000/50%},
  "at_least": 0,
  "currency": "NGN",
  "reference": "{%alnum:16%}",
  "metadata": {%pick:{"custom_fields":[]}|{"custom_fields":[{"display_name":"Invoice ID","variable_name":"invoice_id","value":"209"}]}%},
  "status": "#,
            $status,
            r#",
  "message": "#,
            $message,
            r#",
  "attempt_partial_debit": false,
  "id": {%id%},
  "createdAt": "{%created%}",
  "updatedAt": "#,
            $updated,
            r#"
}"#
        )
    };
}

macro_rules! bulk_transaction {
    ($status:literal, $gateway:literal, $paid:literal) => {
        concat!(
            r#"{
    "id": {%int:4300000000..4399999999%},
    "domain": "test",
    "status": "#,
            $status,
            r#",
    "reference": "{%alnum:18%}",
    "amount": {%int@amt:1000..2000000/50%},
    "message": null,
    "gateway_response": "#,
            $gateway,
            r#",
    "paid_at": "#,
            $paid,
            r#",
    "created_at": "{%at@tx:5..120%}",
    "channel": "card",
    "currency": "NGN",
    "ip_address": null,
    "metadata": "",
    "log": null,
    "fees": null,
    "fees_split": null,
    "customer": {},
    "authorization": {},
    "plan": {},
    "subaccount": {},
    "paidAt": "#,
            $paid,
            r#",
    "createdAt": "{%at@tx:5..120%}"
  }"#
        )
    };
}

const BULK_ITEM_PENDING: &str = bulk_item!("null", r#""pending""#, r#""""#, r#""{%created%}""#);

const BULK_ITEM_SUCCESS: &str = bulk_item!(
    bulk_transaction!(r#""success""#, r#""Approved""#, r#""{%at@tx:5..120%}""#),
    r#""success""#,
    r#""Approved""#,
    r#""{%at@tx:5..120%}""#
);

const BULK_ITEM_FAILED: &str = bulk_item!(
    bulk_transaction!(
        r#""failed""#,
        r#"{%pick@why:"Insufficient Funds"|"Declined"|"Do Not Honor"%}"#,
        "null"
    ),
    r#""failed""#,
    r#"{%pick@why:"Insufficient Funds"|"Declined"|"Do Not Honor"%}"#,
    r#""{%at@tx:5..120%}""#
);

// ---------------------------------------------------------------------------
// Dedicated accounts (`created_at`, snake case)

const DEDICATED_ACCOUNT: &str = r#"{
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  },
  "bank": {%pick:{"name":"Test Bank","id":20,"slug":"test-bank"}|{"name":"Paystack-Titan","id":34,"slug":"titan-paystack"}|{"name":"Wema Bank","id":20,"slug":"wema-bank"}%},
  "id": {%id%},
  "account_name": "FAKESTORE/{%cust.upper%}",
  "account_number": "99{%digits:8%}",
  "created_at": "{%created%}",
  "updated_at": "{%later:-2592000..2592000%}",
  "currency": "NGN",
  "split_config": {%pick:null|null|null|{"subaccount":"ACCT_fakesubacct0002"}|"{\"subaccount\":\"ACCT_fakesubacct0003\"}"|{}%},
  "active": {%pick@act:true|true|true|false%},
  "assigned": {%pick@act:true|true|true|false%}
}"#;

// ---------------------------------------------------------------------------
// Balance ledger

macro_rules! ledger {
    ($difference:literal, $reason:literal, $model:literal, $row:literal) => {
        concat!(
            r#"{
  "integration": 100001,
  "domain": "test",
  "balance": {%int:100000000..3000000000%},
  "currency": {%pick:"NGN"|"NGN"|"NGN"|"GHS"%},
  "difference": "#,
            $difference,
            r#",
  "reason": "#,
            $reason,
            r#",
  "model_responsible": "#,
            $model,
            r#",
  "model_row": "#,
            $row,
            r#",
  "id": {%id%},
  "createdAt": "{%created%}",
  "updatedAt": "{%created%}"
}"#
        )
    };
}

const LEDGER_TRANSACTION: &str = ledger!(
    "{%int:100..2000000/50%}",
    r#""""#,
    r#""Transaction""#,
    "{%idof:transactions%}"
);
const LEDGER_TRANSFER: &str = ledger!(
    "{%int:-5000000..-100/50%}",
    r#"{%pick:"Supplier payout"|"Salary"|""|"Vendor payout"%}"#,
    r#""Transfer""#,
    "{%idof:transfers%}"
);
const LEDGER_REFUND: &str = ledger!(
    "{%int:-2000000..-100/50%}",
    r#""""#,
    r#""Refund""#,
    "{%idof:refunds%}"
);

// ---------------------------------------------------------------------------
// Settlement transactions (children of settlements; successful transactions
// with `message: ""`, no `connect`, and no `settlement_id`: the connector
// adds that)

const SETTLEMENT_TRANSACTION: &str = r#"{
  "id": {%id%},
  "domain": "test",
  "status": "success",
  "reference": "{%alnum:18%}",
  "amount": {%int@amt:100..2000000/50%},
  "message": "",
  "gateway_response": {%pick:"Approved"|"Approved"|"Successful"%},
  "paid_at": "{%at@paid:3..900%}",
  "created_at": "{%created%}",
  "channel": {%pick:"card"|"card"|"card"|"bank"|"ussd"|"bank_transfer"%},
  "currency": "NGN",
  "ip_address": {%?30q~ip%},
  "metadata": {%pick:""|null|{"custom_fields":[{"value":"makurdi","display_name":"Donation for","variable_name":"donation_for"}]}%},
  "log": null,
  "fees": {%int:10..200000%},
  "fees_split": null,
  "customer": {
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "customer_code": {%cust.code%},
    "risk_action": {%cust.risk%}
  },
  "authorization": {
    "authorization_code": "AUTH_{%alnum:10%}",
    "bin": {%pick@brand:"408408"|"539983"|"506099"%},
    "last4": "{%digits:4%}",
    "exp_month": "{%pick:01|02|03|04|05|06|07|08|09|10|11|12%}",
    "exp_year": "{%int:2026..2032%}",
    "channel": "card",
    "card_type": {%pick@brand:"visa "|"mastercard"|"verve"%},
    "bank": {%pick:""|"TEST BANK"|"TEST BANK"%},
    "country_code": "NG",
    "brand": {%pick@brand:"visa"|"mastercard"|"verve"%},
    "reusable": true,
    "signature": "SIG_{%alnum:20%}",
    "account_name": null
  },
  "plan": {},
  "split": {},
  "subaccount": {},
  "order_id": null,
  "paidAt": "{%at@paid:3..900%}",
  "createdAt": "{%created%}",
  "requested_amount": {%int@amt:100..2000000/50%},
  "source": {%pick:null|{"source":"merchant_api","type":"api","identifier":null,"entry_point":"transaction_initialize"}|{"source":"checkout","type":"web","identifier":null,"entry_point":"request_inline"}%},
  "pos_transaction_data": null
}"#;

// ---------------------------------------------------------------------------
// Terminals (no timestamps at all)

const TERMINAL: &str = r#"{
  "id": {%id%},
  "serial_number": {%?25q~ALNUM:19%},
  "device_make": {%pick:null|null|"PAX"|"Verifone"|"Nexgo"%},
  "terminal_id": "{%ALNUM:8%}",
  "integration": 100001,
  "domain": {%pick:"live"|"test"%},
  "name": {%pick:null|"Front desk"|"Warehouse"|"Till 2"|"Pop-up stand"%},
  "address": {%pick:null|null|"12 Example Street, Lagos"|"4 Sample Road, Accra"%},
  "status": {%pick:"active"|"active"|"active"|"inactive"|"pending"%}
}"#;

// ---------------------------------------------------------------------------
// Virtual terminals (`created_at`)

macro_rules! virtual_terminal {
    ($methods:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "code": "VT_{%ALNUM:8%}",
  "name": "Sales Point #{%seq%}",
  "integration": 100001,
  "domain": "test",
  "paymentMethods": "#,
            $methods,
            r#",
  "active": {%pick:true|true|true|false%},
  "created_at": "{%created%}",
  "currency": {%pick:"NGN"|"NGN"|"ZAR"|"KES"|"GHS"%}
}"#
        )
    };
}

const VIRTUAL_TERMINAL_PLAIN: &str = virtual_terminal!("[]");
const VIRTUAL_TERMINAL_NUBAN: &str = virtual_terminal!(
    r#"[
    {"dedicated_nuban_id": {%int:26000000..26999999%}, "type": "dedicated_nuban", "account_number": "99{%digits:8%}", "account_name": "FAKESTORE/Sales Point #{%seq%}", "bank": "Paystack-Titan"}
  ]"#
);

// ---------------------------------------------------------------------------
// Orders (`created_at`; `customer` an id or an object)

macro_rules! order {
    ($customer:literal, $status:literal, $paid:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "order_code": "ORD_{%alnum:15%}",
  "integration": 100001,
  "domain": "test",
  "currency": "NGN",
  "amount": {%int@amt:1000..900000/50%},
  "transaction": {%idof:transactions%},
  "page": {%?80~idof:payment_pages%},
  "customer": "#,
            $customer,
            r#",
  "customer_name": {%cust.name%},
  "status": "#,
            $status,
            r#",
  "shipping_address": null,
  "metadata": {%pick:"{\"is_gift\":false}"|{"is_gift":false}|""%},
  "created_at": "{%created%}",
  "updated_at": "{%later:0..86400%}",
  "email": {%cust.email%},
  "paid_at": "#,
            $paid,
            r#",
  "shipping": null,
  "shipping_fees": {%pick:0|0|100000|250000%},
  "refunded": {%pick@ref:false|false|false|true%},
  "is_viewed": {%pick:true|false%},
  "refunded_amount": {%pick@ref:null|null|null|10000%},
  "discount_amount": null,
  "discounts": {%pick:null|[]%},
  "items": [
    {
      "order_item_id": {%int:2200000..2299999%},
      "orderId": {%id%},
      "type": "product",
      "item": {%idof@prod:products%},
      "current_total_items_price": {%int@amt:1000..900000/50%},
      "files": "[]",
      "order": {%id%},
      "amount": {%int@amt:1000..900000/50%},
      "quantity": 1,
      "createdAt": "{%created%}",
      "name": {%pick:"Zobo drink"|"Puff puff"|"Plantain chips (6 pack)"|"Kente scarf"%},
      "product_level_type": "good",
      "product_id": {%idof@prod:products%},
      "product_success_message": null,
      "product_redirect_url": null,
      "product_quantity_sold": {%int:0..500%},
      "product_notification_emails": null,
      "storefront_redirect_url": null,
      "storefront_success_message": null
    }
  ],
  "fully_refunded": {%pick@ref:false|false|false|true%}
}"#
        )
    };
}

const ORDER_PAID_CUSTOMER_ID: &str = order!("{%cust.id%}", r#""success""#, r#""{%at:5..60%}""#);
const ORDER_PENDING_CUSTOMER_ID: &str = order!("{%cust.id%}", r#""pending""#, "null");
const ORDER_PAID_CUSTOMER_OBJECT: &str = order!(
    r#"{
    "id": {%cust.id%},
    "first_name": {%cust.first%},
    "last_name": {%cust.last%},
    "email": {%cust.email%},
    "customer_code": {%cust.code%},
    "phone": {%cust.phone%},
    "metadata": {%cust.meta%},
    "risk_action": {%cust.risk%},
    "international_format_phone": {%cust.intl_phone%}
  }"#,
    r#""success""#,
    r#""{%at:5..60%}""#
);
const ORDER_PENDING_CUSTOMER_OBJECT: &str = order!(
    r#"{"id": {%cust.id%}, "email": {%cust.email%}}"#,
    r#""pending""#,
    "null"
);

// ---------------------------------------------------------------------------
// Storefronts

macro_rules! storefront {
    ($status:literal, $orders:literal, $products:literal, $contacts:literal, $fees:literal) => {
        concat!(
            r#"{
  "id": {%id%},
  "name": {%pick@sf:"Mama Put Kitchen"|"Fake Snacks"|"Old stock"|"Kente Corner"|"Lagos Prints"%},
  "slug": "{%pick@sf:mama-put-kitchen|fake-snacks|old-stock|kente-corner|lagos-prints%}-{%alnum:4%}",
  "description": {%pick:null|"Home-style meals"|"Clearance"|"Hand-made"%},
  "orders_count": "#,
            $orders,
            r#",
  "status": "#,
            $status,
            r#",
  "revenue": null,
  "currency": {%pick:"NGN"|"NGN"|"GHS"%},
  "products": "#,
            $products,
            r#",
  "contacts": "#,
            $contacts,
            r#",
  "social_media": [],
  "shipping_fees": "#,
            $fees,
            r#",
  "createdAt": "{%created%}",
  "updatedAt": "{%later:-1209600..1209600%}"
}"#
        )
    };
}

const STOREFRONT_ACTIVE: &str = storefront!(
    r#""active""#,
    "{%int:1..500%}",
    "[{%idof:products%}, {%idof:products%}]",
    r#"[{"value": "shop@example.com", "id": {%int:8000..9999%}, "type_name": null, "type": 1}]"#,
    r#"{%pick:[]|[{"region":"Ikeja","fee":100000,"currency":"NGN"}]%}"#
);

const STOREFRONT_EMPTY: &str = storefront!(
    r#"{%pick:"inactive"|"inactive"|"active"%}"#,
    "{%int:0..3%}",
    "[]",
    "[]",
    "[]"
);
