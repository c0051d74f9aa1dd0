// The report page's question in its address (#/report?from=…&to=…&group=…), so every
// figure of the dashboard links to the rows behind it and a reload or the back button
// keeps the filters. What must stay true: `parseReportLink(reportLinkQuery(l))` is `l`
// for every link, and anything a person typed into the address that is not a day, a
// grouping, a kind or an id is dropped (the page then uses its default), never sent.
import type { GroupBy } from './backend/bindings/GroupBy';
import type { ReportQuery } from './backend/bindings/ReportQuery';
import type { UseKind } from './backend/bindings/UseKind';

export const GROUP_BYS: readonly GroupBy[] = ['day', 'template', 'batch', 'staff', 'terminal', 'kind'];
export const USE_KINDS: readonly UseKind[] = ['coupon', 'bonus', 'voucher'];

export interface ReportLink {
  /** Shop days `YYYY-MM-DD`; null: the page's default (the last 7 days). */
  from: string | null;
  to: string | null;
  groupBy: GroupBy;
  staff: string | null;
  terminal: string | null;
  templateId: number | null;
  batch: string | null;
  kind: UseKind | null;
  /** One group's key: its rows are listed. */
  group: string | null;
}

export const EMPTY_LINK: ReportLink = {
  from: null,
  to: null,
  groupBy: 'day',
  staff: null,
  terminal: null,
  templateId: null,
  batch: null,
  kind: null,
  group: null,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[1-9]\d{0,15}$/;

export function isDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const oneOf = <T extends string>(list: readonly T[], v: string | null): T | null =>
  v !== null && (list as readonly string[]).includes(v) ? (v as T) : null;

const text = (v: string | null): string | null => (v === null || v.trim() === '' ? null : v.trim());

/** The link of the part of an address after `?`. */
export function parseReportLink(search: string): ReportLink {
  const p = new URLSearchParams(search);
  const day = (k: string): string | null => {
    const v = p.get(k);
    return v !== null && isDay(v) ? v : null;
  };
  const id = p.get('template');
  return {
    from: day('from'),
    to: day('to'),
    groupBy: oneOf(GROUP_BYS, p.get('by')) ?? 'day',
    staff: text(p.get('staff')),
    terminal: text(p.get('terminal')),
    templateId: id !== null && ID.test(id) ? Number(id) : null,
    batch: text(p.get('batch')),
    kind: oneOf(USE_KINDS, p.get('kind')),
    group: text(p.get('group')),
  };
}

/** The part after `?` (empty when every field is the default). */
export function reportLinkQuery(l: ReportLink): string {
  const p = new URLSearchParams();
  const put = (k: string, v: string | number | null): void => {
    if (v !== null) p.set(k, String(v));
  };
  put('from', l.from);
  put('to', l.to);
  if (l.groupBy !== 'day') p.set('by', l.groupBy);
  put('staff', l.staff);
  put('terminal', l.terminal);
  put('template', l.templateId);
  put('batch', l.batch);
  put('kind', l.kind);
  put('group', l.group);
  return p.toString();
}

/** The core's question for `l`, its days filled in with `from`/`to` when the link has none. */
export function reportQueryOf(l: ReportLink, from: string, to: string): ReportQuery {
  return {
    from: l.from ?? from,
    to: l.to ?? to,
    groupBy: l.groupBy,
    staff: l.staff,
    terminal: l.terminal,
    templateId: l.templateId,
    batch: l.batch,
    kind: l.kind,
  };
}

/** `YYYY-MM-DD` plus `n` days (n may be negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The shop's today at `now` in a zone `offset` minutes east of UTC. */
export function shopToday(offset: number, now: number = Date.now()): string {
  return new Date(now + offset * 60_000).toISOString().slice(0, 10);
}

/** The daily close's day and counter in its address (`day=…&terminal=…`). */
export interface CloseLink {
  day: string | null;
  terminal: string | null;
}

export function parseCloseLink(search: string): CloseLink {
  const p = new URLSearchParams(search);
  const day = p.get('day');
  return { day: day !== null && isDay(day) ? day : null, terminal: text(p.get('terminal')) };
}

export function closeLinkQuery(l: CloseLink): string {
  const p = new URLSearchParams();
  if (l.day !== null) p.set('day', l.day);
  if (l.terminal !== null) p.set('terminal', l.terminal);
  return p.toString();
}
