//! Pictures of the real window taken from the X server (ImageMagick's `import -window
//! root`, an X11 GetImage of the screen), not through WebDriver: what the person at the
//! screen sees, painted or not. WebKitWebDriver's own screenshot asks the web view for a
//! snapshot, which with compositing off (the app's default, src-tauri/src/memory.rs)
//! times out after a window resize, and which would show a fresh rendering even where
//! the window itself was left unpainted. imagemagick is in scripts/setup.sh's list.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::webdriver::WdResult;

/// An RGB picture of a rectangle of the screen.
#[derive(Clone)]
pub struct Shot {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
}

impl Shot {
    /// The screen's pixels inside (x, y, width, height), clipped to the screen.
    pub fn grab(x: i64, y: i64, width: i64, height: i64) -> WdResult<Shot> {
        let out = Command::new("import")
            .args(["-silent", "-window", "root", "-depth", "8", "ppm:-"])
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| {
                format!("could not run ImageMagick's import ({e}): run scripts/setup.sh")
            })?;
        if !out.status.success() {
            return Err(format!(
                "import -window root failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Shot::from_ppm(&out.stdout)?.crop(x, y, width, height)
    }

    /// Parses a binary PPM (P6, 8 bits), as `import … ppm:-` writes it.
    fn from_ppm(data: &[u8]) -> WdResult<Shot> {
        // The header is four whitespace-separated fields: P6, width, height, maxval.
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while data.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let start = i;
            while data.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                i += 1;
            }
            if start == i {
                return Err("the screen picture has a short PPM header".into());
            }
            fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
        }
        let num = |s: &str| {
            s.parse::<u32>()
                .map_err(|_| format!("bad number {s:?} in the PPM header"))
        };
        if fields[0] != "P6" || num(&fields[3])? != 255 {
            return Err(format!("not an 8-bit P6 picture: {fields:?}"));
        }
        let (width, height) = (num(&fields[1])?, num(&fields[2])?);
        // One whitespace byte ends the header.
        let rgb = data.get(i + 1..).unwrap_or_default().to_vec();
        if rgb.len() != width as usize * height as usize * 3 {
            return Err(format!(
                "the screen picture has {} bytes for {width}×{height}",
                rgb.len()
            ));
        }
        Ok(Shot { width, height, rgb })
    }

    /// The part inside (x, y, width, height), clipped to this picture.
    pub fn crop(&self, x: i64, y: i64, width: i64, height: i64) -> WdResult<Shot> {
        let x0 = x.clamp(0, self.width as i64) as usize;
        let y0 = y.clamp(0, self.height as i64) as usize;
        let x1 = (x + width).clamp(0, self.width as i64) as usize;
        let y1 = (y + height).clamp(0, self.height as i64) as usize;
        if x1 <= x0 || y1 <= y0 {
            return Err(format!(
                "the rectangle {width}×{height}+{x}+{y} is off the {}×{} screen",
                self.width, self.height
            ));
        }
        let mut rgb = Vec::with_capacity((x1 - x0) * (y1 - y0) * 3);
        for row in y0..y1 {
            let start = (row * self.width as usize + x0) * 3;
            rgb.extend_from_slice(&self.rgb[start..start + (x1 - x0) * 3]);
        }
        Ok(Shot {
            width: (x1 - x0) as u32,
            height: (y1 - y0) as u32,
            rgb,
        })
    }

    /// The colour at (x, y), None outside the picture.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// The share (0..=1) of pixels that differ from `other`'s by more than `tolerance` in
    /// any channel; 1 when the sizes differ.
    pub fn difference(&self, other: &Shot, tolerance: u8) -> f64 {
        if (self.width, self.height) != (other.width, other.height) {
            return 1.0;
        }
        let differing = self
            .rgb
            .chunks_exact(3)
            .zip(other.rgb.chunks_exact(3))
            .filter(|(a, b)| {
                a.iter()
                    .zip(b.iter())
                    .any(|(p, q)| p.abs_diff(*q) > tolerance)
            })
            .count();
        differing as f64 / (self.width as f64 * self.height as f64)
    }

    /// Writes the picture as a PNG (ImageMagick's convert).
    pub fn save_png(&self, path: &Path) -> WdResult<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let mut child = Command::new("convert")
            .args(["ppm:-", &format!("png:{}", path.display())])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run ImageMagick's convert ({e})"))?;
        let header = format!("P6\n{} {}\n255\n", self.width, self.height);
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(header.as_bytes())
                .and_then(|_| stdin.write_all(&self.rgb))
                .map_err(|e| format!("could not hand the picture to convert: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "convert could not write {}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ppm(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
        let mut v = format!("P6\n{width} {height}\n255\n").into_bytes();
        v.extend_from_slice(rgb);
        v
    }

    #[test]
    fn parses_crops_and_compares() {
        // 3×2: a red, green, blue row over a white, black, grey row.
        let rgb = [
            255, 0, 0, 0, 255, 0, 0, 0, 255, //
            255, 255, 255, 0, 0, 0, 128, 128, 128,
        ];
        let shot = Shot::from_ppm(&ppm(3, 2, &rgb)).expect("ppm");
        assert_eq!(shot.pixel(2, 0), Some([0, 0, 255]));
        assert_eq!(shot.pixel(3, 0), None);
        let part = shot.crop(1, 1, 5, 5).expect("crop");
        assert_eq!((part.width, part.height), (2, 1));
        assert_eq!(part.pixel(1, 0), Some([128, 128, 128]));
        assert!(shot.crop(3, 0, 1, 1).is_err());
        let mut other = shot.clone();
        other.rgb[0] = 250;
        assert_eq!(shot.difference(&other, 8), 0.0);
        other.rgb[0] = 0;
        assert!((shot.difference(&other, 8) - 1.0 / 6.0).abs() < 1e-9);
        assert_eq!(shot.difference(&part, 8), 1.0);
    }

    #[test]
    fn refuses_what_is_not_a_full_8_bit_ppm() {
        assert!(Shot::from_ppm(b"P6\n2 2\n255\n\x00").is_err());
        assert!(Shot::from_ppm(b"P5\n1 1\n255\n\x00").is_err());
        assert!(Shot::from_ppm(b"P6\n1 1\n65535\n\x00\x00\x00\x00\x00\x00").is_err());
        assert!(Shot::from_ppm(b"P6 1").is_err());
    }
}
