// A report group's name for people: the core's label, except the groups it names by a
// code (a kind, and `kind:bonus` / `kind:voucher` under template or batch), which are
// translated here.
import type { GroupBy } from '$lib/backend/bindings/GroupBy';
import type { ReportGroup } from '$lib/backend/bindings/ReportGroup';
import type { UseKind } from '$lib/backend/bindings/UseKind';
import { t } from '$lib/i18n/locale.svelte';
import { USE_KINDS } from '$lib/reportLink';

/** The kind a group's key names (`coupon` under kind, `kind:bonus` under template), if any. */
export function kindOfKey(by: GroupBy, key: string): UseKind | null {
  const k = by === 'kind' ? key : key.startsWith('kind:') ? key.slice(5) : null;
  return USE_KINDS.find((u) => u === k) ?? null;
}

export function groupLabel(by: GroupBy, g: ReportGroup): string {
  const kind = kindOfKey(by, g.key);
  return kind !== null ? t(`useKind.${kind}`) : g.label;
}
