//! The core's layers, checked on its source text (docs/architecture.md, "Layers"):
//!
//! - module references point one way: domain <- store <- sync / import (and the other
//!   long work: generate, export, search_index) <- desk <- api; the small shared modules
//!   (api_error, error_codes, proc_mem, progress, test_hooks) may be used from anywhere;
//! - nothing outside `store/` writes SQL that changes the business tables (`codes`,
//!   `bonuses`, `vouchers`, `redemptions`): every such write goes through a store
//!   function that applies the lifecycle and writes the audit entry.
//!
//! Test code (`#[cfg(test)]` items) is not checked.

use std::path::{Path, PathBuf};

const SHARED: &[&str] = &[
    "api_error",
    "error_codes",
    "proc_mem",
    "progress",
    "test_hooks",
];
const BUSINESS_TABLES: &[&str] = &["codes", "bonuses", "vouchers", "redemptions"];
const WORK: &[&str] = &["import", "generate", "export", "search_index", "print"];

/// The top-level modules a module of `layer` may name (besides itself and SHARED).
fn allowed(layer: &str) -> Option<Vec<&'static str>> {
    let mut ok = match layer {
        "domain" => vec![],
        "store" => vec!["domain"],
        "sync" => vec!["domain", "store"],
        // The chain-mode hub speaks to PostgreSQL; the desk joins it to the store.
        "hub" => vec!["domain"],
        l if WORK.contains(&l) => [&["domain", "store"][..], WORK].concat(),
        // desk and api sit on top and may use everything.
        _ => return None,
    };
    ok.extend_from_slice(SHARED);
    Some(ok)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src dir") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's non-test part (each `#[cfg(test)]` item cut out, braces matched), without
/// `//` comments.
fn code_of(text: &str) -> String {
    let mut rest = text;
    let mut kept = String::new();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at `;` (a `use`) or at the brace that closes its body.
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    kept.push_str(rest);
    kept.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The layer of a file: its top-level module (`store` for `src/store/codes.rs`, `generate`
/// for `src/generate.rs`).
fn layer_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// Top-level modules named as `crate::NAME` in `code`, and in `use crate::{a, b::c}`.
fn crate_refs(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                out.push(name.to_owned());
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
    }
    out.retain(|n| !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    out
}

/// Statements in `code` that change a business table: `UPDATE t`, `INSERT [OR x] INTO t`,
/// `REPLACE INTO t`, `DELETE FROM t`.
fn business_writes(code: &str) -> Vec<String> {
    let words: Vec<String> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let mut found = Vec::new();
    for i in 0..words.len() {
        let table = match w(i) {
            "update" => Some(i + 1),
            "insert" if w(i + 1) == "into" => Some(i + 2),
            "insert" if w(i + 1) == "or" && w(i + 3) == "into" => Some(i + 4),
            "replace" | "delete" if matches!(w(i + 1), "into" | "from") => Some(i + 2),
            _ => None,
        };
        if let Some(t) = table.filter(|t| BUSINESS_TABLES.contains(&w(*t))) {
            found.push(format!("{} .. {}", w(i), w(t)));
        }
    }
    found
}

#[test]
fn module_references_point_one_way() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under src");
        let layer = layer_of(rel);
        let Some(ok) = allowed(&layer) else {
            continue;
        };
        let code = code_of(&std::fs::read_to_string(f).expect("read"));
        for r in crate_refs(&code) {
            if r != layer && !ok.contains(&r.as_str()) {
                wrong.push(format!("{}: {layer} uses crate::{r}", rel.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "layer violations:\n{}", wrong.join("\n"));
}

#[test]
fn only_the_store_writes_business_tables() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under src");
        if layer_of(rel) == "store" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(f).expect("read"));
        for w in business_writes(&code) {
            wrong.push(format!("{}: {w}", rel.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "SQL writes to business tables outside store/:\n{}",
        wrong.join("\n")
    );
}

/// The checks themselves find what they must (so the two tests above cannot pass by
/// looking at nothing).
#[test]
fn the_checks_see_violations() {
    let store_using_sync = "use crate::sync::outbox;\nuse crate::{domain::Page, sync};\n";
    assert_eq!(crate_refs(store_using_sync), vec!["sync", "domain", "sync"]);
    assert!(!allowed("store").expect("store").contains(&"sync"));
    assert!(!allowed("domain").expect("domain").contains(&"store"));
    assert!(allowed("sync").expect("sync").contains(&"store"));
    assert!(!allowed("sync").expect("sync").contains(&"import"));
    assert_eq!(allowed("desk"), None);

    let sql = r#"tx.execute("UPDATE codes SET status = ?2", p)?;
        "INSERT OR IGNORE INTO bonuses (code) VALUES (?1)"
        "insert into redemptions (id)"  "DELETE FROM vouchers WHERE id = 1"
        "UPDATE outbox SET state = 'done'" "INSERT INTO changes (change)""#;
    assert_eq!(
        business_writes(sql),
        vec![
            "update .. codes",
            "insert .. bonuses",
            "insert .. redemptions",
            "delete .. vouchers"
        ]
    );
    assert!(business_writes(&code_of("// UPDATE codes in a comment\n")).is_empty());
    assert!(business_writes(&code_of("#[cfg(test)]\nmod t { \"UPDATE codes\" }")).is_empty());
    let after_tests =
        "#[cfg(test)]\nmod t { fn f() { \"{x}\" } }\nconst Q: &str = \"UPDATE codes\";";
    assert_eq!(
        business_writes(&code_of(after_tests)),
        vec!["update .. codes"]
    );

    // The files are really read: the store names its own tables, and there are many.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 50, "{} files", files.len());
    let store_writes: usize = files
        .iter()
        .filter(|f| f.strip_prefix(src()).is_ok_and(|r| layer_of(r) == "store"))
        .map(|f| business_writes(&code_of(&std::fs::read_to_string(f).expect("read"))).len())
        .sum();
    assert!(store_writes >= 10, "{store_writes} writes found in store/");
}
