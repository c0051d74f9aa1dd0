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

/// Passes progress on at most once per interval. A message held back is not lost: the
/// newest one goes out at `finish`, so the UI always ends on the final counts.
pub struct Throttled<P, S: FnMut(P)> {
    send: S,
    every: Duration,
    last: Option<Instant>,
    held: Option<P>,
}

impl<P, S: FnMut(P)> Throttled<P, S> {
    pub fn new(every: Duration, send: S) -> Throttled<P, S> {
        Throttled {
            send,
            every,
            last: None,
            held: None,
        }
    }

    pub fn offer(&mut self, p: P) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < self.every)
        {
            self.held = Some(p);
            return;
        }
        self.last = Some(now);
        self.held = None;
        (self.send)(p);
    }

    pub fn finish(mut self) {
        if let Some(p) = self.held.take() {
            (self.send)(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_progress_keeps_the_first_and_the_last() {
        let mut sent = Vec::new();
        let mut t = Throttled::new(Duration::from_secs(60), |p: u32| sent.push(p));
        for p in 1..=5 {
            t.offer(p);
        }
        t.finish();
        assert_eq!(sent, [1, 5]);
    }

    #[test]
    fn nothing_is_sent_twice() {
        let mut sent = Vec::new();
        let mut t = Throttled::new(Duration::ZERO, |p: u32| sent.push(p));
        t.offer(1);
        t.offer(2);
        t.finish();
        assert_eq!(sent, [1, 2]);
    }

    #[test]
    fn cancelling_marks_only_running_jobs() {
        let jobs = Jobs::default();
        let token = jobs.start("a");
        assert!(jobs.cancel("a"));
        assert!(token.is_cancelled());
        jobs.finish("a");
        assert!(!jobs.cancel("a"));
    }
}
