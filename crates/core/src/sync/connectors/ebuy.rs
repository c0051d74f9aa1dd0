//! 004 e-Buy e-coupon: batch activate / unactivate / status update of codes, in signed
//! envelopes. Idempotency is the envelope's `uuid` (the engine keeps it across retries),
//! so a re-sent envelope is answered from the platform's store, never applied twice.
//! Per-code results (`activeCodeDetails`) become one result per op.

use std::collections::HashMap;

use coupondesk_wire::ebuy::{
    self, error_code, result_code, ActivateContent, ActivateInfo, CodeResults, MakeFundsChannel,
    RequestEnvelope, SignType, UnActivateContent, UpdateStatusContent,
};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use crate::sync::connector::{Connector, Op, OpResult, Refs};
use crate::sync::http::{CallError, CallErrorKind, Http};
use crate::sync::settings::Endpoint;
use crate::sync::types::{Platform, RemoteSummary};

pub const ACTIVATE: &str = "ebuy.activate";
pub const UNACTIVATE: &str = "ebuy.unactivate";
pub const STATUS: &str = "ebuy.status";

/// Codes per envelope: the platform's limit (it answers INVALID_PARAM past 1000 codes,
/// docs/remote-apis.md). Fewer, larger envelopes halve the per-envelope costs (two
/// committed transactions, a signature each way); a re-sent envelope is answered from
/// the platform's store by its uuid, so a lost one costs one replay, not a re-apply.
pub const BATCH: usize = 1000;

/// Optional data of an activation (the spec's activate body beside `codeArray`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivatePayload {
    #[serde(default)]
    pub make_funds_channel: Option<MakeFundsChannel>,
    #[serde(default)]
    pub activate_info: Option<ActivateInfo>,
    #[serde(default)]
    pub code_valid_days: Option<i64>,
    #[serde(default)]
    pub code_valid_start: Option<String>,
    #[serde(default)]
    pub code_valid_end: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusPayload {
    pub code_status: String,
}

pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    match op {
        ACTIVATE => ActivatePayload::deserialize(payload)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        UNACTIVATE => Ok(()),
        STATUS => {
            let p = StatusPayload::deserialize(payload).map_err(|e| e.to_string())?;
            if ["0", "1", "2", "3"].contains(&p.code_status.as_str()) {
                Ok(())
            } else {
                Err("codeStatus must be \"0\", \"1\", \"2\" or \"3\"".into())
            }
        }
        _ => Err(format!("unknown operation {op}")),
    }
}

pub struct Ebuy {
    e: Endpoint,
}

impl Ebuy {
    pub fn new(e: Endpoint) -> Ebuy {
        Ebuy { e }
    }

    fn content(&self, ops: &[Op]) -> Result<(&'static str, &'static str, Value), String> {
        let codes: Vec<String> = ops.iter().map(|o| o.subject.clone()).collect();
        let head = &ops[0];
        let brand = self.e.brand_id.clone();
        let v = match head.op.as_str() {
            ACTIVATE => {
                let p = ActivatePayload::deserialize(&head.payload).map_err(|e| e.to_string())?;
                let info = p.activate_info.or_else(|| {
                    (!self.e.shop_no.is_empty() || !self.e.org.is_empty()).then(|| ActivateInfo {
                        opt_shop_no: Some(self.e.shop_no.clone()).filter(|s| !s.is_empty()),
                        opt_org: Some(self.e.org.clone()).filter(|s| !s.is_empty()),
                    })
                });
                let c = ActivateContent {
                    code_array: codes,
                    brand_id: Some(brand).filter(|b| !b.is_empty()),
                    make_funds_channel: p.make_funds_channel,
                    activate_info: info,
                    code_valid_days: p.code_valid_days,
                    code_valid_start: p.code_valid_start,
                    code_valid_end: p.code_valid_end,
                };
                (
                    "batchActivateCode",
                    ebuy::PATH_ACTIVATE,
                    serde_json::to_value(c),
                )
            }
            UNACTIVATE => (
                "batchUnActivateCode",
                ebuy::PATH_UNACTIVATE,
                serde_json::to_value(UnActivateContent {
                    code_array: codes,
                    brand_id: brand,
                }),
            ),
            STATUS => {
                let p = StatusPayload::deserialize(&head.payload).map_err(|e| e.to_string())?;
                (
                    "batchUpdateCodeStatus",
                    ebuy::PATH_UPDATE_STATUS,
                    serde_json::to_value(UpdateStatusContent {
                        code_array: codes,
                        brand_id: brand,
                        code_status: p.code_status,
                    }),
                )
            }
            other => return Err(format!("unknown operation {other}")),
        };
        Ok((v.0, v.1, v.2.map_err(|e| e.to_string())?))
    }
}

/// The per-code answer, in words staff understand.
fn per_code(op: &str, code: &str, message: &str) -> OpResult {
    let said = |words: &str| format!("{words} (e-Buy: {message})");
    match code {
        result_code::SUCCESS => OpResult::done(code, message),
        // Already as asked: nothing to do, and nothing wrong.
        result_code::CODE_ALREADY_ACTIVE if op == ACTIVATE => {
            OpResult::done(code, said("was already active"))
        }
        result_code::CODE_NOT_ACTIVE if op == UNACTIVATE => {
            OpResult::done(code, said("was already inactive"))
        }
        result_code::CODE_USED_ELSEWHERE => {
            OpResult::conflict(code, said("this code was already used on another channel"))
        }
        result_code::CODE_ALREADY_USED => {
            OpResult::conflict(code, said("this code was already used"))
        }
        result_code::CODE_INVALID => OpResult::conflict(code, said("e-Buy says this code is void")),
        result_code::BAD_STATUS => OpResult::conflict(code, said("e-Buy refused this status")),
        result_code::CODE_ALREADY_ACTIVE | result_code::CODE_NOT_ACTIVE => {
            OpResult::conflict(code, said("e-Buy refused the change"))
        }
        // A result code this version does not know: try again rather than give up.
        other => OpResult::Retry {
            code: other.to_owned(),
            message: message.to_owned(),
        },
    }
}

impl Connector for Ebuy {
    fn batch_limit(&self) -> usize {
        BATCH
    }

    /// The envelope uuid is the platform's idempotency key: a re-sent envelope gets its
    /// stored answer back.
    fn pipelines(&self) -> bool {
        true
    }

    fn send(
        &mut self,
        http: &mut Http,
        ops: &[Op],
        _refs: &Refs<'_>,
    ) -> Result<Vec<OpResult>, CallError> {
        let Some(uuid) = ops.first().and_then(|o| o.envelope_uuid.clone()) else {
            return Err(CallError::new(
                CallErrorKind::BadAnswer,
                "internal: an e-Buy batch without its uuid",
            ));
        };
        let (action, path, content) = match self.content(ops) {
            Ok(x) => x,
            Err(words) => {
                return Ok(ops
                    .iter()
                    .map(|_| {
                        OpResult::conflict("BAD_DATA", format!("cannot build the request: {words}"))
                    })
                    .collect())
            }
        };
        let sign_type = SignType::parse(&self.e.sign_type).unwrap_or_default();
        let mut env = RequestEnvelope {
            app_id: self.e.app_id.clone(),
            action: action.to_owned(),
            sign_type: sign_type.as_str().to_owned(),
            lang: "zh_CN".to_owned(),
            uuid,
            content,
            timestamp: crate::store::now_ms(),
            sign: String::new(),
        };
        let secret = self.e.secret.expose().as_bytes();
        env.sign(secret)
            .map_err(|e| CallError::auth(Platform::Ebuy, &format!("cannot sign: {e:?}")))?;
        let body = serde_json::to_vec(&env)
            .map_err(|e| CallError::new(CallErrorKind::BadAnswer, e.to_string()))?;
        let url = format!("{}{}", self.e.base_url, path);
        let ans = http.call("POST", &url, &[], Some(&body))?;
        if ans.status == 429 {
            return Err(CallError::rate_limited(ans.retry_after));
        }
        if ans.status >= 500 {
            return Err(CallError::server(ans.status, "e-Buy system error"));
        }
        if ans.status == 404 {
            return Err(CallError::new(
                CallErrorKind::Server,
                "e-Buy answered 404: check the e-Buy address in Settings",
            ));
        }
        let raw: Value = ans.json()?;
        // An answer we cannot verify is not trusted: the same uuid is sent again and
        // the platform replays its stored answer.
        ebuy::verify_value(&raw, secret).map_err(|e| {
            CallError::new(
                CallErrorKind::BadAnswer,
                format!("e-Buy's answer failed the signature check ({e:?}); check the signing key in Settings"),
            )
        })?;
        let resp: ebuy::ResponseEnvelope = serde_json::from_value(raw).map_err(|e| {
            CallError::new(
                CallErrorKind::BadAnswer,
                format!("unreadable e-Buy answer: {e}"),
            )
        })?;
        if !resp.success {
            let words = format!("{} {}", resp.error_code, resp.error_message);
            return match resp.error_code.as_str() {
                error_code::RATE_LIMITED => Err(CallError::rate_limited(ans.retry_after)),
                error_code::INVALID_SIGN
                | error_code::INVALID_APP_ID
                | error_code::AUTH_EXPIRED => Err(CallError::auth(Platform::Ebuy, &words)),
                error_code::INVALID_PARAM => Ok(ops
                    .iter()
                    .map(|_| {
                        OpResult::conflict(
                            resp.error_code.clone(),
                            format!("e-Buy refused the request: {}", resp.error_message),
                        )
                    })
                    .collect()),
                _ => Err(CallError::server(ans.status, &words)),
            };
        }
        let results: CodeResults = serde_json::from_value(resp.content).map_err(|e| {
            CallError::new(
                CallErrorKind::BadAnswer,
                format!("unreadable e-Buy results: {e}"),
            )
        })?;
        let by_code: HashMap<&str, &ebuy::ActiveCodeDetail> = results
            .active_code_details
            .iter()
            .map(|d| (d.code_secret.as_str(), d))
            .collect();
        Ok(ops
            .iter()
            .map(|o| match by_code.get(o.subject.as_str()) {
                Some(d) => per_code(&o.op, &d.result_code, &d.result_message),
                None => OpResult::Retry {
                    code: "MISSING".into(),
                    message: "e-Buy's answer left this code out; sending it again".into(),
                },
            })
            .collect())
    }

    /// e-Buy has no list endpoint: nothing to pull.
    fn pull(&mut self, _http: &mut Http, _conn: &Connection) -> Result<RemoteSummary, CallError> {
        Ok(RemoteSummary::default())
    }
}
