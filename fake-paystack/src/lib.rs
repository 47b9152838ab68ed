//! `fake-paystack`: a fake of the Paystack REST API's list endpoints, for the
//! tests, demos and benchmarks of `source-paystack`.
//!
//! It serves the list endpoints the connector reads (the table is
//! [`ENDPOINTS`], one row per endpoint: plain lists such as `/customer`,
//! `/transaction` or `/balance/ledger`, and child lists such as
//! `/settlement/{id}/transactions`, the records of one parent; the crate
//! README lists them all) the way
//! Paystack does: the `{"status", "message", "data", "meta"}` envelope,
//! `perPage`/`page` offset paging (cursor paging on `/terminal`, and with
//! `use_cursor=true` where a row offers it), `from`/`to` filters on the creation
//! time where Paystack documents them (ignored elsewhere), newest first,
//! bearer-key authentication, and Paystack's error bodies. Records are the
//! connector's fixtures (`tests/fixtures/records/<stream>.json`, quirks
//! included) with their ids, times and parents spliced in ([`records`]),
//! and the type drift Paystack sends on a share of them ([`drift`]),
//! rendered on the fly from their index: a million records cost no memory. A child endpoint's records (the
//! transactions of a settlement, the charges of a bulk charge) are derived
//! from their parent's index, so they cost nothing either.
//!
//! On top of that it can misbehave on purpose, each switch separately:
//! the undocumented behaviours ([`Behaviour`]), latency, Paystack-style rate
//! limiting ([`RateLimit`]), and scripted or random faults ([`Fault`],
//! [`FaultRule`], [`RandomFaults`]). Tests read the ground truth back:
//! counters ([`Stats`]) and the ids the server holds ([`FakePaystack::ids`],
//! [`FakePaystack::children`]).
//!
//! # Example
//! ```no_run
//! # async fn demo() -> Result<(), fake_paystack::Error> {
//! use fake_paystack::{FakePaystack, Options};
//! let server = FakePaystack::start(Options {
//!     keys: vec!["sk_test_x".into()],
//!     records: [("customers", 1000)].into(),
//!     ..Default::default()
//! })
//! .await?;
//! let base = server.uri(); // http://127.0.0.1:PORT
//! let new_ids = server.insert_now("customers", 3);
//! let stats = server.stats();
//! let from = "2024-01-01T00:00:00Z".parse().unwrap();
//! let to = chrono::Utc::now();
//! let ids = server.ids("customers", from, to);
//! # let _ = (base, new_ids, stats, ids);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`availability`]: endpoints the business lacks (a feature not
//!   enabled), each answering its own status and message.
//! - [`endpoints`]: the endpoint table (path, stream, creation field,
//!   `from`/`to` honoured or not, paging kind, parent, fixture).
//! - [`records`]: records rendered from the fixtures, ids and times spliced
//!   in.
//! - [`drift`]: the type drift served on purpose, per field, on a share of
//!   records.
//! - [`changes`]: records changed after their creation (new versions, an
//!   overlay applied when rendering).
//! - [`store`]: the data model (ids, creation times, paging and cursor
//!   arithmetic, child streams derived from their parents).
//! - [`faults`]: fault kinds, scripted rules and random faults.
//! - [`ratelimit`]: per-key fixed-window rate limiting.
//! - [`stats`]: the counters.
//! - `server`: the hyper service and the request pipeline.
//! - [`time`]: date parsing and fast ISO formatting.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub mod availability;
pub mod changes;
pub mod drift;
pub mod endpoints;
pub mod faults;
pub mod ratelimit;
pub mod records;
mod server;
pub mod stats;
pub mod store;
pub mod time;

pub use availability::{Feature, Unavailable};
pub use endpoints::{ENDPOINTS, Endpoint, Paging};
pub use faults::{Fault, FaultRule, RandomFaults};
pub use ratelimit::{RateLimit, ResetFormat};
pub use stats::Stats;
pub use store::TieOrder;
pub use time::{BoundPrecision, TimeFormat};

/// The largest [`Options::children_per_parent`].
pub const MAX_CHILDREN_PER_PARENT: u64 = 10_000;

/// The keys the fake accepts unless told otherwise.
pub const DEFAULT_KEYS: [&str; 2] = ["sk_test_fakepaystack000", "sk_live_fakepaystack000"];

/// How the fake treats what Paystack does not document. The defaults are
/// the friendliest reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// `from` keeps records created exactly at `from` (default true).
    pub from_inclusive: bool,
    /// `to` keeps records created exactly at `to` (default true). A plain
    /// date means its midnight.
    pub to_inclusive: bool,
    /// Largest page served; a larger `perPage` is clamped to it (default:
    /// no cap).
    pub max_per_page: Option<u32>,
    /// With a cap, compute `meta.pageCount` from the `perPage` asked for
    /// instead of the page size served.
    pub page_count_from_requested: bool,
    /// Send `meta.perPage` as a JSON string echoing the `perPage` asked for.
    pub per_page_as_string: bool,
    /// Leave `meta` out of list responses.
    pub omit_meta: bool,
    /// How the date-times of records are written (default
    /// `2024-01-01T00:00:00.000Z`).
    pub time_format: TimeFormat,
    /// The order of records created in the same second (default: descending
    /// id).
    pub ties: TieOrder,
    /// How the fraction of a second of `from`/`to` is read (default: to the
    /// millisecond).
    pub bound_precision: BoundPrecision,
    /// Cursor lists write an absent `meta.next` / `meta.previous` as the
    /// string `"null"`.
    pub null_cursor_as_string: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            from_inclusive: true,
            to_inclusive: true,
            max_per_page: None,
            page_count_from_requested: false,
            per_page_as_string: false,
            omit_meta: false,
            time_format: TimeFormat::Millis,
            ties: TieOrder::IdDescending,
            bound_precision: BoundPrecision::Millis,
            null_cursor_as_string: false,
        }
    }
}

/// Everything the fake can be told at start.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port to bind; 0 (default) picks a free one.
    pub port: u16,
    /// Accepted secret keys (default [`DEFAULT_KEYS`]). Keys starting
    /// `sk_live_` get the live rate limit, others the test one.
    pub keys: Vec<String>,
    /// Generated records per top-level stream, by stream name (e.g.
    /// `customers`). Child streams (`settlement_transactions`,
    /// `bulk_charge_items`) are derived from their parents and cannot be
    /// listed here.
    pub records: BTreeMap<&'static str, u64>,
    /// Generated records of the top-level streams not in `records`
    /// (default 0).
    pub default_records: u64,
    /// Average number of children per parent record of a child endpoint:
    /// each parent has between 0 and twice this many (default 4: 0..=8).
    pub children_per_parent: u64,
    /// Creation time of the oldest generated record (default 2024-01-01).
    pub start: DateTime<Utc>,
    /// Generated records are created before this (default 2026-01-01).
    pub end: DateTime<Utc>,
    /// Seed of every generated value and random fault.
    pub seed: u64,
    pub behaviour: Behaviour,
    /// Added to every API request.
    pub latency: Duration,
    /// A random extra delay in `[0, latency_jitter]` per request.
    pub latency_jitter: Duration,
    /// Rate limiting; `None` (default) is off.
    pub rate_limit: Option<RateLimit>,
    /// Scripted faults, first match wins.
    pub faults: Vec<FaultRule>,
    /// Random faults, for requests no rule matched.
    pub random_faults: Option<RandomFaults>,
    /// Every Nth authorised list request first inserts one record created
    /// now into the stream it asks for.
    pub grow_every: Option<u32>,
    /// Endpoints the business lacks, each refused with its status and
    /// message after authentication and rate limiting (default none; see
    /// [`availability`]).
    pub unavailable: Vec<Unavailable>,
    /// The records `grow_every` inserts are created at the newest second
    /// the request's `from`/`to` select (now when `to` is absent or later),
    /// so they land inside the query being read: its `meta.total` grows
    /// between its pages and between reads (default false).
    pub grow_in_range: bool,
    /// Keep the path and query of every API request, for
    /// [`FakePaystack::requests`] (default false).
    pub log_requests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            keys: DEFAULT_KEYS.iter().map(|k| (*k).to_owned()).collect(),
            records: BTreeMap::new(),
            default_records: 0,
            children_per_parent: 4,
            start: DateTime::from_timestamp(1_704_067_200, 0).expect("valid"),
            end: DateTime::from_timestamp(1_767_225_600, 0).expect("valid"),
            seed: 1,
            behaviour: Behaviour::default(),
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            rate_limit: None,
            faults: Vec::new(),
            random_faults: None,
            grow_every: None,
            unavailable: Vec::new(),
            grow_in_range: false,
            log_requests: false,
        }
    }
}

/// Why the fake could not start.
#[derive(Debug)]
pub enum Error {
    /// Binding the address or building a runtime failed.
    Io(std::io::Error),
    /// The options are inconsistent.
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "fake-paystack: {e}"),
            Error::Config(m) => write!(f, "fake-paystack: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Config(_) => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

enum Runner {
    Task(tokio::task::JoinHandle<()>),
    Thread(std::thread::JoinHandle<()>),
}

/// A running fake. Dropping it (or [`FakePaystack::shutdown`]) stops the
/// server and closes its connections.
pub struct FakePaystack {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    runner: Option<Runner>,
}

impl fmt::Debug for FakePaystack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakePaystack")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn build(options: &Options) -> Result<server::Shared, Error> {
    for name in options.records.keys() {
        match endpoints::by_stream(name) {
            None => {
                return Err(Error::Config(format!(
                    "unknown stream {name:?}; streams: {}",
                    endpoints::top_level()
                        .map(|e| e.stream)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            Some((_, e)) if e.is_child() => {
                return Err(Error::Config(format!(
                    "{name} is derived from its parent ({}): set children_per_parent instead",
                    e.parent.map_or("", |p| p.stream)
                )));
            }
            Some(_) => {}
        }
    }
    if options.children_per_parent > MAX_CHILDREN_PER_PARENT {
        return Err(Error::Config(format!(
            "children_per_parent must be at most {MAX_CHILDREN_PER_PARENT}"
        )));
    }
    let start = options.start.timestamp();
    let end = options.end.timestamp();
    if end <= start {
        return Err(Error::Config("end must be after start".into()));
    }
    if options.behaviour.max_per_page == Some(0) {
        return Err(Error::Config("max_per_page must be at least 1".into()));
    }
    for u in &options.unavailable {
        u.check().map_err(Error::Config)?;
    }
    if options.grow_every == Some(0) {
        return Err(Error::Config("grow_every must be at least 1".into()));
    }
    if let Some(r) = &options.random_faults {
        if !(0.0..=1.0).contains(&r.rate) {
            return Err(Error::Config("the fault rate must be within 0..=1".into()));
        }
    }
    if let Some(r) = &options.rate_limit {
        if r.window.is_zero() {
            return Err(Error::Config(
                "the rate-limit window must be positive".into(),
            ));
        }
    }
    let count = |name: &str| {
        options
            .records
            .get(name)
            .copied()
            .unwrap_or(options.default_records)
    };
    let streams = ENDPOINTS
        .iter()
        .map(|e| match e.parent {
            None => store::StreamData::new(e, count(e.stream), start, end, options.seed)
                .map(store::Stream::Top),
            Some(p) => {
                let (parent, _) = endpoints::by_stream(p.stream)
                    .filter(|(_, pe)| !pe.is_child())
                    .ok_or_else(|| format!("{}: no top-level parent {}", e.stream, p.stream))?;
                store::ChildData::new(e, parent, options.children_per_parent, options.seed)
                    .map(store::Stream::Child)
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Config)?;
    Ok(server::Shared {
        streams,
        keys: options.keys.clone(),
        behaviour: RwLock::new(options.behaviour),
        latency: options.latency,
        jitter: options.latency_jitter,
        seed: options.seed,
        limiter: options.rate_limit.clone().map(ratelimit::Limiter::new),
        plan: Mutex::new(faults::FaultPlan {
            rules: options.faults.clone(),
            random: options.random_faults.clone(),
            ..Default::default()
        }),
        grow_every: options.grow_every,
        unavailable: options.unavailable.clone(),
        grow_in_range: options.grow_in_range,
        list_requests: AtomicU64::new(0),
        servings: Mutex::default(),
        stats: stats::Collector::default(),
        log: options.log_requests.then(Mutex::default),
    })
}

impl FakePaystack {
    /// Binds `options.host:options.port` and serves on the current tokio
    /// runtime (current-thread or multi-thread).
    ///
    /// # Errors
    /// Inconsistent options, or the address cannot be bound.
    pub async fn start(options: Options) -> Result<Self, Error> {
        let shared = Arc::new(build(&options)?);
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::new(options.host, options.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), stop_rx));
        tracing::info!(%addr, "fake-paystack started");
        Ok(FakePaystack {
            shared,
            addr,
            stop,
            runner: Some(Runner::Task(task)),
        })
    }

    /// Like [`FakePaystack::start`], but serves from a thread of its own
    /// running a single-threaded runtime: the server then uses at most one
    /// core, whatever the caller does (benchmarks), and no runtime is needed
    /// to call this.
    ///
    /// # Errors
    /// Inconsistent options, or the address cannot be bound.
    pub fn spawn(options: Options) -> Result<Self, Error> {
        let shared = Arc::new(build(&options)?);
        let listener = std::net::TcpListener::bind(SocketAddr::new(options.host, options.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stop_rx) = watch::channel(false);
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fake-paystack".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => server::serve(l, state, stop_rx).await,
                        Err(e) => tracing::error!(error = %e, "could not use the listener"),
                    }
                });
            })?;
        Ok(FakePaystack {
            shared,
            addr,
            stop,
            runner: Some(Runner::Thread(thread)),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn stream(&self, stream: &str) -> &store::Stream {
        self.shared
            .stream(stream)
            .unwrap_or_else(|| panic!("fake-paystack has no stream {stream:?}"))
    }

    fn top(&self, stream: &str) -> &store::StreamData {
        match self.stream(stream) {
            store::Stream::Top(s) => s,
            store::Stream::Child(c) => panic!(
                "{stream} is derived from its parent: insert into {}",
                self.shared.parent_of(c).endpoint.stream
            ),
        }
    }

    /// Appends `count` records to `stream` created now (wall clock, whole
    /// seconds); returns their ids, which continue from the highest. A new
    /// parent record brings its children with it.
    ///
    /// # Panics
    /// When `stream` is not a top-level stream name of [`ENDPOINTS`].
    pub fn insert_now(&self, stream: &str, count: u64) -> Vec<u64> {
        self.insert_at(stream, Utc::now(), count)
    }

    /// Appends `count` records to `stream` created at `at` (truncated to the
    /// second); ids still continue from the highest, so a time in the past
    /// makes ids that are out of creation order.
    ///
    /// # Panics
    /// When `stream` is not a top-level stream name of [`ENDPOINTS`].
    pub fn insert_at(&self, stream: &str, at: DateTime<Utc>, count: u64) -> Vec<u64> {
        let s = self.top(stream);
        self.shared.insert(s, at.timestamp(), count)
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Zeroes the counters and empties the request log (not the request
    /// numbering of scripted faults).
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
        if let Some(log) = &self.shared.log {
            log.lock().expect("lock").clear();
        }
    }

    /// The path and query of every API request so far, in arrival order
    /// (`/customer?perPage=2&page=1`), as sent; empty unless
    /// [`Options::log_requests`] is on.
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .log
            .as_ref()
            .map(|log| log.lock().expect("lock").clone())
            .unwrap_or_default()
    }

    /// The ids `stream` holds (generated and inserted) created in
    /// `[from, to)`, ascending.
    ///
    /// For a child stream (`settlement_transactions`, `bulk_charge_items`)
    /// the window applies to the *parent's* creation time: the ids of the
    /// children of the parents created in `[from, to)`, whatever the
    /// children's own creation times (the connector syncs child streams
    /// incrementally on the parent's creation time).
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn ids(&self, stream: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<u64> {
        let range = server::seconds_range(
            Some(from.timestamp_millis()),
            Some(to.timestamp_millis()),
            true,
            false,
        );
        self.shared.ids(self.stream(stream), range)
    }

    /// Every id `stream` holds, ascending (for a child stream: the children
    /// of every parent).
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn all_ids(&self, stream: &str) -> Vec<u64> {
        self.shared
            .ids(self.stream(stream), store::SecondsRange::default())
    }

    /// How many records `stream` holds (generated and inserted; for a child
    /// stream, the children of every parent).
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn total(&self, stream: &str) -> u64 {
        self.shared.total(self.stream(stream))
    }

    /// The JSON text of one record as the list endpoint would send it now
    /// (its current version, see [`FakePaystack::change`]), or
    /// `None` when the stream has no such id.
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn record(&self, stream: &str, id: u64) -> Option<String> {
        let buf = self.shared.record(self.stream(stream), id)?;
        Some(String::from_utf8(buf).expect("fixtures are UTF-8"))
    }

    /// Gives each record of `ids` that `stream` holds (child streams too) a
    /// new version, changed now (wall clock): from then on it is served
    /// with `updatedAt` (or `updated_at`, where it has one) at the time of
    /// the change and its stream's changed field ([`Endpoint::change`]) at
    /// the version's value. Its creation time, and so its place in every
    /// list, stays. Ids the stream does not hold are ignored; returns how
    /// many it holds.
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn change(&self, stream: &str, ids: &[u64]) -> usize {
        self.change_at(stream, ids, Utc::now())
    }

    /// As [`FakePaystack::change`], changed at `at` instead of now (for a
    /// simulated clock). A version's time is never before the record's
    /// creation nor before its previous version's (then it is 1 ms after).
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn change_at(&self, stream: &str, ids: &[u64], at: DateTime<Utc>) -> usize {
        let s = self.stream(stream);
        self.shared.change(s, ids, at.timestamp_millis()).len()
    }

    /// Changes `count` records of `stream` created before `before` (for a
    /// child stream: whose parent was), now, spread evenly over that whole
    /// history so every age is represented (all of them when there are no
    /// more than `count`); returns their ids, ascending.
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn change_older_than(&self, stream: &str, before: DateTime<Utc>, count: u64) -> Vec<u64> {
        let now = Utc::now().timestamp_millis();
        self.shared
            .change_older_than(self.stream(stream), before.timestamp_millis(), count, now)
    }

    /// How often one record changed ([`FakePaystack::change`]); 0 for a
    /// record never changed, or one the stream does not hold.
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn version(&self, stream: &str, id: u64) -> u32 {
        self.stream(stream).changes().version(id)
    }

    /// The creation time of one record, or `None` when the stream has no
    /// such id. Also for the streams that do not render it (`subaccounts`,
    /// `terminals`): the store keeps one for the order.
    ///
    /// # Panics
    /// When `stream` is not a stream name of [`ENDPOINTS`].
    pub fn created_at(&self, stream: &str, id: u64) -> Option<DateTime<Utc>> {
        let secs = self.shared.created_of_id(self.stream(stream), id)?;
        DateTime::from_timestamp(secs, 0)
    }

    /// The ids of the children of one parent, ascending: `parent_stream` is
    /// the parent stream (`settlements`, `bulk_charges`) and `parent_key` the
    /// parent as the child path names it (a settlement's id, a bulk charge's
    /// `batch_code`). Empty when no such parent exists (or it has no
    /// children).
    ///
    /// # Panics
    /// When no child endpoint has `parent_stream` as its parent.
    pub fn children(&self, parent_stream: &str, parent_key: &str) -> Vec<u64> {
        let child = self.child(parent_stream);
        match self.shared.parent_by_key(child, parent_key) {
            Some((p, _)) => (0..child.count_of(p, self.shared.seed))
                .map(|j| child.id_of(p, j))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The key that names parent record `parent_id` of `parent_stream` in
    /// its child endpoint's path (`/settlement/{id}/transactions`,
    /// `/bulkcharge/{code}/charges`), or `None` when there is no such
    /// record.
    ///
    /// # Panics
    /// When no child endpoint has `parent_stream` as its parent.
    pub fn parent_key(&self, parent_stream: &str, parent_id: u64) -> Option<String> {
        let child = self.child(parent_stream);
        let parent = self.shared.parent_of(child);
        let p = parent_id.checked_sub(parent.endpoint.id_base)?;
        self.shared.parent_key_of(child, p)
    }

    fn child(&self, parent_stream: &str) -> &store::ChildData {
        let (i, _) = endpoints::child_of(parent_stream)
            .unwrap_or_else(|| panic!("fake-paystack has no child endpoint of {parent_stream:?}"));
        match &self.shared.streams[i] {
            store::Stream::Child(c) => c,
            store::Stream::Top(_) => unreachable!("a child endpoint has a child stream"),
        }
    }

    /// The current behaviour.
    pub fn behaviour(&self) -> Behaviour {
        *self.shared.behaviour.read().expect("lock")
    }

    /// Changes the behaviour for the requests that follow.
    ///
    /// # Panics
    /// When `max_per_page` is `Some(0)`.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        assert_ne!(
            behaviour.max_per_page,
            Some(0),
            "max_per_page must be at least 1"
        );
        *self.shared.behaviour.write().expect("lock") = behaviour;
    }

    /// Adds a scripted fault after the existing ones. Request numbers keep
    /// counting from where they are: see [`FakePaystack::requests_so_far`].
    pub fn push_fault(&self, rule: FaultRule) {
        self.shared.plan.lock().expect("lock").rules.push(rule);
    }

    /// Removes every scripted fault (random faults stay).
    pub fn clear_faults(&self) {
        self.shared.plan.lock().expect("lock").rules.clear();
    }

    /// Replaces the random faults (`None` turns them off).
    pub fn set_random_faults(&self, random: Option<RandomFaults>) {
        self.shared.plan.lock().expect("lock").random = random;
    }

    /// How many API requests have been numbered so far (overall), so a
    /// rule pushed now can target "the next request": `requests_so_far() + 1`.
    pub fn requests_so_far(&self) -> u64 {
        self.shared.plan.lock().expect("lock").overall
    }

    /// Stops accepting, closes open connections and waits for the server
    /// task (or thread) to end.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        match self.runner.take() {
            Some(Runner::Task(t)) => {
                let _ = t.await;
            }
            Some(Runner::Thread(t)) => {
                let _ = tokio::task::spawn_blocking(move || t.join()).await;
            }
            None => {}
        }
    }
}

impl Drop for FakePaystack {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
