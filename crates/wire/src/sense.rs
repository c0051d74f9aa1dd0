//! Spec 000: the "Sense" ticket API (券码管理). Every answer is
//! `{"head":{"ret":0,"msg":"OK"},"body":{...}}`; `body` only when there is more data.
//! Auth: header [`AUTH_HEADER`] carrying the access token.

use serde::{Deserialize, Serialize};

/// The auth header every request carries.
pub const AUTH_HEADER: &str = "X-Le-Sense-AT";

/// Return codes (`head.ret`).
pub mod ret {
    /// 请求成功
    pub const OK: i64 = 0;
    /// 服务器错误
    pub const SERVER_ERROR: i64 = 1;
    /// 授权错误, Token 无效或已过期
    pub const TOKEN_INVALID: i64 = 2;
    /// 请求参数错误
    pub const BAD_PARAMETER: i64 = 3;
    /// 调用次数达到上限
    pub const RATE_LIMITED: i64 = 4;
    /// 无调用权限
    pub const NO_PERMISSION: i64 = 5;
    /// 券码名称重复
    pub const DUPLICATE_NAME: i64 = 103;
    /// 导入批次号不存在
    pub const BATCH_NOT_FOUND: i64 = 104;
    /// 券码类型不存在
    pub const TICKET_TYPE_NOT_FOUND: i64 = 105;
}

/// `head` of every answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub ret: i64,
    pub msg: String,
}

/// The whole answer: `head` and, when there is data, `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<B> {
    pub head: Head,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub body: Option<B>,
}

fn none<B>() -> Option<B> {
    None
}

impl<B> Envelope<B> {
    /// `ret 0, msg "OK"` with a body.
    pub fn ok(body: B) -> Self {
        Envelope {
            head: Head {
                ret: ret::OK,
                msg: "OK".into(),
            },
            body: Some(body),
        }
    }
    /// An answer without body (success or error).
    pub fn head_only(ret: i64, msg: impl Into<String>) -> Self {
        Envelope {
            head: Head {
                ret,
                msg: msg.into(),
            },
            body: None,
        }
    }
}

/// Query parameters of `GET /tickets` (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<String>,
    /// Fuzzy (substring) match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_name: Option<String>,
    /// From 1, default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_page: Option<u32>,
    /// Default 10, at most 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

/// `body` of `GET /tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketList {
    pub tickets: Vec<Ticket>,
}

/// One ticket type (a code batch) in `GET /tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub ticket_type: String,
    pub ticket_name: String,
    pub ticket_total: u64,
    pub ticket_used: u64,
    /// Listed by the spec, missing from its example: a millisecond epoch in a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// A millisecond epoch in a string (`"1473246472121"`).
    pub update_time: String,
}

/// Body of `POST /tickets` (create, and import when `batch_no` is given) and of
/// `PUT /tickets` (supplement an existing ticket with the codes of `batch_no`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_no: Option<String>,
    pub ticket_name: String,
}

/// NOT IN THE SPEC (simulator extension, see docs/remote-apis.md): body of
/// `POST /ext/batches`, which uploads the codes behind a `batch_no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchUploadRequest {
    pub batch_no: String,
    pub codes: Vec<String>,
}

/// NOT IN THE SPEC: `body` of the answer to `POST /ext/batches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchUploaded {
    pub batch_no: String,
    pub code_count: u64,
}
