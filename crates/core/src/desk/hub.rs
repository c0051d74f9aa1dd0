//! Chain-mode use cases (issue 16, docs/chain-mode.md): `hub init`, `hub join` and
//! `hub status`. Each is a thin sequence of calls into `hub` (the PostgreSQL side) and
//! `store` (the desk's SQLite).
//!
//! Join, in order (what must stay true):
//! 1. register store and terminal and create the terminal's role, as the administrator;
//!    the role's password is kept with the desk's secrets inside that transaction, so a
//!    committed role always has its password here;
//! 2. upload, as the terminal: each local batch and the codes the hub lacks (COPY into
//!    a temporary table, `INSERT ... ON CONFLICT DO NOTHING`), one change logged per
//!    batch;
//! 3. read the hub's max change seq, THEN download: a change logged meanwhile is above
//!    that seq and is pulled later, never missed;
//! 4. download, as the terminal: the hub's batches and codes the desk lacks, streamed by
//!    COPY into a file that the desk's own import reads (the same bulk insert, counts and
//!    search index as any import), then the hub's statuses (`store::hub_link::after_hub`),
//!    then each batch's mark (`store::hub_batch_got`: the highest hub `ord` read, from
//!    which a pull's `batch` change reads only the codes added);
//!    Templates and batch links go the same way: after the batches, every local template
//!    and link is uploaded (a hub batch linked already keeps the first desk's template),
//!    and after the download every hub template and link is applied here
//!    (desk/hub_records.rs);
//! 5. write the link with that seq as `pulled_seq`.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::hub_records::RecordsMoved;
use super::{Desk, DeskError, DeskResult};
use crate::domain::lifecycle::CodeStatus;
use crate::domain::staff::Permission;
use crate::hub::terminals::{self as hub_terminals, TerminalContact};
use crate::hub::{roles, schema, transfer, Hub, HubError, HubUrl};
use crate::import::{HeaderChoice, ImportOptions, ImportTarget};
use crate::progress::CancelToken;
use crate::store::hub_link::{self, HubLink};
use crate::store::now_ms;
use crate::store::{hub_batch_got, hub_batch_sent};
use crate::sync::credentials;

/// Administration (init, the join's registration) may take longer than a claim.
const ADMIN_DEADLINE: Duration = Duration::from_secs(30);
/// One batch's upload or download: a million codes take seconds; this only stops a
/// transfer that hangs.
pub(super) const TRANSFER_DEADLINE: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubInitReport {
    /// The URL without its password.
    pub url: String,
    /// The schema version found before (0: there was no hub).
    pub from_version: i64,
    pub version: i64,
    /// The group role of this hub's terminals.
    pub terminal_group: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubJoinReport {
    pub url: String,
    pub store: String,
    pub terminal: String,
    pub terminal_id: i64,
    pub role: String,
    /// What the join moved each way, counted as a pull counts it (the same JSON keys:
    /// `codes_downloaded`, `staff_uploaded`, ... beside the fields above).
    #[serde(flatten)]
    pub moved: super::hub_pull::HubPullReport,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubStatus {
    /// Without a password.
    pub url: String,
    pub store: String,
    pub terminal: String,
    #[ts(type = "number")]
    pub terminal_id: i64,
    pub reachable: bool,
    /// Why not, when unreachable (or refused): the error's code and words.
    pub error_code: Option<String>,
    pub error: Option<String>,
    #[ts(type = "number | null")]
    pub schema_version: Option<i64>,
    #[ts(type = "number | null")]
    pub hub_seq: Option<i64>,
    #[ts(type = "number")]
    pub pulled_seq: i64,
    /// hub_seq - pulled_seq: changes this desk has not applied yet.
    #[ts(type = "number | null")]
    pub lag: Option<i64>,
    #[ts(type = "number | null")]
    pub last_contact_ms: Option<i64>,
    #[ts(type = "number")]
    pub deadline_ms: i64,
    /// Rows in the hub outbox: offline redemptions to upload and claims to release.
    pub queued: u32,
    /// Which desk sends the platforms' operations for the hub (desk/hub_relay.rs).
    pub platform: super::hub_relay::PlatformDeskStatus,
    /// Every terminal of the hub with its last contact and lag, as the hub records them
    /// (hub schema 8); empty when the hub did not answer.
    pub terminals: Vec<HubTerminal>,
    /// This desk's audit entries not at the hub yet, and why the last upload stopped
    /// before the end (None: it went to the end), as that upload left it
    /// (desk/hub_audit.rs).
    #[ts(type = "number")]
    pub audit_unsent: i64,
    pub audit_refusal: Option<super::hub_audit::AuditRefusal>,
}

/// One terminal of the hub, for a manager's view of which counters keep up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HubTerminal {
    pub store: String,
    pub terminal: String,
    /// When it last reached the hub (a pull, a status, the join); None: never since the
    /// join recorded it.
    #[ts(type = "number | null")]
    pub last_contact_ms: Option<i64>,
    /// Changes in the hub's log it has not applied yet.
    #[ts(type = "number")]
    pub lag: i64,
    /// This desk.
    pub this_desk: bool,
}

/// The claim deadline's range (docs/chain-mode.md, "Offline"): below 200 ms a loaded
/// loopback server already misses it; above 10 s the counter would wait too long for each
/// scan while the network is dead.
pub const DEADLINE_MIN_MS: i64 = 200;
pub const DEADLINE_MAX_MS: i64 = 10_000;

impl Desk {
    /// Creates or migrates the hub's schema and its terminals' group role (an
    /// administrator's URL). A second init is a no-op.
    pub fn hub_init(&self, url: &str, merchant: Option<&str>) -> DeskResult<HubInitReport> {
        let _who = self.act(Permission::Settings)?;
        let url = HubUrl::parse(url)?;
        let hub = Hub::open(&url, ADMIN_DEADLINE)?;
        let m = hub.call(async |c| schema::migrate(c, merchant).await)?;
        Ok(HubInitReport {
            url: url.display(),
            from_version: m.from,
            version: m.to,
            terminal_group: roles::group_role(url.database()),
        })
    }

    /// Attaches this desk to the hub as `terminal` of `store` (module doc, "Join").
    pub fn hub_join(&self, url: &str, store: &str, terminal: &str) -> DeskResult<HubJoinReport> {
        let _who = self.act(Permission::Settings)?;
        let started = std::time::Instant::now();
        let (store, terminal) = (store.trim(), terminal.trim());
        if store.is_empty() || terminal.is_empty() {
            return Err(HubError::NoName.into());
        }
        let admin_url = HubUrl::parse(url)?;
        let previous = hub_link::get(&self.conn())?;
        // The same terminal of the same hub may join again (a repeated or failed join):
        // its role gets a new password.
        let rejoin = previous
            .as_ref()
            .filter(|l| {
                l.hub_database == admin_url.database()
                    && l.store == store
                    && l.terminal == terminal
                    && HubUrl::parse(&l.url).is_ok_and(|u| same_server(&u, &admin_url))
            })
            .map(|l| l.terminal_id);
        let password = roles::new_password();
        let db = self.path.clone();
        let admin = Hub::open(&admin_url, ADMIN_DEADLINE)?;
        let reg = admin.call(async |c| {
            transfer::register(c, (store, terminal), rejoin, &password, |_| {
                credentials::set_hub(&db, Some(&password))
                    .map_err(|e| HubError::Failed(format!("cannot keep the password: {e}")))
            })
            .await
        })?;
        drop(admin);

        let url = admin_url.as_user(&reg.role, Some(&password));
        let hub = Hub::open(&url, TRANSFER_DEADLINE)?;
        let mut report = HubJoinReport {
            url: url.display(),
            store: store.to_owned(),
            terminal: terminal.to_owned(),
            terminal_id: reg.terminal_id,
            role: reg.role.clone(),
            moved: Default::default(),
            elapsed_ms: 0,
        };
        let moved = &mut report.moved;
        self.hub_upload(&hub, reg.terminal_id, moved)?;
        moved.count_records(self.push_records(&hub, true)?);
        moved.count_bonuses(self.push_bonuses(&hub, true)?);
        moved.count_staff(self.push_staff(&hub, true, Some(terminal))?);
        let seq = hub.call(async |c| transfer::max_seq(c).await)?;
        self.hub_download(&hub, moved)?;
        let mut down = RecordsMoved::default();
        self.pull_all_records(&hub, &mut down)?;
        let mut bonuses_down = super::hub_bonuses::BonusesMoved::default();
        self.pull_all_bonuses(&hub, &mut bonuses_down)?;
        let mut staff_down = super::hub_staff::StaffMoved::default();
        self.pull_all_staff(&hub, terminal, &mut staff_down)?;
        moved.count_records(down);
        moved.count_bonuses(bonuses_down);
        moved.count_staff(staff_down);
        moved.pulled_seq = seq;
        hub_link::set(
            &self.conn(),
            &HubLink {
                url: url.display(),
                hub_database: url.database().to_owned(),
                store: store.to_owned(),
                terminal: terminal.to_owned(),
                terminal_id: reg.terminal_id,
                role: reg.role,
                pulled_seq: seq,
                last_contact_ms: Some(now_ms()),
                last_error: None,
                deadline_ms: previous.as_ref().map_or(1000, |l| l.deadline_ms),
                platform_desk: previous.as_ref().is_some_and(|l| l.platform_desk),
            },
        )?;
        // The audit trail's backlog: from where the hub's chain of this terminal ends (0
        // for a new terminal), so a rejoin or another hub starts the cursor right.
        match self.start_audit_cursor(&hub) {
            Ok(()) => report.moved.audit = self.push_audit(&hub)?,
            Err(DeskError::Hub(HubError::Offline(e))) => return Err(HubError::Offline(e).into()),
            // A hub without the audit schema yet: the join stands, the trail waits from
            // entry 1 (entries this hub may hold already are then accepted as the same).
            Err(e) => {
                crate::store::hub_audit::set_cursor(&self.conn(), 0)?;
                report.moved.audit.refused = Some(format!(
                    "the hub does not take audit trails yet ({e}); run `coupondesk hub init` \
                     with this build, then `coupondesk hub pull`"
                ))
            }
        }
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    fn hub_upload(
        &self,
        hub: &Hub,
        terminal_id: i64,
        report: &mut super::hub_pull::HubPullReport,
    ) -> DeskResult<()> {
        let t = self.upload_batches(hub, terminal_id, true, &mut report.skipped)?;
        report.batches_uploaded += t.batches;
        report.codes_uploaded += t.codes;
        Ok(())
    }

    /// Uploads the local batches' codes the hub lacks. The join (`whole`) sends every
    /// batch whole (the hub skips the codes it has); a pull sends the batches the hub
    /// lacks and, of the others, the codes added since their last upload
    /// (`store::hub_batch_sent`: a second import or a generation into a batch the hub
    /// already has). A batch whose name the hub uses for another type is left out, with
    /// why.
    pub(super) fn upload_batches(
        &self,
        hub: &Hub,
        terminal_id: i64,
        whole: bool,
        skipped: &mut Vec<String>,
    ) -> DeskResult<Transferred> {
        let hub_batches = hub.call(async |c| transfer::batches(c).await)?;
        let marks = hub_batch_sent::marks(&self.conn())?;
        let mut t = Transferred::default();
        for b in marks {
            let at_hub = hub_batches.iter().any(|(tt, _)| *tt == b.ticket_type);
            if !whole && at_hub && !b.unsent() {
                continue;
            }
            let other_type = hub_batches
                .iter()
                .find(|(t, n)| *n == b.name && *t != b.ticket_type);
            if let Some((t, _)) = other_type {
                skipped.push(format!(
                    "batch {} ({}) not uploaded: the hub's batch {t} has that name",
                    b.ticket_type, b.name
                ));
                continue;
            }
            let from = match (whole, at_hub) {
                (false, true) => b.sent_upto.unwrap_or(1),
                _ => 1,
            };
            let mut rows = Vec::new();
            let next = hub_batch_sent::for_each_code_from(
                &self.conn(),
                b.id,
                from,
                &mut |code, status| transfer::copy_row(&mut rows, code, status.as_str()),
            )?;
            let up = hub.call(async |c| {
                transfer::upload_batch(c, terminal_id, (&b.ticket_type, &b.name), rows).await
            })?;
            hub_batch_sent::set_sent(&self.conn(), b.id, next)?;
            t.batches += u64::from(up.batch_created);
            t.codes += up.codes_added;
        }
        Ok(t)
    }

    /// Whether a pull has codes of this desk's to send: a batch the hub lacks, or codes
    /// added to one since its last upload.
    pub(super) fn unsent_batches(&self, hub_batches: &[(String, String)]) -> DeskResult<bool> {
        Ok(hub_batch_sent::marks(&self.conn())?
            .iter()
            .any(|b| b.unsent() || !hub_batches.iter().any(|(t, _)| *t == b.ticket_type)))
    }

    fn hub_download(
        &self,
        hub: &Hub,
        report: &mut super::hub_pull::HubPullReport,
    ) -> DeskResult<()> {
        let hub_batches = hub.call(async |c| transfer::batches(c).await)?;
        for (ticket_type, name) in hub_batches {
            // Whole: the join also repairs the statuses of every code the desk had.
            let t = self.download_batch(hub, &ticket_type, &name, true, &mut report.skipped)?;
            report.count_download(t);
        }
        Ok(())
    }

    /// Downloads one hub batch: the codes the desk lacks through the desk's own import
    /// (the batch created when the desk lacks it), then the hub's statuses of the others
    /// (`store::hub_link::apply_hub_statuses`). Repeating it is harmless. A hub batch
    /// whose name a local batch of another type has is left out, with why.
    ///
    /// Only the codes the hub numbered after the batch's mark travel
    /// (`store::hub_batch_got`, hub schema 11), unless `whole` (the join), the batch is
    /// new here or has no mark yet: then all of them, as before the mark existed. The
    /// mark moves to the highest ord read once the import has committed the codes
    /// (`pause` point `batch_got` between, for the crash test): a crash between reads
    /// them again and the import skips what it has.
    pub(super) fn download_batch(
        &self,
        hub: &Hub,
        ticket_type: &str,
        name: &str,
        whole: bool,
        skipped: &mut Vec<String>,
    ) -> DeskResult<Transferred> {
        let mut t = Transferred::default();
        let local = hub_link::local_batches(&self.conn())?;
        let here = local.iter().find(|b| b.ticket_type == ticket_type);
        let before = hub_batch_sent::next_seq_of(&self.conn(), ticket_type)?.map(|(_, n)| n);
        if here.is_none() && local.iter().any(|b| b.name == name) {
            skipped.push(format!(
                "batch {ticket_type} ({name}) not downloaded: a local batch of another type has that name"
            ));
            return Ok(t);
        }
        let after = match (whole, here) {
            (false, Some(_)) => hub_batch_got::mark(&self.conn(), ticket_type)?,
            _ => None,
        };
        // The codes the desk lacks go to a file for the import; the hub's other
        // statuses are applied after it.
        let mut file = tempfile::Builder::new()
            .prefix("coupondesk-hub-")
            .suffix(".csv")
            .tempfile()
            .map_err(|e| HubError::Failed(format!("a temporary file: {e}")))?;
        let mut statuses: Vec<(String, CodeStatus)> = Vec::new();
        let mut missing = 0u64;
        let got;
        {
            let conn = self.conn();
            let mut out = std::io::BufWriter::new(file.as_file_mut());
            got = hub.call(async |c| {
                transfer::download_batch(c, ticket_type, after, &mut |code, status| {
                    let hub_status = CodeStatus::parse(status).unwrap_or(CodeStatus::Issued);
                    let local = hub_link::code_status(&conn, code)
                        .map_err(|e| HubError::Failed(e.to_string()))?;
                    if local.is_none() {
                        writeln!(out, "{code}")
                            .map_err(|e| HubError::Failed(format!("a temporary file: {e}")))?;
                        missing += 1;
                    }
                    if hub_status != CodeStatus::Issued && local != Some(hub_status) {
                        statuses.push((code.to_owned(), hub_status));
                    }
                    Ok(())
                })
                .await
            })?;
            out.flush()
                .map_err(|e| HubError::Failed(format!("a temporary file: {e}")))?;
        }
        if here.is_none() || missing > 0 {
            let target = match here {
                Some(_) => ImportTarget::Existing(ticket_type.to_owned()),
                None => ImportTarget::New {
                    ticket_type: ticket_type.to_owned(),
                    name: name.to_owned(),
                },
            };
            let options = ImportOptions {
                header: HeaderChoice::Absent,
                ..ImportOptions::default()
            };
            let done = self.import_codes(
                file.path(),
                &target,
                &options,
                &CancelToken::new(),
                &mut |_| {},
            )?;
            t.codes += done.imported;
            t.batches += u64::from(here.is_none());
            // The codes just added are the hub's: not to be sent back.
            let conn = self.conn();
            if let Some((id, after)) = hub_batch_sent::next_seq_of(&conn, ticket_type)? {
                hub_batch_sent::downloaded(&conn, id, before, after)?;
            }
        }
        if !statuses.is_empty() {
            t.statuses += hub_link::apply_hub_statuses(&mut self.conn(), ticket_type, &statuses)?;
        }
        t.read = got.rows;
        // Every code read is here now with the hub's status (imported and applied above,
        // or here before): the mark may cover them. Last, so a crash before it reads
        // them again rather than losing a status. A whole read of rows without an ord
        // (older than hub schema 11) still marks 0, so they are not read again.
        if !got.ordered {
            // A hub below schema 11 numbers nothing: no mark (one of another hub goes).
            hub_batch_got::clear(&self.conn(), ticket_type)?;
        } else {
            crate::test_hooks::pause("batch_got", got.rows > 0);
            match after {
                // Whole: exactly what was read (a mark of another hub's ords goes).
                None => {
                    hub_batch_got::reset(&self.conn(), ticket_type, got.max_ord.unwrap_or(0))?;
                }
                Some(_) => {
                    if let Some(upto) = got.max_ord {
                        hub_batch_got::set(&self.conn(), ticket_type, upto)?;
                    }
                }
            }
        }
        Ok(t)
    }

    /// The link and the hub's answer within the desk's deadline. Offline is an answer
    /// (`reachable: false` and why), not an error; only a desk that never joined fails.
    pub fn hub_status(&self) -> DeskResult<HubStatus> {
        let link = hub_link::get(&self.conn())?.ok_or(HubError::NotJoined)?;
        let deadline = Duration::from_millis(link.deadline_ms.max(1) as u64);
        let answer = (|| -> Result<(i64, i64, Vec<TerminalContact>, Hub), HubError> {
            let password = credentials::get_hub(&self.path)
                .map_err(|e| HubError::Auth(format!("the terminal password: {e}")))?
                .ok_or_else(|| HubError::Auth("no terminal password is kept; join again".into()))?;
            let url = HubUrl::parse(&link.url)?.as_user(&link.role, Some(password.expose()));
            let hub = Hub::open(&url, deadline)?;
            let pulled = link.pulled_seq;
            let (v, seq, terminals) = hub.call(async |c| {
                let v = schema::usable(schema::version(c).await?)?;
                let seq = transfer::max_seq(c).await?;
                // A hub not yet migrated to schema 8 (another desk's older build ran
                // `hub init`) still answers the rest.
                if v < hub_terminals::SINCE_SCHEMA {
                    return Ok((v, seq, Vec::new()));
                }
                hub_terminals::touch(c, pulled).await?;
                Ok((v, seq, hub_terminals::list(c).await?))
            })?;
            Ok((v, seq, terminals, hub))
        })();
        let conn = self.conn();
        let mut status = HubStatus {
            url: link.url.clone(),
            store: link.store.clone(),
            terminal: link.terminal.clone(),
            terminal_id: link.terminal_id,
            reachable: false,
            error_code: None,
            error: None,
            schema_version: None,
            hub_seq: None,
            pulled_seq: link.pulled_seq,
            lag: None,
            last_contact_ms: link.last_contact_ms,
            deadline_ms: link.deadline_ms,
            queued: u32::try_from(
                crate::store::hub_claims::outgoing_count(&conn)?
                    + crate::store::hub_disables::count(&conn)?,
            )
            .unwrap_or(u32::MAX),
            platform: Default::default(),
            terminals: Vec::new(),
            audit_unsent: crate::store::hub_audit::unsent(&conn)?,
            audit_refusal: super::hub_audit::last_refusal(&conn)?,
        };
        let mut reached = None;
        match answer {
            Ok((v, seq, terminals, hub)) => {
                reached = Some(hub);
                let now = now_ms();
                hub_link::record_contact(&conn, now, None)?;
                status.reachable = true;
                status.schema_version = Some(v);
                status.hub_seq = Some(seq);
                status.lag = Some(seq - link.pulled_seq);
                status.last_contact_ms = Some(now);
                status.terminals = terminals
                    .into_iter()
                    .map(|t| HubTerminal {
                        this_desk: t.id == link.terminal_id,
                        store: t.store,
                        terminal: t.terminal,
                        last_contact_ms: t.last_contact_ms,
                        lag: (seq - t.pulled_seq).max(0),
                    })
                    .collect();
            }
            Err(e) => {
                hub_link::record_contact(&conn, 0, Some(&e.to_string()))?;
                status.error_code = Some(crate::ErrorCode::code(&e).to_owned());
                status.error = Some(e.to_string());
            }
        }
        drop(conn);
        status.platform = self.platform_desk_status(reached.as_ref())?;
        Ok(status)
    }
}

impl Desk {
    /// Sets how long a claim waits for the hub before the desk decides alone
    /// (`DEADLINE_MIN_MS`..=`DEADLINE_MAX_MS`), audited. The desk's open pool is reopened
    /// with it at the next redemption (`hub_session` keys it by the deadline).
    pub fn hub_set_deadline(&self, deadline_ms: u32) -> DeskResult<u32> {
        let _who = self.act(Permission::HubSettings)?;
        if !(DEADLINE_MIN_MS..=DEADLINE_MAX_MS).contains(&i64::from(deadline_ms)) {
            return Err(HubError::BadDeadline {
                got: i64::from(deadline_ms),
                min: DEADLINE_MIN_MS,
                max: DEADLINE_MAX_MS,
            }
            .into());
        }
        if !hub_link::set_deadline(&mut self.conn(), i64::from(deadline_ms))? {
            return Err(HubError::NotJoined.into());
        }
        Ok(deadline_ms)
    }
}

/// What an upload or a download of batches moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Transferred {
    /// Batches created on the other side.
    pub batches: u64,
    pub codes: u64,
    /// Local codes whose status the hub's changed (downloads).
    pub statuses: u64,
    /// Rows the hub's COPY sent (downloads): the batch's codes after this desk's mark,
    /// or all of them.
    pub read: u64,
}

/// Whether two URLs name the same server and database (user and password aside).
fn same_server(a: &HubUrl, b: &HubUrl) -> bool {
    let strip = |u: &HubUrl| u.as_user("", None).display();
    strip(a) == strip(b)
}
