//! Politeness: one request at a time per host, with a pause in between.
//!
//! [`HostSlots`] hands out one FIFO async lock per host. A fetch holds the
//! host's [`HostPermit`] for a whole request (headers and body); taking the
//! permit first waits until `per_host_delay` has passed since the previous
//! request to that host ended. Different hosts proceed concurrently.
//! Redirect hops and retries release the permit between requests, so a
//! fetch never holds two hosts' permits (no lock-order deadlocks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;

/// Above this many remembered hosts, idle entries are dropped.
const PRUNE_ABOVE: usize = 1024;

/// When the last request to a host ended, or `None` before the first.
type LastDone = Option<Instant>;

/// Per-host FIFO locks with a minimum delay between requests.
#[derive(Debug)]
pub(crate) struct HostSlots {
    delay: Duration,
    slots: Mutex<HashMap<String, Arc<AsyncMutex<LastDone>>>>,
}

/// Exclusive right to send one request to a host. Dropping it marks the
/// request as done (the delay for the next one starts then).
#[derive(Debug)]
pub(crate) struct HostPermit {
    guard: OwnedMutexGuard<LastDone>,
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        *self.guard = Some(Instant::now());
    }
}

impl HostSlots {
    pub(crate) fn new(delay: Duration) -> Self {
        Self {
            delay,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for the host's turn and for the politeness delay.
    pub(crate) async fn acquire(&self, host: &str) -> HostPermit {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            if slots.len() > PRUNE_ABOVE {
                let delay = self.delay;
                slots.retain(|_, slot| {
                    Arc::strong_count(slot) > 1
                        || match slot.try_lock() {
                            Ok(last) => last.is_some_and(|t| t.elapsed() < delay),
                            Err(_) => true,
                        }
                });
            }
            Arc::clone(slots.entry(host.to_ascii_lowercase()).or_default())
        };
        let guard = slot.lock_owned().await;
        if let Some(last) = *guard {
            tokio::time::sleep_until(last + self.delay).await;
        }
        HostPermit { guard }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn same_host_waits_other_host_does_not() {
        let slots = HostSlots::new(Duration::from_secs(2));
        let start = Instant::now();
        drop(slots.acquire("a.example").await);
        let second = slots.acquire("A.example").await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        let other = slots.acquire("b.example").await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        drop((second, other));
    }

    #[tokio::test(start_paused = true)]
    async fn holders_exclude_each_other() {
        let slots = Arc::new(HostSlots::new(Duration::ZERO));
        let first = slots.acquire("a.example").await;
        let waiter = {
            let slots = Arc::clone(&slots);
            tokio::spawn(async move { drop(slots.acquire("a.example").await) })
        };
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiter.is_finished());
        drop(first);
        waiter.await.unwrap();
    }
}
