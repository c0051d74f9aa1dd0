//! The UI's message tables, read from `ui/src/lib/i18n/{zh-CN,en}.ts`, so an end-to-end
//! test compares what the window shows with the exact sentence the table holds for the
//! language in force (not "some ASCII text" or "contains a word"). A wording change in
//! the table needs no change here; a key the table lacks fails the test by name.
//!
//! The tables are TypeScript object literals of `'key': 'value',` pairs (a value may sit
//! on the next line); the reader takes exactly that and refuses anything else, naming the
//! line, rather than guess.

use std::collections::BTreeMap;
use std::path::Path;

use crate::webdriver::WdResult;

/// The window's languages, as the UI names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    fn file(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN.ts",
            Lang::En => "en.ts",
        }
    }
}

/// One language's table: key -> template with `{name}` placeholders.
#[derive(Debug)]
pub struct Table {
    lang: Lang,
    messages: BTreeMap<String, String>,
}

impl Table {
    pub fn load(lang: Lang) -> WdResult<Table> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("ui/src/lib/i18n")
            .join(lang.file());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let messages = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Table { lang, messages })
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The message `key` with its placeholders filled as the UI's `fill` does: a
    /// placeholder without a value stays as written.
    pub fn text(&self, key: &str, params: &[(&str, &str)]) -> WdResult<String> {
        let template = self
            .messages
            .get(key)
            .ok_or_else(|| format!("the {:?} table has no key {key:?}", self.lang))?;
        Ok(fill(template, params))
    }
}

fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let value = params
            .iter()
            .find(|(n, _)| *n == &after[..name_len])
            .map(|(_, v)| *v);
        match (value, after[name_len..].starts_with('}'), name_len > 0) {
            (Some(v), true, true) => {
                out.push_str(v);
                rest = &after[name_len + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads the object literal after `export const NAME ... = {` up to its closing `}`.
fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let start = text
        .find("export const ")
        .ok_or("no `export const` table in the file")?;
    let open = text[start..]
        .find('{')
        .map(|i| start + i + 1)
        .ok_or("the table has no `{`")?;
    let mut lexer = Lexer {
        text,
        pos: open,
        line: text[..open].matches('\n').count() + 1,
    };
    let mut messages = BTreeMap::new();
    loop {
        let key = match lexer.next()? {
            Token::Close => return Ok(messages),
            Token::Str(k) => k,
            other => return Err(lexer.unexpected("a key or `}`", &other)),
        };
        match lexer.next()? {
            Token::Colon => {}
            other => return Err(lexer.unexpected("`:`", &other)),
        }
        let value = match lexer.next()? {
            Token::Str(v) => v,
            other => return Err(lexer.unexpected("a string", &other)),
        };
        if messages.insert(key.clone(), value).is_some() {
            return Err(format!("line {}: key {key:?} twice", lexer.line));
        }
        match lexer.next()? {
            Token::Comma => {}
            Token::Close => return Ok(messages),
            other => return Err(lexer.unexpected("`,` or `}`", &other)),
        }
    }
}

#[derive(Debug)]
enum Token {
    Str(String),
    Colon,
    Comma,
    Close,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lexer<'_> {
    fn unexpected(&self, wanted: &str, got: &Token) -> String {
        format!("line {}: expected {wanted}, found {got:?}", self.line)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.text[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn next(&mut self) -> Result<Token, String> {
        loop {
            let rest = &self.text[self.pos..];
            if rest.starts_with("//") {
                let end = rest.find('\n').unwrap_or(rest.len());
                self.pos += end;
                continue;
            }
            match self.bump() {
                None => return Err("the table does not end".into()),
                Some(c) if c.is_whitespace() => {}
                Some(':') => return Ok(Token::Colon),
                Some(',') => return Ok(Token::Comma),
                Some('}') => return Ok(Token::Close),
                Some(q @ ('\'' | '"' | '`')) => return self.string(q),
                Some(c) => return Err(format!("line {}: unexpected {c:?}", self.line)),
            }
        }
    }

    fn string(&mut self, quote: char) -> Result<Token, String> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Err(format!("line {}: a string does not end", self.line)),
                Some(c) if c == quote => return Ok(Token::Str(s)),
                Some('\n') if quote != '`' => {
                    return Err(format!("line {}: a line break inside a string", self.line))
                }
                Some('$') if quote == '`' && self.text[self.pos..].starts_with('{') => {
                    return Err(format!(
                        "line {}: a template with ${{...}} is not a fixed message",
                        self.line
                    ))
                }
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(c @ ('\\' | '\'' | '"' | '`')) => s.push(c),
                    other => {
                        return Err(format!(
                            "line {}: escape \\{other:?} is not read here",
                            self.line
                        ))
                    }
                },
                Some(c) => s.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_read_with_the_same_keys_and_known_sentences() {
        let zh = Table::load(Lang::Zh).unwrap();
        let en = Table::load(Lang::En).unwrap();
        assert!(zh.keys().count() > 500, "{}", zh.keys().count());
        assert!(zh.keys().eq(en.keys()), "the tables' keys differ");
        assert_eq!(zh.text("app.name", &[]).unwrap(), "券码台");
        // A value on the line after its key, with a placeholder.
        assert_eq!(
            en.text("generate.spaceTooSmall", &[("count", "9")])
                .unwrap()
                .split(':')
                .next(),
            Some("9 codes do not fit")
        );
        assert!(zh.text("no.such.key", &[]).is_err());
    }

    #[test]
    fn placeholders_fill_like_the_ui_and_unknown_ones_stay() {
        assert_eq!(
            fill("{platform}：可以连接", &[("platform", "e-Buy")]),
            "e-Buy：可以连接"
        );
        assert_eq!(fill("{a} and {b} {", &[("a", "1")]), "1 and {b} {");
    }

    #[test]
    fn escapes_comments_and_a_broken_table() {
        let t = parse("export const x = {\n  // c\n  'a': 'it\\'s',\n  \"b\":\n    \"q\\\"\",\n};")
            .unwrap();
        assert_eq!(t["a"], "it's");
        assert_eq!(t["b"], "q\"");
        let e = parse("export const x = {\n 'a' 'b',\n}").unwrap_err();
        assert!(e.starts_with("line 2: expected `:`"), "{e}");
    }
}
