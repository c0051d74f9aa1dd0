// The receipt roll a counter's slip printer takes (58 or 80 mm), chosen on the slip and
// remembered by this window's profile (a counter keeps its printer).
import type { Paper } from './print';

export type SlipPaper = Extract<Paper, '58mm' | '80mm'>;
export const SLIP_PAPERS: readonly SlipPaper[] = ['58mm', '80mm'];
const KEY = 'coupondesk.slipPaper';

export function loadSlipPaper(storage: Pick<Storage, 'getItem'> | null = globalThis.localStorage ?? null): SlipPaper {
  const v = storage?.getItem(KEY);
  return v === '80mm' ? '80mm' : '58mm';
}

export function saveSlipPaper(paper: SlipPaper, storage: Pick<Storage, 'setItem'> | null = globalThis.localStorage ?? null): void {
  storage?.setItem(KEY, paper);
}
