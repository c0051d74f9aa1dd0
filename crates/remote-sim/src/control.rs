//! The control API under `/__sim/` (no auth, never faulted): counters, faults, reset, state,
//! the in-flight gauge, and the actions staff or shops take outside the platforms' APIs
//! (000 console upload, 003 voucher use).

use crate::http::{Req, Resp};
use crate::{p000, p003, Faults, Inner, Shared, SimError};
use serde::Deserialize;
use std::sync::atomic::Ordering;

pub(crate) fn control(shared: &Shared, req: &Req, path: &str) -> Resp {
    let ok = |v: serde_json::Value| Resp::json(200, &v);
    match (req.method.as_str(), path) {
        ("GET", "counters") => Resp::json(200, &shared.counters()),
        ("GET", "faults") => Resp::json(200, &shared.lock().faults),
        ("POST", "faults") => match serde_json::from_slice::<Faults>(&req.body) {
            Ok(f) => {
                shared.lock().faults = f.clone();
                Resp::json(200, &f)
            }
            Err(e) => Resp::json(400, &serde_json::json!({"error": e.to_string()})),
        },
        ("POST", "reset") => {
            *shared.lock() = Inner::new(&shared.cfg);
            ok(serde_json::json!({"ok": true}))
        }
        ("GET", "state") => ok(shared.lock().state_json()),
        ("GET", "inflight") => ok(serde_json::json!({
            "in_flight": shared.in_flight.load(Ordering::SeqCst)
        })),
        ("POST", "p000/batches") => {
            #[derive(Deserialize)]
            struct Upload {
                batch_no: String,
                codes: Vec<String>,
            }
            match serde_json::from_slice::<Upload>(&req.body) {
                Ok(u) => {
                    control_result(p000::store_batch(&mut shared.lock(), &u.batch_no, u.codes))
                }
                Err(e) => Resp::json(400, &serde_json::json!({"error": e.to_string()})),
            }
        }
        ("POST", "p003/use") => {
            #[derive(Deserialize)]
            struct Use {
                id: i64,
            }
            match serde_json::from_slice::<Use>(&req.body) {
                Ok(u) => control_result(p003::mark_used(&mut shared.lock(), u.id)),
                Err(e) => Resp::json(400, &serde_json::json!({"error": e.to_string()})),
            }
        }
        ("GET", "config") => Resp::json(200, &shared.cfg),
        _ => Resp::json(
            404,
            &serde_json::json!({"error": "no such control endpoint"}),
        ),
    }
}

/// `{"ok": true}`, or 400 / 404 / 409 with `{"error": "..."}`.
fn control_result(r: Result<(), SimError>) -> Resp {
    match r {
        Ok(()) => Resp::json(200, &serde_json::json!({"ok": true})),
        Err(e) => {
            let status = match e {
                SimError::BadInput(_) => 400,
                SimError::NoSuchVoucher(_) => 404,
                SimError::BatchConflict(_) | SimError::VoucherAlreadyUsed(_) => 409,
            };
            Resp::json(status, &serde_json::json!({"error": e.to_string()}))
        }
    }
}
