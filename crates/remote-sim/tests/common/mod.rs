//! A small ureq client for the simulator tests.
#![allow(dead_code)]

use coupondesk_remote_sim::{Sim, SimConfig, SimHandle};
use serde_json::Value;
use std::time::Duration;

pub struct Client {
    agent: ureq::Agent,
    pub base: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

pub fn start() -> (SimHandle, Client) {
    start_with(SimConfig::default())
}

/// A simulator in spec-literal mode and a client for it.
pub fn start_literal() -> (SimHandle, Client) {
    start_with(SimConfig {
        spec_literal: true,
        ..SimConfig::default()
    })
}

pub fn start_with(cfg: SimConfig) -> (SimHandle, Client) {
    let sim = Sim::start(cfg).expect("sim starts");
    let client = Client::new(&sim, Duration::from_secs(10));
    (sim, client)
}

impl Client {
    pub fn new(sim: &SimHandle, timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Client {
            agent,
            base: sim.base_url(),
        }
    }

    /// Sends `method path` with headers and an optional JSON body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply, ureq::Error> {
        let url = format!("{}{}", self.base, path);
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        let mut resp = match method {
            "GET" => {
                let mut r = self.agent.get(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()?
            }
            m => {
                let mut r = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    other => panic!("method {other}"),
                };
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                match bytes {
                    Some(b) => r.header("Content-Type", "application/json").send(&b[..])?,
                    None => r.send_empty()?,
                }
            }
        };
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        Ok(Reply {
            status: resp.status().as_u16(),
            retry_after,
            text: resp.body_mut().read_to_string()?,
        })
    }

    pub fn ok(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        self.send(method, path, headers, body)
            .expect("transport ok")
    }
}

/// The sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

pub fn sorted(k: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}
