//! The list endpoints, as a table: one [`Endpoint`] row per Paystack list
//! endpoint. Adding an endpoint is adding a row (and its record templates);
//! the server, the data model and the tests are generic over the table.
//!
//! Record templates follow the connector's fixtures
//! (`tests/fixtures/records/<stream>.json`): the same top-level fields, in the
//! same order, with Paystack's quirks (`metadata: ""`, `authorization.reusable:
//! 1` in subscriptions, `fully_deducted: 0`, `attachments: "[]"`, customer
//! `metadata: "{}"`, `card_type: "visa "`). See [`crate::template`] for the
//! placeholder language.

/// Extra `meta` fields some endpoints add to the offset meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaExtra {
    None,
    /// `/transaction`: `total_volume`. An estimate (`total` × the mean
    /// amount), since the exact sum would need a scan of the records.
    TotalVolume,
    /// `/refund`: `failedRefundCount` (always 0: the fake does not track it).
    FailedRefundCount,
}

/// One list endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// Path, e.g. `/customer`.
    pub path: &'static str,
    /// Airbyte stream name, e.g. `customers`.
    pub stream: &'static str,
    /// The envelope's `message`.
    pub message: &'static str,
    /// The creation-time field (what `from`/`to` filter on).
    pub cursor_field: &'static str,
    /// Id of record 0; record `i` has id `id_base + i`.
    pub id_base: u64,
    /// Record templates with their weights: each record picks one variant
    /// by weight (e.g. successful, failed and abandoned transactions).
    pub variants: &'static [(u32, &'static str)],
    pub meta_extra: MetaExtra,
}

/// Every endpoint the fake serves, in the connector's stream order.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        path: "/customer",
        stream: "customers",
        message: "Customers retrieved",
        cursor_field: "createdAt",
        id_base: 181_000_000,
        variants: &[(1, CUSTOMER)],
        meta_extra: MetaExtra::None,
    },
    Endpoint {
        path: "/dispute",
        stream: "disputes",
        message: "Disputes retrieved",
        cursor_field: "createdAt",
        id_base: 2_000,
        variants: &[
            (40, DISPUTE_AWAITING),
            (40, DISPUTE_RESOLVED),
            (20, DISPUTE_ARCHIVED),
        ],
        meta_extra: MetaExtra::None,
    },
    Endpoint {
        path: "/paymentrequest",
        stream: "invoices",
        message: "Payment requests retrieved",
        cursor_field: "created_at",
        id_base: 14_000_000,
        variants: &[
            (45, INVOICE_SUCCESS),
            (40, INVOICE_PENDING),
            (15, INVOICE_DRAFT),
        ],
        meta_extra: MetaExtra::None,
    },
    Endpoint {
        path: "/refund",
        stream: "refunds",
        message: "Refunds retrieved",
        cursor_field: "createdAt",
        id_base: 3_000_000,
        variants: &[
            (35, REFUND_PENDING),
            (55, REFUND_PROCESSED),
            (10, REFUND_ATTENTION),
        ],
        meta_extra: MetaExtra::FailedRefundCount,
    },
    Endpoint {
        path: "/settlement",
        stream: "settlements",
        message: "Settlements retrieved",
        cursor_field: "createdAt",
        id_base: 3_050_000,
        variants: &[(75, SETTLEMENT_DONE), (25, SETTLEMENT_OPEN)],
        meta_extra: MetaExtra::None,
    },
    Endpoint {
        path: "/subscription",
        stream: "subscriptions",
        message: "Subscriptions retrieved",
        cursor_field: "createdAt",
        id_base: 320_000,
        variants: &[(55, SUBSCRIPTION_ACTIVE), (45, SUBSCRIPTION_ENDED)],
        meta_extra: MetaExtra::None,
    },
    Endpoint {
        path: "/transaction",
        stream: "transactions",
        message: "Transactions retrieved",
        cursor_field: "createdAt",
        // Above 2^32, so ids overflow both i32 and u32 (real ones are
        // already above 2^31).
        id_base: 4_300_000_000,
        variants: &[
            (65, TRANSACTION_SUCCESS),
            (22, TRANSACTION_FAILED),
            (13, TRANSACTION_ABANDONED),
        ],
        meta_extra: MetaExtra::TotalVolume,
    },
    Endpoint {
        path: "/transfer",
        stream: "transfers",
        message: "Transfers retrieved",
        cursor_field: "createdAt",
        id_base: 260_000_000,
        variants: &[
            (60, TRANSFER_SUCCESS),
            (20, TRANSFER_FAILED),
            (20, TRANSFER_PENDING),
        ],
        meta_extra: MetaExtra::None,
    },
];

/// The mean transaction amount used for the `total_volume` estimate.
pub const MEAN_TRANSACTION_AMOUNT: u64 = 250_000;

/// Looks an endpoint up by stream name.
pub fn by_stream(stream: &str) -> Option<(usize, &'static Endpoint)> {
    ENDPOINTS
        .iter()
        .enumerate()
        .find(|(_, e)| e.stream == stream)
}

/// Looks an endpoint up by path (a trailing slash is ignored).
pub fn by_path(path: &str) -> Option<(usize, &'static Endpoint)> {
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    ENDPOINTS.iter().enumerate().find(|(_, e)| e.path == path)
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
