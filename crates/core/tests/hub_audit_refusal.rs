//! The audit upload's refusal, kept for the window (docs/chain-mode.md, "The audit trail
//! at the hub"): after a pull that met one, `hub_status` and `hub_audit_verify` name the
//! entry, the reason and how far the hub holds the trail; a pull the hub did not answer
//! leaves it; a pull that went to the end clears it. Through a real PostgreSQL cluster.

mod common;

use common::hub::{audit_cursor, redeem, tamper_audit_entry, Chain, CODES};
use coupondesk_core::desk::hub_audit::RefusalReason;

#[test]
fn a_locally_changed_entry_shows_its_refusal_in_the_status_the_window_reads() {
    let chain = Chain::new("auditrefusal", CODES);
    let a = chain.join(1, CODES, 2000);
    redeem(&a, CODES[0]);
    a.f.desk.hub_pull().expect("pull");
    let st = a.f.desk.hub_status().expect("status");
    assert_eq!(st.audit_refusal, None, "{st:?}");
    let sent = audit_cursor(&a.f);
    redeem(&a, CODES[1]);
    redeem(&a, CODES[2]);
    let bad = sent + 2;
    tamper_audit_entry(&a.f, bad);
    let r = a.f.desk.hub_pull().expect("pull");
    let words = r.audit.refused.clone().expect("refused");

    let st = a.f.desk.hub_status().expect("status");
    let refusal = st.audit_refusal.clone().expect("the refusal is kept");
    assert_eq!(refusal.entry_id, bad);
    assert_eq!(refusal.reason, RefusalReason::BrokenHere);
    assert_eq!(refusal.hub_up_to, bad - 1);
    assert_eq!(refusal.message, words, "the pull's own words");
    assert!(
        refusal
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("changed after it was written")),
        "{refusal:?}"
    );
    assert!(refusal.message.contains("coupondesk audit verify"));
    assert!(st.audit_unsent >= 1, "{st:?}");
    let v = a.f.desk.hub_audit_verify().expect("verify");
    assert_eq!(v.refusal_here, Some(refusal));
    assert_eq!(v.unsent_here, st.audit_unsent);
}

#[test]
fn a_pull_the_hub_did_not_answer_keeps_the_refusal_and_one_that_went_to_the_end_clears_it() {
    let chain = Chain::new("auditrefusal2", CODES);
    let a = chain.join(1, CODES, 1000);
    chain.admin_exec(
        "ALTER FUNCTION coupondesk.put_audit(bigint[], bigint[], text[], text[], text[], text[],
                                             text[], text[], text[]) RENAME TO put_audit_away",
    );
    redeem(&a, CODES[0]);
    a.f.desk.hub_pull().expect("pull");
    let kept = a.f.desk.hub_status().expect("status").audit_refusal;
    let kept = kept.expect("the hub's error is kept");
    assert_eq!(kept.reason, RefusalReason::HubError);
    assert_eq!((kept.entry_id, kept.hub_up_to), (1, 0));
    assert!(kept.last_id.is_some_and(|l| l > 1), "{kept:?}");
    assert!(
        kept.detail
            .as_deref()
            .is_some_and(|d| d.contains("put_audit")),
        "{kept:?}"
    );

    // The hub does not answer: the pull stops before the trail, the refusal stays.
    a.proxy.cut();
    let _ = a.f.desk.hub_pull();
    a.proxy.restore();
    let st = a.f.desk.hub_status().expect("status");
    assert_eq!(st.audit_refusal, Some(kept));

    chain.admin_exec(
        "ALTER FUNCTION coupondesk.put_audit_away(bigint[], bigint[], text[], text[], text[],
                                                  text[], text[], text[], text[]) RENAME TO put_audit",
    );
    let r = a.f.desk.hub_pull().expect("pull");
    assert_eq!(r.audit.refused, None);
    assert_eq!(a.f.desk.hub_status().expect("status").audit_refusal, None);
}
