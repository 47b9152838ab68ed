//! The HTTP side: hyper 1 (HTTP/1.1, keep-alive), one task per connection,
//! and the request pipeline:
//!
//! 1. `/__…` paths go to the admin handlers (no auth, not counted).
//! 2. The request is numbered and its fault decided ([`crate::faults`]).
//! 3. The fixed latency (plus jitter) is waited.
//! 4. A fault that replaces the response is served now.
//! 5. Route (404), auth (401), rate limit (429, and `x-ratelimit-*` headers
//!    on every response from here), `grow_every`, query parsing (400), and
//!    the page.
//! 6. A fault that alters the response (drop, truncate) is applied.

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
use crate::endpoints::{self, MEAN_TRANSACTION_AMOUNT, MetaExtra};
use crate::faults::{Fault, FaultPlan};
use crate::ratelimit::{Limiter, Verdict};
use crate::stats::{Collector, Outcome};
use crate::store::{SecondsRange, StreamData};
use crate::template::{World, mix};

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub streams: Vec<StreamData>,
    pub world: World,
    pub keys: Vec<String>,
    pub behaviour: RwLock<Behaviour>,
    pub latency: Duration,
    pub jitter: Duration,
    pub seed: u64,
    pub limiter: Option<Limiter>,
    pub plan: Mutex<FaultPlan>,
    pub grow_every: Option<u32>,
    pub list_requests: AtomicU64,
    pub stats: Collector,
}

impl Shared {
    pub fn stream(&self, name: &str) -> Option<&StreamData> {
        endpoints::by_stream(name).map(|(i, _)| &self.streams[i])
    }

    pub fn insert(&self, stream: &StreamData, at: i64, n: u64) -> Vec<u64> {
        let ids = stream.insert(at, n);
        self.stats.inserted(n);
        ids
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

    fn rate_headers(&mut self, v: &Verdict) {
        self.headers
            .push(("x-ratelimit-limit", v.limit.to_string()));
        self.headers
            .push(("x-ratelimit-remaining", v.remaining.to_string()));
        self.headers
            .push(("x-ratelimit-reset", v.reset_secs.to_string()));
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
    let ticket = shared.plan.lock().expect("lock").next(&path);
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
        Some(f) if f.replaces_response() => fault_reply(&shared, f),
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
    shared.stats.record(&path, &outcome);
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

fn fault_reply(shared: &Shared, fault: &Fault) -> Reply {
    match fault {
        Fault::Status(code) => {
            let message = match code {
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
            let limit = shared.limiter.as_ref().map_or(100, |l| l.config.test_limit);
            r.headers.push(("x-ratelimit-limit", limit.to_string()));
            r.headers.push(("x-ratelimit-remaining", "0".into()));
            r.headers
                .push(("x-ratelimit-reset", reset_secs.to_string()));
            if let Some(ra) = retry_after {
                r.headers.push(("retry-after", ra.to_string()));
            }
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
    let Some((index, endpoint)) = endpoints::by_path(path).filter(|_| req.method() == Method::GET)
    else {
        return Reply::error(404, "Not found");
    };
    // Authentication.
    let Some(auth) = req.headers().get(header::AUTHORIZATION) else {
        return Reply::error(401, "No Authorization Header was found");
    };
    let auth = auth.to_str().unwrap_or("");
    let key = match auth.trim().split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
            key.trim()
        }
        _ => return Reply::error(401, "Format is Authorization Bearer [secret key]"),
    };
    if !shared.keys.iter().any(|k| k == key) {
        return Reply::error(401, "Invalid key");
    }
    // Rate limiting.
    let verdict = shared.limiter.as_ref().map(|l| l.check(key));
    let mut reply = page(shared, req, index, endpoint, fault, verdict.as_ref());
    if let Some(v) = verdict {
        reply.rate_headers(&v);
    }
    reply
}

fn page(
    shared: &Shared,
    req: &Request<Incoming>,
    index: usize,
    endpoint: &'static endpoints::Endpoint,
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
    let stream = &shared.streams[index];
    if let Some(every) = shared.grow_every {
        let n = shared.list_requests.fetch_add(1, Ordering::Relaxed) + 1;
        if n % u64::from(every) == 0 {
            shared.insert(stream, crate::time::now_secs(), 1);
        }
    }
    let q = req.uri().query();
    let per_page = query_param(q, "perPage")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|v| *v >= 1)
        .unwrap_or(50);
    let page_no = query_param(q, "page")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|v| *v >= 1)
        .unwrap_or(1);
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
    let b = *shared.behaviour.read().expect("lock");
    let range = seconds_range(from, to, b.from_inclusive, b.to_inclusive);
    let size = b
        .max_per_page
        .map_or(per_page, |cap| per_page.min(u64::from(cap)));
    let skip = (page_no - 1).saturating_mul(size);

    let mut buf: Vec<u8> = Vec::new();
    buf.extend_from_slice(b"{\"status\":true,\"message\":\"");
    buf.extend_from_slice(endpoint.message.as_bytes());
    buf.extend_from_slice(b"\",\"data\":[");
    // Reserve for the page, bounded so a huge perPage cannot reserve memory
    // for records that do not exist.
    let expected = size.min(stream.total().saturating_sub(skip.min(stream.total())));
    buf.reserve((expected as usize).saturating_mul(stream.approx_len) + 256);
    let mut n = 0u64;
    let matched = stream.page(range, skip, size, |i, created| {
        if n > 0 {
            buf.push(b',');
        }
        stream.render(i, created, &shared.world, &mut buf);
        n += 1;
    });
    buf.push(b']');
    let omit_meta = b.omit_meta || matches!(fault, Some(Fault::MissingMeta));
    if !omit_meta {
        let total = matched.total;
        let mut it = itoa::Buffer::new();
        buf.extend_from_slice(b",\"meta\":{\"total\":");
        buf.extend_from_slice(it.format(total).as_bytes());
        if endpoint.meta_extra == MetaExtra::TotalVolume {
            buf.extend_from_slice(b",\"total_volume\":");
            buf.extend_from_slice(
                it.format(total.saturating_mul(MEAN_TRANSACTION_AMOUNT))
                    .as_bytes(),
            );
        }
        buf.extend_from_slice(b",\"skipped\":");
        buf.extend_from_slice(it.format(skip).as_bytes());
        buf.extend_from_slice(b",\"perPage\":");
        if b.per_page_as_string || matches!(fault, Some(Fault::PerPageString)) {
            buf.push(b'"');
            buf.extend_from_slice(it.format(per_page).as_bytes());
            buf.push(b'"');
        } else {
            buf.extend_from_slice(it.format(size).as_bytes());
        }
        buf.extend_from_slice(b",\"page\":");
        buf.extend_from_slice(it.format(page_no).as_bytes());
        let divisor = if b.page_count_from_requested {
            per_page
        } else {
            size
        };
        buf.extend_from_slice(b",\"pageCount\":");
        buf.extend_from_slice(it.format(total.div_ceil(divisor)).as_bytes());
        if endpoint.meta_extra == MetaExtra::FailedRefundCount {
            buf.extend_from_slice(b",\"failedRefundCount\":0");
        }
        buf.push(b'}');
    }
    buf.push(b'}');
    Reply {
        records: n,
        ..Reply::json(200, buf)
    }
}

fn admin(shared: &Shared, req: &Request<Incoming>, path: &str) -> Reply {
    let q = req.uri().query();
    let method = req.method();
    let stream_arg = || -> Result<&StreamData, Reply> {
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
                Ok(s) => s,
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
            let ids = stream.ids(range);
            Reply::value(
                200,
                &serde_json::json!({"stream": stream.endpoint.stream, "count": ids.len(), "ids": ids}),
            )
        }
        (&Method::GET, "/__admin/total") => match stream_arg() {
            Ok(s) => Reply::value(
                200,
                &serde_json::json!({"stream": s.endpoint.stream, "total": s.total()}),
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
