//! Per-client request budgets for the endpoints that take a secret (sign-in,
//! token, invitation codes): a client that guesses fast is slowed down,
//! whatever its guesses. Budgets are kept in memory, per server process.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Past this many remembered clients, forget those whose budget is full again.
const REMEMBERED_CLIENTS: usize = 10_000;

#[derive(Clone)]
pub struct Throttle {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// A request over budget; the client may try again after `retry_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests from this address; try again in {retry_after} seconds")]
pub struct Throttled {
    pub retry_after: u64,
}

impl Throttle {
    /// Allows `per_minute` requests a minute per client address, all of them at once if it likes.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Throttle { limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))) }
    }

    /// Spends one request from `client`'s budget.
    pub fn check(&self, client: IpAddr) -> Result<(), Throttled> {
        if self.limiter.len() > REMEMBERED_CLIENTS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Throttled { retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget() {
        let throttle = Throttle::per_minute(NonZeroU32::new(2).unwrap());
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(throttle.check(a).is_ok());
        assert!(throttle.check(a).is_ok());
        let refused = throttle.check(a).unwrap_err();
        assert!((1..=30).contains(&refused.retry_after), "{refused:?}");
        assert!(throttle.check(b).is_ok(), "another address is not slowed down");
    }
}
