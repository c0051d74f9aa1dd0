//! `--lang` and `--format`, shared by every export command (`codes export`, `bonus
//! export`, `voucher export`, `audit export`): the file's words in zh-CN (the default, as
//! the app's) or English, and CSV or XLSX (default: by the `--out` file's extension,
//! `.xlsx` for XLSX, anything else CSV).

use coupondesk_core::export::{ExportFormat, ExportOptions, Lang};

#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ExportArgs {
    /// Language of the headers and statuses: zh-CN or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN", value_parser = parse_lang)]
    lang: Lang,
    /// csv or xlsx; default: by the file's extension (.xlsx is XLSX, anything else CSV).
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<ExportFormat>,
}

impl ExportArgs {
    pub fn options(self) -> ExportOptions {
        ExportOptions {
            lang: self.lang,
            format: self.format,
        }
    }
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("{s:?} is not a language of exports; write zh-CN or en"))
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(s)
        .ok_or_else(|| format!("{s:?} is not an export format; write csv or xlsx"))
}
