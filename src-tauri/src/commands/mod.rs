//! The window's commands: one `#[tauri::command]` per entry of the core's command table
//! (crates/core/src/api/table.rs), written by `tauri_commands!` from that table, so the
//! window, the dev server and the TypeScript side cannot disagree on a name, an argument
//! or a result. Each command runs `api::<name>::run` off the async runtime
//! (`AppState::blocking`); errors cross as `ApiError {code, message, fields}`; jobs send
//! their progress through a Channel and can be cancelled by id (`job_cancel`).
//!
//! What must stay true: a command whose arguments hold a path checks it
//! (`AppState::check_paths`) before the core sees it; the webview gets paths only from the
//! shell's own dialogs (`dialogs.rs`), which remember them.

use coupondesk_core::{api, ApiError};
use serde::de::DeserializeOwned;
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::{Builder, Runtime, State};

use crate::AppState;

mod dialogs;
#[cfg(test)]
pub(crate) mod tests;

pub type Answer<T> = Result<T, ApiError>;

/// A command's whole argument object as the table's `Args` struct (camelCase keys, as
/// the dev server receives it too), instead of one Tauri parameter per key. Keys the
/// struct does not name (`jobId`, `onProgress`) are left to their own parameters.
pub struct Whole<T>(pub T);

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Whole<T> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let json = match command.message.payload() {
            InvokeBody::Json(v) => v.clone(),
            InvokeBody::Raw(_) => serde_json::Value::Null,
        };
        let json = if json.is_null() {
            serde_json::json!({})
        } else {
            json
        };
        serde_json::from_value(json).map(Whole).map_err(|e| {
            let e = api::CallError::BadArguments {
                command: command.name.to_owned(),
                reason: e.to_string(),
            };
            InvokeError::from(ApiError::from(&e))
        })
    }
}

macro_rules! tauri_commands {
    (
        commands { $(
            $name:ident ( $( $(#[$am:meta])* $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty =
                |$desk:ident| $body:expr ;
        )* }
        jobs { $(
            $jname:ident ( $( $(#[$jam:meta])* $jarg:ident : $jty:ty ),* $(,)? ) -> $jret:ty, $jprog:ty =
                |$jdesk:ident, $jcancel:ident, $jprogress:ident| $jbody:expr ;
        )* }
    ) => {
        $(
            #[tauri::command]
            pub async fn $name(
                state: State<'_, AppState>,
                args: Whole<api::$name::Args>,
            ) -> Answer<api::$name::Output> {
                state.check_paths(&args.0.paths())?;
                state.blocking(move |desk| api::$name::run(desk, args.0)).await
            }
        )*
        $(
            #[tauri::command]
            pub async fn $jname(
                state: State<'_, AppState>,
                job_id: String,
                on_progress: Channel<api::$jname::Progress>,
                args: Whole<api::$jname::Args>,
            ) -> Answer<api::$jname::Output> {
                state.check_paths(&args.0.paths())?;
                state
                    .blocking(move |desk| {
                        // A closed window only means nobody is watching: the work goes on.
                        api::$jname::run(desk, &job_id, args.0, &mut |p| {
                            let _ = on_progress.send(p);
                        })
                    })
                    .await
            }
        )*

        /// Registers state and every command on any runtime, so tests can use the mock one.
        pub fn app_builder<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
            builder
                .manage(state)
                .invoke_handler(tauri::generate_handler![
                    $($name,)*
                    $($jname,)*
                    dialogs::pick_open_path,
                    dialogs::pick_save_path,
                ])
        }
    };
}

coupondesk_core::command_table!(tauri_commands);
