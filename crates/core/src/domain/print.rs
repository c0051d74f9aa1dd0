//! What a print of codes is asked: which codes, on which label sheet, as which symbol.
//! How it is drawn is in print/ (docs/printing.md).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A4 label sheets: 3 × 8 labels of 70 × 37 mm, 4 × 10 of 52.5 × 29.7 mm, or 2 × 5 cards
/// of 85 × 54 mm (a bank card's size) with cut lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[ts(export)]
pub enum LabelLayout {
    #[default]
    #[serde(rename = "3x8")]
    L3x8,
    #[serde(rename = "4x10")]
    L4x10,
    #[serde(rename = "cards")]
    Cards,
}

impl LabelLayout {
    pub const ALL: [LabelLayout; 3] = [LabelLayout::L3x8, LabelLayout::L4x10, LabelLayout::Cards];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelLayout::L3x8 => "3x8",
            LabelLayout::L4x10 => "4x10",
            LabelLayout::Cards => "cards",
        }
    }

    /// Labels on one sheet.
    pub fn per_page(self) -> usize {
        match self {
            LabelLayout::L3x8 => 24,
            LabelLayout::L4x10 => 40,
            LabelLayout::Cards => 10,
        }
    }
}

/// The symbol each label carries beside the code's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LabelSymbol {
    #[default]
    Qr,
    Code128,
}

impl LabelSymbol {
    pub const ALL: [LabelSymbol; 2] = [LabelSymbol::Qr, LabelSymbol::Code128];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelSymbol::Qr => "qr",
            LabelSymbol::Code128 => "code128",
        }
    }
}

/// The language of the words a PDF prints (labels' validity, the close's headings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, TS)]
#[ts(export)]
pub enum PrintLang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// A batch's codes (all of them, in the batch's order, or only `codes`, in the order
/// given) as a PDF of labels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PrintRequest {
    pub ticket_type: String,
    #[serde(default)]
    pub layout: LabelLayout,
    #[serde(default)]
    pub symbol: LabelSymbol,
    /// Only these codes (each must be of the batch); none: every code of the batch.
    #[serde(default)]
    pub codes: Option<Vec<String>>,
    #[serde(default)]
    pub lang: PrintLang,
}
