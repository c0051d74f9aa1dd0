//! Long work (import, generate, export, index) reports progress through a callback and
//! stops at the next safe point when its `CancelToken` is set.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The long work running under ids a front end chose, so it can cancel it by id.
#[derive(Default)]
pub struct Jobs(std::sync::Mutex<std::collections::HashMap<String, CancelToken>>);

impl Jobs {
    /// Runs `work` under `id` until it returns (or panics: the id is freed either way).
    pub fn run<T>(&self, id: &str, work: impl FnOnce(&CancelToken) -> T) -> T {
        struct Finish<'a>(&'a Jobs, &'a str);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.lock().remove(self.1);
            }
        }
        let token = CancelToken::new();
        self.lock().insert(id.to_owned(), token.clone());
        let _finish = Finish(self, id);
        work(&token)
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

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, CancelToken>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Passes progress on at most once per interval. A message held back is not lost: the
/// newest one goes out at `finish`, so a front end always ends on the final counts.
pub struct Throttled<P, S: FnMut(P)> {
    send: S,
    every: std::time::Duration,
    last: Option<std::time::Instant>,
    held: Option<P>,
}

impl<P, S: FnMut(P)> Throttled<P, S> {
    pub fn new(every: std::time::Duration, send: S) -> Throttled<P, S> {
        Throttled {
            send,
            every,
            last: None,
            held: None,
        }
    }

    pub fn offer(&mut self, p: P) {
        let now = std::time::Instant::now();
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
mod jobs_tests {
    use std::time::Duration;

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
        let token = jobs.run("a", |t| {
            assert!(jobs.cancel("a"));
            t.clone()
        });
        assert!(token.is_cancelled());
        assert!(!jobs.cancel("a"), "the job is over");
    }
}
