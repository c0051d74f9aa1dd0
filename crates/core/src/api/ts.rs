//! The TypeScript side of the command table, generated (ui/src/lib/backend/bindings/
//! commands.ts): one method per entry with the table's argument names (camelCase) and
//! order, typed from the same Rust types through ts-rs. The UI's two transports (Tauri's
//! `invoke`, the dev server's HTTP) each supply `call` and `job`; nothing else is written
//! by hand, so a command cannot exist on one side only.
//!
//! Written by the test `writes_the_command_table` under `TS_RS_EXPORT_DIR` (as ts-rs
//! writes the types); `make check-bindings` fails when the committed file drifted.

use std::collections::BTreeSet;

use ts_rs::TS;

use super::{CommandInfo, COMMANDS};

/// The TypeScript of one entry's types, and the files they come from.
pub struct CommandTypes {
    /// The argument object, inline (`{ ticketType: string, name: string, }`).
    args: String,
    output: String,
    progress: Option<String>,
    /// Exported types they use, as paths under the bindings folder (`Batch.ts`).
    imports: Vec<(String, String)>,
}

/// Holds one type as a field, so ts-rs lists what it depends on (generics included).
/// Never built: only its derived `TS` is used.
#[allow(dead_code)]
#[derive(TS)]
struct Uses<T: TS + 'static> {
    value: T,
}

fn imports_of<T: TS + 'static>(out: &mut Vec<(String, String)>) {
    for d in Uses::<T>::dependencies() {
        let path = d
            .output_path
            .with_extension("")
            .to_string_lossy()
            .into_owned();
        out.push((d.ts_name, path));
    }
}

impl CommandTypes {
    /// `P = ()` for a command that is not a job.
    pub fn of<A: TS + 'static, O: TS + 'static, P: TS + 'static>() -> CommandTypes {
        let mut imports = A::dependencies()
            .into_iter()
            .map(|d| {
                let path = d
                    .output_path
                    .with_extension("")
                    .to_string_lossy()
                    .into_owned();
                (d.ts_name, path)
            })
            .collect::<Vec<_>>();
        imports_of::<O>(&mut imports);
        let progress = (std::any::TypeId::of::<P>() != std::any::TypeId::of::<()>()).then(|| {
            imports_of::<P>(&mut imports);
            P::name()
        });
        CommandTypes {
            args: A::inline(),
            output: O::name(),
            progress,
            imports,
        }
    }
}

/// `ticket_type` → `ticketType`, as serde's `rename_all = "camelCase"` and Tauri do.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn pascal(snake: &str) -> String {
    let c = camel(snake);
    let mut chars = c.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn method(c: &CommandInfo, t: &CommandTypes) -> String {
    let args_type = format!("{}Args", pascal(c.name));
    let names: Vec<String> = c.args.iter().map(|a| camel(a)).collect();
    let mut params: Vec<String> = names
        .iter()
        .map(|n| format!("{n}: {args_type}['{n}']"))
        .collect();
    let object = if names.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", names.join(", "))
    };
    let body = match &t.progress {
        Some(p) => {
            params.insert(0, "jobId: string".to_owned());
            params.push(format!("onProgress: (progress: {p}) => void"));
            format!(
                "job<{o}, {p}>('{n}', jobId, {object}, onProgress)",
                o = t.output,
                n = c.name
            )
        }
        None => format!("call<{o}>('{n}', {object})", o = t.output, n = c.name),
    };
    format!(
        "    {m}: ({params}): Promise<{o}> =>\n      {body},\n",
        m = camel(c.name),
        params = params.join(", "),
        o = t.output,
    )
}

/// The whole generated file.
pub fn command_table_ts() -> String {
    let typed: Vec<(&CommandInfo, CommandTypes)> =
        COMMANDS.iter().map(|c| (c, (c.types)())).collect();
    let imports: BTreeSet<(String, String)> = typed
        .iter()
        .flat_map(|(_, t)| t.imports.iter().cloned())
        .collect();
    let mut out = String::from(
        "// Generated from the command table (crates/core/src/api/table.rs) by crates/core/src/api/ts.rs.\n\
         // Do not edit: `cargo test -p coupondesk-core` rewrites it.\n",
    );
    for (name, path) in &imports {
        out += &format!("import type {{ {name} }} from './{path}';\n");
    }
    out += "\n/** Sends one command; rejects with the backend's error. */\n\
            export type CommandCall = <T>(command: string, args: Record<string, unknown>) => Promise<T>;\n\
            /** Runs one job under `jobId` (cancel: `jobCancel(jobId)`), with its progress. */\n\
            export type JobCall = <T, P>(\n  command: string,\n  jobId: string,\n  args: Record<string, unknown>,\n  onProgress: (progress: P) => void,\n) => Promise<T>;\n\n";
    for (c, t) in &typed {
        out += &format!("export type {}Args = {};\n", pascal(c.name), t.args);
    }
    out += "\n/** One method per command of the table, over a transport. */\n\
            export function commandMethods(call: CommandCall, job: JobCall) {\n  return {\n";
    for (c, t) in &typed {
        out += &method(c, t);
    }
    out += "  };\n}\n\nexport type CommandMethods = ReturnType<typeof commandMethods>;\n\n";
    let list = |job: bool| {
        COMMANDS
            .iter()
            .filter(|c| c.job == job)
            .map(|c| format!("  '{}',\n", c.name))
            .collect::<String>()
    };
    out += &format!(
        "export const COMMAND_NAMES = [\n{}] as const;\n\nexport const JOB_NAMES = [\n{}] as const;\n",
        list(false),
        list(true)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_is_serdes() {
        assert_eq!(camel("ticket_type"), "ticketType");
        assert_eq!(camel("customer_name"), "customerName");
        assert_eq!(camel("id"), "id");
        assert_eq!(pascal("codes_import"), "CodesImport");
    }

    #[test]
    fn a_command_and_a_job_come_out_typed() {
        let ts = command_table_ts();
        assert!(ts.contains(
            "    batchCreate: (ticketType: BatchCreateArgs['ticketType'], name: BatchCreateArgs['name']): Promise<Batch> =>\n      call<Batch>('batch_create', { ticketType, name }),\n"
        ), "{ts}");
        assert!(
            ts.contains("export type TemplateGetArgs = { id: number, };\n"),
            "{ts}"
        );
        assert!(ts.contains("job<ImportReport, ImportProgress>('codes_import', jobId, { path, target, options }, onProgress)"), "{ts}");
        assert!(ts.contains("import type { Page } from './Page';\n"), "{ts}");
        assert!(
            ts.contains("import type { Batch } from './Batch';\n"),
            "{ts}"
        );
        assert!(!ts.contains("redeem_use"));
    }

    /// Writes the file where ts-rs writes the types (see .cargo/config.toml).
    #[test]
    fn writes_the_command_table() {
        let Some(dir) = std::env::var_os("TS_RS_EXPORT_DIR") else {
            return;
        };
        let path = std::path::Path::new(&dir).join("commands.ts");
        let text = command_table_ts();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).expect("write commands.ts");
        }
    }
}
