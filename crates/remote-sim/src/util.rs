//! Time and paging helpers.

use coupondesk_wire::wxcard::Pagination;
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn now_secs() -> i64 {
    now_ms() / 1000
}

/// (year, month, day, hour, minute, second) of Unix seconds (proleptic Gregorian, UTC).
pub(crate) fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of Unix milliseconds.
pub(crate) fn ymd_hms(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms.div_euclid(1000));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// Page `page` (from 1) of `items`, `per_page` a page, with Fractal-style pagination.
pub(crate) fn paginate<T: Clone>(
    items: &[T],
    page: u64,
    per_page: u64,
    path: &str,
) -> (Vec<T>, Pagination) {
    let total = items.len() as u64;
    let total_pages = total.div_ceil(per_page).max(1);
    let start = ((page - 1) * per_page).min(total) as usize;
    let end = (start + per_page as usize).min(items.len());
    let slice = items[start..end].to_vec();
    let mut links = serde_json::Map::new();
    if page > 1 {
        links.insert(
            "previous".into(),
            format!("{path}?page={}&per_page={per_page}", page - 1).into(),
        );
    }
    if page < total_pages {
        links.insert(
            "next".into(),
            format!("{path}?page={}&per_page={per_page}", page + 1).into(),
        );
    }
    let pagination = Pagination {
        total,
        count: slice.len() as u64,
        per_page,
        current_page: page,
        total_pages,
        links: if links.is_empty() {
            serde_json::Value::Array(vec![])
        } else {
            serde_json::Value::Object(links)
        },
    };
    (slice, pagination)
}

/// A positive integer query parameter with a default; `Err` when present but invalid.
pub(crate) fn int_param(v: Option<&str>, default: u64, max: u64) -> Result<u64, String> {
    match v {
        None | Some("") => Ok(default),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 && n <= max => Ok(n),
            _ => Err(format!("{s:?} is not an integer in 1..={max}")),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::ymd_hms(0), "1970-01-01 00:00:00");
        assert_eq!(super::ymd_hms(1_473_246_472_121), "2016-09-07 11:07:52");
        assert_eq!(super::ymd_hms(951_782_400_000), "2000-02-29 00:00:00");
    }
}
