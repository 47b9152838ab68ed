//! The HTTP side: hyper 1 (HTTP/1.1, keep-alive), one task per connection,
//! and the request pipeline:
//!
//! 1. `/__…` paths go to the admin handlers (no auth, not counted).
//! 2. The request is numbered and its fault decided ([`crate::faults`]).
//! 3. The fixed latency (plus jitter) is waited.
//! 4. A fault that replaces the response is served now.
//! 5. Route (404), auth (401), rate limit (429, and `x-ratelimit-*` headers
//!    on every response from here), an endpoint the business lacks (its
//!    status; [`crate::availability`]), query parsing (400), `grow_every`, the
//!    parent of a child endpoint (404), and the page: offset, cursor, or the
//!    children of one parent.
//! 6. A fault that alters the response (drop, truncate) is applied; those
//!    that alter the page (no meta, a lost record, a missing or wrong
//!    total) are applied while it is written.
//!
//! Requests to a child endpoint are numbered (faults) and counted (stats)
//! under the endpoint's pattern path, `/settlement/{id}/transactions`, so
//! one rule covers every parent and the counters stay small.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::Behaviour;
use crate::endpoints::{self, Endpoint, MEAN_TRANSACTION_AMOUNT, MetaExtra, Paging, ParentKey};
use crate::faults::{Fault, FaultPlan};
use crate::ratelimit::{Limiter, ResetFormat, Verdict};
use crate::records::mix;
use crate::stats::{Collector, Outcome};
use crate::store::{ChildData, SecondsRange, Stream, StreamData, TieOrder, order_key};

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    /// One per row of [`endpoints::ENDPOINTS`], in its order.
    pub streams: Vec<Stream>,
    pub keys: Vec<String>,
    pub behaviour: RwLock<Behaviour>,
    pub latency: Duration,
    pub jitter: Duration,
    pub seed: u64,
    pub limiter: Option<Limiter>,
    pub plan: Mutex<FaultPlan>,
    pub grow_every: Option<u32>,
    pub unavailable: Vec<crate::Unavailable>,
    /// Records grown by `grow_every` are created inside the range asked for.
    pub grow_in_range: bool,
    pub list_requests: AtomicU64,
    /// Servings so far of each page (path and query) that got
    /// [`Fault::LoseMovingRecord`].
    pub servings: Mutex<HashMap<String, u64>>,
    pub stats: Collector,
    /// The path and query of every API request, when logging is on.
    pub log: Option<Mutex<Vec<String>>>,
}

impl Shared {
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        endpoints::by_stream(name).map(|(i, _)| &self.streams[i])
    }

    pub fn insert(&self, stream: &StreamData, at: i64, n: u64) -> Vec<u64> {
        let ids = stream.insert(at, n);
        self.stats.inserted(n);
        ids
    }

    /// The parent stream of a child stream.
    pub fn parent_of(&self, child: &ChildData) -> &StreamData {
        self.streams[child.parent]
            .top()
            .expect("a parent is a top-level stream")
    }

    /// Ids held with creation time in `range` (for a child stream: the
    /// children of the parents created in `range`), ascending.
    pub fn ids(&self, stream: &Stream, range: SecondsRange) -> Vec<u64> {
        match stream {
            Stream::Top(s) => s.ids(range),
            Stream::Child(c) => c.ids(self.parent_of(c), range, self.seed),
        }
    }

    /// Records held (generated and inserted; for a child stream, the
    /// children of every parent).
    pub fn total(&self, stream: &Stream) -> u64 {
        match stream {
            Stream::Top(s) => s.total(),
            Stream::Child(c) => c.total(self.parent_of(c), self.seed),
        }
    }

    /// Creation second of one record.
    pub fn created_of_id(&self, stream: &Stream, id: u64) -> Option<i64> {
        match stream {
            Stream::Top(s) => s.created_of_id(id),
            Stream::Child(c) => c.created_of_id(self.parent_of(c), id, self.seed),
        }
    }

    /// One record's JSON text as the list endpoint sends it.
    pub fn record(&self, stream: &Stream, id: u64) -> Option<Vec<u8>> {
        let created = self.created_of_id(stream, id)?;
        let times = self.behaviour.read().expect("lock").time_format;
        let mut buf = Vec::new();
        match stream {
            Stream::Top(s) => s.render(id - s.endpoint.id_base, created, times, &mut buf),
            Stream::Child(c) => {
                let (p, j) = c.locate(id)?;
                let parent = self.parent_of(c);
                c.render(p, j, parent.id_of(p), created, times, &mut buf);
            }
        }
        Some(buf)
    }

    /// Gives each record of `ids` that `stream` holds its next version,
    /// changed at `at_ms` (Unix milliseconds); returns the ids it holds, in
    /// the order given (an id given twice changes twice).
    pub fn change(&self, stream: &Stream, ids: &[u64], at_ms: i64) -> Vec<u64> {
        ids.iter()
            .copied()
            .filter(|&id| match self.created_of_id(stream, id) {
                Some(created) => {
                    stream
                        .changes()
                        .bump(id, at_ms, created.saturating_mul(1000));
                    true
                }
                None => false,
            })
            .collect()
    }

    /// Changes, at `at_ms`, `count` records created before `before_ms`
    /// (for a child stream: whose parent was), spread evenly over that
    /// history ([`crate::changes::spread`]); returns their ids, ascending.
    pub fn change_older_than(
        &self,
        stream: &Stream,
        before_ms: i64,
        count: u64,
        at_ms: i64,
    ) -> Vec<u64> {
        let ids = self.ids(stream, seconds_range(None, Some(before_ms), true, false));
        self.change(stream, &crate::changes::spread(&ids, count), at_ms)
    }

    /// The parent index a child path's key names and the parent's creation
    /// second, if that parent exists.
    pub fn parent_by_key(&self, child: &ChildData, key: &str) -> Option<(u64, i64)> {
        let parent = self.parent_of(child);
        let id = match child.endpoint.parent?.key {
            ParentKey::Id => {
                if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                key.parse::<u64>().ok()?
            }
            ParentKey::Code { prefix, len, .. } => {
                let code = key.strip_prefix(prefix).filter(|c| c.len() == len)?;
                crate::records::decode_code(code, self.seed)?
            }
        };
        let created = parent.created_of_id(id)?;
        Some((id - parent.endpoint.id_base, created))
    }

    /// The path key of parent index `p` of a child stream: its id, or its
    /// code (the field the parent renders), if the parent exists.
    pub fn parent_key_of(&self, child: &ChildData, p: u64) -> Option<String> {
        let parent = self.parent_of(child);
        parent.created_of_index(p)?;
        let id = parent.id_of(p);
        match child.endpoint.parent?.key {
            ParentKey::Id => Some(id.to_string()),
            ParentKey::Code { prefix, len, .. } => {
                let mut buf = prefix.as_bytes().to_vec();
                crate::records::write_code(&mut buf, id, len, self.seed);
                String::from_utf8(buf).ok()
            }
        }
    }
}

/// A response body: the bytes, optionally followed by an aborted connection.
pub(crate) struct Payload {
    data: Option<Bytes>,
    declared: u64,
    state: Abort,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Abort {
    No,
    /// Yield once so hyper flushes what was sent, then fail.
    Flush,
    Now,
}

impl Body for Payload {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        match self.state {
            Abort::No => Poll::Ready(None),
            Abort::Flush => {
                self.state = Abort::Now;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Abort::Now => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "injected fault: connection dropped mid-body",
            )))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.state == Abort::No
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}

/// A response before it becomes HTTP.
struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    records: u64,
    limited: bool,
}

impl Reply {
    fn json(status: u16, body: Vec<u8>) -> Self {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body,
            records: 0,
            limited: false,
        }
    }

    fn error(status: u16, message: &str) -> Self {
        Reply::json(status, error_body(message))
    }

    fn value(status: u16, v: &serde_json::Value) -> Self {
        Reply::json(status, serde_json::to_vec(v).expect("serialisable"))
    }

    /// The `x-ratelimit-*` headers of `v`, the reset in `format`.
    fn rate_headers(&mut self, v: &Verdict, format: ResetFormat) {
        self.headers
            .push(("x-ratelimit-limit", v.limit.to_string()));
        self.headers
            .push(("x-ratelimit-remaining", v.remaining.to_string()));
        self.headers.push((
            "x-ratelimit-reset",
            format.header(v.left, chrono::Utc::now()),
        ));
    }

    fn into_response(self, cut: Option<&Fault>) -> Response<Payload> {
        let full = self.body.len();
        let (data, declared, state) = match cut {
            Some(Fault::DropMidBody) => {
                let keep = (full / 2).max(1).min(full);
                let mut b = self.body;
                b.truncate(keep);
                (b, full as u64, Abort::Flush)
            }
            Some(Fault::TruncatedJson) => {
                let keep = (full / 2).min(full.saturating_sub(1));
                let mut b = self.body;
                b.truncate(keep);
                let n = b.len() as u64;
                (b, n, Abort::No)
            }
            _ => (self.body, full as u64, Abort::No),
        };
        let mut resp = Response::new(Payload {
            data: Some(Bytes::from(data)),
            declared,
            state,
        });
        *resp.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        }
        resp
    }
}

/// `{"status": false, "message": …}`, in Paystack's field order.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    status: bool,
    message: &'a str,
}

fn error_body(message: &str) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody {
        status: false,
        message,
    })
    .expect("serialisable")
}

/// Paystack's 429 body, in its field order.
const RATE_LIMITED_BODY: &str = "{\"status\":false,\"message\":\"Rate limit exceeded!\",\
\"meta\":{\"nextStep\":\"Wait a few minutes and try the API call again\"},\
\"type\":\"api_error\",\"code\":\"rate_limited\"}";

const HTML_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

/// Accepts connections until `stop` says so (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (stream, _) = match accepted {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                r = conn => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                _ = stop.wait_for(|s| *s) => {}
            }
        });
    }
    tracing::debug!("server stopped");
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Payload>, Infallible> {
    let path = req.uri().path().to_owned();
    if path.starts_with("/__") {
        return Ok(admin(&shared, &req, &path).into_response(None));
    }
    // A child endpoint counts under its pattern path.
    let counted: &str = match endpoints::route(&path) {
        Some((_, e, Some(_))) => e.path,
        _ => &path,
    };
    let ticket = shared.plan.lock().expect("lock").next(counted);
    if let Some(log) = &shared.log {
        let sent = req
            .uri()
            .path_and_query()
            .map_or(path.as_str(), |p| p.as_str());
        log.lock().expect("lock").push(sent.to_owned());
    }
    let mut delay = shared.latency;
    if !shared.jitter.is_zero() {
        let r = mix(shared.seed ^ mix(ticket.n ^ 0x1177_E400));
        delay += Duration::from_nanos(r % (shared.jitter.as_nanos() as u64 + 1));
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fault = ticket.fault;
    let reply = match &fault {
        Some(f) if f.replaces_response() => fault_reply(&shared, &req, f),
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(*d).await;
            list(&shared, &req, &path, None)
        }
        f => list(&shared, &req, &path, f.as_ref()),
    };
    let outcome = Outcome {
        status: reply.status,
        fault: fault.as_ref().map(Fault::kind),
        limited: reply.limited,
        records: reply.records,
    };
    shared.stats.record(counted, &outcome);
    tracing::debug!(
        n = ticket.n,
        path = %path,
        query = req.uri().query().unwrap_or(""),
        status = reply.status,
        records = reply.records,
        fault = ?fault,
        "request"
    );
    Ok(reply.into_response(fault.as_ref()))
}

fn fault_reply(shared: &Shared, req: &Request<Incoming>, fault: &Fault) -> Reply {
    match fault {
        Fault::Status(code) => {
            let message = match code {
                400 => "Invalid query",
                401 => "Invalid key",
                403 => "This feature is not available on your integration",
                404 => "Not found",
                500 => "Internal server error",
                502 => "Bad gateway",
                503 => "Service unavailable",
                504 => "Gateway timeout",
                _ => "Server error",
            };
            Reply::error(*code, message)
        }
        Fault::RateLimited {
            reset_secs,
            retry_after,
        } => {
            let mut r = rate_limited_reply();
            r.rate_headers(
                &Verdict::new(
                    false,
                    window_of(shared, req).limit,
                    0,
                    Duration::from_secs(*reset_secs),
                ),
                reset_format(shared),
            );
            if let Some(ra) = retry_after {
                r.headers.push(("retry-after", ra.to_string()));
            }
            r
        }
        Fault::RateLimitedInWindow => {
            let mut r = rate_limited_reply();
            r.rate_headers(&window_of(shared, req), reset_format(shared));
            r
        }
        Fault::Html(status) => Reply {
            content_type: "text/html",
            ..Reply::json(*status, HTML_PAGE.as_bytes().to_vec())
        },
        Fault::StatusFalse(message) => Reply::error(200, message),
        // Faults that alter a normal response never get here.
        _ => Reply::error(500, "Internal server error"),
    }
}

/// The form of `x-ratelimit-reset` (without rate limiting: seconds).
fn reset_format(shared: &Shared) -> ResetFormat {
    shared
        .limiter
        .as_ref()
        .map_or_else(ResetFormat::default, |l| l.config.reset_format)
}

/// The rate-limit window of the request's key as it stands (nothing
/// counted; no key or an unknown one: the test key's limit). Without rate
/// limiting: Paystack's limits and a fresh window.
fn window_of(shared: &Shared, req: &Request<Incoming>) -> Verdict {
    let key = bearer(req).ok().unwrap_or("");
    match &shared.limiter {
        Some(l) => l.peek(key),
        None => Limiter::new(crate::RateLimit::default()).peek(key),
    }
}

/// The key of `Authorization: Bearer <key>`, or the 401 for a missing or
/// malformed header.
fn bearer(req: &Request<Incoming>) -> Result<&str, Reply> {
    let Some(auth) = req.headers().get(header::AUTHORIZATION) else {
        return Err(Reply::error(401, "No Authorization Header was found"));
    };
    let auth = auth.to_str().unwrap_or("");
    match auth.trim().split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
            Ok(key.trim())
        }
        _ => Err(Reply::error(
            401,
            "Format is Authorization Bearer [secret key]",
        )),
    }
}

fn rate_limited_reply() -> Reply {
    Reply::json(429, RATE_LIMITED_BODY.as_bytes().to_vec())
}

/// Percent-decodes a query component (`+` is a space).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of query parameter `name`.
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

/// Turns `from`/`to` (Unix milliseconds) into the inclusive range of whole
/// seconds they select, per the behaviour's inclusivity.
pub(crate) fn seconds_range(
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    from_inclusive: bool,
    to_inclusive: bool,
) -> SecondsRange {
    let ceil = |ms: i64| ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0);
    let floor = |ms: i64| ms.div_euclid(1000);
    SecondsRange {
        // Records sit on whole seconds s: keep s*1000 >= from (or > from).
        lo: from_ms.map(|f| {
            if from_inclusive {
                ceil(f)
            } else {
                floor(f) + 1
            }
        }),
        // Keep s*1000 <= to (or < to).
        hi: to_ms.map(|t| if to_inclusive { floor(t) } else { ceil(t) - 1 }),
    }
}

fn list(shared: &Shared, req: &Request<Incoming>, path: &str, fault: Option<&Fault>) -> Reply {
    let Some((index, endpoint, parent_key)) =
        endpoints::route(path).filter(|_| req.method() == Method::GET)
    else {
        return Reply::error(404, "Not found");
    };
    // Authentication.
    let key = match bearer(req) {
        Ok(key) => key,
        Err(refused) => return refused,
    };
    if !shared.keys.iter().any(|k| k == key) {
        return Reply::error(401, "Invalid key");
    }
    // Rate limiting.
    let verdict = shared.limiter.as_ref().map(|l| l.check(key));
    let mut reply = page(
        shared,
        req,
        index,
        endpoint,
        parent_key,
        fault,
        verdict.as_ref(),
    );
    if let Some(v) = verdict {
        reply.rate_headers(&v, reset_format(shared));
    }
    reply
}

/// What every list response shares: the request's paging and filter.
struct ListQuery<'a> {
    q: Option<&'a str>,
    endpoint: &'static Endpoint,
    /// `perPage` asked for.
    per_page: u64,
    /// Page size served (`per_page`, clamped by `max_per_page`).
    size: u64,
    range: SecondsRange,
    b: Behaviour,
    fault: Option<&'a Fault>,
    /// How often this page was served before with [`Fault::LoseMovingRecord`].
    serving: u64,
}

impl ListQuery<'_> {
    /// `{"status":true,"message":"…","data":[`, with room for `expected`
    /// records of about `approx_len` bytes.
    fn open(&self, expected: u64, approx_len: usize) -> Vec<u8> {
        // Bounded, so a huge perPage cannot reserve memory for records that
        // do not exist.
        let mut buf: Vec<u8> =
            Vec::with_capacity((expected as usize).saturating_mul(approx_len) + 256);
        buf.extend_from_slice(b"{\"status\":true,\"message\":\"");
        buf.extend_from_slice(self.endpoint.message.as_bytes());
        buf.extend_from_slice(b"\",\"data\":[");
        buf
    }

    fn omit_meta(&self) -> bool {
        self.b.omit_meta || matches!(self.fault, Some(Fault::MissingMeta))
    }

    /// The position of the record a page of `len()` records leaves out
    /// (`meta` still counts it): its first ([`Fault::LoseRecord`]), or on
    /// its k-th serving (from 0) record k mod `len()`
    /// ([`Fault::LoseMovingRecord`]; a page of one record loses it every
    /// other time). `len` is asked only under one of those faults.
    fn lost(&self, len: impl FnOnce() -> u64) -> Option<u64> {
        if !matches!(
            self.fault,
            Some(Fault::LoseRecord | Fault::LoseMovingRecord)
        ) {
            return None;
        }
        match (self.fault, len()) {
            (_, 0) => None,
            (Some(Fault::LoseRecord), _) => Some(0),
            (_, 1) => (self.serving % 2 == 0).then_some(0),
            (_, len) => Some(self.serving % len),
        }
    }

    /// The `meta.total` to announce for `total` records: none, or a wrong
    /// one, when a fault says so.
    fn announced_total(&self, total: u64) -> Option<u64> {
        match self.fault {
            Some(Fault::NoTotal) => None,
            Some(Fault::WrongTotal(d)) => Some(total.saturating_add_signed(*d)),
            _ => Some(total),
        }
    }

    fn per_page_meta(&self, buf: &mut Vec<u8>) {
        let mut it = itoa::Buffer::new();
        buf.extend_from_slice(b"\"perPage\":");
        if self.b.per_page_as_string || matches!(self.fault, Some(Fault::PerPageString)) {
            buf.push(b'"');
            buf.extend_from_slice(it.format(self.per_page).as_bytes());
            buf.push(b'"');
        } else {
            buf.extend_from_slice(it.format(self.size).as_bytes());
        }
    }

    /// Closes `data` and writes the offset meta.
    fn close_offset(&self, mut buf: Vec<u8>, total: u64, skip: u64, page_no: u64) -> Vec<u8> {
        buf.push(b']');
        if !self.omit_meta() {
            let mut it = itoa::Buffer::new();
            buf.extend_from_slice(b",\"meta\":{");
            if let Some(announced) = self.announced_total(total) {
                buf.extend_from_slice(b"\"total\":");
                buf.extend_from_slice(it.format(announced).as_bytes());
                if self.endpoint.meta_extra == MetaExtra::TotalVolume {
                    buf.extend_from_slice(b",\"total_volume\":");
                    buf.extend_from_slice(
                        it.format(announced.saturating_mul(MEAN_TRANSACTION_AMOUNT))
                            .as_bytes(),
                    );
                }
                buf.push(b',');
            }
            buf.extend_from_slice(b"\"skipped\":");
            buf.extend_from_slice(it.format(skip).as_bytes());
            buf.push(b',');
            self.per_page_meta(&mut buf);
            buf.extend_from_slice(b",\"page\":");
            buf.extend_from_slice(it.format(page_no).as_bytes());
            let divisor = if self.b.page_count_from_requested {
                self.per_page
            } else {
                self.size
            };
            buf.extend_from_slice(b",\"pageCount\":");
            buf.extend_from_slice(it.format(total.div_ceil(divisor)).as_bytes());
            if self.endpoint.meta_extra == MetaExtra::FailedRefundCount {
                buf.extend_from_slice(b",\"failedRefundCount\":0");
            }
            buf.push(b'}');
        }
        buf.push(b'}');
        buf
    }

    /// Closes `data` and writes the cursor meta.
    fn close_cursor(&self, mut buf: Vec<u8>, next: Option<u64>, previous: Option<u64>) -> Vec<u8> {
        buf.push(b']');
        if !self.omit_meta() {
            let cursor = |buf: &mut Vec<u8>, id: Option<u64>| match id {
                Some(id) => {
                    buf.push(b'"');
                    buf.extend_from_slice(encode_cursor(self.endpoint, id).as_bytes());
                    buf.push(b'"');
                }
                None if self.b.null_cursor_as_string => buf.extend_from_slice(b"\"null\""),
                None => buf.extend_from_slice(b"null"),
            };
            buf.extend_from_slice(b",\"meta\":{\"next\":");
            cursor(&mut buf, next);
            buf.extend_from_slice(b",\"previous\":");
            cursor(&mut buf, previous);
            buf.push(b',');
            self.per_page_meta(&mut buf);
            buf.push(b'}');
        }
        buf.push(b'}');
        buf
    }
}

/// The name in a cursor: the path without its slash (`terminal`).
fn cursor_name(endpoint: &Endpoint) -> &'static str {
    endpoint.path.trim_start_matches('/')
}

/// A cursor: base64 of `<name>:<id>` (`dGVybWluYWw6MTAwMQ==` is
/// `terminal:1001`), opaque to clients.
pub(crate) fn encode_cursor(endpoint: &Endpoint, id: u64) -> String {
    base64(format!("{}:{id}", cursor_name(endpoint)).as_bytes())
}

fn decode_cursor(endpoint: &Endpoint, cursor: &str) -> Option<u64> {
    let text = unbase64(cursor.trim())?;
    let text = String::from_utf8(text).ok()?;
    let (name, id) = text.split_once(':')?;
    if name != cursor_name(endpoint) {
        return None;
    }
    id.parse().ok()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard or URL-safe base64, padded or not.
fn unbase64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A query parameter that is present and not empty (nor `null`).
fn given(q: Option<&str>, name: &str) -> Option<String> {
    query_param(q, name).filter(|v| !v.is_empty() && v != "null")
}

fn page(
    shared: &Shared,
    req: &Request<Incoming>,
    index: usize,
    endpoint: &'static Endpoint,
    key: Option<&str>,
    fault: Option<&Fault>,
    verdict: Option<&Verdict>,
) -> Reply {
    if let Some(v) = verdict {
        if !v.allowed {
            return Reply {
                limited: true,
                ..rate_limited_reply()
            };
        }
    }
    if let Some(u) = shared.unavailable.iter().find(|u| u.path == endpoint.path) {
        return Reply::error(u.status, &u.message);
    }
    let stream = &shared.streams[index];
    let q = req.uri().query();
    let number = |name: &str| {
        query_param(q, name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|v| *v >= 1)
    };
    let per_page = number("perPage")
        .or_else(|| number("per_page"))
        .unwrap_or(50);
    let b = *shared.behaviour.read().expect("lock");
    let range = if endpoint.honours_from_to {
        let bound = |name: &str| -> Result<Option<i64>, Reply> {
            match query_param(q, name) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => crate::time::parse_millis(&v)
                    .map(Some)
                    .ok_or_else(|| Reply::error(400, &format!("Invalid '{name}' date"))),
            }
        };
        let from = match bound("from") {
            Ok(v) => v,
            Err(r) => return r,
        };
        let to = match bound("to") {
            Ok(v) => v,
            Err(r) => return r,
        };
        let read = |ms: Option<i64>| ms.map(|ms| b.bound_precision.apply(ms));
        seconds_range(read(from), read(to), b.from_inclusive, b.to_inclusive)
    } else {
        // Not documented for this endpoint: ignored (not even parsed), like
        // any unknown parameter.
        SecondsRange::default()
    };
    grow(shared, stream, range);
    let size = b
        .max_per_page
        .map_or(per_page, |cap| per_page.min(u64::from(cap)));
    let serving = match fault {
        Some(Fault::LoseMovingRecord) => {
            let page = format!("{}?{}", req.uri().path(), q.unwrap_or(""));
            let mut servings = shared.servings.lock().expect("lock");
            let k = servings.entry(page).or_insert(0);
            *k += 1;
            *k - 1
        }
        _ => 0,
    };
    let lq = ListQuery {
        q,
        endpoint,
        per_page,
        size,
        range,
        b,
        fault,
        serving,
    };
    match stream {
        Stream::Child(c) => child_page(shared, c, key.unwrap_or(""), &lq, number("page")),
        Stream::Top(s) => {
            let cursor = match endpoint.paging {
                Paging::Offset => false,
                Paging::OffsetOrCursor => query_param(q, "use_cursor")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1"),
                Paging::Cursor => true,
            };
            if cursor {
                cursor_page(s, &lq)
            } else {
                offset_page(s, &lq, number("page").unwrap_or(1))
            }
        }
    }
}

/// `grow_every`: every Nth list request first inserts one record into the
/// stream it asks for (a child endpoint: into its parent, children come
/// with it), created now, or with `grow_in_range` at the newest second of
/// the `range` the request selects (now when it is open or later).
fn grow(shared: &Shared, stream: &Stream, range: SecondsRange) {
    let Some(every) = shared.grow_every else {
        return;
    };
    let n = shared.list_requests.fetch_add(1, Ordering::Relaxed) + 1;
    if n % u64::from(every) != 0 {
        return;
    }
    let now = crate::time::now_secs();
    let (target, at) = match stream {
        Stream::Top(s) if shared.grow_in_range => {
            let newest = range.hi.map_or(now, |hi| hi.min(now));
            (s, newest.max(range.lo.unwrap_or(newest)))
        }
        Stream::Top(s) => (s, now),
        Stream::Child(c) => (shared.parent_of(c), now),
    };
    shared.insert(target, at, 1);
}

fn offset_page(stream: &StreamData, lq: &ListQuery<'_>, page_no: u64) -> Reply {
    let skip = (page_no - 1).saturating_mul(lq.size);
    let expected = lq
        .size
        .min(stream.total().saturating_sub(skip.min(stream.total())));
    let mut buf = lq.open(expected, stream.approx_len);
    let mut n = 0u64;
    let lost = lq.lost(|| {
        let listed = stream.page(lq.range, 0, 0, lq.b.ties, |_, _| {}).total;
        lq.size.min(listed.saturating_sub(skip))
    });
    let mut at = 0u64;
    let matched = stream.page(lq.range, skip, lq.size, lq.b.ties, |i, created| {
        at += 1;
        if lost == Some(at - 1) {
            return;
        }
        if n > 0 {
            buf.push(b',');
        }
        stream.render(i, created, lq.b.time_format, &mut buf);
        n += 1;
    });
    let buf = lq.close_offset(buf, matched.total, skip, page_no);
    Reply {
        records: n,
        ..Reply::json(200, buf)
    }
}

/// Cursor paging: `next=C` serves the records after the record of cursor
/// C (newest first), `previous=C` the `perPage` records before it, neither
/// the first page. `meta.next` is the cursor of the page's last record
/// when more follow (else null), `meta.previous` that of its first record
/// when some precede it.
fn cursor_page(stream: &StreamData, lq: &ListQuery<'_>) -> Reply {
    let at = |name: &str| -> Result<Option<(u64, i64)>, Reply> {
        let Some(c) = given(lq.q, name) else {
            return Ok(None);
        };
        let bad = || Reply::error(400, "Invalid cursor");
        let id = decode_cursor(lq.endpoint, &c).ok_or_else(bad)?;
        let created = stream.created_of_id(id).ok_or_else(bad)?;
        Ok(Some((id - stream.endpoint.id_base, created)))
    };
    let (next, previous) = match (at("next"), at("previous")) {
        (Ok(n), Ok(p)) => (n, p),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    // A cursor names a record, so pages cannot straddle ties differently.
    let ties = match lq.b.ties {
        TieOrder::PerPage => TieOrder::Shuffled,
        t => t,
    };
    let (skip, take) = match (next, previous) {
        (Some((i, t)), _) => (stream.newer(lq.range, i, t, true, ties), lq.size),
        (None, Some((i, t))) => {
            let end = stream.newer(lq.range, i, t, false, ties);
            let start = end.saturating_sub(lq.size);
            (start, end - start)
        }
        (None, None) => (0, lq.size),
    };
    let mut buf = lq.open(take.min(stream.total()), stream.approx_len);
    // `n` counts the records of the page, `sent` those written (one fewer
    // when a record is lost): the cursors are the page's own.
    let (mut n, mut sent) = (0u64, 0u64);
    let lost = lq.lost(|| {
        let listed = stream.page(lq.range, 0, 0, ties, |_, _| {}).total;
        take.min(listed.saturating_sub(skip))
    });
    let (mut first, mut last) = (None, None);
    let matched = stream.page(lq.range, skip, take, ties, |i, created| {
        let id = stream.id_of(i);
        first.get_or_insert(id);
        last = Some(id);
        n += 1;
        if lost == Some(n - 1) {
            return;
        }
        if sent > 0 {
            buf.push(b',');
        }
        stream.render(i, created, lq.b.time_format, &mut buf);
        sent += 1;
    });
    let more = skip + n < matched.total;
    let buf = lq.close_cursor(buf, last.filter(|_| more), first.filter(|_| skip > 0));
    Reply {
        records: sent,
        ..Reply::json(200, buf)
    }
}

/// The children of one parent, newest first, offset-paged.
fn child_page(
    shared: &Shared,
    child: &ChildData,
    key: &str,
    lq: &ListQuery<'_>,
    page_no: Option<u64>,
) -> Reply {
    let Some((p, parent_created)) = shared.parent_by_key(child, key) else {
        let message = child.endpoint.parent.map_or("Not found", |s| s.not_found);
        return Reply::error(404, message);
    };
    let parent_id = shared.parent_of(child).id_of(p);
    let mut kids = child.children(p, parent_created, shared.seed);
    kids.retain(|(_, t)| lq.range.contains(*t));
    let total = kids.len() as u64;
    let page_no = page_no.unwrap_or(1);
    let skip = (page_no - 1).saturating_mul(lq.size);
    let seed = match lq.b.ties {
        TieOrder::PerPage => shared.seed ^ mix(skip ^ 0x9A6E_0000),
        _ => shared.seed,
    };
    // Newest first, the tie order within a second.
    kids.sort_unstable_by_key(|&(j, t)| order_key(lq.b.ties, seed, child.id_of(p, j), t));
    let mut buf = lq.open(lq.size.min(total), child.approx_len);
    let mut n = 0u64;
    let lost = lq.lost(|| lq.size.min(total.saturating_sub(skip)));
    for (at, (j, t)) in kids
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(lq.size).unwrap_or(usize::MAX))
        .enumerate()
    {
        if lost == Some(at as u64) {
            continue;
        }
        if n > 0 {
            buf.push(b',');
        }
        child.render(p, *j, parent_id, *t, lq.b.time_format, &mut buf);
        n += 1;
    }
    let buf = lq.close_offset(buf, total, skip, page_no);
    Reply {
        records: n,
        ..Reply::json(200, buf)
    }
}

/// The most records `/__admin/records` renders in one answer.
const MAX_ADMIN_RECORDS: usize = 100_000;

fn admin(shared: &Shared, req: &Request<Incoming>, path: &str) -> Reply {
    let q = req.uri().query();
    let method = req.method();
    let stream_arg = || -> Result<&Stream, Reply> {
        let name = query_param(q, "stream").unwrap_or_default();
        shared.stream(&name).ok_or_else(|| {
            Reply::error(
                400,
                &format!(
                    "Unknown stream {name:?}; streams: {}",
                    endpoints::ENDPOINTS
                        .iter()
                        .map(|e| e.stream)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    };
    let time_arg = |name: &str| -> Result<Option<i64>, Reply> {
        match query_param(q, name) {
            None => Ok(None),
            Some(v) => crate::time::parse_millis(&v)
                .map(Some)
                .ok_or_else(|| Reply::error(400, &format!("Invalid '{name}' date"))),
        }
    };
    match (method, path) {
        (&Method::GET, "/__stats" | "/__admin/stats") => Reply::value(
            200,
            &serde_json::to_value(shared.stats.snapshot()).expect("serialisable"),
        ),
        (&Method::POST, "/__admin/stats/reset") => {
            shared.stats.reset();
            Reply::value(200, &serde_json::json!({"status": true}))
        }
        (&Method::GET, "/__admin/health") => {
            Reply::value(200, &serde_json::json!({"status": true}))
        }
        (&Method::POST, "/__admin/insert") => {
            let stream = match stream_arg() {
                Ok(Stream::Top(s)) => s,
                Ok(Stream::Child(c)) => {
                    return Reply::error(
                        400,
                        &format!(
                            "{} is derived from its parent; insert into {}",
                            c.endpoint.stream,
                            shared.parent_of(c).endpoint.stream
                        ),
                    );
                }
                Err(r) => return r,
            };
            let count = match query_param(q, "count").map(|c| c.parse::<u64>()) {
                None => 1,
                Some(Ok(c)) if c <= 1_000_000 => c,
                Some(_) => return Reply::error(400, "Invalid 'count'"),
            };
            let at = match time_arg("at") {
                Ok(at) => at.map_or_else(crate::time::now_secs, |ms| ms.div_euclid(1000)),
                Err(r) => return r,
            };
            let ids = shared.insert(stream, at, count);
            Reply::value(
                200,
                &serde_json::json!({
                    "status": true,
                    "stream": stream.endpoint.stream,
                    "createdAt": crate::time::iso(at),
                    "ids": ids,
                }),
            )
        }
        (&Method::POST, "/__admin/change") => {
            let stream = match stream_arg() {
                Ok(s) => s,
                Err(r) => return r,
            };
            let at = match time_arg("at") {
                Ok(at) => at.unwrap_or_else(|| chrono::Utc::now().timestamp_millis()),
                Err(r) => return r,
            };
            let changed = if let Some(ids) = query_param(q, "ids") {
                let parsed: Result<Vec<u64>, _> =
                    ids.split(',').map(|id| id.trim().parse::<u64>()).collect();
                match parsed {
                    Ok(ids) => shared.change(stream, &ids, at),
                    Err(_) => return Reply::error(400, "Invalid 'ids': give ids=1,2,3"),
                }
            } else {
                let before = match time_arg("older_than") {
                    Ok(Some(ms)) => ms,
                    Ok(None) => {
                        return Reply::error(400, "Give ids=1,2,3 or older_than=ISO&count=N");
                    }
                    Err(r) => return r,
                };
                let count = match query_param(q, "count").map(|c| c.parse::<u64>()) {
                    None => 1,
                    Some(Ok(c)) if c <= 1_000_000 => c,
                    Some(_) => return Reply::error(400, "Invalid 'count'"),
                };
                shared.change_older_than(stream, before, count, at)
            };
            Reply::value(
                200,
                &serde_json::json!({
                    "status": true,
                    "stream": stream.endpoint().stream,
                    "changed": changed.len(),
                    "ids": changed,
                }),
            )
        }
        (&Method::GET, "/__admin/ids") => {
            let stream = match stream_arg() {
                Ok(s) => s,
                Err(r) => return r,
            };
            let (from, to) = match (time_arg("from"), time_arg("to")) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(r), _) | (_, Err(r)) => return r,
            };
            // [from, to): as the exclusive-`to` rule of the list endpoint.
            let range = seconds_range(from, to, true, false);
            let ids = shared.ids(stream, range);
            Reply::value(
                200,
                &serde_json::json!({"stream": stream.endpoint().stream, "count": ids.len(), "ids": ids}),
            )
        }
        (&Method::GET, "/__admin/records") => {
            let stream = match stream_arg() {
                Ok(s) => s,
                Err(r) => return r,
            };
            let ids = shared.ids(stream, SecondsRange::default());
            if ids.len() > MAX_ADMIN_RECORDS {
                return Reply::error(
                    400,
                    &format!(
                        "{} records: /__admin/records serves at most {MAX_ADMIN_RECORDS}",
                        ids.len()
                    ),
                );
            }
            let name = stream.endpoint().stream;
            let mut buf =
                format!(r#"{{"stream":"{name}","count":{},"records":["#, ids.len()).into_bytes();
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                buf.extend(shared.record(stream, *id).unwrap_or_default());
            }
            buf.extend_from_slice(b"]}");
            Reply::json(200, buf)
        }
        (&Method::GET, "/__admin/total") => match stream_arg() {
            Ok(s) => Reply::value(
                200,
                &serde_json::json!({"stream": s.endpoint().stream, "total": shared.total(s)}),
            ),
            Err(r) => r,
        },
        _ => Reply::error(404, "Not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = Some("perPage=200&from=2024-01-01T00%3A00%3A00.000Z&x=a+b&to=");
        assert_eq!(query_param(q, "perPage").as_deref(), Some("200"));
        assert_eq!(
            query_param(q, "from").as_deref(),
            Some("2024-01-01T00:00:00.000Z")
        );
        assert_eq!(query_param(q, "x").as_deref(), Some("a b"));
        assert_eq!(query_param(q, "to").as_deref(), Some(""));
        assert_eq!(query_param(q, "page"), None);
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%2B"), "+");
    }

    #[test]
    fn cursors_round_trip() {
        let (_, terminal) = endpoints::by_stream("terminals").unwrap();
        let (_, customer) = endpoints::by_stream("customers").unwrap();
        assert_eq!(encode_cursor(terminal, 1001), "dGVybWluYWw6MTAwMQ==");
        for id in [0, 1, 12, 123, 1001, 4_300_000_123] {
            let c = encode_cursor(terminal, id);
            assert_eq!(decode_cursor(terminal, &c), Some(id));
            assert_eq!(decode_cursor(customer, &c), None, "another endpoint's");
            assert_eq!(decode_cursor(terminal, c.trim_end_matches('=')), Some(id));
        }
        assert_eq!(decode_cursor(terminal, "!!"), None);
        assert_eq!(decode_cursor(terminal, "dW5kZWZpbmVkOjE2NjU3MDM4"), None);
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn inclusivity_in_seconds() {
        let r = |f, t, fi, ti| seconds_range(f, t, fi, ti);
        assert_eq!(
            r(Some(10_000), Some(20_000), true, true),
            SecondsRange {
                lo: Some(10),
                hi: Some(20)
            }
        );
        assert_eq!(
            r(Some(10_000), Some(20_000), false, false),
            SecondsRange {
                lo: Some(11),
                hi: Some(19)
            }
        );
        assert_eq!(
            r(Some(10_500), Some(20_500), true, true),
            SecondsRange {
                lo: Some(11),
                hi: Some(20)
            }
        );
        assert_eq!(
            r(Some(10_500), Some(20_500), false, false),
            SecondsRange {
                lo: Some(11),
                hi: Some(20)
            }
        );
        assert_eq!(r(None, None, true, true), SecondsRange::default());
    }
}
