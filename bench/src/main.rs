//! `jhe-bench`: starts `jhe serve` on a fresh, seeded database (SQLite by
//! default, or the PostgreSQL database given), drives it over loopback HTTP
//! and prints one table: uploads at several concurrencies, Bundle ingest,
//! FHIR paging, the admin list, and the server's memory. `--soak-minutes`
//! runs mixed traffic for minutes instead (see `soak.rs`).

mod soak;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::Parser;
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(about = "Benchmark jhe over HTTP and print the figures")]
struct Args {
    /// The `jhe` binary to run.
    #[arg(long, env = "JHE_BIN")]
    jhe: PathBuf,
    /// An empty PostgreSQL database to use. Default: a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Concurrent clients for single uploads.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    clients: Vec<usize>,
    /// Seconds each single-upload run lasts.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Bundles of 1,000 observations to time.
    #[arg(long, default_value_t = 10)]
    bundles: usize,
    /// Observations in the study that is paged through (loaded with Bundles).
    #[arg(long, default_value_t = 100_000)]
    observations: usize,
    /// Also load up to this many observations in total and report memory then.
    #[arg(long)]
    load_total: Option<usize>,
    /// Instead of the benchmark, soak the server for this many minutes (the
    /// first two are warm-up): uploads, Bundles, searches, the admin list and
    /// console pages at once; prints errors, memory, p99 latencies, PASS or FAIL.
    #[arg(long, value_name = "MINUTES")]
    soak_minutes: Option<f64>,
}

impl Args {
    fn database(&self) -> &'static str {
        if self.database_url.is_some() { "PostgreSQL" } else { "SQLite" }
    }
}

/// A running `jhe serve`, stopped on drop.
struct Server {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn jhe(args: &Args, data: &std::path::Path, command: &[&str]) -> Result<String, String> {
    let mut process = Command::new(&args.jhe);
    process.args(command).env("JHE_DATA_DIR", data).env("JHE_LOG", "warn");
    match &args.database_url {
        Some(url) => process.env("DATABASE_URL", url),
        None => process.env_remove("DATABASE_URL"),
    };
    let output = process.output().map_err(|e| format!("cannot run {}: {e}", args.jhe.display()))?;
    if !output.status.success() {
        return Err(format!("jhe {}: {}", command.join(" "), String::from_utf8_lossy(&output.stderr)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

async fn start(args: &Args) -> Result<(Server, String), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    jhe(args, data.path(), &["seed", "--force"])?;
    let token = jhe(args, data.path(), &["token", "issue", "--email", "mary@example.com"])?;
    let mut process = Command::new(&args.jhe);
    process
        .args(["serve", "--port", &port.to_string()])
        .env("JHE_DATA_DIR", data.path())
        .env("JHE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    match &args.database_url {
        Some(url) => process.env("DATABASE_URL", url),
        None => process.env_remove("DATABASE_URL"),
    };
    let child = process.spawn().map_err(|e| e.to_string())?;
    let server = Server { child, base: format!("http://127.0.0.1:{port}"), _data: data };
    for _ in 0..400 {
        if reqwest::get(format!("{}/health", server.base)).await.is_ok() {
            return Ok((server, token));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("jhe serve did not start".into())
}

/// A heart-rate Observation of patient 40002 from CareX; `n` makes its time unique.
fn observation(n: usize) -> Value {
    let at = format!("2024-{:02}-{:02}T{:02}:{:02}:{:02}Z", 1 + n / 2_678_400 % 12, 1 + n / 86_400 % 28, n / 3600 % 24, n / 60 % 60, n % 60);
    let point = json!({
        "header": {"uuid": format!("00000000-0000-4000-8000-{n:012}"), "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": at, "modality": "sensed"},
        "body": {"heart_rate": {"value": 50 + n % 70, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
    });
    json!({
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "https://w3id.org/openmhealth", "code": "omh:heart-rate:2.0"}]},
        "subject": {"reference": "Patient/40002"}, "device": {"reference": "Device/70001"},
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point.to_string())}
    })
}

fn bundle(first: usize, count: usize) -> String {
    let entries: Vec<Value> =
        (first..first + count).map(|n| json!({"request": {"method": "POST", "url": "Observation"}, "resource": observation(n)})).collect();
    json!({"resourceType": "Bundle", "type": "batch", "entry": entries}).to_string()
}

/// User plus system CPU seconds of this process so far.
fn own_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    // utime and stime are fields 14 and 15; after the command name they are the 12th and 13th.
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum());
    ticks / 100.0
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// One line of the printed table.
fn row(what: impl std::fmt::Display, figure: impl std::fmt::Display) {
    println!("{what:<58} {figure}");
}

/// The response, when it has the `expected` status; otherwise an error naming
/// `what`, with the cause or the start of the body the server sent.
async fn expect(response: reqwest::Result<reqwest::Response>, expected: u16, what: &str) -> Result<reqwest::Response, String> {
    let response = response.map_err(|error| {
        // `what` names the request; reqwest's causes say what went wrong.
        let error = error.without_url();
        let mut message = format!("{what}: {error}");
        let mut cause = std::error::Error::source(&error);
        while let Some(inner) = cause {
            message += &format!(": {inner}");
            cause = inner.source();
        }
        message
    })?;
    let status = response.status();
    if status == expected {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    Err(format!("{what} answered {status}: {}", body.chars().take(300).collect::<String>()))
}

/// `POST`s one Observation (`body`) to `url`.
async fn upload(http: &reqwest::Client, url: &str, token: &str, body: String) -> Result<(), String> {
    let response = http.post(url).bearer_auth(token).header("Content-Type", "application/fhir+json").body(body).send().await;
    expect(response, 201, "upload").await.map(drop)
}

async fn single_uploads(http: &reqwest::Client, base: &str, token: &str, clients: usize, seconds: f64, first: usize) -> Result<(usize, Vec<Duration>), String> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(first));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, next, url, token) = (http.clone(), next.clone(), format!("{base}/FHIR/R5/Observation"), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = observation(n).to_string();
                let started = Instant::now();
                upload(&http, &url, &token, body).await?;
                latencies.push(started.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| e.to_string())??);
    }
    all.sort();
    Ok((next.load(std::sync::atomic::Ordering::Relaxed), all))
}

/// Sends a Bundle; the caller may read the answer's entries.
async fn post_bundle(http: &reqwest::Client, base: &str, token: &str, body: String) -> Result<reqwest::Response, String> {
    let response = http.post(format!("{base}/FHIR/R5")).bearer_auth(token).header("Content-Type", "application/fhir+json").body(body).send().await;
    expect(response, 200, "bundle").await
}

/// What the client reads of a searchset page: it counts the entries without
/// decoding them, so that the figure measures the server, not the client.
#[derive(serde::Deserialize)]
struct Page {
    #[serde(default)]
    entry: Vec<serde::de::IgnoredAny>,
    link: Vec<PageLink>,
}

#[derive(serde::Deserialize)]
struct PageLink {
    relation: String,
    url: String,
}

async fn timed_get<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str, token: &str) -> Result<(Duration, T), String> {
    let started = Instant::now();
    let response = expect(http.get(url).bearer_auth(token).send().await, 200, &format!("GET {url}")).await?;
    let body: T = response.json().await.map_err(|e| e.to_string())?;
    Ok((started.elapsed(), body))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

async fn run(args: Args) -> Result<(), String> {
    let (server, token) = start(&args).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().map_err(|e| e.to_string())?;
    let base = server.base.clone();
    println!("jhe-bench on {}, {} cores, client and server on one machine\n", args.database(), cores());
    let cpu_start = own_cpu_seconds();
    let wall_start = Instant::now();
    let mut next = 0;

    for &clients in &args.clients {
        let (after, latencies) = single_uploads(&http, &base, &token, clients, args.seconds, next).await?;
        next = after;
        let rate = latencies.len() as f64 / args.seconds;
        row(
            format!("single uploads, {clients} client(s)"),
            format!("{rate:>8.0} obs/s  p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms", percentile(&latencies, 0.5), percentile(&latencies, 0.95), percentile(&latencies, 0.99)),
        );
    }

    let bodies: Vec<String> = (0..args.bundles).map(|i| bundle(next + i * 1000, 1000)).collect();
    next += args.bundles * 1000;
    let started = Instant::now();
    for body in bodies {
        post_bundle(&http, &base, &token, body).await?;
    }
    row("batch Bundles of 1,000", format!("{:>8.0} obs/s", (args.bundles * 1000) as f64 / started.elapsed().as_secs_f64()));

    // Top the study up to the paging size, then read it all back.
    while next < args.observations {
        let count = (args.observations - next).min(1000);
        post_bundle(&http, &base, &token, bundle(next, count)).await?;
        next += count;
    }
    let mut url = Some(format!("{base}/FHIR/R5/Observation?patient._has:Group:member:_id=30001&code=%7Comh%3Aheart-rate%3A2.0&_count=1000"));
    let (mut rows, mut pages, mut page_times) = (0usize, 0usize, Vec::new());
    let started = Instant::now();
    while let Some(next_url) = url {
        let (took, page): (_, Page) = timed_get(&http, &next_url, &token).await?;
        page_times.push(took);
        rows += page.entry.len();
        pages += 1;
        url = page.link.into_iter().find(|l| l.relation == "next").map(|l| l.url);
    }
    let seconds = started.elapsed().as_secs_f64();
    row(format!("FHIR paging, {rows} rows in {pages} pages of 1,000"), format!("{:>8.0} rows/s", rows as f64 / seconds));
    if page_times.len() >= 100 {
        let (first, hundredth) = (page_times[0].as_secs_f64() * 1000.0, page_times[99].as_secs_f64() * 1000.0);
        row("FHIR paging, page 1 vs page 100", format!("{first:.1} ms vs {hundredth:.1} ms ({:.2}x)", hundredth / first));
    }

    let admin = |page: i64| format!("{base}/api/v1/observations?study_id=30001&page={page}&page_size=100");
    let (first, listed): (_, Value) = timed_get(&http, &admin(1), &token).await?;
    // Page 100, or the last page of a smaller run.
    let far = ((listed["count"].as_i64().unwrap_or(0) + 99) / 100).clamp(1, 100);
    let (later, _): (_, Value) = timed_get(&http, &admin(far), &token).await?;
    row(format!("admin list, page 1 vs page {far} (100 rows)"), format!("{:.1} ms vs {:.1} ms", first.as_secs_f64() * 1000.0, later.as_secs_f64() * 1000.0));
    row(format!("server RSS with {next} observations"), format!("{:>8.1} MiB", rss_mib(server.child.id())));

    if let Some(total) = args.load_total {
        while next < total {
            let count = (total - next).min(1000);
            post_bundle(&http, &base, &token, bundle(next, count)).await?;
            next += count;
        }
        row(format!("server RSS with {next} observations"), format!("{:>8.1} MiB", rss_mib(server.child.id())));
    }
    let (cpu, wall) = (own_cpu_seconds() - cpu_start, wall_start.elapsed().as_secs_f64());
    row("bench client CPU", format!("{cpu:.1} s of {wall:.1} s ({:.0}% of one core)", 100.0 * cpu / wall));
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let outcome = match args.soak_minutes {
        Some(minutes) => soak::run(&args, minutes).await,
        None => run(args).await,
    };
    if let Err(message) = outcome {
        eprintln!("jhe-bench: {message}");
        std::process::exit(1);
    }
}
