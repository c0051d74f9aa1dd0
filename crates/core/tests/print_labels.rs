//! Printed codes, checked as a person's printer would see them: the PDF's pages with
//! `pdfinfo`, each page rendered to PNG by `pdftoppm` (poppler-utils, scripts/setup.sh),
//! the QR codes read back with rqrr and the Code 128 bars decoded from the pixels.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use barcoders::sym::code128::Code128;
use common::{cash, fixture, Fixture};
use coupondesk_core::domain::print::{LabelLayout, LabelSymbol, PrintLang, PrintRequest};
use coupondesk_core::progress::CancelToken;
use coupondesk_core::ErrorCode;

fn request(t: &str, layout: LabelLayout, symbol: LabelSymbol) -> PrintRequest {
    PrintRequest {
        ticket_type: t.into(),
        layout,
        symbol,
        codes: None,
        lang: PrintLang::ZhCn,
    }
}

fn print(f: &Fixture, req: &PrintRequest, name: &str) -> std::path::PathBuf {
    let out = f.dir.path().join(name);
    let report = f
        .desk
        .print_codes(req, &out, &CancelToken::new(), &mut |_| {})
        .expect("print");
    assert!(!report.cancelled);
    out
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("595.276 x 841.89 pts (A4)"), "{text}");
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args([pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Page `page` as grey pixels at `dpi`, through a PNG as pdftoppm writes it.
struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

fn render(pdf: &Path, page: usize, dpi: u32) -> Gray {
    let stem = pdf.with_file_name(format!("page-{page}-{dpi}"));
    let status = Command::new("pdftoppm")
        .args(["-png", "-singlefile", "-r", &dpi.to_string()])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    let file = std::fs::File::open(stem.with_extension("png")).expect("png");
    let mut dec = png::Decoder::new(std::io::BufReader::new(file));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    // pdftoppm writes RGB PNGs even with -gray: keep one channel (the page is black on
    // white).
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    Gray {
        w: info.width as usize,
        h: info.height as usize,
        px: buf.chunks(channels).map(|p| p[0]).collect(),
    }
}

/// The sheets' label grids as sold (mm): columns, rows, label width and height, the
/// first label's left and top.
fn grid(layout: LabelLayout) -> (usize, usize, f64, f64, f64, f64) {
    match layout {
        LabelLayout::L3x8 => (3, 8, 70.0, 37.0, 0.0, 0.5),
        LabelLayout::L4x10 => (4, 10, 52.5, 29.7, 0.0, 0.0),
        LabelLayout::Cards => (2, 5, 85.0, 54.0, 20.0, 13.5),
    }
}

/// What each label of the page reads as, in label order: the one QR code found inside
/// the label's own rectangle (a whole page would let a reader pair finder squares of
/// neighbouring codes), or None where a label holds none.
fn qr_codes_on(g: &Gray, layout: LabelLayout, dpi: f64) -> Vec<Option<String>> {
    let (cols, rows, w, h, left, top) = grid(layout);
    let px = |mm: f64| (mm / 25.4 * dpi).round() as usize;
    let mut out = Vec::new();
    for i in 0..cols * rows {
        let (x0, y0) = (
            px(left + (i % cols) as f64 * w),
            px(top + (i / cols) as f64 * h),
        );
        let (cw, ch) = (px(w).min(g.w - x0), px(h).min(g.h - y0));
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(cw, ch, |x, y| {
            g.px[(y0 + y) * g.w + x0 + x]
        });
        let grids = img.detect_grids();
        assert!(grids.len() <= 1, "label {i}: {} symbols", grids.len());
        out.push(grids.first().map(|grid| match grid.decode() {
            Ok((_, code)) => code,
            Err(e) => panic!("label {i} of the page does not read: {e:?}"),
        }));
    }
    out
}

/// The codes the pages hold, label after label, page after page, checking that labels
/// are filled from the first with no gap. Read at 300 dpi, a printer's resolution: at 150
/// the test's decoder (rqrr) misread one random code's symbol in about one run of four
/// (`DataEcc`), a flaky test rather than a bad label.
fn read_all(pdf: &Path, layout: LabelLayout, dpi: u32) -> Vec<String> {
    let mut all = Vec::new();
    for page in 1..=pages(pdf) {
        let labels = qr_codes_on(&render(pdf, page, dpi), layout, f64::from(dpi));
        let filled = labels.iter().take_while(|l| l.is_some()).count();
        assert!(
            labels[filled..].iter().all(Option::is_none),
            "a gap on page {page}"
        );
        all.extend(labels.into_iter().flatten());
    }
    all
}

#[test]
fn fifty_codes_at_3x8_are_three_pages_whose_qr_codes_read_back() {
    let f = fixture();
    f.generated("T1", 50);
    let tpl = f
        .desk
        .create_template(cash("双十二满100减20"))
        .expect("template");
    f.desk.link_batch(tpl.id, "T1").expect("link");
    let codes = f.codes("T1", None);
    let pdf = print(
        &f,
        &request("T1", LabelLayout::L3x8, LabelSymbol::Qr),
        "labels.pdf",
    );
    assert_eq!(pages(&pdf), 3, "24 + 24 + 2");
    // Every code once, in the batch's order.
    assert_eq!(read_all(&pdf, LabelLayout::L3x8, 300), codes);
    // Each label's text: the code, the template's title, its dates in the shop's zone.
    let text = text_of(&pdf);
    for c in &codes {
        assert!(text.contains(c.as_str()), "{c} printed as text");
    }
    assert_eq!(text.matches("双十二满100减20").count(), 50, "{text}");
    assert!(text.contains("有效期 2020-01-01 至 2099-01-01"), "{text}");
}

#[test]
fn the_4x10_and_card_layouts_hold_40_and_10_labels_a_page() {
    let f = fixture();
    f.generated("T2", 41);
    let pdf = print(
        &f,
        &request("T2", LabelLayout::L4x10, LabelSymbol::Qr),
        "a.pdf",
    );
    assert_eq!(pages(&pdf), 2);
    let codes = f.codes("T2", None);
    assert_eq!(read_all(&pdf, LabelLayout::L4x10, 300), codes);
    let pdf = print(
        &f,
        &request("T2", LabelLayout::Cards, LabelSymbol::Qr),
        "b.pdf",
    );
    assert_eq!(pages(&pdf), 5);
    assert_eq!(read_all(&pdf, LabelLayout::Cards, 300), codes);
    // No template: the batch's name is the title, and there are no dates.
    let text = text_of(&pdf);
    assert_eq!(text.matches("batch T2").count(), 41, "{text}");
    assert!(!text.contains("有效期"));
}

#[test]
fn only_the_chosen_codes_are_printed_and_a_code_of_another_batch_is_refused() {
    let f = fixture();
    f.generated("T3", 30);
    f.generated("T4", 2);
    let mine = f.codes("T3", None);
    let mut req = request("T3", LabelLayout::L3x8, LabelSymbol::Qr);
    req.codes = Some(vec![
        mine[7].clone(),
        format!(" {} ", mine[3]),
        mine[7].clone(),
    ]);
    let pdf = print(&f, &req, "some.pdf");
    assert_eq!(pages(&pdf), 1);
    // In the order chosen, each once, trimmed.
    assert_eq!(
        read_all(&pdf, LabelLayout::L3x8, 300),
        [mine[7].clone(), mine[3].clone()]
    );

    let other = f.codes("T4", None);
    req.codes = Some(vec![mine[0].clone(), other[0].clone()]);
    let out = f.dir.path().join("refused.pdf");
    let err = f
        .desk
        .print_codes(&req, &out, &CancelToken::new(), &mut |_| {})
        .expect_err("not of the batch");
    assert_eq!(err.code(), "print_code_not_in_batch");
    assert!(!out.exists(), "no file for a refused print");
    req.codes = Some(vec![]);
    let err = f
        .desk
        .print_codes(&req, &out, &CancelToken::new(), &mut |_| {})
        .expect_err("nothing chosen");
    assert_eq!(err.code(), "print_nothing");
}

/// Code set B's 11-module pattern of each character a code may hold, from the encoder
/// (START B + char + check + STOP: the char is modules 11..22).
fn set_b_patterns() -> HashMap<Vec<u8>, char> {
    ('0'..='9')
        .chain('A'..='Z')
        .chain('a'..='z')
        .chain(['-', '_'])
        .map(|c| {
            let m = Code128::new(format!("Ɓ{c}")).expect("encodes").encode();
            (m[11..22].to_vec(), c)
        })
        .collect()
}

/// The modules under a row of pixels across the first label's bars, from the first dark
/// pixel to the last, each run's width divided by the narrowest bar's.
fn modules_on_row(g: &Gray, y: usize, x_end: usize, count: usize) -> Vec<u8> {
    let row = &g.px[y * g.w..y * g.w + x_end];
    let dark: Vec<bool> = row.iter().map(|p| *p < 128).collect();
    let first = dark.iter().position(|d| *d).expect("a bar");
    let last = dark.iter().rposition(|d| *d).expect("a bar");
    let module = (last + 1 - first) as f64 / count as f64;
    let mut out = Vec::new();
    let mut i = first;
    while i <= last {
        let d = dark[i];
        let mut n = 0;
        while i <= last && dark[i] == d {
            n += 1;
            i += 1;
        }
        let modules = (n as f64 / module).round().max(1.0) as usize;
        out.extend(std::iter::repeat_n(u8::from(d), modules));
    }
    out
}

#[test]
fn code128_labels_decode_back_to_their_codes_from_the_pixels() {
    let f = fixture();
    f.generated("T5", 3);
    let codes = f.codes("T5", None);
    let pdf = print(
        &f,
        &request("T5", LabelLayout::L3x8, LabelSymbol::Code128),
        "bars.pdf",
    );
    assert_eq!(pages(&pdf), 1);
    let dpi = 600.0;
    let g = render(&pdf, 1, dpi as u32);
    let px = |mm: f64| (mm / 25.4 * dpi) as usize;
    let expected = Code128::new(format!("Ɓ{}", codes[0]))
        .expect("encodes")
        .encode();
    // The first label: 70 x 37 mm from 0.5 mm down, padded 3 mm; the bars fill the top
    // 45 % of the inside. A row through their middle, within the label.
    let y = px(0.5 + 3.0 + (37.0 - 6.0) * 0.45 / 2.0);
    let seen = modules_on_row(&g, y, px(70.0), expected.len());
    assert_eq!(seen, expected, "the bars are the encoder's");
    let patterns = set_b_patterns();
    // START B, the characters, then the check symbol and the 13-module stop.
    assert_eq!(seen[..11], expected[..11]);
    let data = &seen[11..seen.len() - 24];
    let decoded: String = data
        .chunks(11)
        .map(|p| *patterns.get(p).expect("a set B character"))
        .collect();
    assert_eq!(decoded, codes[0]);
}

#[test]
fn a_cancelled_print_stops_after_a_page_and_writes_no_file() {
    let f = fixture();
    f.generated("T6", 50);
    let out = f.dir.path().join("cancelled.pdf");
    let cancel = CancelToken::new();
    let mut seen = Vec::new();
    let report = f
        .desk
        .print_codes(
            &request("T6", LabelLayout::L3x8, LabelSymbol::Qr),
            &out,
            &cancel,
            &mut |p| {
                seen.push((p.written, p.total));
                cancel.cancel();
            },
        )
        .expect("a cancel is not an error");
    assert!(report.cancelled);
    assert_eq!(report.rows, 24, "one page was drawn");
    assert_eq!(seen, [(24, 50)]);
    assert!(!out.exists(), "no file for a cancelled print");
}
