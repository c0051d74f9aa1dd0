//! Pagination as spec 000 gives it: pages count from 1, per_page defaults to 10, at most 100.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("page numbers start at 1; ask for page 1 or later")]
    PageZero,
    #[error("per_page must be between 1 and {MAX_PER_PAGE}; you asked for {0}")]
    PerPage(u32),
}

crate::error_codes::impl_error_code! {
    PageError {
        codes { _ => "invalid_page" }
    }
}

impl PageRequest {
    pub fn new(page: u32, per_page: u32) -> Result<PageRequest, PageError> {
        if page == 0 {
            return Err(PageError::PageZero);
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(PageError::PerPage(per_page));
        }
        Ok(PageRequest { page, per_page })
    }

    pub fn validated(self) -> Result<PageRequest, PageError> {
        PageRequest::new(self.page, self.per_page)
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub total_pages: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, req: PageRequest, total: u64) -> Page<T> {
        Page {
            items,
            page: req.page,
            per_page: req.per_page,
            total,
            total_pages: total.div_ceil(u64::from(req.per_page)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(PageRequest::new(0, 10), Err(PageError::PageZero));
        assert_eq!(PageRequest::new(1, 0), Err(PageError::PerPage(0)));
        assert_eq!(PageRequest::new(1, 101), Err(PageError::PerPage(101)));
        assert_eq!(PageRequest::new(3, 100).map(|p| p.offset()), Ok(200));
        let p = Page::new(
            vec![1],
            PageRequest {
                page: 1,
                per_page: 10,
            },
            21,
        );
        assert_eq!(p.total_pages, 3);
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;

    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (PageError::PageZero, "invalid_page"),
            (PageError::PerPage(0), "invalid_page"),
        ]);
    }
}
