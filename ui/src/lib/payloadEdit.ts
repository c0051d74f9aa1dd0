// Editing a conflict's data in the Sync page's inbox: its top-level scalar fields
// (strings, numbers, booleans) as form values, and back to JSON with each field's type
// kept (a number stays a number, "true" never becomes a string). Other fields (objects,
// lists, null) are carried over untouched.
import type { MessageKey } from './i18n/zh-CN';

export type ScalarKind = 'string' | 'number' | 'boolean';

export interface PayloadField {
  key: string;
  kind: ScalarKind;
  /** What the input shows: text for strings and numbers, a flag for booleans. */
  value: string | boolean;
}

function kindOf(v: unknown): ScalarKind | null {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' && Number.isFinite(v)) return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return null;
}

/** The fields staff can edit, in the payload's own order. */
export function editableFields(payload: Record<string, unknown>): PayloadField[] {
  const out: PayloadField[] = [];
  for (const [key, v] of Object.entries(payload)) {
    const kind = kindOf(v);
    if (kind === null) continue;
    out.push({ key, kind, value: kind === 'boolean' ? (v as boolean) : String(v) });
  }
  return out;
}

/** A number as staff type it: optional sign, digits, optional decimals; no "1e3", no blanks. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export type EditResult =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; errors: Record<string, MessageKey> };

/**
 * The payload with the edited values put back. A number field must hold a number (and a
 * whole number where it was one, e.g. amounts in fen); the other fields are kept as they were.
 */
export function applyEdits(payload: Record<string, unknown>, fields: PayloadField[]): EditResult {
  const out: Record<string, unknown> = { ...payload };
  const errors: Record<string, MessageKey> = {};
  for (const f of fields) {
    const was = payload[f.key];
    if (kindOf(was) !== f.kind) continue;
    if (f.kind === 'boolean') {
      out[f.key] = f.value === true;
    } else if (f.kind === 'string') {
      out[f.key] = String(f.value);
    } else {
      const text = String(f.value).trim();
      const n = Number(text);
      if (!NUMBER.test(text) || !Number.isFinite(n)) errors[f.key] = 'sync.edit.number';
      else if (Number.isInteger(was) && !Number.isInteger(n)) errors[f.key] = 'sync.edit.wholeNumber';
      else out[f.key] = n;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, payload: out };
}
