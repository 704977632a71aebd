//! `jhe-bench --soak-minutes N`: minutes of mixed traffic against one fresh server, at
//! moderate rates: single uploads, Bundles, FHIR searches, the admin list and
//! console pages, all at once. It looks for what only shows over time (errors
//! under contention, leaks, latency creeping up), not for peak throughput.
//! Prints one table: per kind of request the count, rate, p50/p99 latency and
//! errors; the server's RSS after warm-up; and PASS or FAIL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::IgnoredAny;
use serde_json::Value;

use crate::{Args, Page, bundle, cores, expect, observation, percentile, post_bundle, row, rss_mib, start, timed_get, upload};

/// Memory is judged from here on. On SQLite the server's RSS climbs by 35 to
/// 60 MiB in the first two minutes: each pooled connection it uses fills its
/// page cache (2 MiB) and statement cache in its thread's malloc arena.
/// Judged from 30 or 60 s, that alone failed the bound. Each connection then
/// creeps on to about 7 MiB and stays there; when requests overlap (a busy
/// host) more of the 16 get used, and over 10 to 30 minutes RSS can pass the
/// bound on its way to some 150 MiB without a leak.
const WARM_UP: Duration = Duration::from_secs(120);
const RSS_EVERY: Duration = Duration::from_secs(10);
/// RSS after warm-up may grow by 20% + 10 MiB: room for what is not a leak
/// (the database grows by about 90 observations a second, the allocator's
/// free lists fragment), while a leak of 4 KiB per request (at some 50
/// requests a second) would pass it within a 5-minute run.
const RSS_GROWTH: f64 = 1.2;
const RSS_SLACK_MIB: f64 = 10.0;
/// Errors printed as they happen; the rest are only counted.
const SHOWN_ERRORS: usize = 5;
/// A request that takes longer has failed (the server gives up at 60 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const BUNDLE_SIZE: usize = 100;
/// Pages a search client follows `next` for before it starts over: a fixed
/// depth keeps the mix of first and later pages the same as the data grows.
const SEARCH_DEPTH: usize = 10;
const CONSOLE_PAGES: [&str; 3] = ["/observations", "/studies", "/patients"];

#[derive(Clone, Copy)]
enum Kind {
    Upload,
    Bundle,
    Search,
    AdminList,
    Console,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Upload, Kind::Bundle, Kind::Search, Kind::AdminList, Kind::Console];

    /// Its name in the table, its clients, and how often each client sends a
    /// request (less often when the server is slower: a client waits for each
    /// answer). About 50 requests and 90 observations a second in all.
    fn plan(self) -> (&'static str, usize, Duration) {
        let ms = Duration::from_millis;
        match self {
            Kind::Upload => ("single uploads", 4, ms(100)),
            Kind::Bundle => ("batch Bundles of 100", 1, ms(2000)),
            Kind::Search => ("FHIR search pages of 100", 2, ms(250)),
            Kind::AdminList => ("admin list, 50 rows", 1, ms(500)),
            Kind::Console => ("console pages", 1, ms(500)),
        }
    }
}

/// One kind's results: the latencies of its successes, and its errors.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

impl Tally {
    fn requests(&self) -> usize {
        self.latencies.len() + self.errors
    }
}

#[derive(Default)]
struct Results {
    tallies: [Tally; Kind::ALL.len()],
    shown: Vec<String>,
}

/// What every client shares: the server, the two HTTP clients, the next
/// observation number (uploads and Bundles need distinct ones), and the results.
struct Traffic {
    base: String,
    token: String,
    http: reqwest::Client,
    /// Signed in to the console as mary.
    browser: reqwest::Client,
    next_observation: AtomicUsize,
    results: Mutex<Results>,
}

/// Paces one client: a request every `every` until the deadline, or back to
/// back when the server is slower.
struct Pacer {
    ticks: tokio::time::Interval,
    deadline: Instant,
}

impl Pacer {
    fn new(every: Duration, deadline: Instant) -> Pacer {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Pacer { ticks, deadline }
    }

    /// Waits for the next turn; false once the time is up.
    async fn next(&mut self) -> bool {
        self.ticks.tick().await;
        Instant::now() < self.deadline
    }
}

/// How long `request` took, if it succeeded.
async fn timed(request: impl Future<Output = Result<(), String>>) -> Result<Duration, String> {
    let started = Instant::now();
    request.await.map(|()| started.elapsed())
}

impl Traffic {
    fn record(&self, kind: Kind, outcome: Result<Duration, String>) {
        let mut results = self.results.lock().unwrap();
        match outcome {
            Ok(took) => results.tallies[kind as usize].latencies.push(took),
            Err(message) => {
                results.tallies[kind as usize].errors += 1;
                if results.shown.len() < SHOWN_ERRORS && !results.shown.contains(&message) {
                    println!("error in {}: {message}", kind.plan().0);
                    results.shown.push(message);
                }
            }
        }
    }

    async fn client(&self, kind: Kind, pace: Pacer) {
        match kind {
            Kind::Upload => self.uploads(pace).await,
            Kind::Bundle => self.bundles(pace).await,
            Kind::Search => self.searches(pace).await,
            Kind::AdminList => self.admin_lists(pace).await,
            Kind::Console => self.console_pages(pace).await,
        }
    }

    async fn uploads(&self, mut pace: Pacer) {
        let url = format!("{}/FHIR/R5/Observation", self.base);
        while pace.next().await {
            let body = observation(self.next_observation.fetch_add(1, Ordering::Relaxed)).to_string();
            self.record(Kind::Upload, timed(upload(&self.http, &url, &self.token, body)).await);
        }
    }

    /// Bundles answer 200 even when entries fail, so every entry's status counts.
    async fn bundles(&self, mut pace: Pacer) {
        while pace.next().await {
            let body = bundle(self.next_observation.fetch_add(BUNDLE_SIZE, Ordering::Relaxed), BUNDLE_SIZE);
            let outcome = timed(async {
                let answer: Value = post_bundle(&self.http, &self.base, &self.token, body).await?.json().await.map_err(|e| format!("bundle: {e}"))?;
                let entries = answer["entry"].as_array().map_or(&[][..], Vec::as_slice);
                if entries.len() != BUNDLE_SIZE {
                    return Err(format!("bundle answered {} entries for {BUNDLE_SIZE}", entries.len()));
                }
                let refused: Vec<&Value> = entries.iter().filter(|e| !e["response"]["status"].as_str().unwrap_or_default().starts_with("201")).collect();
                match refused.first() {
                    Some(first) => Err(format!("bundle: {} of {BUNDLE_SIZE} entries refused, the first with {}", refused.len(), first["response"])),
                    None => Ok(()),
                }
            });
            self.record(Kind::Bundle, outcome.await);
        }
    }

    /// Pages through patient 40002's observations as a FHIR client would.
    async fn searches(&self, mut pace: Pacer) {
        let first = format!("{}/FHIR/R5/Observation?patient=40002&_count=100", self.base);
        let (mut url, mut depth) = (first.clone(), 1);
        while pace.next().await {
            let outcome = timed_get::<Page>(&self.http, &url, &self.token).await;
            let next = match &outcome {
                Ok((_, page)) if depth < SEARCH_DEPTH => page.link.iter().find(|l| l.relation == "next").map(|l| l.url.clone()),
                _ => None,
            };
            (url, depth) = match next {
                Some(next) => (next, depth + 1),
                None => (first.clone(), 1),
            };
            self.record(Kind::Search, outcome.map(|(took, _)| took));
        }
    }

    async fn admin_lists(&self, mut pace: Pacer) {
        let url = format!("{}/api/v1/observations?study_id=30001&page_size=50", self.base);
        while pace.next().await {
            self.record(Kind::AdminList, timed_get::<IgnoredAny>(&self.http, &url, &self.token).await.map(|(took, _)| took));
        }
    }

    /// The console's pages, in turn, read to the end: the server streams the
    /// page's data into it after the first bytes.
    async fn console_pages(&self, mut pace: Pacer) {
        for path in CONSOLE_PAGES.iter().cycle() {
            if !pace.next().await {
                break;
            }
            let outcome = timed(async {
                let what = format!("GET {path}");
                let page = expect(self.browser.get(format!("{}{path}", self.base)).send().await, 200, &what).await?;
                let html = page.text().await.map_err(|e| format!("{what}: {e}"))?;
                // The console shows its errors in an alert on a page that answered 200.
                match html.split_once("role=\"alert\">") {
                    Some((_, alert)) => Err(format!("{what} shows an error: {}", alert.chars().take(200).collect::<String>())),
                    None => Ok(()),
                }
            });
            self.record(Kind::Console, outcome.await);
        }
    }
}

/// A browser signed in to the console as mary: a cookie store keeps the
/// session, and redirects (say, to the log-in page) are answers, not followed.
async fn signed_in_browser(base: &str) -> Result<reqwest::Client, String> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    // Once per soak: the server limits sign-in attempts per address. The
    // Origin header is what a browser sends, and what the server checks.
    let form = [("email", "mary@example.com"), ("password", "Jhe1234!"), ("next", "/")];
    expect(browser.post(format!("{base}/console/api/log_in")).header("Origin", base).form(&form).send().await, 200, "log in").await?;
    Ok(browser)
}

/// Soaks a fresh server for `minutes`, the warm-up included.
pub async fn run(args: &Args, minutes: f64) -> Result<(), String> {
    let length = Duration::from_secs_f64(minutes * 60.0);
    if length <= WARM_UP {
        return Err(format!("--soak-minutes must leave time after the {} s warm-up", WARM_UP.as_secs()));
    }
    let (server, token) = start(args).await?;
    println!("jhe-bench soak on {}, {} cores, {minutes} minutes of mixed traffic, client and server on one machine\n", args.database(), cores());
    let traffic = Arc::new(Traffic {
        browser: signed_in_browser(&server.base).await?,
        http: reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().map_err(|e| e.to_string())?,
        base: server.base.clone(),
        token,
        next_observation: AtomicUsize::new(0),
        results: Mutex::default(),
    });

    let started = Instant::now();
    let deadline = started + length;
    let mut clients = tokio::task::JoinSet::new();
    for kind in Kind::ALL {
        let (_, count, every) = kind.plan();
        for _ in 0..count {
            let (traffic, pace) = (traffic.clone(), Pacer::new(every, deadline));
            clients.spawn(async move { traffic.client(kind, pace).await });
        }
    }
    // The server's RSS from the end of the warm-up on, shown once a minute
    // to follow a long run, and once more when the traffic has stopped.
    let pid = server.child.id();
    let mut rss = Vec::new();
    let mut second = WARM_UP.as_secs();
    while started + Duration::from_secs(second) < deadline {
        tokio::time::sleep_until((started + Duration::from_secs(second)).into()).await;
        let now = rss_mib(pid);
        rss.push(now);
        if second.is_multiple_of(60) {
            let (requests, errors) = traffic.results.lock().unwrap().tallies.iter().fold((0, 0), |(r, e), t| (r + t.requests(), e + t.errors));
            println!("after {} min: server RSS {now:.1} MiB, {requests} requests, {errors} errors", second / 60);
        }
        second += RSS_EVERY.as_secs();
    }
    while let Some(client) = clients.join_next().await {
        client.map_err(|e| e.to_string())?;
    }
    rss.push(rss_mib(pid));
    let seconds = started.elapsed().as_secs_f64();

    let mut results = traffic.results.lock().unwrap();
    let mut errors = 0;
    for kind in Kind::ALL {
        let (name, count, _) = kind.plan();
        let tally = &mut results.tallies[kind as usize];
        tally.latencies.sort();
        errors += tally.errors;
        let requests = tally.requests();
        row(
            format!("{name}, {count} client(s)"),
            format!(
                "{requests:>7} requests {:>6.1}/s  p50 {:>6.1} ms  p99 {:>6.1} ms  {} errors",
                requests as f64 / seconds,
                percentile(&tally.latencies, 0.5),
                percentile(&tally.latencies, 0.99),
                tally.errors
            ),
        );
    }
    let (first, last) = (rss[0], rss[rss.len() - 1]);
    let (highest, bound) = (rss.iter().copied().fold(first, f64::max), first * RSS_GROWTH + RSS_SLACK_MIB);
    row(
        "server RSS after warm-up, at the end, highest",
        format!("{first:.1}, {last:.1}, {highest:.1} MiB: grew {:+.1} MiB (bound {bound:.1} MiB)", last - first),
    );

    let mut failures = Vec::new();
    if errors > 0 {
        failures.push(format!("{errors} errors"));
    }
    if last > bound {
        failures.push(format!("RSS grew from {first:.1} to {last:.1} MiB, past {bound:.1} MiB"));
    }
    if failures.is_empty() {
        row("verdict", "PASS");
        Ok(())
    } else {
        row("verdict", format!("FAIL: {}", failures.join("; ")));
        Err("soak failed".into())
    }
}
