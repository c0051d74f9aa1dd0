//! The demo shop `serve --seed-demo` fills an empty database with (the browser checks and
//! `npm run dev` use it). Written with the UI's move to the real core (issue #11).

use coupondesk_core::{ApiError, Desk};

pub fn seed_demo(_desk: &Desk) -> Result<(), ApiError> {
    Err(ApiError::new(
        "demo_seed_missing",
        "this build has no demo shop yet; run serve without --seed-demo",
    ))
}
