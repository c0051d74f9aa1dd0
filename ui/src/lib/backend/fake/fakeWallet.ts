// The fake backend's red-packet bonuses (spec 002), exchange vouchers (spec 003) and
// the customer register they share, mirroring crates/core: domain/{bonus,voucher,
// customer}.rs (validation, field names, the counter's rules and their order) and
// store/{bonuses,vouchers,customers}.rs (computed statuses, grant once, used once,
// list orders, exports). Expiry is never written: a bonus past its expiry lists as N03.
import type { ApiError } from '../bindings/ApiError';
import type { Bonus } from '../bindings/Bonus';
import type { BonusCheck } from '../bindings/BonusCheck';
import type { BonusCreation } from '../bindings/BonusCreation';
import type { BonusDraft } from '../bindings/BonusDraft';
import type { BonusOutcome } from '../bindings/BonusOutcome';
import type { BonusQuery } from '../bindings/BonusQuery';
import type { BonusRedeemRequest } from '../bindings/BonusRedeemRequest';
import type { BonusRefusal } from '../bindings/BonusRefusal';
import type { BonusStatus } from '../bindings/BonusStatus';
import type { Customer } from '../bindings/Customer';
import type { CustomerDraft } from '../bindings/CustomerDraft';
import type { ExportReport } from '../bindings/ExportReport';
import type { FieldError } from '../bindings/FieldError';
import type { Page } from '../bindings/Page';
import type { PageRequest } from '../bindings/PageRequest';
import type { Voucher } from '../bindings/Voucher';
import type { VoucherDraft } from '../bindings/VoucherDraft';
import type { VoucherQuery } from '../bindings/VoucherQuery';
import { apiError } from '../apiError';
import { neutralise, quote } from './fakeExport';
import type { FakeStore } from './fakeStore';
import { cleanName, parsePhone, phoneFieldError } from './phone';

/** domain::money::MAX_FEN. */
export const MAX_FEN = 100_000_000;
export const BONUS_CODE_LEN = 11;
export const MAX_BONUS_QUANTITY = 100_000;
const XNAME_MAX = 64;
const SKU_MAX = 64;
const VOUCHER_NAME_MAX = 64;
const INTRODUCTION_MAX = 2000;

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const chars = (s: string): number => [...s].length;

/** bonus::is_code: 11 capital letters. */
export function isBonusCode(s: string): boolean {
  return /^[A-Z]{11}$/.test(s);
}

/** bonus::normalise_code: trimmed and upper-cased. */
export function normaliseBonusCode(s: string): string {
  return s.trim().replace(/[a-z]/g, (c) => c.toUpperCase());
}

/** format_yuan without a currency sign: 250 -> "2.50". */
function yuan(fen: number): string {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function invalid(errors: FieldError[]): ApiError {
  return apiError(
    'invalid_fields',
    `some fields need attention: ${errors.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    errors,
  );
}

/** mulberry32, so demo codes are stable. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Stored = 'active' | 'redeemed' | 'disabled';

interface StoredBonus {
  id: number;
  code: string;
  amountFen: number;
  minAmountFen: number;
  expiredAt: string | null;
  xname: string;
  productSku: string | null;
  stored: Stored;
  customerId: number | null;
  grantedAt: string | null;
  usedAt: string | null;
  usedOrderFen: number | null;
  usedProductSku: string | null;
  usedBy: string | null;
  usedTerminal: string | null;
  createdAt: string;
  updatedAt: string;
}

interface StoredVoucher {
  id: number;
  customerId: number;
  pkg: number | null;
  name: string;
  priceFen: number;
  introduction: string;
  paid: boolean;
  createdAt: string;
  updatedAt: string;
  usedAt: string | null;
  usedBy: string | null;
  usedTerminal: string | null;
}

export interface Counter {
  operator: string;
  terminal: string;
}

/** BonusStatus::of. */
export function bonusStatus(stored: Stored, expiredAt: string | null, nowMs: number): BonusStatus {
  if (stored === 'redeemed') return 'N02';
  if (stored === 'disabled') return 'disabled';
  if (expiredAt !== null && Date.parse(expiredAt) < nowMs) return 'N03';
  return 'N01';
}

/** BonusDraft::normalise_and_validate. */
export function validateBonusDraft(input: BonusDraft): { draft: BonusDraft; errors: FieldError[] } {
  const d: BonusDraft = { ...input };
  d.xname = d.xname.trim();
  const sku = d.productSku?.trim() ?? '';
  d.productSku = sku === '' ? null : sku;
  const e: FieldError[] = [];
  if (!isInt(d.amountFen) || d.amountFen < 1 || d.amountFen > MAX_FEN) {
    e.push({ field: 'amountFen', code: 'out_of_range', message: 'the amount must be 0.01 to 1,000,000.00 yuan' });
  }
  if (!isInt(d.quantity) || d.quantity < 1 || d.quantity > MAX_BONUS_QUANTITY) {
    e.push({ field: 'quantity', code: 'out_of_range', message: `create 1 to ${MAX_BONUS_QUANTITY} bonuses at a time` });
  }
  if (!isInt(d.minAmountFen) || d.minAmountFen < 0 || d.minAmountFen > MAX_FEN) {
    e.push({ field: 'minAmountFen', code: 'out_of_range', message: 'the minimum order must be 0 to 1,000,000.00 yuan' });
  }
  if (chars(d.xname) > XNAME_MAX) {
    e.push({ field: 'xname', code: 'too_long', message: `at most ${XNAME_MAX} characters` });
  }
  if (d.productSku !== null) {
    if (chars(d.productSku) > SKU_MAX) {
      e.push({ field: 'productSku', code: 'too_long', message: `at most ${SKU_MAX} characters` });
    } else if (/\p{Cc}/u.test(d.productSku)) {
      e.push({ field: 'productSku', code: 'invalid', message: 'a SKU cannot hold control characters' });
    }
  }
  if (d.expiredAt !== null && Number.isNaN(Date.parse(d.expiredAt))) {
    e.push({ field: 'expiredAt', code: 'invalid', message: 'enter a date and time' });
  }
  return { draft: d, errors: e };
}

/** VoucherDraft::normalise_and_validate: the trimmed draft and the phone, or every broken rule. */
export function validateVoucherDraft(input: VoucherDraft): { draft: VoucherDraft; phone: string | null; errors: FieldError[] } {
  const d: VoucherDraft = { ...input, name: input.name.trim(), introduction: input.introduction.trim() };
  const e: FieldError[] = [];
  const p = parsePhone(d.customer);
  if (!p.ok) e.push(phoneFieldError('customer', p.error));
  const n = cleanName(d.customerName, 'customerName');
  if (n.ok) d.customerName = n.name;
  else e.push(n.error);
  if (d.name === '') e.push({ field: 'name', code: 'required', message: 'name the service the voucher is for' });
  else if (chars(d.name) > VOUCHER_NAME_MAX) {
    e.push({ field: 'name', code: 'too_long', message: `at most ${VOUCHER_NAME_MAX} characters` });
  }
  if (!isInt(d.priceFen) || d.priceFen < 0 || d.priceFen > MAX_FEN) {
    e.push({ field: 'priceFen', code: 'out_of_range', message: 'the price must be 0.00 to 1,000,000.00 yuan' });
  }
  if (d.pkg !== null && (!isInt(d.pkg) || d.pkg <= 0)) {
    e.push({ field: 'pkg', code: 'out_of_range', message: 'a package id is a positive number; leave it empty for none' });
  }
  if (chars(d.introduction) > INTRODUCTION_MAX) {
    e.push({ field: 'introduction', code: 'too_long', message: `at most ${INTRODUCTION_MAX} characters` });
  }
  return { draft: d, phone: p.ok ? p.phone : null, errors: e };
}

/** bonus::decide: the reduction, or why not; in the order staff need the answer. */
export function decideBonus(
  b: Bonus,
  customer: string | null,
  orderFen: number,
  productSku: string | null,
): BonusRefusal | number {
  switch (b.status) {
    case 'disabled':
      return { reason: 'disabled' };
    case 'N02':
      return { reason: 'already_used', at: b.usedAt ?? new Date(0).toISOString() };
    case 'N03':
      return { reason: 'expired', at: b.expiredAt ?? new Date(0).toISOString() };
    case 'N01':
      break;
  }
  if (b.customer !== null && customer !== null && b.customer !== customer) return { reason: 'other_customer' };
  if (orderFen < 0) return { reason: 'negative_amount' };
  if (orderFen < b.minAmountFen) return { reason: 'below_min_amount', minFen: b.minAmountFen };
  if (b.productSku !== null) {
    const given = productSku?.trim() ?? '';
    if (given === '') return { reason: 'product_required', sku: b.productSku };
    if (given !== b.productSku) return { reason: 'wrong_product', sku: b.productSku };
  }
  return Math.min(b.amountFen, orderFen);
}

const BONUS_HEADER = [
  'id',
  'code',
  'status',
  'amount_yuan',
  'min_amount_yuan',
  'expired_at',
  'xname',
  'product_sku',
  'customer',
  'customer_name',
  'granted_at',
  'used_at',
  'used_order_yuan',
  'used_by',
  'used_terminal',
  'created_at',
];

const VOUCHER_HEADER = [
  'id',
  'customer',
  'customer_name',
  'name',
  'price_yuan',
  'pkg',
  'introduction',
  'valid',
  'paid',
  'created_at',
  'used_at',
  'used_by',
  'used_terminal',
];

function csvText(header: string[], rows: string[][]): string {
  const lines = [header.join(','), ...rows.map((r) => r.map((c) => quote(neutralise(c))).join(','))];
  return `\uFEFF${lines.join('\n')}\n`;
}

function pageOf<T>(all: T[], req: PageRequest): Page<T> {
  const start = (req.page - 1) * req.perPage;
  return {
    items: all.slice(start, start + req.perPage),
    page: req.page,
    perPage: req.perPage,
    total: all.length,
    totalPages: Math.ceil(all.length / req.perPage),
  };
}

export class FakeWallet {
  readonly customers: Customer[] = [];
  readonly bonuses: StoredBonus[] = [];
  readonly vouchers: StoredVoucher[] = [];
  private nextCustomer = 1;
  private nextBonus = 1;
  private nextVoucher = 1;
  private readonly random = rng(20260402);

  constructor(
    private readonly store: FakeStore,
    private readonly counter: () => Counter,
  ) {}

  private nowMs(): number {
    return this.store.now().getTime();
  }

  // ---- customers ----

  private findCustomer(phone: string): Customer | undefined {
    return this.customers.find((c) => c.phone === phone);
  }

  /** customers::ensure: the customer's id, created (named `name`) when the phone is new. */
  private ensure(phone: string, name: string): number {
    const found = this.findCustomer(phone);
    if (found !== undefined) return found.id;
    const at = this.store.stamp();
    const c: Customer = { id: this.nextCustomer++, phone, name, createdAt: at, updatedAt: at };
    this.customers.push(c);
    return c.id;
  }

  private customerById(id: number | null): Customer | undefined {
    return id === null ? undefined : this.customers.find((c) => c.id === id);
  }

  /** The customer id a query names; undefined for none, null for a phone not in the register. */
  private queryCustomer(text: string | null): number | null | undefined {
    const t = text?.trim() ?? '';
    if (t === '') return undefined;
    const p = parsePhone(t);
    if (!p.ok) throw invalid([phoneFieldError('customer', p.error)]);
    return this.findCustomer(p.phone)?.id ?? null;
  }

  addCustomer(draft: CustomerDraft): Customer {
    const e: FieldError[] = [];
    const p = parsePhone(draft.phone);
    if (!p.ok) e.push(phoneFieldError('phone', p.error));
    const n = cleanName(draft.name, 'name');
    if (!n.ok) e.push(n.error);
    if (!p.ok || !n.ok || e.length > 0) throw invalid(e);
    const found = this.findCustomer(p.phone);
    if (found === undefined) this.ensure(p.phone, n.name);
    else if (n.name !== '' && found.name !== n.name) {
      found.name = n.name;
      found.updatedAt = this.store.stamp();
    }
    return { ...(this.findCustomer(p.phone) as Customer) };
  }

  listCustomers(search: string | null, page: PageRequest): Page<Customer> {
    const s = search?.trim() ?? '';
    let all = [...this.customers];
    if (s !== '') {
      const compact = s.replace(/[ -]/g, '');
      const digits = /^[0-9]*$/.test(compact) ? compact : s;
      const needle = s.toLowerCase();
      all = all.filter((c) => c.phone.includes(digits) || c.name.toLowerCase().includes(needle));
    }
    all.sort((a, b) => b.id - a.id);
    return pageOf(
      all.map((c) => ({ ...c })),
      page,
    );
  }

  // ---- bonuses ----

  private view(b: StoredBonus): Bonus {
    const c = this.customerById(b.customerId);
    return {
      id: b.id,
      code: b.code,
      amountFen: b.amountFen,
      minAmountFen: b.minAmountFen,
      expiredAt: b.expiredAt,
      xname: b.xname,
      productSku: b.productSku,
      status: bonusStatus(b.stored, b.expiredAt, this.nowMs()),
      customer: c?.phone ?? null,
      customerName: c?.name ?? null,
      grantedAt: b.grantedAt,
      usedAt: b.usedAt,
      usedOrderFen: b.usedOrderFen,
      usedProductSku: b.usedProductSku,
      usedBy: b.usedBy,
      usedTerminal: b.usedTerminal,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    };
  }

  private storedBonus(id: number): StoredBonus {
    const b = this.bonuses.find((x) => x.id === id);
    if (b === undefined) throw apiError('bonus_not_found', `no bonus has the id or code ${id}; check it or reload the list`);
    return b;
  }

  private newCode(): string {
    for (;;) {
      let code = '';
      for (let i = 0; i < BONUS_CODE_LEN; i++) code += String.fromCharCode(65 + Math.floor(this.random() * 26));
      if (!this.store.allCodes.has(code) && !this.bonuses.some((b) => b.code === code)) return code;
    }
  }

  createBonuses(input: BonusDraft): BonusCreation {
    const started = Date.now();
    const { draft, errors } = validateBonusDraft(input);
    if (errors.length > 0) throw invalid(errors);
    const at = this.store.stamp();
    const codes: string[] = [];
    let firstId = 0;
    const taken = new Set(this.bonuses.map((b) => b.code));
    for (let i = 0; i < draft.quantity; i++) {
      let code = this.newCode();
      while (taken.has(code)) code = this.newCode();
      taken.add(code);
      const id = this.nextBonus++;
      if (i === 0) firstId = id;
      this.bonuses.push({
        id,
        code,
        amountFen: draft.amountFen,
        minAmountFen: draft.minAmountFen,
        expiredAt: draft.expiredAt === null ? null : new Date(Date.parse(draft.expiredAt)).toISOString(),
        xname: draft.xname,
        productSku: draft.productSku,
        stored: draft.enabled ? 'active' : 'disabled',
        customerId: null,
        grantedAt: null,
        usedAt: null,
        usedOrderFen: null,
        usedProductSku: null,
        usedBy: null,
        usedTerminal: null,
        createdAt: at,
        updatedAt: at,
      });
      codes.push(code);
    }
    return { created: draft.quantity, codes, firstId, elapsedMs: Date.now() - started };
  }

  getBonus(id: number): Bonus {
    return this.view(this.storedBonus(id));
  }

  /** Every bonus the query matches, in the list's order (newest first; N03 most recently expired first). */
  private matchingBonuses(q: BonusQuery): Bonus[] {
    const customer = this.queryCustomer(q.customer);
    if (customer === null) return [];
    const all = this.bonuses
      .filter((b) => customer === undefined || b.customerId === customer)
      .map((b) => this.view(b))
      .filter((b) => q.status === null || b.status === q.status);
    if (q.status === 'N03') {
      return all.sort((a, b) => Date.parse(b.expiredAt ?? '') - Date.parse(a.expiredAt ?? '') || b.id - a.id);
    }
    return all.sort((a, b) => b.id - a.id);
  }

  listBonuses(q: BonusQuery): Page<Bonus> {
    return pageOf(this.matchingBonuses(q), q.page);
  }

  grantBonus(id: number, customer: string, customerName: string | null): Bonus {
    const p = parsePhone(customer);
    if (!p.ok) throw invalid([phoneFieldError('customer', p.error)]);
    const n = cleanName(customerName ?? '', 'customerName');
    if (!n.ok) throw invalid([n.error]);
    const s = this.storedBonus(id);
    const b = this.view(s);
    if (b.customer !== null) {
      throw apiError('bonus_already_granted', `bonus ${b.code} was already granted to ${b.customer}; a bonus is granted once`);
    }
    if (b.status !== 'N01') {
      throw apiError('bonus_not_grantable', `bonus ${b.code} is ${b.status} and cannot be granted; grant an unused one`);
    }
    s.customerId = this.ensure(p.phone, n.name);
    s.grantedAt = this.store.stamp();
    s.updatedAt = s.grantedAt;
    return this.view(s);
  }

  disableBonus(id: number): Bonus {
    const s = this.storedBonus(id);
    const b = this.view(s);
    if (s.stored !== 'active') {
      throw apiError('bonus_not_disableable', `bonus ${b.code} is ${b.status} already and cannot be disabled`);
    }
    s.stored = 'disabled';
    s.updatedAt = this.store.stamp();
    return this.view(s);
  }

  /** store::bonuses::check_in: the answer and, when redeemable, the bonus's record. */
  private checkIn(req: BonusRedeemRequest): { check: BonusCheck; found?: StoredBonus } {
    const code = normaliseBonusCode(req.code);
    const given = req.customer?.trim() ?? '';
    let customer: string | null = null;
    if (given !== '') {
      const p = parsePhone(given);
      if (!p.ok) throw invalid([phoneFieldError('customer', p.error)]);
      customer = p.phone;
    }
    const check: BonusCheck = { code, refusal: null, bonus: null, orderFen: req.orderFen, reductionFen: null };
    if (!isBonusCode(code)) return { check: { ...check, refusal: { reason: 'malformed' } } };
    const s = this.bonuses.find((b) => b.code === code);
    if (s === undefined) return { check: { ...check, refusal: { reason: 'unknown' } } };
    const b = this.view(s);
    check.bonus = b;
    const verdict = decideBonus(b, customer, req.orderFen, req.productSku);
    if (typeof verdict !== 'number') return { check: { ...check, refusal: verdict } };
    check.reductionFen = verdict;
    return { check, found: s };
  }

  checkBonus(req: BonusRedeemRequest): BonusCheck {
    return this.checkIn(req).check;
  }

  redeemBonus(req: BonusRedeemRequest): BonusOutcome {
    const { check, found } = this.checkIn(req);
    if (found === undefined) return { check, redeemed: null };
    const c = this.counter();
    const at = this.store.stamp();
    const sku = req.productSku?.trim() ?? '';
    found.stored = 'redeemed';
    found.usedAt = at;
    found.usedOrderFen = req.orderFen;
    found.usedProductSku = sku === '' ? null : sku;
    found.usedBy = c.operator;
    found.usedTerminal = c.terminal;
    found.updatedAt = at;
    return { check, redeemed: this.view(found) };
  }

  exportBonuses(q: BonusQuery): { text: string; rows: number } {
    const rows = this.matchingBonuses(q).map((b) => [
      String(b.id),
      b.code,
      b.status,
      yuan(b.amountFen),
      yuan(b.minAmountFen),
      b.expiredAt ?? '',
      b.xname,
      b.productSku ?? '',
      b.customer ?? '',
      b.customerName ?? '',
      b.grantedAt ?? '',
      b.usedAt ?? '',
      b.usedOrderFen === null ? '' : yuan(b.usedOrderFen),
      b.usedBy ?? '',
      b.usedTerminal ?? '',
      b.createdAt,
    ]);
    return { text: csvText(BONUS_HEADER, rows), rows: rows.length };
  }

  // ---- vouchers ----

  private voucherView(v: StoredVoucher): Voucher {
    const c = this.customerById(v.customerId);
    return {
      id: v.id,
      customer: c?.phone ?? '',
      customerName: c?.name ?? '',
      pkg: v.pkg,
      name: v.name,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      usedAt: v.usedAt,
      priceFen: v.priceFen,
      introduction: v.introduction,
      valid: v.usedAt === null,
      paid: v.paid,
      usedBy: v.usedBy,
      usedTerminal: v.usedTerminal,
    };
  }

  private storedVoucher(id: number): StoredVoucher {
    const v = this.vouchers.find((x) => x.id === id);
    if (v === undefined) throw apiError('voucher_not_found', `no voucher has the id ${id}; check it or reload the list`);
    return v;
  }

  sellVoucher(input: VoucherDraft): Voucher {
    const { draft, phone, errors } = validateVoucherDraft(input);
    if (phone === null || errors.length > 0) throw invalid(errors);
    const customerId = this.ensure(phone, draft.customerName);
    const at = this.store.stamp();
    const v: StoredVoucher = {
      id: this.nextVoucher++,
      customerId,
      pkg: draft.pkg,
      name: draft.name,
      priceFen: draft.priceFen,
      introduction: draft.introduction,
      paid: draft.paid,
      createdAt: at,
      updatedAt: at,
      usedAt: null,
      usedBy: null,
      usedTerminal: null,
    };
    this.vouchers.push(v);
    return this.voucherView(v);
  }

  getVoucher(id: number): Voucher {
    return this.voucherView(this.storedVoucher(id));
  }

  useVoucher(id: number): Voucher {
    const v = this.storedVoucher(id);
    if (v.usedAt !== null) {
      throw apiError('voucher_already_used', `voucher ${id} (${v.name}) was already used at ${v.usedAt}; a voucher is used once`);
    }
    const c = this.counter();
    const at = this.store.stamp();
    v.usedAt = at;
    v.usedBy = c.operator;
    v.usedTerminal = c.terminal;
    v.updatedAt = at;
    return this.voucherView(v);
  }

  private matchingVouchers(q: VoucherQuery): Voucher[] {
    const customer = this.queryCustomer(q.customer);
    if (customer === null) return [];
    const name = q.name?.trim().toLowerCase() ?? '';
    return this.vouchers
      .filter(
        (v) =>
          (customer === undefined || v.customerId === customer) &&
          (name === '' || v.name.toLowerCase().includes(name)) &&
          (q.valid === null || (v.usedAt === null) === q.valid) &&
          (!q.nopkg || v.pkg === null),
      )
      .sort((a, b) => b.id - a.id)
      .map((v) => this.voucherView(v));
  }

  listVouchers(q: VoucherQuery): Page<Voucher> {
    return pageOf(this.matchingVouchers(q), q.page);
  }

  exportVouchers(q: VoucherQuery): { text: string; rows: number } {
    const rows = this.matchingVouchers(q).map((v) => [
      String(v.id),
      v.customer,
      v.customerName,
      v.name,
      yuan(v.priceFen),
      v.pkg === null ? '' : String(v.pkg),
      v.introduction,
      String(v.valid),
      String(v.paid),
      v.createdAt,
      v.usedAt ?? '',
      v.usedBy ?? '',
      v.usedTerminal ?? '',
    ]);
    return { text: csvText(VOUCHER_HEADER, rows), rows: rows.length };
  }

  /** Ages a bonus for tests and the demo: sets when it expires (nothing else is written). */
  setExpiry(id: number, expiredAt: string | null): void {
    this.storedBonus(id).expiredAt = expiredAt;
  }

  /** What the report of an export says. */
  static report(path: string, rows: number, started: number): ExportReport {
    return { path, rows, cancelled: false, elapsedMs: Date.now() - started };
  }
}
