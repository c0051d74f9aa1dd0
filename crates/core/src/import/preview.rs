//! The preview staff see before committing an import: detected encoding, header,
//! columns, the code column, and the first rows.

use std::path::Path;

use super::reader;
use super::{ImportError, ImportOptions, ImportPreview, PreviewRow, PREVIEW_ROWS};

pub fn preview(path: &Path, options: &ImportOptions) -> Result<ImportPreview, ImportError> {
    let (layout, first) = reader::decide(path, options, PREVIEW_ROWS + 1)?;
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let skip = usize::from(layout.has_header);
    Ok(ImportPreview {
        format: layout.format,
        encoding: layout.encoding,
        has_header: layout.has_header,
        columns: layout.columns,
        code_column: layout.code_column as u32 + 1,
        rows: first
            .into_iter()
            .skip(skip)
            .take(PREVIEW_ROWS)
            .map(|(line, cells)| PreviewRow { line, cells })
            .collect(),
        file_bytes,
    })
}
