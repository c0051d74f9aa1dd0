//! How a benchmark shows its result: one JSON object with --json, else one line for people.
//! The JSON keys are written in snake_case where the object is built, as the CLI's are.

use coupondesk_core::ApiError;
use serde::Serialize;

pub struct Out {
    pub json: bool,
}

impl Out {
    pub fn value<T: Serialize>(&self, v: &T, text: &str) -> Result<(), ApiError> {
        if self.json {
            let v =
                serde_json::to_value(v).map_err(|e| ApiError::new("internal", e.to_string()))?;
            println!("{v}");
        } else {
            println!("{text}");
        }
        Ok(())
    }
}
