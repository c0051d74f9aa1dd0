//! THE command table: every command the window and the dev server answer to, defined once.
//!
//! Each entry names the command, its arguments (in the order the TypeScript method takes
//! them; camelCase on the wire), its result, and the one `Desk` call that answers it.
//! `command_table!(callback)` hands the whole table to a macro that builds something from
//! it: `api::define_commands!` (here: argument structs, `run`, JSON dispatch, the TS
//! table), the Tauri shell's `tauri_commands!` (one `#[tauri::command]` per entry), so a
//! command added here is on every surface, and a command missing here is on none.
//!
//! What must stay true: entries only name types and call `Desk`; an entry's body is an
//! expression of type `DeskResult<its result>`; the arguments' `#[ts(..)]` attributes are
//! the only per-argument attributes (i64 ids travel as JS numbers, see `#[ts(type)]`).
//! Jobs (long work with progress and cancel) take a `job_id` on every surface besides the
//! listed arguments; their body also gets the job's cancel token and progress sink.

/// Calls `$callback! { commands { .. } jobs { .. } }` with the table below.
#[macro_export]
macro_rules! command_table {
    ($callback:path) => {
        $callback! {
            commands {
                // The whole app: version and database, the shop's settings.
                app_info() -> AppInfo = |desk| desk.info();
                // The window's web process memory: whether its next navigation loads a
                // fresh page, given the page's age in ms (desk/window.rs). No login
                // needed, no data read.
                window_memory(#[ts(type = "number")] page_age_ms: u64) -> WindowMemory =
                    |desk| Ok(desk.window_memory(page_age_ms));
                settings_get() -> Settings = |desk| desk.settings();
                settings_save(settings: Settings) -> Settings = |desk| desk.save_settings(settings);

                // Batches and their codes.
                batch_create(ticket_type: String, name: String) -> Batch =
                    |desk| desk.create_batch(&ticket_type, &name);
                batch_list(query: BatchQuery) -> Page<Batch> = |desk| desk.list_batches(&query);
                batch_get(ticket_type: String) -> Batch = |desk| desk.get_batch(&ticket_type);
                codes_list(query: CodeQuery) -> Page<CodeRow> = |desk| desk.list_codes(&query);
                import_preview(path: PathBuf, options: ImportOptions) -> ImportPreview =
                    |desk| desk.preview_import(&path, &options);
                // The rows an import run did not take (invalid and duplicates), as CSV or XLSX.
                // Every export's `options`: the words' language and the format (absent:
                // zh-CN, format by the path's extension).
                import_issues_export(
                    #[ts(type = "number")] run_id: i64,
                    path: PathBuf,
                    options: Option<ExportOptions>
                ) -> ExportReport =
                    |desk| desk.export_run_issues(run_id, &path, &options.unwrap_or_default());
                // A copy of the whole database at `path` (SQLite's online backup), and the
                // app's automatic daily copies, newest first. Restoring is the CLI's only:
                // the app must be closed for it.
                backup_now(path: PathBuf, overwrite: bool) -> BackupReport =
                    |desk| desk.backup_to(&path, overwrite);
                backup_list() -> Vec<BackupFile> = |desk| desk.backup_list();
                // True when the job was running (it stops at its next safe point).
                job_cancel(job_id: String) -> bool = |desk| desk.cancel_job(&job_id);

                // Staff: the first start's owner, logging in and out, the owner's accounts.
                // Who is logged in is the desk's (one window, one dev server, one CLI run).
                staff_session() -> Session = |desk| desk.session();
                staff_setup_owner(draft: StaffDraft) -> Session = |desk| desk.setup_owner(&draft);
                staff_login(name: String, pin: String) -> Session = |desk| desk.login(&name, &pin);
                // The window saw keys or the mouse: the auto-lock's idle time starts again.
                staff_keep_alive() -> Session = |desk| desk.keep_alive();
                staff_lock() -> Session = |desk| desk.lock();
                staff_list() -> Vec<StaffMember> = |desk| desk.staff_list();
                staff_add(draft: StaffDraft) -> StaffMember = |desk| desk.staff_add(&draft);
                staff_disable(name: String) -> StaffMember = |desk| desk.staff_disable(&name);
                staff_reset_pin(name: String, pin: String) -> StaffMember =
                    |desk| desk.staff_reset_pin(&name, &pin);
                staff_enable(name: String) -> StaffMember = |desk| desk.staff_enable(&name);
                staff_set_role(name: String, role: Role) -> StaffMember =
                    |desk| desk.staff_set_role(&name, role);

                // Coupon templates (spec 001) and the batches linked to them.
                template_create(draft: TemplateDraft) -> Template = |desk| desk.create_template(draft);
                template_update(#[ts(type = "number")] id: i64, draft: TemplateDraft) -> Template =
                    |desk| desk.update_template(id, draft);
                // Every field error of a draft at once, saving nothing (the form's check
                // while some of its boxes cannot even be read, e.g. a bad amount).
                template_check(draft: TemplateDraft) -> Vec<FieldError> = |desk| desk.check_template(draft);
                template_get(#[ts(type = "number")] id: i64) -> Template = |desk| desk.get_template(id);
                // A logo picked from a file (PNG/JPEG, at most 1 MB), kept for `logoImage`;
                // and a kept one, to show in the card preview (null: not kept here).
                template_logo_add(path: PathBuf) -> LogoImage = |desk| desk.add_template_logo(&path);
                template_logo_get(sha256: String) -> Option<LogoImage> = |desk| desk.template_logo(&sha256);
                template_list(query: TemplateQuery) -> Page<Template> = |desk| desk.list_templates(&query);
                // `platform_batch`: Sense (000)'s own batch number for the batch's codes, when
                // staff uploaded them in its console.
                template_link_batch(
                    #[ts(type = "number")] id: i64,
                    ticket_type: String,
                    platform_batch: Option<String>
                ) -> Template = |desk| desk.link_batch_with(id, &ticket_type, platform_batch.as_deref());
                template_unlink_batch(#[ts(type = "number")] id: i64, ticket_type: String) -> Template =
                    |desk| desk.unlink_batch(id, &ticket_type);

                // The counter: one box for coupon and bonus codes, the log and its undo.
                redeem_undo(#[ts(type = "number")] redemption_id: i64) -> Redemption =
                    |desk| desk.redeem_undo(UndoTarget::Id(redemption_id));
                bonus_redeem_undo(#[ts(type = "number")] redemption_id: i64) -> Redemption =
                    |desk| desk.bonus_redeem_undo(UndoTarget::Id(redemption_id));
                redemption_list(page: PageRequest) -> Page<Redemption> =
                    |desk| desk.list_redemptions(page);
                code_disable(code: String) -> CodeStatus = |desk| desk.disable_code(&code);
                counter_check(request: CounterRequest) -> CounterCheck = |desk| desk.counter_check(&request);
                counter_use(request: CounterRequest) -> CounterOutcome =
                    |desk| desk.counter_use(&request);

                // Red-packet bonuses (spec 002).
                bonus_create(draft: BonusDraft) -> BonusCreation = |desk| desk.create_bonuses(draft);
                bonus_list(query: BonusQuery) -> Page<Bonus> = |desk| desk.list_bonuses(&query);
                bonus_get(#[ts(type = "number")] id: i64) -> Bonus = |desk| desk.get_bonus(BonusRef::Id(id));
                // Once; an unknown phone joins the customer register.
                bonus_grant(
                    #[ts(type = "number")] id: i64,
                    customer: String,
                    customer_name: Option<String>
                ) -> Bonus = |desk| desk.grant_bonus(BonusRef::Id(id), &customer, customer_name.as_deref());
                bonus_disable(#[ts(type = "number")] id: i64) -> Bonus =
                    |desk| desk.disable_bonus(BonusRef::Id(id));
                // Every still-usable bonus of one create run (a mistaken creation).
                bonus_disable_run(#[ts(type = "number")] run: i64) -> BonusRunDisabled =
                    |desk| desk.disable_bonus_run(run);
                // Every bonus the query matches (its page ignored), as CSV or XLSX at `path`.
                bonus_export(query: BonusQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_bonuses(&query, &path, &options.unwrap_or_default());

                // Exchange vouchers (spec 003).
                voucher_sell(draft: VoucherDraft) -> Voucher = |desk| desk.sell_voucher(draft);
                voucher_list(query: VoucherQuery) -> Page<Voucher> = |desk| desk.list_vouchers(&query);
                voucher_get(#[ts(type = "number")] id: i64) -> Voucher = |desk| desk.get_voucher(id);
                voucher_use(#[ts(type = "number")] id: i64) -> Voucher = |desk| desk.use_voucher(id);
                voucher_export(query: VoucherQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_vouchers(&query, &path, &options.unwrap_or_default());

                // The customer register bonuses and vouchers share.
                customer_add(draft: CustomerDraft) -> Customer = |desk| desk.add_customer(&draft);
                // Newest first; `search` is a substring of the phone or the name.
                customer_list(search: Option<String>, page: PageRequest) -> Page<Customer> =
                    |desk| desk.list_customers(search.as_deref(), page);
                // One customer's page (by register id: a cashier never holds the full phone).
                customer_profile(#[ts(type = "number")] id: i64) -> CustomerProfile =
                    |desk| desk.customer_profile(id);

                // The audit trail: newest first, filtered; verify walks its hash chain.
                audit_list(query: AuditQuery) -> Page<AuditEntry> = |desk| desk.list_audit(&query);
                audit_verify() -> AuditVerdict = |desk| desk.verify_audit();
                // Every entry the query matches (its page ignored), as CSV or XLSX at `path`.
                audit_export(query: AuditQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_audit(&query, &path, &options.unwrap_or_default());

                // The manager's view: the redemption report over the shop's days, the uses
                // behind it (or one of its groups), and the dashboard.
                report_redemptions(query: ReportQuery) -> Report =
                    |desk| desk.report_redemptions(&query);
                // The report's groups and total as CSV or XLSX at `path`.
                report_export(query: ReportQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_report(&query, &path, &options.unwrap_or_default());
                report_rows(query: ReportRowsQuery) -> Page<ReportRow> =
                    |desk| desk.report_rows(&query);
                dashboard_get(query: DashboardQuery) -> Dashboard = |desk| desk.dashboard(&query);
                // Reconciliation (对账): local counts beside the last pull's, per platform
                // and group; the differing items, a page of them or all as CSV at `path`.
                reconcile_get() -> Reconciliation = |desk| desk.reconciliation();
                reconcile_items(query: ReconItemsQuery) -> Page<ReconItem> =
                    |desk| desk.reconciliation_items(&query);
                reconcile_export(query: ReconItemsQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_reconciliation(&query, &path, &options.unwrap_or_default());
                // The daily close (日结) of one shop day: per terminal, by template, staff
                // and kind (the CLI prints it as PDF: `report close`).
                report_close(query: CloseQuery) -> DailyClose = |desk| desk.report_close(&query);

                // Sync with the five remote platforms. No answer ever carries a secret.
                sync_status() -> SyncStatus = |desk| desk.sync_status();
                sync_settings_get() -> Vec<PlatformSettings> = |desk| desk.sync_settings();
                sync_settings_save(settings: PlatformSettingsInput) -> PlatformSettings =
                    |desk| desk.sync_save_settings(&settings);
                // The OS keyring or the 0600 file (where no keyring is reachable).
                credentials_store() -> CredentialStore = |desk| desk.credentials_store();
                // One cheap authenticated read per platform; nothing on the platform changes.
                sync_test(platform: Platform) -> ConnectionTest =
                    |desk| desk.sync_test(platform, CONNECTION_TEST_TIMEOUT);
                // A short run (about 15 s at most); `None` = every enabled platform.
                sync_now(platform: Option<Platform>) -> SyncReport =
                    |desk| desk.sync_run(platform, &RunOptions::interactive());
                sync_outbox(query: OutboxQuery) -> Page<OutboxItem> = |desk| desk.sync_outbox(&query);
                sync_conflict_retry(#[ts(type = "number")] id: i64) -> OutboxItem =
                    |desk| desk.sync_conflict_retry(id);
                sync_conflict_edit(
                    #[ts(type = "number")] id: i64,
                    #[ts(type = "Record<string, unknown>")] payload: serde_json::Value
                ) -> OutboxItem = |desk| desk.sync_conflict_edit(id, payload);
                // The platform will never hear of it; the local change stays.
                sync_conflict_discard(#[ts(type = "number")] id: i64, reason: String) -> OutboxItem =
                    |desk| desk.sync_conflict_discard(id, &reason);
                // Bulk activation (or deactivation) of a batch's codes on e-Buy, queued.
                codes_activate(request: ActivationRequest) -> ActivationReport =
                    |desk| desk.codes_activate(&request);

                // Chain mode (docs/chain-mode.md). Joining takes an administrator's URL: the
                // CLI's `hub init` / `hub join`, not the window's. Status asks the hub within
                // the desk's deadline (offline is an answer); push sends the hub outbox.
                hub_status() -> HubStatus = |desk| desk.hub_status();
                hub_push() -> HubPushReport = |desk| desk.hub_push();
                // Every desk's audit trail at the hub (managers): a page of it, newest
                // first, and the walk of every terminal's chain.
                hub_audit_list(query: HubAuditQuery) -> Page<HubAuditEntry> =
                    |desk| desk.hub_audit_list(&query);
                hub_audit_verify() -> HubAuditReport = |desk| desk.hub_audit_verify();
                // Every entry of that list's filters to CSV/XLSX (reports and export;
                // audited hub_audit.export).
                hub_audit_export(query: HubAuditQuery, path: PathBuf, options: Option<ExportOptions>) -> ExportReport =
                    |desk| desk.export_hub_audit(&query, &path, &options.unwrap_or_default());
                // 200..=10000 ms; managers and the owner; audited.
                hub_deadline_set(deadline_ms: u32) -> u32 =
                    |desk| desk.hub_set_deadline(deadline_ms);
                // The platform desk (sends the platforms' ops for the whole hub): this desk
                // when both names are null. Managers and the owner; audited.
                hub_platform_desk_set(store: Option<String>, terminal: Option<String>)
                    -> PlatformDeskStatus =
                    |desk| desk.hub_platform_desk_set(store.as_deref(), terminal.as_deref());
                // The conflict inbox: offline redemptions the hub found another had first.
                hub_conflicts() -> Vec<HubConflict> = |desk| desk.hub_conflicts();
                hub_conflict_settle(#[ts(type = "number")] id: i64, settlement: String) -> bool =
                    |desk| desk.hub_conflict_settle(id, &settlement);
                // Use conflicts (vouchers' and bonuses', one list with a kind): uses made
                // here the hub refused at the upload (another desk's first).
                hub_use_conflicts() -> Vec<HubUseConflict> = |desk| desk.hub_use_conflicts();
                hub_use_conflict_settle(kind: HubUseKind, #[ts(type = "number")] id: i64, settlement: String)
                    -> bool = |desk| desk.hub_use_conflict_settle(kind, id, &settlement);
                // Whether a voucher / a bonus may be used when the hub does not answer
                // (default no); setting it: managers and the owner; audited.
                hub_vouchers_offline() -> bool = |desk| desk.hub_vouchers_offline();
                hub_vouchers_offline_set(allowed: bool) -> bool =
                    |desk| desk.hub_set_vouchers_offline(allowed);
                hub_bonuses_offline() -> bool = |desk| desk.hub_bonuses_offline();
                hub_bonuses_offline_set(allowed: bool) -> bool =
                    |desk| desk.hub_set_bonuses_offline(allowed);
                // What a template's codes may do when the hub does not answer in time.
                template_offline_policy(#[ts(type = "number")] template: i64) -> OfflinePolicy =
                    |desk| desk.template_offline_policy(template);
                template_offline_policy_set(#[ts(type = "number")] template: i64, policy: OfflinePolicy)
                    -> OfflinePolicy = |desk| desk.set_template_offline_policy(template, policy);
            }
            jobs {
                codes_import(path: PathBuf, target: ImportTarget, options: ImportOptions)
                    -> ImportReport, ImportProgress =
                    |desk, cancel, progress| desk.import_codes(&path, &target, &options, cancel, progress);
                codes_generate(request: GenerateRequest) -> GenerateReport, GenerateProgress =
                    |desk, cancel, progress| desk.generate_codes(&request, cancel, progress);
                codes_export(ticket_type: String, path: PathBuf, options: Option<ExportOptions>)
                    -> ExportReport, ExportProgress =
                    |desk, cancel, progress| desk.export_codes(
                        &ticket_type, &path, &options.unwrap_or_default(), cancel, progress
                    );
                // A batch's codes (or the chosen ones) as A4 label sheets, PDF (print/).
                codes_print(request: PrintRequest, path: PathBuf) -> ExportReport, ExportProgress =
                    |desk, cancel, progress| desk.print_codes(&request, &path, cancel, progress);
            }
        }
    };
}
