// The Audit page's "all desks (hub)" view (docs/chain-mode.md, "The audit trail at the
// hub"): the hub's query from the page's filters, a row's key (ids repeat across desks:
// each terminal has its own chain), and the verify report as lines to show.
import type { AuditQuery } from '$lib/backend/bindings/AuditQuery';
import type { AuditRefusal } from '$lib/backend/bindings/AuditRefusal';
import type { HubAuditQuery } from '$lib/backend/bindings/HubAuditQuery';
import type { HubAuditReport } from '$lib/backend/bindings/HubAuditReport';

/** A row of either list: the hub's rows carry their desk, the local ones do not. */
export type AuditRow = {
  id: number;
  terminalId?: number;
  store?: string;
  terminalName?: string;
};

export function hubQuery(q: AuditQuery, store: string, terminal: string): HubAuditQuery {
  const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());
  return { ...q, store: orNull(store), terminal: orNull(terminal) };
}

/** Unique in both lists: a desk's id alone repeats across the hub's chains. */
export function rowKey(e: AuditRow): string {
  return e.terminalId === undefined ? String(e.id) : `${e.terminalId}:${e.id}`;
}

/** One line per terminal: its i18n key and parameters. */
export type ChainLine = {
  key: 'audit.hub.chainIntact' | 'audit.hub.chainBroken' | 'audit.hub.chainEmpty';
  broken: boolean;
  params: Record<string, string | number>;
};

export function chainLines(r: HubAuditReport): ChainLine[] {
  return r.terminals.map((c) => {
    const desk = { store: c.store, terminal: c.terminal };
    if (c.brokenId !== null) {
      return {
        key: 'audit.hub.chainBroken',
        broken: true,
        params: { ...desk, id: c.brokenId, reason: c.brokenReason ?? '' },
      };
    }
    if (c.entries === 0) return { key: 'audit.hub.chainEmpty', broken: false, params: desk };
    return { key: 'audit.hub.chainIntact', broken: false, params: { ...desk, n: c.entries } };
  });
}

/** The last audit upload's refusal as a line to show: which entry, why, what to do. */
export type RefusalLine = {
  key:
    | 'audit.hub.refusal.brokenHere'
    | 'audit.hub.refusal.differs'
    | 'audit.hub.refusal.notNext'
    | 'audit.hub.refusal.prevHash'
    | 'audit.hub.refusal.hubError';
  params: Record<string, string | number>;
};

export function refusalLine(r: AuditRefusal): RefusalLine {
  const params = {
    id: r.entryId,
    last: r.lastId ?? r.entryId,
    upTo: r.hubUpTo,
    detail: r.detail ?? '',
  };
  return { key: `audit.hub.refusal.${r.reason}`, params };
}
