//! The wake-up of a desk (docs/chain-mode.md, "Changes between desks"): one connection
//! that LISTENs on `coupondesk_changes`, the channel `log_change` notifies at each
//! committed change, so a desk pulls within moments of another desk's claim instead of
//! at its next timer.
//!
//! What must stay true:
//! - the listening connection is its own (never one of the pool's): a pooled connection
//!   goes back to the pool and its LISTEN would wake whoever takes it next;
//! - a notice only says "pull now": the pull reads the change log by seq, so a notice
//!   lost while the connection was down costs nothing but time (the timer's pull);
//! - a lost connection is reported (`Wake::Lost`), never waited on forever: the caller
//!   falls back to its timer and opens a new listener later.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_postgres::{AsyncMessage, Client};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::connect::tls_config;
use super::{HubError, HubUrl};

/// The channel `log_change` notifies (migration 1).
pub const CHANNEL: &str = "coupondesk_changes";

/// What a wait ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A change was committed at the hub: the highest seq heard.
    Change(i64),
    /// Nothing within the wait.
    Quiet,
    /// The connection is gone (hub stopped, network cut): open a new listener later.
    Lost,
}

/// An open LISTEN connection.
pub struct Listener {
    // Field order: the client goes first, which ends the connection task, then the
    // runtime that ran it.
    _client: Client,
    notices: mpsc::Receiver<i64>,
    rt: tokio::runtime::Runtime,
}

impl Listener {
    /// Connects to `url` and LISTENs, within `deadline`.
    pub fn open(url: &HubUrl, deadline: Duration) -> Result<Listener, HubError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("coupondesk-hub-listen")
            .enable_all()
            .build()
            .map_err(|e| HubError::Failed(format!("cannot start the listener's runtime: {e}")))?;
        let mut config = url.config.clone();
        config.connect_timeout(deadline);
        let tls = MakeRustlsConnect::new(tls_config(url)?);
        let (tx, notices) = mpsc::channel();
        let client = rt.block_on(async move {
            let work = async {
                let (client, mut connection) = config
                    .connect(tls)
                    .await
                    .map_err(|e| HubError::from_pg(&e))?;
                // The connection is driven by its own task, which hands each notice on;
                // it ends when the client is dropped or the connection breaks, and
                // dropping `tx` then tells the waiter.
                tokio::spawn(async move {
                    let mut messages =
                        futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(m) = messages.next().await {
                        match m {
                            Ok(AsyncMessage::Notification(n)) => {
                                let seq = n.payload().parse().unwrap_or(0);
                                if tx.send(seq).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .await
                    .map_err(|e| HubError::from_pg(&e))?;
                Ok::<Client, HubError>(client)
            };
            match tokio::time::timeout(deadline, work).await {
                Ok(r) => r,
                Err(_) => Err(HubError::Offline(format!(
                    "no answer within {} ms",
                    deadline.as_millis()
                ))),
            }
        })?;
        Ok(Listener {
            _client: client,
            notices,
            rt,
        })
    }

    /// Waits up to `wait` for a notice; after the first, gathers those that follow
    /// within `debounce` (a burst of claims wakes one pull, not one each).
    pub fn wait(&self, wait: Duration, debounce: Duration) -> Wake {
        let _ = &self.rt;
        let first = match self.notices.recv_timeout(wait) {
            Ok(seq) => seq,
            Err(mpsc::RecvTimeoutError::Timeout) => return Wake::Quiet,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Wake::Lost,
        };
        let mut high = first;
        let until = Instant::now() + debounce;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.notices.recv_timeout(left) {
                Ok(seq) => high = high.max(seq),
                Err(_) => break,
            }
        }
        Wake::Change(high)
    }
}
