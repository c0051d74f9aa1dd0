//! PLACEHOLDER while helper writes it.
use crate::sync::connector::{CallError, CallErrorKind, Connector, Op, OpResult, Refs};
use crate::sync::http::Http;
use crate::sync::settings::Endpoint;
use crate::sync::types::RemoteSummary;
use rusqlite::Connection;
use serde_json::Value;
pub fn check_payload(_op: &str, _p: &Value) -> Result<(), String> {
    Err("todo".into())
}
pub struct Sense {
    _e: Endpoint,
}
impl Sense {
    pub fn new(e: Endpoint) -> Self {
        Sense { _e: e }
    }
}
impl Connector for Sense {
    fn send(
        &mut self,
        _h: &mut Http,
        _o: &[Op],
        _r: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        Err(CallError::new(CallErrorKind::Server, "todo"))
    }
    fn pull(&mut self, _h: &mut Http, _c: &Connection) -> Result<RemoteSummary, CallError> {
        Ok(RemoteSummary::default())
    }
}
