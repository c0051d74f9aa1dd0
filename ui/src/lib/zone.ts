// The shop's clock: a fixed UTC offset (Settings.shopUtcOffsetMinutes), never the
// computer's zone. The core stores UTC; staff type and read shop-local times.

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** 480 -> "UTC+08:00", -570 -> "UTC-09:30". */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Every offset the core accepts (UTC-12:00 .. UTC+14:00 in 15-minute steps). */
export const ALL_OFFSETS: readonly number[] = Array.from({ length: (26 * 60) / 15 + 1 }, (_, i) => -720 + i * 15);

/** A Date as UTC ISO without milliseconds: "2026-11-23T08:00:00Z". */
export function toIso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The shop's wall clock for a UTC instant, as the fields of a Date read in UTC. */
function shopWall(iso: string, offset: number): Date | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return new Date(d.getTime() + offset * 60_000);
}

/** UTC ISO -> "YYYY-MM-DDTHH:MM" for a datetime-local input, in the shop's zone. */
export function isoToLocalInput(iso: string, offset: number): string {
  const w = shopWall(iso, offset);
  if (w === null) return '';
  // Seconds only when there are some (an end of day, 23:59:59), so whole minutes read as before.
  const s = w.getUTCSeconds() === 0 ? '' : `:${pad(w.getUTCSeconds())}`;
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}${s}`;
}

/** "YYYY-MM-DDTHH:MM[:SS]" (or "YYYY-MM-DD", midnight) in the shop's zone -> UTC ISO; null if not a time. */
export function localInputToIso(value: string, offset: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec) - offset * 60_000;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCDate() !== d) return null;
  return toIso(new Date(utc));
}

/** UTC ISO -> "YYYY-MM-DD HH:MM" in the shop's zone. */
export function formatShopTime(iso: string, offset: number): string {
  const v = isoToLocalInput(iso, offset);
  // Lists read to the minute, whatever the seconds (only the input keeps 23:59:59).
  return v === '' ? iso : v.slice(0, 16).replace('T', ' ');
}

/** Minutes since midnight -> "HH:MM". */
export function minutesToHhmm(m: number): string {
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** "HH:MM" -> minutes since midnight; null when not a time of day. */
export function hhmmToMinutes(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (m === null) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  return h < 24 && mi < 60 ? h * 60 + mi : null;
}
