//! Use cases of coupon templates: create, edit, list, link batches.

use std::path::Path;

use super::{Desk, DeskResult};
use crate::api_error::FieldError;
use crate::domain::logo::{self, LogoImage};
use crate::domain::staff::Permission;
use crate::domain::template::{Template, TemplateDraft};
use crate::domain::Page;
use crate::store::templates::{self, TemplateQuery};
use crate::store::{logos, now_ms};

impl Desk {
    pub fn create_template(&self, draft: TemplateDraft) -> DeskResult<Template> {
        let _who = self.act(Permission::Templates)?;
        self.recording(|c| templates::create(c, draft))
    }

    pub fn update_template(&self, id: i64, draft: TemplateDraft) -> DeskResult<Template> {
        let _who = self.act(Permission::Templates)?;
        self.recording(|c| templates::update(c, id, draft))
    }

    /// The field errors `create_template` would give for `draft` (none: it would pass),
    /// without saving or reading anything; so it needs no login, like reading.
    pub fn check_template(&self, mut draft: TemplateDraft) -> DeskResult<Vec<FieldError>> {
        Ok(draft.normalise_and_validate().err().unwrap_or_default())
    }

    /// Keeps a logo picked from a file (PNG or JPEG, at most 1 MB) for a template's
    /// `logoImage`; the same file again is the same image.
    pub fn add_template_logo(&self, path: &Path) -> DeskResult<LogoImage> {
        let _who = self.act(Permission::Templates)?;
        let (name, bytes) = logo::read_file(path)?;
        let mime = logo::sniff(&name, &bytes)?;
        Ok(logos::add(&self.conn(), mime, &bytes, &name, now_ms())?)
    }

    /// A kept logo, to show (reading: no login needed, like a template).
    pub fn template_logo(&self, sha256: &str) -> DeskResult<Option<LogoImage>> {
        Ok(logos::get(&self.conn(), sha256)?)
    }

    pub fn get_template(&self, id: i64) -> DeskResult<Template> {
        Ok(templates::get(&self.conn(), id)?)
    }

    pub fn list_templates(&self, q: &TemplateQuery) -> DeskResult<Page<Template>> {
        let mut q = q.clone();
        q.page = q.page.validated()?;
        Ok(templates::list(&self.conn(), &q)?)
    }

    pub fn link_batch(&self, template_id: i64, ticket_type: &str) -> DeskResult<Template> {
        self.link_batch_with(template_id, ticket_type, None)
    }

    /// Links a batch, with the batch number Sense (000) gave for its codes when staff
    /// uploaded them in its console (see `store::templates::link_batch`).
    pub fn link_batch_with(
        &self,
        template_id: i64,
        ticket_type: &str,
        platform_batch: Option<&str>,
    ) -> DeskResult<Template> {
        let _who = self.act(Permission::Templates)?;
        self.recording(|c| templates::link_batch(c, template_id, ticket_type, platform_batch))
    }

    pub fn unlink_batch(&self, template_id: i64, ticket_type: &str) -> DeskResult<Template> {
        let _who = self.act(Permission::Templates)?;
        Ok(templates::unlink_batch(
            &mut self.conn(),
            template_id,
            ticket_type,
        )?)
    }
}
