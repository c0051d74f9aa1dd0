// e-Buy's optional 制码资金 (`makeFundsChannel`) of an activation: staff type the eight
// amounts in yuan, the core takes them in fen. An empty box is an amount not given; when
// no amount is given nothing is sent at all.
import type { FundsChannel } from './backend/bindings/FundsChannel';
import type { MessageKey } from './i18n/zh-CN';
import { parseYuan, type YuanError } from './money';

/** The amounts in e-Buy's order (FundsChannel::amounts in the core). */
export const FUNDS_FIELDS = [
  'merchantRealAmount',
  'benefitAmount',
  'merchantCustomBenefit',
  'merchantCustomRealAmount',
  'channelBenefit',
  'merchantBenefit',
  'discountAmount',
  'userRealAmount',
] as const satisfies readonly (keyof FundsChannel)[];

export type FundsField = (typeof FUNDS_FIELDS)[number];

/** What was typed in each box (yuan). */
export type FundsValues = Record<FundsField, string>;

export type FundsParse =
  | { ok: true; funds: FundsChannel | null }
  | { ok: false; errors: Partial<Record<FundsField, YuanError>> };

export function emptyFunds(): FundsValues {
  return Object.fromEntries(FUNDS_FIELDS.map((f) => [f, ''])) as FundsValues;
}

/** The typed amounts in fen, `null` when none is given; else why each bad one is bad. */
export function parseFunds(values: FundsValues): FundsParse {
  const funds: FundsChannel = {};
  const errors: Partial<Record<FundsField, YuanError>> = {};
  let given = false;
  let bad = false;
  for (const f of FUNDS_FIELDS) {
    if (values[f].trim() === '') continue;
    const p = parseYuan(values[f]);
    if (p.ok) {
      funds[f] = p.fen;
      given = true;
    } else {
      errors[f] = p.error;
      bad = true;
    }
  }
  if (bad) return { ok: false, errors };
  return { ok: true, funds: given ? funds : null };
}

/** The label of an amount's box: `funds.<field>`. */
export function fundsLabelKey(f: FundsField): MessageKey {
  return `funds.${f}`;
}
