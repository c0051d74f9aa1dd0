//! The window's size and position, remembered between runs in a small JSON file next to
//! the database (`<database>.window.json`). Our own few lines rather than
//! tauri-plugin-window-state: four numbers and a flag do not need a plugin and its
//! dependencies, and a file per database keeps the end-to-end tests' windows apart.
//!
//! What must stay true: a missing, unreadable or stale file never keeps the window from
//! opening; it then opens at tauri.conf.json's size (which fits a 1366×768 screen with a
//! taskbar). A remembered place is used only when it still lies on a monitor and fits it,
//! so a window never comes back off-screen after a monitor was unplugged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, Window};

/// Physical pixels: the outer position and the inner size, as Tauri sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub maximized: bool,
}

/// A monitor's area in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// How much of the window's top must be on a monitor to be grabbed and moved.
const GRAB: i64 = 100;
/// Smaller than this is not a usable window (tauri.conf.json's minimum is 960×600).
const SMALLEST: u32 = 200;

/// `/data/coupondesk.sqlite3` -> `/data/coupondesk.sqlite3.window.json`.
pub fn file_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".window.json");
    PathBuf::from(name)
}

/// The remembered placement, or None when there is none or the file is not one.
pub fn read(file: &Path) -> Option<Placement> {
    let text = std::fs::read_to_string(file).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes through a temporary file and a rename, so a crash leaves the old file or the new.
pub fn write(file: &Path, placement: &Placement) -> std::io::Result<()> {
    let text = serde_json::to_string(placement).map_err(std::io::Error::other)?;
    let tmp = file.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, file)
}

/// Whether the placement fits inside one monitor and its top strip can be grabbed there.
pub fn fits(p: &Placement, monitors: &[Area]) -> bool {
    if p.width < SMALLEST || p.height < SMALLEST {
        return false;
    }
    monitors.iter().any(|m| {
        let (mx, my) = (i64::from(m.x), i64::from(m.y));
        let (mr, mb) = (mx + i64::from(m.width), my + i64::from(m.height));
        let (x, y) = (i64::from(p.x), i64::from(p.y));
        p.width <= m.width
            && p.height <= m.height
            && y >= my
            && y + GRAB <= mb
            && x + i64::from(p.width) - GRAB >= mx
            && x + GRAB <= mr
    })
}

fn monitors<R: Runtime>(window: &Window<R>) -> Vec<Area> {
    window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| Area {
            x: m.position().x,
            y: m.position().y,
            width: m.size().width,
            height: m.size().height,
        })
        .collect()
}

/// Puts the window where `file` says, if that still fits a monitor.
pub fn restore<R: Runtime>(window: &Window<R>, file: &Path) {
    let Some(p) = read(file) else { return };
    if !fits(&p, &monitors(window)) {
        return;
    }
    let placed = window
        .set_size(PhysicalSize::new(p.width, p.height))
        .and_then(|()| window.set_position(PhysicalPosition::new(p.x, p.y)));
    let placed = if p.maximized {
        placed.and_then(|()| window.maximize())
    } else {
        placed
    };
    if let Err(e) = placed {
        eprintln!("window placement: {e}");
    }
}

/// Writes the window's current placement to `file` (when it closes). A maximised window
/// keeps its last normal size where the platform reports it, and the flag.
pub fn remember<R: Runtime>(window: &Window<R>, file: &Path) {
    let read = || -> tauri::Result<Placement> {
        let pos = window.outer_position()?;
        let size = window.inner_size()?;
        Ok(Placement {
            x: pos.x,
            y: pos.y,
            width: size.width,
            height: size.height,
            maximized: window.is_maximized()?,
        })
    };
    let written = read()
        .map_err(|e| e.to_string())
        .and_then(|p| write(file, &p).map_err(|e| e.to_string()));
    if let Err(e) = written {
        eprintln!("window placement not saved to {}: {e}", file.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = Area {
        x: 0,
        y: 0,
        width: 1366,
        height: 768,
    };

    fn at(x: i32, y: i32, width: u32, height: u32) -> Placement {
        Placement {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn the_file_sits_beside_the_database() {
        assert_eq!(
            file_for(Path::new("/d/coupondesk.sqlite3")),
            PathBuf::from("/d/coupondesk.sqlite3.window.json")
        );
    }

    #[test]
    fn round_trip_and_broken_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.window.json");
        assert_eq!(read(&file), None, "no file yet");
        let p = Placement {
            maximized: true,
            ..at(40, 20, 1200, 690)
        };
        write(&file, &p).expect("write");
        assert_eq!(read(&file), Some(p));
        std::fs::write(&file, "{\"x\":1").expect("write");
        assert_eq!(read(&file), None, "a cut-off file is ignored");
        std::fs::write(&file, "{\"x\":1,\"y\":2,\"width\":-3,\"height\":4}").expect("write");
        assert_eq!(read(&file), None, "a negative size is not a placement");
    }

    #[test]
    fn a_place_is_used_only_on_a_monitor_it_fits() {
        assert!(fits(&at(0, 0, 1280, 690), &[SCREEN]));
        assert!(fits(&at(43, 0, 1280, 690), &[SCREEN]));
        assert!(!fits(&at(0, 0, 1920, 1040), &[SCREEN]), "too big");
        assert!(
            !fits(&at(1300, 0, 1280, 690), &[SCREEN]),
            "right of the screen"
        );
        assert!(!fits(&at(-1250, 0, 1280, 690), &[SCREEN]), "left of it");
        assert!(
            !fits(&at(0, -10, 1280, 690), &[SCREEN]),
            "title bar above it"
        );
        assert!(!fits(&at(0, 700, 1280, 60), &[SCREEN]), "too small");
        assert!(!fits(&at(0, 0, 1280, 690), &[]), "no monitor known");
        // A second monitor to the right: a window there is fine, until it is unplugged.
        let right = Area { x: 1366, ..SCREEN };
        assert!(fits(&at(1400, 10, 1280, 690), &[SCREEN, right]));
        assert!(!fits(&at(1400, 10, 1280, 690), &[SCREEN]));
    }
}
