//! The font every printed text is set in: one with Chinese characters (template titles are
//! Chinese), found on this computer at run time, never shipped (the .deb depends on
//! fonts-noto-cjk; docs/printing.md). krilla embeds only the glyphs a PDF uses.
//!
//! Where it looks, in order: `COUPONDESK_FONT` (a .ttf/.otf/.ttc file; a collection's
//! face by `COUPONDESK_FONT_INDEX`), fontconfig (`fc-match`: Noto Sans Mono CJK SC first,
//! whose Latin letters are all half as wide as a Chinese character, so codes line up;
//! then any font for zh-cn), then the usual files of Debian, macOS and Windows. A
//! candidate counts only if it has the characters checked below.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::PrintError;

/// A font without these cannot print a template's title or a code.
const MUST_HAVE: &str = "券码有效期日结Aa0-_";

const KNOWN_FILES: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("C:\\Windows\\Fonts\\msyh.ttc", 0),
    ("C:\\Windows\\Fonts\\simsun.ttc", 0),
];

/// fontconfig patterns, best first.
const PATTERNS: &[&str] = &["Noto Sans Mono CJK SC:lang=zh-cn", ":lang=zh-cn"];

pub struct PrintFont {
    pub font: Font,
    pub path: PathBuf,
    data: Arc<Vec<u8>>,
    index: u32,
    /// Glyph and advance width in em, by character (a label sheet asks the same few over
    /// and over).
    glyphs: RefCell<HashMap<char, (u32, f32)>>,
}

impl PrintFont {
    /// The first usable font of the places above.
    pub fn find() -> Result<PrintFont, PrintError> {
        if let Some(path) = std::env::var_os("COUPONDESK_FONT") {
            let index = std::env::var("COUPONDESK_FONT_INDEX")
                .ok()
                .and_then(|i| i.trim().parse().ok())
                .unwrap_or(0);
            let path = PathBuf::from(path);
            return PrintFont::load(&path, index)?.ok_or(PrintError::FontLacksChinese {
                path: path.display().to_string(),
            });
        }
        for (path, index) in fontconfig()
            .into_iter()
            .chain(KNOWN_FILES.iter().map(|(p, i)| (PathBuf::from(p), *i)))
        {
            if path.is_file() {
                if let Ok(Some(f)) = PrintFont::load(&path, index) {
                    return Ok(f);
                }
            }
        }
        Err(PrintError::NoFont)
    }

    /// The face `index` of the file, if it has every character of `MUST_HAVE`.
    pub fn load(path: &Path, index: u32) -> Result<Option<PrintFont>, PrintError> {
        let bytes = std::fs::read(path).map_err(|source| PrintError::FontUnreadable {
            path: path.display().to_string(),
            source,
        })?;
        let data = Arc::new(bytes);
        let complete = FontRef::from_index(&data, index)
            .map(|f| {
                let map = f.charmap();
                MUST_HAVE.chars().all(|c| map.map(c).is_some())
            })
            .unwrap_or(false);
        if !complete {
            return Ok(None);
        }
        let Some(font) = Font::new(data.clone().into(), index) else {
            return Ok(None);
        };
        Ok(Some(PrintFont {
            font,
            path: path.to_owned(),
            data,
            index,
            glyphs: RefCell::new(HashMap::new()),
        }))
    }

    /// How wide `text` is at `size` (the same unit as `size`), as `glyphs` sets it.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let mut cache = self.glyphs.borrow_mut();
        let mut em = 0.0;
        for c in text.chars() {
            em += cache.entry(c).or_insert_with(|| self.glyph_of(c)).1;
        }
        em * size
    }

    /// `text` as glyphs: one per character, its advance from the font, no kerning or
    /// ligatures (codes, dates and Chinese titles need none). Why not krilla's own
    /// `draw_text`: its shaper parses the font anew on every call, which for a 20 MB
    /// collection was most of a 10,000-label sheet's time (docs/printing.md).
    pub fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut cache = self.glyphs.borrow_mut();
        text.char_indices()
            .map(|(at, c)| {
                let (id, em) = *cache.entry(c).or_insert_with(|| self.glyph_of(c));
                KrillaGlyph::new(
                    GlyphId::new(id),
                    em,
                    0.0,
                    0.0,
                    0.0,
                    at..at + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// The glyph of `c` and its advance in em; a character the font lacks prints as its
    /// "missing" box (glyph 0), one em wide.
    fn glyph_of(&self, c: char) -> (u32, f32) {
        let Ok(f) = FontRef::from_index(&self.data, self.index) else {
            return (0, 1.0);
        };
        let upem = f32::from(
            f.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let metrics = f.glyph_metrics(Size::unscaled(), LocationRef::default());
        match f.charmap().map(c) {
            Some(g) => {
                let em = metrics.advance_width(g).map(|w| w / upem.max(1.0));
                (g.to_u32(), em.unwrap_or(1.0))
            }
            None => (0, 1.0),
        }
    }
}

/// What fontconfig offers for the patterns, best first (none where it is not installed).
fn fontconfig() -> Vec<(PathBuf, u32)> {
    PATTERNS
        .iter()
        .filter_map(|p| {
            let out = Command::new("fc-match")
                .args(["-f", "%{file}\n%{index}", p])
                .output()
                .ok()?;
            let text = String::from_utf8(out.stdout).ok()?;
            let mut lines = text.lines();
            let file = lines.next().filter(|f| !f.is_empty())?;
            let index = lines
                .next()
                .and_then(|i| i.trim().parse().ok())
                .unwrap_or(0);
            Some((PathBuf::from(file), index))
        })
        .collect()
}
