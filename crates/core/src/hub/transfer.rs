//! The join's bulk transfer, hub side: registering a terminal, the upload of a desk's
//! batches and codes, and the download of the hub's, all with `COPY` (never row by row).
//!
//! What must stay true:
//! - an upload never changes a code the hub has: new codes go in with `ON CONFLICT DO
//!   NOTHING` from a temporary table filled by `COPY ... FROM STDIN`;
//! - an upload that added anything logs one change per batch (`log_change('batch', ..)`),
//!   in the upload's transaction, not one per code;
//! - the COPY text is PostgreSQL's text format: fields escaped (`escape`), so no value
//!   can end a field or a row early;
//! - the INSERT of an upload's codes runs under `UPLOAD_LOCK`, held to the commit (hub
//!   schema 11): the codes' `ord`s then become visible in commit order, which is what lets
//!   a desk ask for a batch's codes after its mark (`download_batch`) without missing
//!   one that an upload committing later had numbered lower.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio_postgres::{Client, GenericClient};

use super::roles;
use super::schema;
use super::HubError;

fn pg(e: tokio_postgres::Error) -> HubError {
    HubError::from_pg(&e)
}

/// The advisory lock every INSERT into `coupondesk.codes` takes first ("cd.codes" as a
/// bigint; hub migration 11). Uploads wait for each other at it, claims never do.
pub const UPLOAD_LOCK: i64 = 0x6364_2e63_6f64_6573;

/// The hub schema that gives codes their arrival order (`coupondesk.codes.ord`).
pub const ORDER_SINCE_SCHEMA: i64 = 11;

/// A terminal registered by `register`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub store_id: i64,
    pub terminal_id: i64,
    pub role: String,
}

/// Registers store and terminal and creates (or, for `rejoin`, resets) the terminal's
/// login role with `password`, in one transaction; `before_commit` runs last inside it
/// (the desk keeps the password there, so a committed role always has its password
/// kept). A terminal name already taken in the store is refused unless it is `rejoin`.
pub async fn register(
    c: &mut Client,
    (store, terminal): (&str, &str),
    rejoin: Option<i64>,
    password: &str,
    before_commit: impl FnOnce(&Registered) -> Result<(), HubError>,
) -> Result<Registered, HubError> {
    schema::usable(schema::version(c).await?)?;
    let db: String = c
        .query_one("SELECT current_database()", &[])
        .await
        .map_err(pg)?
        .get(0);
    let tx = c.transaction().await.map_err(pg)?;
    let store_id: i64 = tx
        .query_one(
            "INSERT INTO coupondesk.stores (name) VALUES ($1)
             ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
            &[&store],
        )
        .await
        .map_err(pg)?
        .get(0);
    let found: Option<i64> = tx
        .query_opt(
            "SELECT id FROM coupondesk.terminals WHERE store_id = $1 AND name = $2",
            &[&store_id, &terminal],
        )
        .await
        .map_err(pg)?
        .map(|r| r.get(0));
    let terminal_id = match found {
        Some(id) if Some(id) == rejoin => id,
        Some(_) => {
            return Err(HubError::TerminalTaken {
                store: store.to_owned(),
                terminal: terminal.to_owned(),
            })
        }
        None => tx
            .query_one(
                "INSERT INTO coupondesk.terminals (store_id, name) VALUES ($1, $2) RETURNING id",
                &[&store_id, &terminal],
            )
            .await
            .map_err(pg)?
            .get(0),
    };
    let role = roles::terminal_role(&db, terminal_id);
    roles::create_terminal_role(&tx, &db, &role, password).await?;
    tx.execute(
        "UPDATE coupondesk.terminals SET role_name = $2, last_contact = now() WHERE id = $1",
        &[&terminal_id, &role],
    )
    .await
    .map_err(pg)?;
    let reg = Registered {
        store_id,
        terminal_id,
        role,
    };
    before_commit(&reg)?;
    tx.commit().await.map_err(pg)?;
    Ok(reg)
}

/// The hub's batches: (ticket_type, name).
pub async fn batches(c: &impl GenericClient) -> Result<Vec<(String, String)>, HubError> {
    Ok(c.query(
        "SELECT ticket_type, name FROM coupondesk.batches ORDER BY ticket_type",
        &[],
    )
    .await
    .map_err(pg)?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

/// The highest change seq committed (0: none).
pub async fn max_seq(c: &impl GenericClient) -> Result<i64, HubError> {
    Ok(
        c.query_one("SELECT coalesce(max(seq), 0) FROM coupondesk.changes", &[])
            .await
            .map_err(pg)?
            .get(0),
    )
}

/// What an upload of one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploaded {
    pub batch_created: bool,
    pub codes_added: u64,
}

/// Uploads batch `ticket_type` (created when the hub lacks it) and those of `codes` the
/// hub lacks. `codes` is COPY text, one `code<TAB>status` row per line (`copy_row`).
pub async fn upload_batch(
    c: &mut Client,
    terminal_id: i64,
    (ticket_type, name): (&str, &str),
    codes: Vec<u8>,
) -> Result<Uploaded, HubError> {
    let tx = c.transaction().await.map_err(pg)?;
    let batch_created = tx
        .execute(
            "INSERT INTO coupondesk.batches (ticket_type, name, origin_terminal)
             VALUES ($1, $2, $3) ON CONFLICT (ticket_type) DO NOTHING",
            &[&ticket_type, &name, &terminal_id],
        )
        .await
        .map_err(pg)?
        == 1;
    tx.batch_execute(
        "CREATE TEMP TABLE upload_codes (code text NOT NULL, status text NOT NULL)
         ON COMMIT DROP",
    )
    .await
    .map_err(pg)?;
    let sink = tx
        .copy_in("COPY upload_codes (code, status) FROM STDIN")
        .await
        .map_err(pg)?;
    futures_util::pin_mut!(sink);
    sink.send(Bytes::from(codes)).await.map_err(pg)?;
    sink.as_mut().finish().await.map_err(pg)?;
    // After the COPY (the long part), so uploads wait for each other only for the
    // insert and the commit.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&UPLOAD_LOCK])
        .await
        .map_err(pg)?;
    let codes_added = tx
        .execute(
            "INSERT INTO coupondesk.codes (code, ticket_type, status)
             SELECT code, $1, status FROM upload_codes
             ON CONFLICT (code) DO NOTHING",
            &[&ticket_type],
        )
        .await
        .map_err(pg)?;
    if batch_created || codes_added > 0 {
        let body = serde_json::json!({
            "name": name,
            "created": batch_created,
            "codesAdded": codes_added,
        });
        tx.execute(
            "SELECT coupondesk.log_change('batch', $1, $2, $3)",
            &[&ticket_type, &body, &terminal_id],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)?;
    Ok(Uploaded {
        batch_created,
        codes_added,
    })
}

/// What one download of a batch read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Downloaded {
    /// Rows the hub's COPY sent.
    pub rows: u64,
    /// The highest `ord` among them; None when none had one (no row, only rows from
    /// before hub schema 11, or a hub below it).
    pub max_ord: Option<i64>,
    /// Whether the hub numbers its codes (schema 11): only then may a mark be kept.
    pub ordered: bool,
}

/// Streams the codes of batch `ticket_type` from the hub with `COPY ... TO STDOUT`, all
/// of them, or with `after` only those whose `ord` is above it (rows without an ord,
/// from before hub schema 11, are never "after"); `on_row` gets each (code, status).
/// A hub below schema 11 sends the whole batch whatever `after` says.
pub async fn download_batch(
    c: &Client,
    ticket_type: &str,
    after: Option<i64>,
    on_row: &mut dyn FnMut(&str, &str) -> Result<(), HubError>,
) -> Result<Downloaded, HubError> {
    let ordered = schema::version(c).await?.unwrap_or(0) >= ORDER_SINCE_SCHEMA;
    // COPY takes no parameters: the type is quoted as a literal
    // (standard_conforming_strings is on in every supported server, so only ' needs
    // doubling); `after` is a number.
    let quoted = ticket_type.replace('\'', "''");
    let sql = match (ordered, after) {
        (false, _) => format!(
            "COPY (SELECT code, status, NULL FROM coupondesk.codes WHERE ticket_type = '{quoted}') TO STDOUT"
        ),
        (true, None) => format!(
            "COPY (SELECT code, status, ord FROM coupondesk.codes WHERE ticket_type = '{quoted}') TO STDOUT"
        ),
        (true, Some(mark)) => format!(
            "COPY (SELECT code, status, ord FROM coupondesk.codes \
             WHERE ticket_type = '{quoted}' AND ord > {mark}) TO STDOUT"
        ),
    };
    let stream = c.copy_out(sql.as_str()).await.map_err(pg)?;
    futures_util::pin_mut!(stream);
    let mut rest: Vec<u8> = Vec::new();
    let mut got = Downloaded {
        ordered,
        ..Downloaded::default()
    };
    while let Some(chunk) = stream.next().await {
        rest.extend_from_slice(&chunk.map_err(pg)?);
        let mut start = 0;
        while let Some(end) = rest[start..].iter().position(|b| *b == b'\n') {
            let line = &rest[start..start + end];
            start += end + 1;
            let line = std::str::from_utf8(line)
                .map_err(|_| HubError::Failed("the hub sent a code that is not UTF-8".into()))?;
            let mut fields = line.splitn(3, '\t');
            let (Some(code), Some(status), Some(ord)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(HubError::Failed(format!("unexpected COPY row {line:?}")));
            };
            // COPY writes NULL as \N.
            if ord != "\\N" {
                let ord: i64 = ord
                    .parse()
                    .map_err(|_| HubError::Failed(format!("unexpected COPY row {line:?}")))?;
                got.max_ord = Some(got.max_ord.map_or(ord, |m| m.max(ord)));
            }
            on_row(&unescape(code), status)?;
            got.rows += 1;
        }
        rest.drain(..start);
    }
    Ok(got)
}

/// One COPY text row: `code<TAB>status<LF>`.
pub fn copy_row(out: &mut Vec<u8>, code: &str, status: &str) {
    escape(out, code);
    out.push(b'\t');
    escape(out, status);
    out.push(b'\n');
}

/// PostgreSQL's text COPY escaping: backslash, tab, newline and carriage return.
fn escape(out: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// The reverse of `escape` (COPY TO writes the same escapes).
fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\\') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_round_trips() {
        let mut out = Vec::new();
        copy_row(&mut out, "A\tB\\C\nD", "issued");
        let line = String::from_utf8(out).expect("utf8");
        assert_eq!(line, "A\\tB\\\\C\\nD\tissued\n");
        let (code, status) = line.trim_end_matches('\n').split_once('\t').expect("tab");
        assert_eq!((unescape(code).as_ref(), status), ("A\tB\\C\nD", "issued"));
    }
}
