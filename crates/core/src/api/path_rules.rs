//! Which file paths the window's webview may hand to a command (import preview, imports,
//! exports). The webview runs web content: were it ever made to call a command with a
//! path of its choosing, it must not read or overwrite any file of the user's, nor
//! CouponDesk's own database and credentials.
//!
//! The rule (issue 12, "Paths from the webview"): a path is allowed iff
//! - the native file dialog returned exactly that path in this run of the app (the shell
//!   remembers them in a `DialogPaths`), or
//! - it is absolute and, resolved (symlinks and `..` followed: the whole path when it
//!   exists, else its folder, which must exist), lies under the user's documents folder;
//!
//! and, whichever way it came, it is never this desk's database, its `-wal`/`-shm`, or its
//! `.credentials` file (an export must not overwrite them either), compared after
//! resolving, and on Unix also by file identity (a hard link is the same file).
//!
//! Only the window applies it: the CLI and the dev server (`coupondesk serve`, loopback,
//! bearer token, for development and tests) take any path, which a person at a shell
//! chose (docs/staff-and-audit.md). The shell calls `DialogPaths::check` for every path
//! argument (`Args::paths`, generated from the command table) before the core runs.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::store::private_file::with_wal_files;
use crate::sync::credentials;

#[derive(Debug, thiserror::Error)]
pub enum PathRuleError {
    #[error(
        "{path} was not chosen in the file dialog and is not under your Documents folder{where_docs}; \
         choose the file with the dialog (Browse…), or put it under Documents"
    )]
    NotAllowed { path: PathBuf, where_docs: String },
    #[error(
        "{path} is CouponDesk's own database or credentials file, which no import or export \
         may use; choose another file"
    )]
    OwnFile { path: PathBuf },
    #[error(
        "the name of {} is not valid Unicode, which the window cannot show or send back; \
         rename the file or its folder",
        path.display()
    )]
    NotUnicode { path: PathBuf },
}

crate::error_codes::impl_error_code! {
    PathRuleError {
        codes {
            PathRuleError::NotAllowed { .. } => "path_not_allowed",
            PathRuleError::OwnFile { .. } => "path_own_file",
            PathRuleError::NotUnicode { .. } => "path_not_unicode",
        }
    }
}

/// The paths the native dialog returned in this run, and the user's documents folder.
/// Shared by the window's commands (a Mutex: commands run on several threads).
#[derive(Debug, Default)]
pub struct DialogPaths {
    documents: Option<PathBuf>,
    chosen: Mutex<HashSet<PathBuf>>,
}

impl DialogPaths {
    /// With the user's documents folder (`documents_dir`).
    pub fn for_user() -> DialogPaths {
        DialogPaths::with_documents(documents_dir())
    }

    /// With `documents` as the documents folder (None: only dialog paths are allowed).
    pub fn with_documents(documents: Option<PathBuf>) -> DialogPaths {
        DialogPaths {
            documents,
            chosen: Mutex::default(),
        }
    }

    /// Remembers a path the native dialog returned, for the rest of this run, and gives
    /// it back as the text the webview gets (and will send back to `check`).
    pub fn remember(&self, path: PathBuf) -> Result<String, PathRuleError> {
        let text = path
            .to_str()
            .map(str::to_owned)
            .ok_or_else(|| PathRuleError::NotUnicode { path: path.clone() })?;
        self.lock().insert(path);
        Ok(text)
    }

    /// Ok when the webview may pass `path` to a command of the desk whose database is `db`.
    pub fn check(&self, path: &Path, db: &Path) -> Result<(), PathRuleError> {
        let chosen = self.lock().contains(path);
        check(path, chosen, self.documents.as_deref(), db)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        // The set is only ever inserted into: a panic elsewhere cannot leave it half-done.
        self.chosen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The user's documents folder: the platform's (XDG `user-dirs.dirs` on Linux, the known
/// folder on Windows and macOS), else `~/Documents` when that folder exists (a Linux
/// desktop without xdg-user-dirs has no `user-dirs.dirs`, but usually that folder).
pub fn documents_dir() -> Option<PathBuf> {
    let user = directories::UserDirs::new()?;
    if let Some(d) = user.document_dir() {
        return Some(d.to_owned());
    }
    let fallback = user.home_dir().join("Documents");
    fallback.is_dir().then_some(fallback)
}

/// The rule itself (see the module doc). `chosen`: the dialog returned exactly `path`.
pub fn check(
    path: &Path,
    chosen: bool,
    documents: Option<&Path>,
    db: &Path,
) -> Result<(), PathRuleError> {
    let resolved = resolve(path);
    if let Some(r) = &resolved {
        if own_files(db).iter().any(|own| same_file(r, own)) {
            return Err(PathRuleError::OwnFile {
                path: path.to_owned(),
            });
        }
    }
    if chosen {
        return Ok(());
    }
    let docs = documents.and_then(|d| d.canonicalize().ok());
    let inside = match (&resolved, &docs) {
        (Some(r), Some(d)) => path.is_absolute() && r.starts_with(d),
        _ => false,
    };
    if inside {
        return Ok(());
    }
    Err(PathRuleError::NotAllowed {
        path: path.to_owned(),
        where_docs: documents
            .map(|d| format!(" ({})", d.display()))
            .unwrap_or_default(),
    })
}

/// `path` with every symlink and `..` resolved: the whole path when something is there
/// (a dangling link is unresolvable), else its existing folder joined with its file name.
/// None when neither resolves, or the last component is no file name (`..`, `/`).
fn resolve(path: &Path) -> Option<PathBuf> {
    if path.symlink_metadata().is_ok() {
        return path.canonicalize().ok();
    }
    let name = match path.components().next_back()? {
        Component::Normal(name) => name,
        _ => return None,
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?.canonicalize().ok()?,
    };
    Some(parent.join(name))
}

/// The database, its `-wal` and `-shm`, and its credentials file, resolved (they need not
/// exist: a `-wal` may come later, and an export must not create it either).
fn own_files(db: &Path) -> Vec<PathBuf> {
    let mut files = with_wal_files(db).to_vec();
    files.push(credentials::path_for(db));
    files.iter().filter_map(|f| resolve(f)).collect()
}

/// Same resolved path, or (Unix) the same file under another name (a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (a.metadata(), b.metadata()) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    struct Setup {
        _dir: tempfile::TempDir,
        docs: PathBuf,
        elsewhere: PathBuf,
        db: PathBuf,
    }

    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("Documents");
        let elsewhere = dir.path().join("elsewhere");
        let data = docs.join("data");
        for d in [&docs, &elsewhere, &data] {
            std::fs::create_dir(d).unwrap();
        }
        // The database under Documents: the own-file refusal must win over "inside".
        let db = data.join("desk.sqlite3");
        std::fs::write(&db, b"SQLite format 3\0").unwrap();
        std::fs::write(credentials::path_for(&db), b"{}").unwrap();
        Setup {
            _dir: dir,
            docs,
            elsewhere,
            db,
        }
    }

    fn code(s: &Setup, path: &Path, chosen: bool) -> Option<&'static str> {
        check(path, chosen, Some(&s.docs), &s.db)
            .err()
            .map(|e| e.code())
    }

    const REFUSED: Option<&str> = Some("path_not_allowed");
    const OWN: Option<&str> = Some("path_own_file");

    #[test]
    fn under_documents_or_chosen_is_allowed_and_elsewhere_is_not() {
        let s = setup();
        let csv = s.docs.join("codes.csv");
        std::fs::write(&csv, "code\nAB12CD34\n").unwrap();
        assert_eq!(code(&s, &csv, false), None);
        // An export's file need not exist yet; its folder must.
        assert_eq!(code(&s, &s.docs.join("new.csv"), false), None);
        assert_eq!(
            code(&s, &s.docs.join("nope").join("new.csv"), false),
            REFUSED
        );
        let out = s.elsewhere.join("codes.csv");
        std::fs::write(&out, "code\n").unwrap();
        assert_eq!(code(&s, &out, false), REFUSED);
        // The same file from the dialog is fine.
        assert_eq!(code(&s, &out, true), None);
        assert_eq!(code(&s, &s.elsewhere.join("export.csv"), true), None);
        // A folder whose name merely starts like Documents' is not inside it.
        let sibling = PathBuf::from(format!("{}2", s.docs.display()));
        std::fs::create_dir(&sibling).unwrap();
        assert_eq!(code(&s, &sibling.join("a.csv"), false), REFUSED);
        // Relative paths never count as under Documents (they depend on the app's cwd).
        assert_eq!(code(&s, Path::new("codes.csv"), false), REFUSED);
        // No documents folder: only the dialog's paths.
        let none = check(&csv, false, None, &s.db).expect_err("no documents");
        assert_eq!(none.code(), "path_not_allowed");
        assert!(none.to_string().contains("dialog"), "{none}");
        let msg = check(&out, false, Some(&s.docs), &s.db).unwrap_err();
        assert!(
            msg.to_string().contains(&*s.docs.to_string_lossy()),
            "{msg}"
        );
    }

    #[test]
    fn dot_dot_and_symlinks_cannot_escape_documents() {
        let s = setup();
        let escape = s.docs.join("..").join("elsewhere").join("x.csv");
        assert_eq!(code(&s, &escape, false), REFUSED);
        assert_eq!(code(&s, &s.docs.join(".."), false), REFUSED);
        #[cfg(unix)]
        {
            let secret = s.elsewhere.join("secret.txt");
            std::fs::write(&secret, "x").unwrap();
            // A link under Documents to a file elsewhere: an export would write there.
            let link = s.docs.join("link.csv");
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            assert_eq!(code(&s, &link, false), REFUSED);
            // A linked folder under Documents pointing out of it.
            let dir_link = s.docs.join("out");
            std::os::unix::fs::symlink(&s.elsewhere, &dir_link).unwrap();
            assert_eq!(code(&s, &dir_link.join("new.csv"), false), REFUSED);
            // A dangling link cannot be resolved, so it is not shown to be inside.
            let dangling = s.docs.join("dangling.csv");
            std::os::unix::fs::symlink(s.elsewhere.join("gone.csv"), &dangling).unwrap();
            assert_eq!(code(&s, &dangling, false), REFUSED);
            // Documents itself reached through a link is still Documents.
            let docs_link = s.elsewhere.join("docs");
            std::os::unix::fs::symlink(&s.docs, &docs_link).unwrap();
            assert_eq!(code(&s, &docs_link.join("fine.csv"), false), None);
        }
    }

    #[test]
    fn the_database_and_credentials_are_refused_even_from_the_dialog() {
        let s = setup();
        let mut own = with_wal_files(&s.db).to_vec();
        own.push(credentials::path_for(&s.db));
        for p in &own {
            // -wal and -shm do not exist here: an export must not create them either.
            assert_eq!(code(&s, p, true), OWN, "{}", p.display());
            assert_eq!(code(&s, p, false), OWN, "{}", p.display());
        }
        let detour = s
            .docs
            .join("data")
            .join("..")
            .join("data")
            .join("desk.sqlite3");
        assert_eq!(code(&s, &detour, true), OWN);
        #[cfg(unix)]
        {
            let link = s.docs.join("db-link.csv");
            std::os::unix::fs::symlink(&s.db, &link).unwrap();
            assert_eq!(code(&s, &link, true), OWN);
            let hard = s.docs.join("hard.csv");
            std::fs::hard_link(credentials::path_for(&s.db), &hard).unwrap();
            assert_eq!(code(&s, &hard, true), OWN);
        }
        let e = check(&s.db, true, Some(&s.docs), &s.db).unwrap_err();
        assert!(e.to_string().contains("credentials"), "{e}");
    }

    #[test]
    fn the_dialog_set_remembers_exact_paths_only() {
        let s = setup();
        let paths = DialogPaths::with_documents(Some(s.docs.clone()));
        let out = s.elsewhere.join("out.csv");
        assert_eq!(paths.check(&out, &s.db).err().map(|e| e.code()), REFUSED);
        assert_eq!(
            paths.remember(out.clone()).ok(),
            out.to_str().map(String::from)
        );
        assert!(paths.check(&out, &s.db).is_ok());
        // Another spelling of the same place is not what the dialog returned.
        let other = s.elsewhere.join("..").join("elsewhere").join("out.csv");
        assert_eq!(paths.check(&other, &s.db).err().map(|e| e.code()), REFUSED);
        assert!(paths.check(&s.docs.join("x.csv"), &s.db).is_ok());
        paths.remember(s.db.clone()).expect("unicode");
        assert_eq!(paths.check(&s.db, &s.db).err().map(|e| e.code()), OWN);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = s
                .elsewhere
                .join(std::ffi::OsStr::from_bytes(b"caf\xe9.csv"));
            let e = paths.remember(odd.clone()).expect_err("not unicode");
            assert_eq!(e.code(), "path_not_unicode");
            assert!(paths.check(&odd, &s.db).is_err(), "not remembered");
        }
    }

    #[test]
    fn every_variant_has_its_code() {
        crate::error_codes::assert_codes(vec![
            (
                PathRuleError::NotAllowed {
                    path: "/x".into(),
                    where_docs: String::new(),
                },
                "path_not_allowed",
            ),
            (
                PathRuleError::OwnFile { path: "/x".into() },
                "path_own_file",
            ),
            (
                PathRuleError::NotUnicode { path: "/x".into() },
                "path_not_unicode",
            ),
        ]);
    }
}
