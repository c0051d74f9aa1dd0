//! A template's logo picked from a file (issue 13). WeChat takes a card logo only as the
//! address of an image on its own host (spec 001's `logo_url`; its upload call is not in
//! the spec), so a picked file is kept in the database, shown in the card preview, and a
//! template with only a file waits in the sync inbox for its address.
//!
//! What must stay true: only PNG and JPEG (what WeChat's image host takes), judged by the
//! file's first bytes, not its name; at most `MAX_BYTES` (WeChat's 1 MB limit); the id is
//! the SHA-256 of the bytes, so the same file picked twice is one image.

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// WeChat's limit for a card logo (1 MB), so a file kept here can go there unchanged.
pub const MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("the file {0} does not exist; check the path or choose the file again")]
    FileNotFound(String),
    #[error("{0} is not a file (a folder or a device); choose the logo's PNG or JPEG file")]
    NotAFile(String),
    #[error(
        "could not read {path} ({reason}); check that you may read it, or choose another copy"
    )]
    Unreadable { path: String, reason: String },
    #[error("{0} is empty; choose the logo's PNG or JPEG file")]
    Empty(String),
    #[error(
        "{name} is {size} bytes; a card logo may be at most 1 MB (WeChat's limit): \
         save it smaller (300×300 pixels is enough) and choose it again"
    )]
    TooLarge { name: String, size: u64 },
    #[error("{0} is not a PNG or JPEG image; save the logo as PNG or JPEG and choose it again")]
    NotAnImage(String),
}

crate::error_codes::impl_error_code! {
    LogoError {
        codes {
            LogoError::FileNotFound(_) => "file_not_found",
            LogoError::NotAFile(_) => "logo_invalid",
            LogoError::Unreadable { .. } => "logo_unreadable",
            LogoError::Empty(_) => "logo_invalid",
            LogoError::TooLarge { .. } => "logo_too_large",
            LogoError::NotAnImage(_) => "logo_invalid",
        }
    }
}

/// A stored logo, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogoImage {
    /// What a `TemplateDraft.logoImage` names.
    pub sha256: String,
    pub mime: String,
    /// The file's name when it was picked (no folder).
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    /// `data:image/png;base64,...`: the webview loads no file and no address for it.
    pub data_url: String,
}

/// The file's bytes, read only up to one byte past the limit (a huge or endless file is
/// refused, not loaded), and its name (without the folder) for messages and the row.
pub fn read_file(path: &std::path::Path) -> Result<(String, Vec<u8>), LogoError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let unreadable = |e: std::io::Error| LogoError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LogoError::FileNotFound(shown))
        }
        other => other.map_err(unreadable)?,
    };
    if !meta.is_file() {
        return Err(LogoError::NotAFile(shown));
    }
    if meta.len() > MAX_BYTES as u64 {
        return Err(LogoError::TooLarge {
            name,
            size: meta.len(),
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    Ok((name, bytes))
}

/// The image type of `bytes` by its signature, or why it is refused (`name` for the message).
pub fn sniff(name: &str, bytes: &[u8]) -> Result<&'static str, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty(name.to_owned()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(LogoError::TooLarge {
            name: name.to_owned(),
            size: bytes.len() as u64,
        });
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(LogoError::NotAnImage(name.to_owned()))
    }
}

/// Lower-case hex SHA-256: the image's id.
pub fn id_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `s` could be an image id (64 lower-case hex digits).
pub fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64(bytes))
}

/// Standard base64 with padding (RFC 4648 §4): a dozen lines instead of a dependency.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
    }

    #[test]
    fn only_png_and_jpeg_up_to_one_megabyte() {
        assert_eq!(sniff("a.png", b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(sniff("a.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(
            sniff("a.png", b"GIF89a"),
            Err(LogoError::NotAnImage("a.png".into()))
        );
        assert_eq!(sniff("e.png", b""), Err(LogoError::Empty("e.png".into())));
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert!(matches!(
            sniff("big.png", &big),
            Err(LogoError::TooLarge { size, .. }) if size == MAX_BYTES as u64 + 1
        ));
        big.truncate(MAX_BYTES);
        assert_eq!(sniff("max.png", &big), Ok("image/png"));
    }

    #[test]
    fn ids_are_sha256_hex() {
        let id = id_of(b"abc");
        assert_eq!(
            id,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_id(&id));
        assert!(!is_id(&id.to_uppercase()));
        assert!(!is_id("abc"));
    }
}
