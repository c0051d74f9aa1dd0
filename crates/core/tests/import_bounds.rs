//! The preview and the import of a file with no line end stay in bounded memory and
//! leave the database as it was (issue 14, item 5). One test in this binary on purpose:
//! the process's peak resident memory (VmHWM) is the measure, so nothing else may run
//! beside it.

mod common;

use std::io::Write;

use common::fixture;
use coupondesk_core::import::{ImportOptions, ImportTarget};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::ErrorCode;

/// The bound the issue sets on a bad import's resident memory.
const PEAK_RSS_LIMIT_KIB: u64 = 100 * 1024;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_200_mb_line_is_refused_in_preview_and_import_in_bounded_memory() {
    // A regression must fail here, not take the machine's memory.
    let cap = libc::rlimit {
        rlim_cur: 2 << 30,
        rlim_max: 2 << 30,
    };
    // SAFETY: `cap` is a valid rlimit for the duration of the call.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &cap) }, 0);
    let f = fixture();
    f.desk.create_batch("T1", "first").expect("batch");
    let file = f.file("one-line.csv", b"code\nAB12CD34\n");
    {
        let mut w = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .map(std::io::BufWriter::new)
            .expect("open");
        let block = vec![b'7'; 1 << 20];
        for _ in 0..200 {
            w.write_all(&block).expect("write");
        }
        w.flush().expect("flush");
    }
    let options = ImportOptions::default();
    let e = f
        .desk
        .preview_import(&file, &options)
        .expect_err("preview refused");
    assert_eq!(e.code(), "csv_record_too_long", "{e}");
    assert!(e.to_string().contains("line 3"), "{e}");
    let e = f
        .desk
        .import_codes(
            &file,
            &ImportTarget::Existing("T1".into()),
            &options,
            &CancelToken::new(),
            &mut |_| {},
        )
        .expect_err("import refused");
    assert_eq!(e.code(), "csv_record_too_long", "{e}");
    let peak = peak_rss_kib();
    assert!(
        peak < PEAK_RSS_LIMIT_KIB,
        "peak RSS {peak} KiB, over {PEAK_RSS_LIMIT_KIB} KiB"
    );
    let batch = f.desk.get_batch("T1").expect("batch");
    assert_eq!(batch.total_codes, 0, "nothing imported");
}
