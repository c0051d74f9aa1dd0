// Chain mode in the window (docs/chain-mode.md, "The window"): the template's offline
// policy as a form edits it, the claim deadline's range, and what a hub status says.

import type { HubStatus } from './backend/bindings/HubStatus';
import type { OfflinePolicy } from './backend/bindings/OfflinePolicy';
import { fenToInput, parseYuan, type YuanError } from './money';

/** The claim deadline's range (the core's `desk::hub::DEADLINE_MIN_MS`/`_MAX_MS`). */
export const DEADLINE_MIN_MS = 200;
export const DEADLINE_MAX_MS = 10_000;

/** The command that joins a desk: the CLI's, since it takes an administrator's URL. */
export const JOIN_COMMAND = 'coupondesk hub join --url postgres://USER@HOST:5432/DATABASE --store NAME --terminal NAME';

export type OfflineMode = OfflinePolicy['mode'];

/** The policy form's boxes: the numbers as typed, yuan for the value. */
export interface OfflineDraft {
  mode: OfflineMode;
  perDay: string;
  maxYuan: string;
}

export type OfflineDraftError =
  | { field: 'perDay'; error: 'invalid' }
  | { field: 'maxYuan'; error: YuanError };

export function offlineDraft(p: OfflinePolicy): OfflineDraft {
  if (p.mode === 'limited') {
    return { mode: 'limited', perDay: String(p.perTerminalPerDay), maxYuan: fenToInput(p.maxValueFen) };
  }
  return { mode: p.mode, perDay: '', maxYuan: '' };
}

/** The draft as the core takes it; a limit needs a whole count of at least 1 and an amount. */
export function offlinePolicyOf(d: OfflineDraft): { ok: true; policy: OfflinePolicy } | { ok: false; error: OfflineDraftError } {
  if (d.mode !== 'limited') return { ok: true, policy: { mode: d.mode } };
  const perDay = d.perDay.trim();
  const n = Number(perDay);
  if (!/^\d+$/.test(perDay) || !Number.isSafeInteger(n) || n < 1 || n > 4_294_967_295) {
    return { ok: false, error: { field: 'perDay', error: 'invalid' } };
  }
  const max = parseYuan(d.maxYuan);
  if (!max.ok) return { ok: false, error: { field: 'maxYuan', error: max.error } };
  return { ok: true, policy: { mode: 'limited', perTerminalPerDay: n, maxValueFen: max.fen } };
}

/** A deadline typed in ms, when it is a whole number in range. */
export function parseDeadline(text: string): number | null {
  const s = text.trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= DEADLINE_MIN_MS && n <= DEADLINE_MAX_MS ? n : null;
}

/** Whether a status says the desk is not joined (the section then shows how to join). */
export function notJoined(code: string | null): boolean {
  return code === 'hub_not_joined';
}

/** The URL as shown: never a password, even if one slipped into the stored link. */
export function safeUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, '$1@');
}

/** The status's health in one word for the badge. */
export function hubHealth(s: HubStatus): 'reachable' | 'unreachable' {
  return s.reachable ? 'reachable' : 'unreachable';
}

/** Why the hub kept the other redemption, as an i18n key (unknown reasons read as "used"). */
export function conflictReasonKey(reason: string): 'hub.reason.redeemed' | 'hub.reason.leased' | 'hub.reason.disabled' {
  switch (reason) {
    case 'leased':
      return 'hub.reason.leased';
    case 'disabled':
      return 'hub.reason.disabled';
    default:
      return 'hub.reason.redeemed';
  }
}

/**
 * One row of a chain-mode conflict card (pages/sync/HubConflictList.svelte), shared by the
 * code conflicts and the voucher and bonus conflicts: each inbox turns its own type into
 * these lines.
 */
export interface ConflictRow {
  /** Unique in the list (a kind and an id). */
  key: string;
  /** What conflicted: a code (shown as code, `mono`) or a voucher's/bonus's line. */
  what: string;
  mono: boolean;
  /** Why, when the hub said (codes). */
  reason: string | null;
  here: string;
  kept: string;
  /** The settled line, or null while open. */
  settled: string | null;
}
