//! Template logos picked from a file (domain/logo.rs): kept by their SHA-256, once.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::domain::logo::{self, LogoImage};

/// Keeps the image (already checked by `logo::sniff`); picking the same bytes again
/// keeps the first row.
pub fn add(
    conn: &Connection,
    mime: &str,
    bytes: &[u8],
    file_name: &str,
    now_ms: i64,
) -> Result<LogoImage, StoreError> {
    let id = logo::id_of(bytes);
    conn.prepare_cached(
        "INSERT OR IGNORE INTO logo_images (sha256, mime, bytes, file_name, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, mime, bytes, file_name, now_ms])?;
    get(conn, &id)?.ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<LogoImage>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT mime, bytes, file_name FROM logo_images WHERE sha256 = ?1")?
        .query_row([id], |r| {
            let mime: String = r.get(0)?;
            let bytes: Vec<u8> = r.get(1)?;
            Ok(LogoImage {
                sha256: id.to_owned(),
                data_url: logo::data_url(&mime, &bytes),
                size: bytes.len() as u64,
                mime,
                file_name: r.get(2)?,
            })
        })
        .optional()?)
}

pub fn exists(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM logo_images WHERE sha256 = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}
