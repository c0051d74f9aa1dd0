// Demo data for the UI in a plain browser: a few realistic batches (one with enough
// codes to page through), and CSV files to import. Deterministic, so screenshots of
// the fake UI are stable.
import type { CodeStatus } from '../bindings/CodeStatus';
import { CHARSET } from './fakeGenerate';
import type { FakeCounter } from './fakeCounter';
import type { FakeStore } from './fakeStore';
import type { FakeSync } from './fakeSync';
import type { FakeWallet } from './fakeWallet';
import type { TemplateDraft } from '../bindings/TemplateDraft';

/** mulberry32: a tiny seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BATCHES: [string, string, number][] = [
  ['AVD1KYBW8001', '919送乐2', 64],
  ['AVD1KYBW8002', '乐次元撩妹送礼包', 0],
  ['SPRING2026', '春节满100减20', 1234],
  ['MEMBER-DAY-07', '会员日 7 折券', 88],
  ['COFFEE_BOGO', 'Coffee buy one get one', 310],
];

const EXTRA_NAMES = ['周末', '新店开业', '午市', '夜宵', '生日礼', '满减', '储值赠礼'];

export const DEMO_FILES = {
  small: '/demo/券码-示例.csv',
  big: '/demo/big-20000.csv',
};

function demoCsv(random: () => number): string {
  const lines = ['券码,备注'];
  for (let i = 1; i <= 30; i++) lines.push(`DEMO${String(i).padStart(5, '0')},第${i}张`);
  lines.push('DEMO00003,重复');
  lines.push('bad code,含空格');
  lines.push('ab,太短');
  lines.push(`X${Math.floor(random() * 1e6)}-OK,`);
  return `${lines.join('\n')}\n`;
}

function bigCsv(): string {
  const lines = ['code'];
  for (let i = 1; i <= 20000; i++) lines.push(`BIG${String(i).padStart(7, '0')}`);
  return `${lines.join('\n')}\n`;
}

export function seedDemo(store: FakeStore, files: Map<string, string>): void {
  const random = rng(20260101);
  const pickStatus = (): CodeStatus => {
    const r = random();
    return r < 0.7 ? 'issued' : r < 0.82 ? 'active' : r < 0.95 ? 'redeemed' : r < 0.98 ? 'disabled' : 'expired';
  };
  const base = Date.UTC(2026, 0, 5, 2, 0, 0);
  let minute = 0;
  const clock = store.now;
  const names: [string, string, number][] = [
    ...EXTRA_NAMES.flatMap((n, i) =>
      [1, 2, 3].map((k): [string, string, number] => [`STORE${i + 1}0${k}`, `${n}券 第${k}期`, k * 40]),
    ),
    ...BATCHES,
  ];
  for (const [ticketType, name, count] of names) {
    minute += 37;
    const at = new Date(base + minute * 60_000);
    store.now = () => at;
    store.createBatch(ticketType, name);
    const entry = store.entry(ticketType);
    const codes = new Set<string>();
    while (codes.size < count) {
      let code = ticketType.slice(0, 3).toUpperCase();
      while (code.length < 12) code += CHARSET[Math.floor(random() * CHARSET.length)] ?? 'A';
      if (!store.allCodes.has(code)) codes.add(code);
    }
    store.addCodes(entry, [...codes], at.toISOString());
    for (const row of entry.codes) {
      row.status = pickStatus();
      if (row.status !== 'issued') row.updatedAt = at.toISOString();
    }
    store.recount(entry);
  }
  store.now = clock;
  files.set(DEMO_FILES.small, demoCsv(random));
  files.set(DEMO_FILES.big, bigCsv());
}

/** A cash template linked to SPRING2026, a discount one linked to MEMBER-DAY-07, a gift one unlinked. */
export function seedCounter(store: FakeStore, counter: FakeCounter): void {
  const clock = store.now;
  store.now = () => new Date(Date.UTC(2026, 0, 4, 2, 0, 0));
  const base: TemplateDraft = {
    offer: { cash: { reduceFen: 2000, leastFen: 10000 } },
    title: '满100减20',
    brandName: '海底捞',
    color: 'Color010',
    logoUrl: 'https://example.com/logo.png',
    notice: '使用时向服务员出示此券',
    description: '不可与其他优惠同享',
    servicePhone: '020-88888888',
    quantity: 10000,
    getLimit: 3,
    codeType: 'CODE_TYPE_TEXT',
    // Shop time (UTC+08:00) 2026-01-01 00:00 to 2031-01-01 00:00.
    beginAt: '2025-12-31T16:00:00Z',
    endAt: '2030-12-31T16:00:00Z',
    term: null,
    timeLimits: [],
    acceptCategory: '',
    rejectCategory: '',
    canUseWithOtherDiscount: false,
  };
  // Linking does not make the demo batches "recently updated": the list keeps its order.
  const link = (id: number, ticketType: string): void => {
    const entry = store.entry(ticketType);
    const updatedAt = entry.batch.updatedAt;
    counter.link(id, ticketType);
    entry.batch.updatedAt = updatedAt;
  };
  const cash = counter.create(base);
  link(cash.id, 'SPRING2026');
  const member = counter.create({
    ...base,
    offer: { discount: { percentOff: 30 } },
    title: '会员日7折',
    color: 'Color050',
    quantity: 500,
    getLimit: 1,
    timeLimits: [{ day: 'TUESDAY', begin: null, end: null }],
  });
  link(member.id, 'MEMBER-DAY-07');
  counter.create({
    ...base,
    offer: { gift: { gift: '任意饮品一杯' } },
    title: '生日礼',
    color: 'Color090',
    quantity: 200,
    getLimit: 1,
    codeType: 'CODE_TYPE_QRCODE',
    term: { startAfterDays: 0, validDays: 30 },
  });
  store.now = clock;
}

/**
 * Two customers, two vouchers (one used) and three bonuses that are not usable any more
 * (expired, used, disabled); no unused bonus, so the N01 list starts empty.
 */
export function seedWallet(store: FakeStore, wallet: FakeWallet): void {
  const clock = store.now;
  let minute = 0;
  store.now = () => new Date(Date.UTC(2026, 0, 10, 2, minute++, 0));
  wallet.addCustomer({ phone: '13912345678', name: '王小明' });
  wallet.addCustomer({ phone: '13700001111', name: '李华' });
  wallet.sellVoucher({
    customer: '13912345678',
    customerName: '',
    name: '全屋打扫',
    priceFen: 28800,
    pkg: null,
    introduction: '3 小时上门保洁',
    paid: true,
  });
  const used = wallet.sellVoucher({
    customer: '13700001111',
    customerName: '',
    name: '空调清洗',
    priceFen: 12000,
    pkg: 7,
    introduction: '挂机一台',
    paid: true,
  });
  wallet.useVoucher(used.id);
  const base = { quantity: 1, minAmountFen: 3000, productSku: null, enabled: true };
  // Shop time (UTC+08:00) through 2026-01-31.
  wallet.createBonuses({ ...base, amountFen: 500, expiredAt: '2026-01-31T15:59:59.999Z', xname: '元旦红包' });
  const redeemed = wallet.createBonuses({ ...base, amountFen: 200, expiredAt: null, xname: '新客红包' });
  wallet.redeemBonus({ code: redeemed.codes[0] ?? '', orderFen: 4500, productSku: null, customer: null });
  wallet.createBonuses({ ...base, amountFen: 1000, expiredAt: null, xname: '测试（已停用）', enabled: false });
  store.now = clock;
}

/**
 * Sync: e-Buy (004) and bonuses (002) set up and online, with some history, a queued
 * grant and one conflict each; Sense (000) set up but unreachable; 001 and 003 not set
 * up. Three of AVD1KYBW8001's codes were activated on e-Buy, one refused.
 */
export function seedSync(store: FakeStore, sync: FakeSync): void {
  const clock = store.now;
  let minute = 0;
  store.now = () => new Date(Date.UTC(2026, 0, 12, 1, minute++, 0));
  const common = {
    appId: '',
    brandId: '',
    signType: '',
    shopNo: '',
    org: '',
    caFile: '',
    allowHttp: false,
    uploadPath: '',
    clearSecret: false,
  };
  sync.saveSettings({ ...common, platform: 'p000', enabled: true, baseUrl: 'https://sense-offline.example.com', secret: 'demo-at' });
  sync.saveSettings({ ...common, platform: 'p002', enabled: true, baseUrl: 'http://127.0.0.1:8765/p002', secret: 'demo-token' });
  sync.saveSettings({
    ...common,
    platform: 'p004',
    enabled: true,
    baseUrl: 'http://127.0.0.1:8765/p004',
    appId: 'demo-app',
    brandId: 'B1001',
    shopNo: 'S01',
    org: 'HQ',
    secret: 'demo-key',
  });
  const entry = store.entry('AVD1KYBW8001');
  const codes = entry.codes.filter((c) => c.status === 'issued').slice(0, 3);
  for (const c of codes) {
    c.status = 'active';
    c.updatedAt = store.stamp();
  }
  const ids = codes.map((c) =>
    sync.enqueue({ platform: 'p004', op: 'ebuy.activate', subject: c.code, payload: {}, ticketType: 'AVD1KYBW8001', actor: 'demo' }),
  );
  const created = [1, 2].map((n) =>
    sync.enqueue({
      platform: 'p002',
      op: 'bonus.create',
      subject: `DEMOBONUS0${n}`,
      payload: { amountFen: 500, minAmountFen: 3000, remark: '元旦红包', productSku: null, enabled: true },
      actor: 'demo',
    }),
  );
  const tooBig = sync.enqueue({
    platform: 'p002',
    op: 'bonus.create',
    subject: 'DEMOBONUS03',
    payload: { amountFen: 200000, minAmountFen: 0, remark: '店庆大红包', productSku: null, enabled: true },
    actor: '小王',
  });
  sync.run(null);
  for (const id of created) sync.settle(id, 'done', 'SUCCESS', null);
  ids.forEach((id, i) => {
    if (i === 2) sync.settle(id, 'conflict', 'CODE_USED_ELSEWHERE', 'the code was already used in another shop');
    else sync.settle(id, 'done', 'SUCCESS', null);
  });
  sync.settle(tooBig, 'conflict', '400', 'amount exceeds the platform limit of 1000.00 yuan');
  sync.enqueue({ platform: 'p002', op: 'bonus.grant', subject: 'DEMOBONUS01', payload: { customer: '13912345678' }, actor: 'demo' });
  // A voucher sold before the voucher platform (003) was set up: it waits for it.
  sync.enqueue({ platform: 'p003', op: 'voucher.buy', subject: '1', payload: { name: '全屋打扫', priceFen: 28800 }, actor: 'demo' });
  store.now = clock;
  // Paused from now on, so the demo shows a pause whenever it is opened.
  sync.noteFailure('p000', false, 'could not reach p000 at https://sense-offline.example.com: connection refused; check the address and the network', 30 * 60_000);
}
