//! Generating N unique random codes into a batch.
//!
//! Codes are `prefix + random characters` from `CHARSET`, to a total `length`. A request
//! is refused up front when it asks for more than half of the codes the length and
//! prefix allow: past that, random draws collide so often that finishing is not assured.
//! Codes that collide with any code in the database are drawn again.

use std::path::Path;
use std::time::Instant;

use rand::{rngs::SmallRng, Rng, SeedableRng};
use rusqlite::{Connection, TransactionBehavior};

pub use gen_types::*;

use crate::domain::code::{MAX_LEN, MIN_LEN};
use crate::domain::Code;
use crate::import::{ImportTarget, RunState};
use crate::progress::CancelToken;
use crate::store::code_writes::CodeAdder;
use crate::store::counter_lane::GiveWay;
use crate::store::runs::{self, RunCounts, RunKind, MAX_SEQ};
use crate::store::{batches, code_id, StoreError};

const CHUNK: u64 = 100_000;
/// Codes between two looks at the counter's lane: well under a millisecond of inserts.
const GIVE_WAY_CHECK: usize = 256;
/// At most this many codes in one run (docs/codes-and-imports.md says why): a run of a
/// million codes takes under a minute and its CSV fits any spreadsheet's row limit
/// (1,048,576); a larger number is far more often a typing slip (1000 then 100000
/// typed after it) than a real order, and a shop that needs more runs it twice.
pub const MAX_PER_RUN: u64 = 1_000_000;
/// Draws allowed per code wanted before giving up (only reached when the space is
/// nearly full of existing codes).
const MAX_DRAWS_PER_CODE: u64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(
        "{requested} codes do not fit: length {length} with prefix \"{prefix}\" allows {space} \
         different codes and at most half of them can be drawn at random; use a longer length \
         or a shorter prefix"
    )]
    SpaceTooSmall {
        requested: u64,
        length: u32,
        prefix: String,
        space: String,
    },
    #[error("ask for at least 1 code")]
    ZeroCount,
    #[error(
        "{requested} codes is more than one run may make (at most {MAX_PER_RUN}); check the \
         number, or generate in several runs"
    )]
    TooMany { requested: u64 },
    #[error("the length must be between {MIN_LEN} and {MAX_LEN} and longer than the prefix")]
    BadLength,
    #[error("the prefix may only have A-Z, a-z, 0-9, '-' and '_', and must start with a letter or digit")]
    BadPrefix,
    #[error(
        "could not find enough free codes after many tries (the database already holds most \
         codes of this length and prefix); use a longer length"
    )]
    Exhausted,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
}

impl From<rusqlite::Error> for GenerateError {
    fn from(e: rusqlite::Error) -> Self {
        GenerateError::Store(StoreError::Sqlite(e))
    }
}

crate::error_codes::impl_error_code! {
    GenerateError {
        codes {
            GenerateError::SpaceTooSmall { .. } | GenerateError::Exhausted => "generate_space_too_small",
            GenerateError::TooMany { .. } => "generate_too_many",
            GenerateError::ZeroCount
            | GenerateError::BadLength
            | GenerateError::BadPrefix => "invalid_generate",
        }
        wraps { Store(crate::store::StoreError), Import(crate::import::ImportError) }
    }
}

/// The checked shape of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub count: u64,
    pub length: usize,
    pub prefix: String,
}

/// How many different codes `random_len` characters of CHARSET make; None past u128.
fn space(random_len: usize) -> Option<u128> {
    (CHARSET.len() as u128).checked_pow(random_len as u32)
}

pub fn plan(req: &GenerateRequest) -> Result<Plan, GenerateError> {
    let length = req.length.unwrap_or(DEFAULT_LENGTH) as usize;
    let prefix = req
        .prefix
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_owned();
    if req.count == 0 {
        return Err(GenerateError::ZeroCount);
    }
    if req.count > MAX_PER_RUN {
        return Err(GenerateError::TooMany {
            requested: req.count,
        });
    }
    if !(MIN_LEN..=MAX_LEN).contains(&length) || prefix.len() >= length {
        return Err(GenerateError::BadLength);
    }
    if !prefix.is_empty() {
        let mut probe = prefix.clone();
        while probe.len() < MIN_LEN {
            probe.push('A');
        }
        if Code::parse(&probe).is_err() {
            return Err(GenerateError::BadPrefix);
        }
    }
    let room = space(length - prefix.len());
    if room.is_some_and(|s| u128::from(req.count) > s / 2) {
        return Err(GenerateError::SpaceTooSmall {
            requested: req.count,
            length: length as u32,
            prefix,
            space: room.map(|s| s.to_string()).unwrap_or_default(),
        });
    }
    Ok(Plan {
        count: req.count,
        length,
        prefix,
    })
}

fn draw(rng: &mut SmallRng, plan: &Plan, buf: &mut String) {
    buf.clear();
    buf.push_str(&plan.prefix);
    while buf.len() < plan.length {
        buf.push(CHARSET[rng.random_range(0..CHARSET.len())] as char);
    }
}

pub fn generate(
    conn: &mut Connection,
    db: &Path,
    req: &GenerateRequest,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(GenerateProgress),
) -> Result<GenerateReport, GenerateError> {
    let started = Instant::now();
    let plan = plan(req)?;
    let target = ImportTarget::Existing(req.ticket_type.clone());
    let claim = crate::import::run::claim(conn, db, &target, RunKind::Generate, None)?;
    let outcome = fill(conn, db, &plan, &claim, cancel, on_progress);
    let (state, generated) = match outcome {
        Ok(Some(n)) => {
            runs::finish(conn, claim.run_id)?;
            (RunState::Done, n)
        }
        Ok(None) => {
            runs::abandon(conn, db, claim.run_id, RunState::Cancelled)?;
            (RunState::Cancelled, 0)
        }
        Err(e) => {
            let _ = runs::abandon(conn, db, claim.run_id, RunState::Interrupted);
            return Err(e);
        }
    };
    let batch = batches::get(conn, &req.ticket_type)?;
    Ok(GenerateReport {
        run_id: claim.run_id,
        state,
        batch,
        generated,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// Some(count) when all were added, None when cancelled.
fn fill(
    conn: &mut Connection,
    db: &Path,
    plan: &Plan,
    claim: &runs::Claim,
    cancel: &CancelToken,
    on_progress: &mut dyn FnMut(GenerateProgress),
) -> Result<Option<u64>, GenerateError> {
    let mut rng = SmallRng::from_os_rng();
    let mut lane = GiveWay::open(db);
    let mut buf = String::with_capacity(plan.length);
    let mut next_seq = claim.first_seq;
    let mut done = 0u64;
    let mut draws = 0u64;
    let max_draws = plan.count.saturating_mul(MAX_DRAWS_PER_CODE);
    while done < plan.count {
        if cancel.is_cancelled() {
            return Ok(None);
        }
        let want = (plan.count - done).min(CHUNK);
        if next_seq + want as i64 - 1 > MAX_SEQ {
            return Err(StoreError::BatchFull(format!("#{}", claim.batch_id)).into());
        }
        // Draw the chunk, then insert it sorted: the unique index is written in order
        // instead of at random places, which is most of the cost of a large batch.
        let mut fresh: Vec<String> = Vec::with_capacity(want as usize);
        for _ in 0..want {
            draws += 1;
            if draws > max_draws {
                return Err(GenerateError::Exhausted);
            }
            draw(&mut rng, plan, &mut buf);
            fresh.push(buf.clone());
        }
        fresh.sort_unstable();
        fresh.dedup();
        // A counter waiting to redeem goes first: the chunk is then committed in parts
        // (`store::counter_lane`), still in order.
        let mut pos = 0;
        while pos < fresh.len() {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut added = 0u64;
            let mut give_way = false;
            {
                let mut adder = CodeAdder::new(&tx, claim.run_id)?;
                // Codes already in the database (a bonus's included) are skipped; the
                // next round draws their replacements.
                for (i, code) in fresh[pos..].iter().enumerate() {
                    if i > 0 && i % GIVE_WAY_CHECK == 0 && lane.should_give_way() {
                        give_way = true;
                        break;
                    }
                    pos += 1;
                    let id = code_id(claim.batch_id, next_seq);
                    if adder.add(id, code.as_str())? {
                        next_seq += 1;
                        added += 1;
                    }
                }
            }
            done += added;
            let totals = RunCounts {
                rows_read: done,
                imported: done,
                ..RunCounts::default()
            };
            runs::save_chunk(&tx, claim.run_id, claim.batch_id, next_seq, added, totals)?;
            tx.commit()?;
            on_progress(GenerateProgress {
                run_id: claim.run_id,
                generated: done,
                total: plan.count,
            });
            if give_way {
                lane.wait_turn();
            }
        }
    }
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(count: u64, length: Option<u32>, prefix: Option<&str>) -> GenerateRequest {
        GenerateRequest {
            ticket_type: "T".into(),
            count,
            length,
            prefix: prefix.map(str::to_owned),
        }
    }

    #[test]
    fn refuses_what_cannot_fit() {
        // 2 random characters: 32^2 = 1024 codes, at most 512 drawn.
        assert!(plan(&req(512, Some(6), Some("ABCD"))).is_ok());
        assert!(matches!(
            plan(&req(513, Some(6), Some("ABCD"))),
            Err(GenerateError::SpaceTooSmall { .. })
        ));
        assert!(matches!(
            plan(&req(0, None, None)),
            Err(GenerateError::ZeroCount)
        ));
        assert!(plan(&req(MAX_PER_RUN, Some(16), None)).is_ok());
        assert!(matches!(
            plan(&req(MAX_PER_RUN + 1, Some(16), None)),
            Err(GenerateError::TooMany { requested }) if requested == MAX_PER_RUN + 1
        ));
        assert!(matches!(
            plan(&req(1, Some(3), None)),
            Err(GenerateError::BadLength)
        ));
        assert!(matches!(
            plan(&req(1, Some(65), None)),
            Err(GenerateError::BadLength)
        ));
        assert!(matches!(
            plan(&req(1, Some(4), Some("ABCD"))),
            Err(GenerateError::BadLength)
        ));
        assert!(matches!(
            plan(&req(1, None, Some("-X"))),
            Err(GenerateError::BadPrefix)
        ));
        assert!(matches!(
            plan(&req(1, None, Some("A B"))),
            Err(GenerateError::BadPrefix)
        ));
        // 32^64 is past u128: the space check must not overflow.
        assert!(plan(&req(MAX_PER_RUN, Some(64), None)).is_ok());
    }

    #[test]
    fn charset_has_no_look_alikes() {
        for c in b"01OIl" {
            assert!(!CHARSET.contains(c));
        }
    }

    /// The oracle for the random part, written from the rule and not from CHARSET:
    /// digits 2-9 and capitals without the look-alikes O and I (0, 1 and lower case are
    /// out by the ranges).
    fn look_alike_free(c: char) -> bool {
        matches!(c, '2'..='9') || (c.is_ascii_uppercase() && c != 'O' && c != 'I')
    }

    #[test]
    fn charset_is_exactly_the_look_alike_free_set() {
        let mut want: Vec<char> = ('!'..='~').filter(|c| look_alike_free(*c)).collect();
        let mut got: Vec<char> = CHARSET.iter().map(|b| char::from(*b)).collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(got.len(), 32);
    }

    /// Every character of the set is drawn (a draw that skipped part of the set would
    /// shrink the space `plan` promises).
    #[test]
    fn draws_reach_every_character() {
        let p = plan(&req(1, Some(64), None)).expect("plan");
        let mut rng = SmallRng::seed_from_u64(17);
        let mut buf = String::new();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20 {
            draw(&mut rng, &p, &mut buf);
            seen.extend(buf.chars());
        }
        assert_eq!(seen.len(), 32, "seen {seen:?}");
    }

    /// A length, then a prefix shorter than it (empty included), with white space around
    /// it that `plan` trims.
    fn shapes() -> impl Strategy<Value = (u32, String, String)> {
        (4u32..=64).prop_flat_map(|len| {
            let max = (len - 1) as usize;
            let prefix = prop_oneof![
                1 => Just(String::new()),
                4 => proptest::string::string_regex(&format!(
                    "[A-Za-z0-9][A-Za-z0-9_-]{{0,{}}}",
                    max - 1
                ))
                .expect("prefix pattern"),
            ];
            let white = proptest::sample::select(vec!["", " ", "\t", "  "]);
            (Just(len), prefix, white).prop_map(|(len, prefix, w)| {
                let asked = format!("{w}{prefix}{w}");
                (len, prefix, asked)
            })
        })
    }

    proptest! {
        #[test]
        fn drawn_codes_have_prefix_length_and_charset((len, prefix, asked) in shapes(), seed: u64) {
            let asked = (!asked.is_empty()).then_some(asked.as_str());
            let p = plan(&req(1, Some(len), asked)).expect("plan");
            prop_assert_eq!(&p.prefix, &prefix);
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut buf = String::new();
            draw(&mut rng, &p, &mut buf);
            prop_assert_eq!(buf.chars().count(), len as usize);
            prop_assert_eq!(&buf[..prefix.len()], prefix.as_str());
            let random = &buf[prefix.len()..];
            prop_assert_eq!(random.chars().count(), len as usize - prefix.len());
            prop_assert!(random.chars().all(look_alike_free), "random part {:?}", random);
            prop_assert_eq!(Code::parse(&buf).map(Code::into_string), Ok(buf.clone()));
        }
    }
}

mod gen_types {
    use serde::{Deserialize, Serialize};
    use ts_rs::TS;

    use crate::domain::Batch;
    use crate::import::RunState;

    /// Look-alike characters (0/O, 1/I) are left out, and only upper case is used, so
    /// a code read aloud or typed from paper comes out right.
    pub const CHARSET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    pub const DEFAULT_LENGTH: u32 = 12;

    #[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
    #[serde(rename_all = "camelCase")]
    #[ts(export)]
    pub struct GenerateRequest {
        pub ticket_type: String,
        #[ts(type = "number")]
        pub count: u64,
        /// Total code length including the prefix; default 12.
        #[serde(default)]
        pub length: Option<u32>,
        #[serde(default)]
        pub prefix: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "camelCase")]
    #[ts(export)]
    pub struct GenerateProgress {
        #[ts(type = "number")]
        pub run_id: i64,
        #[ts(type = "number")]
        pub generated: u64,
        #[ts(type = "number")]
        pub total: u64,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "camelCase")]
    #[ts(export)]
    pub struct GenerateReport {
        #[ts(type = "number")]
        pub run_id: i64,
        pub state: RunState,
        pub batch: Batch,
        #[ts(type = "number")]
        pub generated: u64,
        #[ts(type = "number")]
        pub elapsed_ms: u64,
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let small = GenerateError::SpaceTooSmall {
            requested: 9,
            length: 4,
            prefix: String::new(),
            space: "1".into(),
        };
        assert_codes(vec![
            (small, "generate_space_too_small"),
            (GenerateError::Exhausted, "generate_space_too_small"),
            (GenerateError::ZeroCount, "invalid_generate"),
            (GenerateError::BadLength, "invalid_generate"),
            (GenerateError::BadPrefix, "invalid_generate"),
            (
                GenerateError::Store(StoreError::BatchNotFound("T1".into())),
                "batch_not_found",
            ),
            (
                GenerateError::Import(crate::import::ImportError::NoDataRows),
                "no_data_rows",
            ),
        ]);
    }
}
