//! The hub's roles. Role names are cluster-wide while a hub is one database, so every
//! name carries the database's name: two hubs in one cluster (two databases) have two
//! groups and never share a terminal role.
//! - `cd_<database>_terminal`: the hub's group role (NOLOGIN) holding the terminals'
//!   rights (migrations/0001_hub.sql);
//! - `cd_<database>_t<id>`: one login role per terminal (`hub join`), member of the
//!   group, with a random password that the desk keeps with its other secrets.
//!
//! `<database>` is the database name in lower case with every character other than a-z
//! and 0-9 as `_`, cut to 38 characters (role names may have 63 bytes, a terminal id 19
//! digits), so the names need no quoting.

use rand::distr::{Alphanumeric, SampleString};
use rand::{rngs::StdRng, SeedableRng};
use tokio_postgres::GenericClient;

use super::HubError;

fn slug(database: &str) -> String {
    database
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .take(38)
        .collect()
}

pub fn group_role(database: &str) -> String {
    format!("cd_{}_terminal", slug(database))
}

pub fn terminal_role(database: &str, terminal_id: i64) -> String {
    format!("cd_{}_t{terminal_id}", slug(database))
}

/// A new terminal role's password: 32 letters and digits (190 bits).
pub fn new_password() -> String {
    Alphanumeric.sample_string(&mut StdRng::from_os_rng(), 32)
}

/// Creates (or, when a join is repeated, resets) the terminal's login role in the
/// caller's transaction. The server gets the password's SCRAM verifier, never the
/// password itself, so it does not show in the server's statement log.
pub async fn create_terminal_role(
    c: &impl GenericClient,
    database: &str,
    role: &str,
    password: &str,
) -> Result<(), HubError> {
    let pg = |e: tokio_postgres::Error| HubError::from_pg(&e);
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let exists = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )
        .await
        .map_err(pg)?
        .get::<_, bool>(0);
    // Names are made by `terminal_role` (a-z, 0-9, _), the verifier is base64 and `$`;
    // both are quoted anyway.
    let role_q = quote_ident(role);
    let verb = if exists { "ALTER" } else { "CREATE" };
    c.batch_execute(&format!(
        "{verb} ROLE {role_q} LOGIN PASSWORD {}",
        quote_literal(&verifier)
    ))
    .await
    .map_err(pg)?;
    c.batch_execute(&format!(
        "GRANT {} TO {role_q}",
        quote_ident(&group_role(database))
    ))
    .await
    .map_err(pg)?;
    // A claim the hub acknowledged must survive the hub's crash, or two desks could be
    // told "yours" for one code: the terminal's sessions commit synchronously whatever
    // the server's default (a server tuned with synchronous_commit = off loses the last
    // moments of commits when it crashes; the chaos test showed a code claimed twice).
    // Role settings are not inherited from groups, so each terminal role gets it.
    c.batch_execute(&format!(
        "ALTER ROLE {role_q} SET synchronous_commit = 'on'"
    ))
    .await
    .map_err(pg)?;
    Ok(())
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_database() {
        assert_eq!(group_role("Shop-A"), "cd_shop_a_terminal");
        assert_eq!(terminal_role("shop", 7), "cd_shop_t7");
        assert!(terminal_role(&"x".repeat(100), i64::MAX).len() <= 63);
        assert_ne!(new_password(), new_password());
    }
}
