//! Measures how many records per second the fake serves.
//!
//! The server runs on a thread of its own with a single-threaded runtime
//! (one core at most, [`FakePaystack::spawn`]); the client runs on the main
//! thread (its own single-threaded runtime) and fetches pages with
//! `--concurrency` requests in flight, checking each body is JSON with the
//! expected number of records.
//!
//! ```text
//! cargo run --release -p fake-paystack --example throughput -- \
//!     --stream transactions --per-page 200 --concurrency 8 --seconds 5
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use fake_paystack::{ENDPOINTS, FakePaystack, Options};
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Debug, Parser)]
struct Args {
    /// A stream name, or `all` to rotate over every endpoint.
    #[arg(long, default_value = "transactions")]
    stream: String,
    /// Records per stream.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    #[arg(long, default_value_t = 200)]
    per_page: u64,
    /// Requests in flight.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// How long to measure.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

#[derive(Deserialize)]
struct PageBody {
    status: bool,
    data: Vec<IgnoredAny>,
}

fn main() {
    let args = Args::parse();
    let paths: Vec<&'static str> = if args.stream == "all" {
        ENDPOINTS
            .iter()
            .filter(|e| !e.is_child())
            .map(|e| e.path)
            .collect()
    } else {
        vec![
            ENDPOINTS
                .iter()
                .find(|e| e.stream == args.stream && !e.is_child())
                .expect("a known top-level stream")
                .path,
        ]
    };
    let server = FakePaystack::spawn(Options {
        default_records: args.records,
        ..Default::default()
    })
    .expect("server");
    let pages_per_stream = args.records.div_ceil(args.per_page).max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let records = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let (elapsed, cpu) = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(args.concurrency)
            .build()
            .unwrap();
        // Warm up: one request per connection.
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(args.seconds);
        let cpu_before = process_cpu();
        let server_cpu_before = server_thread_cpu();
        let mut tasks = Vec::new();
        for _ in 0..args.concurrency {
            let (http, records, bytes, requests, next, paths) = (
                http.clone(),
                records.clone(),
                bytes.clone(),
                requests.clone(),
                next.clone(),
                paths.clone(),
            );
            let base = server.uri();
            let per_page = args.per_page;
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let path = paths[(n % paths.len() as u64) as usize];
                    let page = (n / paths.len() as u64) % pages_per_stream + 1;
                    let body = http
                        .get(format!("{base}{path}?perPage={per_page}&page={page}"))
                        .bearer_auth("sk_test_fakepaystack000")
                        .send()
                        .await
                        .expect("response")
                        .bytes()
                        .await
                        .expect("body");
                    let parsed: PageBody = serde_json::from_slice(&body).expect("JSON page");
                    assert!(parsed.status);
                    records.fetch_add(parsed.data.len() as u64, Ordering::Relaxed);
                    bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                    requests.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let cpu = process_cpu().zip(cpu_before).map(|(a, b)| a - b);
        let server_cpu = server_thread_cpu()
            .zip(server_cpu_before)
            .map(|(a, b)| a - b);
        (started.elapsed(), (cpu, server_cpu))
    });
    let secs = elapsed.as_secs_f64();
    let records = records.load(Ordering::Relaxed);
    let bytes = bytes.load(Ordering::Relaxed);
    let requests = requests.load(Ordering::Relaxed);
    println!(
        "stream={} perPage={} concurrency={} records/stream={}",
        args.stream, args.per_page, args.concurrency, args.records
    );
    println!(
        "{requests} requests, {records} records, {:.1} MB in {secs:.2} s",
        bytes as f64 / 1e6
    );
    println!(
        "=> {:.0} records/s, {:.0} requests/s, {:.1} MB/s",
        records as f64 / secs,
        requests as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    if let (Some(all), Some(server)) = cpu {
        println!(
            "CPU: server thread {:.2} cores, whole process (server + client) {:.2} cores",
            server / secs,
            all / secs
        );
    }
    let stats = server.stats();
    assert_eq!(stats.records_served, records, "server and client agree");
}

/// User + system CPU seconds of this process (Linux `/proc`), if readable.
fn process_cpu() -> Option<f64> {
    cpu_of(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// CPU seconds of the server's thread (named `fake-paystack`), if found.
fn server_thread_cpu() -> Option<f64> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() == "fake-paystack" {
            return cpu_of(&std::fs::read_to_string(task.path().join("stat")).ok()?);
        }
    }
    None
}

fn cpu_of(stat: &str) -> Option<f64> {
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
