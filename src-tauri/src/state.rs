//! What the window keeps: the opened `Desk` (or why it could not be opened, which every
//! command then reports instead of the app failing to start) and the running jobs.

use std::path::PathBuf;
use std::sync::Arc;

use coupondesk_core::progress::CancelToken;
use coupondesk_core::{ApiError, Desk};

use crate::jobs::Jobs;

pub struct AppState {
    desk: Result<Arc<Desk>, ApiError>,
    pub jobs: Jobs,
}

impl AppState {
    pub fn open(path: Option<PathBuf>) -> AppState {
        let desk = path
            .map(Ok)
            .unwrap_or_else(Desk::default_db_path)
            .and_then(|p| Desk::open(&p))
            .map(Arc::new)
            .map_err(|e| ApiError::from(&e));
        AppState {
            desk,
            jobs: Jobs::default(),
        }
    }

    pub fn desk(&self) -> Result<Arc<Desk>, ApiError> {
        self.desk.clone()
    }

    /// Brings the substring search index up to date without holding anything up;
    /// searches are complete meanwhile (the unindexed tail is scanned).
    pub fn index_in_background(&self) {
        if let Ok(desk) = self.desk.clone() {
            std::thread::spawn(move || {
                if let Err(e) = desk.build_search_index(&CancelToken::new()) {
                    eprintln!("search index: {e}");
                }
            });
        }
    }
}
