//! Long work (import, generate, export) runs under a job id the UI chose, so `job_cancel`
//! can stop it; progress reaches the UI through a Channel, at most ten times a second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use coupondesk_core::progress::CancelToken;

#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, CancelToken>>);

impl Jobs {
    pub fn start(&self, id: &str) -> CancelToken {
        let token = CancelToken::new();
        self.lock().insert(id.to_owned(), token.clone());
        token
    }

    pub fn finish(&self, id: &str) {
        self.lock().remove(id);
    }

    /// True when the job was running (it stops at its next safe point).
    pub fn cancel(&self, id: &str) -> bool {
        match self.lock().get(id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancelToken>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Lets one progress message through per interval.
pub struct Throttle {
    last: Option<Instant>,
    every: Duration,
}

impl Throttle {
    pub fn new() -> Throttle {
        Throttle {
            last: None,
            every: Duration::from_millis(100),
        }
    }

    pub fn ready(&mut self) -> bool {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < self.every)
        {
            return false;
        }
        self.last = Some(now);
        true
    }
}
