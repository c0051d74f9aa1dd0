// Clicks through the built UI in headless Chromium against the real core — `coupondesk
// serve --seed-demo` on a temporary database, its platforms 002/004 at the simulator
// `remote-sim` — checks what staff would see at each step, and keeps a screenshot of each.
//   npm run test:browser            (needs Debian's chromium at /usr/bin/chromium and the
//                                    binaries: cargo build -p coupondesk -p coupondesk-remote-sim)
//   SHOTS_DIR=/some/dir CHROMIUM=/path/to/chromium npm run test:browser
// Files the page imports or exports are real files on this machine, named by path (the
// browser's "file dialog" is a path prompt, answered here).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';
import { preview } from 'vite';

import { checkTimeAndScreens } from './checks/timeAndScreens.mjs';
import { apiProxy, command, startServe, startSim } from './coreServer.mjs';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/coupondesk-ui-shots';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(SHOTS, { recursive: true });
rmSync(join(SHOTS, 'failed.png'), { force: true });

function e2eCsv() {
  let text = 'code,note\n';
  for (let i = 0; i < 20; i++) text += `E2E${String(i).padStart(5, '0')},ok\n`;
  return `${text}E2E00003,again\nbad code,x\nE2E00007,again\nab,short\n`;
}

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

const sim = await startSim();
const core = await startServe({ seed: true, sim: sim.url });
const files = join(core.dir, 'files');
mkdirSync(files);
const e2eFile = join(files, 'e2e-codes.csv');
writeFileSync(e2eFile, e2eCsv());
// Big enough that the real core is still importing when Cancel is clicked.
// A real 1×1 PNG (a template's logo picked from a file) and a file that only says .png.
const logoFile = join(files, '店标.png');
writeFileSync(
  logoFile,
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
);
const fakeLogoFile = join(files, 'fake.png');
writeFileSync(fakeLogoFile, 'GIF89a not a png');
const bigFile = join(files, 'big-2000000.csv');
writeFileSync(bigFile, `code\n${Array.from({ length: 2_000_000 }, (_, i) => `BIG${String(i + 1).padStart(7, '0')}`).join('\n')}\n`);
const api = (name, args) => command(core, name, args);
const outbox = (query) => api('sync_outbox', { query: { platform: null, state: null, ticketType: null, page: { page: 1, perPage: 100 }, ...query } });

// The demo's staff (crates/cli/src/demo_seed.rs). The server has one desk, so one session:
// the setup below logs the owner in for its sync run and locks again, so the page opens
// at the login screen as the seed left it.
const OWNER = { name: '王老板', pin: '1234' };
const CASHIER = { name: '小张', pin: '3456' };

// One of the three codes the seed queued for e-Buy was used in another shop: the first
// run (here, before the page opens) sends two and leaves that one in the conflict inbox,
// beside the seed's two Sense uploads.
const seededActivations = (await outbox({ ticketType: 'AVD1KYBW8001', platform: 'p004' })).items.map((i) => i.subject).reverse();
await fetch(`${sim.url}/__sim/faults`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ used_elsewhere_codes: seededActivations.slice(0, 1) }),
});
await api('staff_login', OWNER);
const firstRun = await api('sync_now', { platform: 'p004' });
await api('staff_lock', {});
if (firstRun.platforms[0]?.conflicts !== 1 || firstRun.platforms[0]?.done !== 2) {
  throw new Error(`the setup's e-Buy run should end with 1 conflict and 2 done: ${JSON.stringify(firstRun)}`);
}

const server = await preview({ preview: { port: 4173, strictPort: false, proxy: apiProxy(core) }, logLevel: 'silent' });
const url = server.resolvedUrls?.local[0] ?? 'http://localhost:4173/';
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

let failed = false;
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
// Chromium logs every 4xx answer of fetch as a console error; 422 is how the core refuses
// (a field error, a taken name), which the checks provoke on purpose. Anything else counts.
const REFUSAL = 'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)';
page.on('console', (m) => m.type() === 'error' && m.text() !== REFUSAL && errors.push(m.text()));
const id = (testid) => page.getByTestId(testid);
const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
// The counter's sounds (Web Audio, generated): every oscillator started, by frequency, so
// the checks hear which tone played. `tones()` returns the ones since the last call.
await page.addInitScript(() => {
  window.__tones = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push(this.frequency.value);
    return start.apply(this, args);
  };
});
const tones = () => page.evaluate(() => window.__tones.splice(0));
const SUCCESS_TONE = [880, 1320];
const REFUSAL_TONE = [220, 220];
const verdictText = async () => (await id('redeem-verdict').innerText()).replace(/\s+/g, ' ').trim();
/** The result box's look: its state, background, and the verdict's size and icon. */
const resultLook = () =>
  page.evaluate(() => {
    const box = document.querySelector('[data-testid=redeem-result]');
    const verdict = document.querySelector('[data-testid=redeem-verdict]');
    return {
      state: box?.getAttribute('data-state'),
      background: box === null ? null : getComputedStyle(box).backgroundColor,
      size: verdict === null ? 0 : parseFloat(getComputedStyle(verdict).fontSize),
      icon: verdict?.querySelector('.icon')?.textContent?.trim(),
    };
  });
/** Full-width twins of ASCII (what a Chinese input method in full-width mode types). */
const fullWidth = (text) => [...text].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
const swapCase = (text) => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
// The path prompts of the browser's file "dialogs": the next answer, or the proposal.
const answers = [];
const prompted = [];
page.on('dialog', (d) => {
  prompted.push(d.defaultValue());
  void d.accept(answers.shift() ?? d.defaultValue());
});

try {
  console.log(`UI at ${url}, screenshots in ${SHOTS}`);
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();

  // The login screen: the seed ends locked. A cashier logs in with the keyboard alone
  // (name, digits, Backspace, Enter), a wrong PIN first.
  await id('login-screen').waitFor();
  const dots = () => id('pin-display').locator('.dot.on').count();
  // The names arrive after the screen shows (a core call): wait for the list, then count.
  await id('login-name').locator('option').first().waitFor({ state: 'attached' });
  check((await id('login-name').locator('option').count()) === 4, 'the login screen lists the 4 active staff');
  await shot('00-login');
  await id('login-name').focus();
  await id('login-name').selectOption(CASHIER.name);
  await page.keyboard.type('0000');
  check((await dots()) === 4, 'typed digits show as 4 dots');
  await page.keyboard.press('Backspace');
  check((await dots()) === 3, 'Backspace takes one back');
  await page.keyboard.type('9');
  await page.keyboard.press('Enter');
  await id('login-error').waitFor();
  check(
    (await id('login-error').innerText()) === 'PIN 不对。再输错 4 次，账号将锁定 60 秒。',
    'a wrong PIN says how many tries are left, in Chinese',
  );
  check((await dots()) === 0, 'and the PIN is cleared');
  await shot('00-login-wrong-pin');
  await page.keyboard.type(CASHIER.pin);
  await page.keyboard.press('Enter');
  await id('login-screen').waitFor({ state: 'detached' });
  check((await id('staff-badge').innerText()) === '小张 · 店员', 'the top bar names the cashier and the role');
  check(
    (await id('nav-settings').count()) === 0 && (await id('nav-staff').count()) === 0 && (await id('nav-batches').count()) === 1,
    'a cashier does not see Settings or Staff in the nav',
  );
  await id('batch-row').first().waitFor();
  check((await id('batch-create-open').count()) === 0, 'nor the button to create a batch');
  await page.goto(`${url}#/settings`);
  await id('not-allowed').waitFor();
  check((await id('settings-terminal').count()) === 0, 'a cashier who opens #/settings by URL sees "not allowed", not the form');
  await shot('00-cashier-not-allowed');

  // Switch staff: the owner, with clicks on the pad; the window is back on the same page.
  await id('switch-staff').click();
  await id('login-screen').waitFor();
  check(true, 'switch staff shows the login screen');
  await id('login-name').selectOption(OWNER.name);
  for (const d of OWNER.pin) await id(`pin-key-${d}`).click();
  await id('pin-key-ok').click();
  await id('login-screen').waitFor({ state: 'detached' });
  await id('settings-terminal').waitFor();
  check(
    (await id('staff-badge').innerText()) === '王老板 · 老板' && page.url().endsWith('#/settings'),
    'the owner is logged in, back on #/settings, now with its form',
  );

  // The staff page: the owner adds a cashier; a taken name is refused beside the name.
  await id('nav-staff').click();
  await id('staff-row-李店长').waitFor();
  check((await page.locator('[data-testid^=staff-row-]').count()) === 4, 'the staff page lists the 4 demo accounts');
  await id('staff-add-name').fill('小陈');
  await id('staff-add-pin').fill('5678');
  await id('staff-add-submit').click();
  await id('field-error-name').waitFor();
  check(true, 'a taken name shows a field error');
  await id('staff-add-name').fill('小刘');
  await id('staff-add-role').selectOption('cashier');
  await id('staff-add-submit').click();
  await id('staff-row-小刘').waitFor();
  check((await id('staff-row-小刘').innerText()).includes('店员'), 'the new cashier is listed');
  await id('staff-disable-小刘').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="staff-row-小刘"]')?.textContent?.includes('已停用'));
  check((await id('staff-disable-小刘').count()) === 0, 'a disabled account shows as disabled');
  await shot('00-staff');
  await id('nav-batches').click();

  await id('batch-row').first().waitFor();
  check((await id('batch-row').count()) === 20, 'batches page shows 20 rows per page');
  check(/第 1 \/ 2 页，共 26 条/.test(await id('page-info').innerText()), 'pager says page 1 of 2, 26 total');
  await shot('01-batches-zh');

  await page.keyboard.press('/');
  check(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'batch-search'), '/ focuses the search');
  await id('page-next').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-row]').length === 6);
  check(true, 'next page has the remaining 6');
  await id('batch-search').fill('周末');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-row]').length === 3);
  check(/共 3 条/.test(await id('page-info').innerText()), 'fuzzy name search finds 3 and resets to page 1');
  await id('batch-search').fill('');
  await id('batch-type-filter').fill('SPRING2026');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-row]').length === 1);
  check(true, 'type filter is exact');
  await shot('02-batches-filtered');
  await id('batch-type-filter').fill('');

  // Create: a taken type shows a field error; Enter submits; Esc closes.
  await id('batch-create-open').click();
  await id('batch-create-type').fill('AVD1KYBW8001');
  await id('batch-create-name').fill('随便');
  await id('batch-create-name').press('Enter');
  await id('field-error').waitFor();
  check((await id('field-error').innerText()).includes('批次类型'), 'taken type shows a field error beside the type');
  await shot('03-create-field-error');
  for (let i = 0; i < 7; i++) await page.keyboard.press('Tab');
  check(
    await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null),
    'Tab stays inside the dialog',
  );
  await page.keyboard.press('Escape');
  await id('batch-create-type').waitFor({ state: 'detached' });
  check(true, 'Esc closes the dialog');
  await id('batch-create-open').click();
  await id('batch-create-type').fill('E2E1');
  await id('batch-create-name').fill('端到端测试');
  await id('batch-create-submit').click();
  await page.locator('[data-testid=batch-row][data-ticket-type=E2E1]').waitFor();
  check(true, 'new batch appears in the list');

  // Detail and import.
  await page.locator('[data-testid=batch-row][data-ticket-type=E2E1]').click();
  await id('batch-detail-title').waitFor();
  await id('codes-empty').waitFor();
  check((await id('batch-detail-title').innerText()) === '端到端测试', 'detail title is the batch name');
  await shot('04-detail-empty');
  await id('import-open').click();
  await id('import-path').fill(e2eFile);
  await id('import-preview-load').click();
  await id('import-preview-table').waitFor();
  check((await id('import-encoding').innerText()).toLowerCase().includes('utf'), 'encoding shown as UTF-8');
  await shot('05-import-preview');
  await id('import-start').click();
  await id('import-result').waitFor();
  const num = async (t) => (await id(t).innerText()).replace(/\D/g, '');
  check((await num('import-result-imported')) === '20', 'imported 20');
  check((await num('import-result-duplicate')) === '2', 'duplicates 2');
  check((await num('import-result-invalid')) === '2', 'invalid 2');
  // A 24-row import takes milliseconds (a second or more on a loaded machine, under one
  // on a quiet one): the result says how long, never "0.0 秒" nor "0 毫秒".
  const importOutcome = (await id('import-result-outcome').innerText()).trim();
  check(
    /^导入完成，用时 (?:不到 1 毫秒|[1-9]\d* 毫秒|[1-9]\d*\.\d 秒)。$/.test(importOutcome),
    `the import result shows its real duration (milliseconds, or seconds from 1 s): ${importOutcome}`,
  );
  const lines = await id('import-error-row').locator('td.num').allInnerTexts();
  const values = await id('import-error-row').locator('td.value').allInnerTexts();
  check(
    JSON.stringify([lines, values]) === JSON.stringify([['23', '25'], ['bad code', 'ab']]),
    'invalid rows at lines 23 and 25, with their values',
  );
  await shot('06-import-result');
  // The rows not imported, saved through the save "dialog" (a path prompt here): all
  // four, with line, value and reason.
  const issuesFile = join(files, 'not-imported.csv');
  answers.push(issuesFile);
  await id('import-issues-export').click();
  await id('import-issues-exported').waitFor();
  check(
    (await id('import-issues-exported').innerText()) === `已保存 4 行（行号、内容、原因）到：${issuesFile}`,
    'the rows not imported are saved as CSV, and the result says where',
  );
  check(
    readFileSync(issuesFile, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).join('|') ===
      [
        '行号,内容,原因',
        '22,E2E00003,券码在本文件前面已出现',
        '23,bad code,券码含有A-Z、a-z、0-9、-、_以外的字符',
        '24,E2E00007,券码在本文件前面已出现',
        '25,ab,券码少于4个字符',
      ].join('|'),
    'the CSV holds the four rows in file order with their reasons, in the UI\'s language',
  );
  await id('import-close').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=code-row]').length === 20);
  check((await num('batch-detail-total')) === '20', 'detail total refreshed to 20');
  await id('code-search').fill('00013');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=code-row]').length === 1);
  check((await id('code-row').getAttribute('data-code')) === 'E2E00013', 'code search finds E2E00013');
  // Disabling takes a second click, then the row shows the new status.
  await id('code-disable').click();
  check((await id('code-disable').innerText()).includes('确认作废'), 'first click asks to confirm');
  await id('code-disable').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=code-row] [data-testid=code-disable]') === null);
  check((await id('code-row').innerText()).includes('已停用'), 'the disabled code shows as disabled');
  await shot('07-detail-search');
  // The code's detail shows its audit history: exactly its own disabling.
  await id('code-open').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=code-detail] [data-testid=history-row]').length === 1,
  );
  check((await id('history-action').innerText()) === '停用', "the code's detail shows its history: disabled");
  await shot('07b-code-history');
  await page.keyboard.press('Escape');
  await id('code-detail').waitFor({ state: 'detached' });
  await id('code-search').fill('');

  // Issue 13, trap 1: the count box opens focused holding 1000, selected, so typing replaces
  // it (it appended before: 1000100000, a run started with no question); a click selects
  // too; above 100,000 the run asks first, with the number in words.
  await id('generate-open').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'generate-count');
  check((await id('generate-count').inputValue()) === '1000', 'the count box opens focused, holding 1000');
  await page.keyboard.type('100000');
  check((await id('generate-count').inputValue()) === '100000', 'typing 100000 into it gives 100000, not 1000100000');
  await id('generate-length').click();
  await page.keyboard.type('16');
  check((await id('generate-length').inputValue()) === '16', 'a click into the length box selects 12: typing 16 gives 16');
  await id('generate-count').click();
  await page.keyboard.type('1000000');
  check((await id('generate-count').inputValue()) === '1000000', 'a click into the count selects it: typing 1000000 gives 1000000');
  await id('generate-submit').click();
  await id('generate-confirm').waitFor();
  check(
    (await id('generate-confirm').innerText()).trim() === '要生成 1,000,000 个券码，即「一百万」个。数量很大，请核对后再确认。',
    'a million codes ask first, naming 一百万 in words',
  );
  check((await id('generate-confirm-yes').innerText()).trim() === '确认生成 1,000,000 个', 'the confirm button names the count');
  await shot('08a-generate-confirm-words');
  await id('generate-confirm-back').click();
  check((await id('generate-count').inputValue()) === '1000000', 'going back keeps the number to correct');

  // Generate: too small a space is explained; then a real run.
  await id('generate-count').fill('100000');
  await id('generate-length').fill('6');
  await id('generate-prefix').fill('CNY');
  await id('generate-submit').click();
  await page.getByRole('alert').filter({ hasText: '放不下' }).waitFor();
  check(true, 'generate_space_too_small is a clear sentence');
  await shot('08-generate-too-small');
  await id('generate-count').fill('300');
  await id('generate-length').fill('12');
  await id('generate-submit').click();
  await id('generate-result').waitFor();
  check(/^已生成 300 个券码，用时 (不到 1 毫秒|[1-9]\d* 毫秒|\d+\.\d 秒)。$/.test((await id('generate-result').innerText()).trim()), 'generated 300');
  await shot('09-generate-result');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=batch-detail-total]')?.textContent === '320');
  check(true, 'Esc closes the result and the total is 320');
  // The total (the batch) and the code list are two loads after the dialog closes: the
  // pager may still show the 20 codes of before for a moment, so wait for the list's own.
  const pagerAfterGenerate = await page
    .waitForFunction(() => /第 1 \/ 7 页，共 320 条/.test(document.querySelector('[data-testid=page-info]')?.textContent ?? ''), null, { timeout: 10000 })
    .then(() => true, () => false);
  check(pagerAfterGenerate, `codes page 1 of 7 by 50 (pager: ${await id('page-info').innerText()})`);
  await shot('10-detail-codes');

  // Export: the prompt proposes <batch name>_<shop's date>.csv; the answer is a path on this machine.
  const exported = join(files, 'E2E1.csv');
  answers.push(exported);
  await id('export-open').click();
  await id('export-result').waitFor();
  check(/(^|\/)端到端测试_\d{4}-\d{2}-\d{2}\.csv$/.test(prompted.at(-1) ?? ''), 'the export proposes <batch name>_<date>.csv');
  check((await id('export-result').innerText()).includes(exported), 'the result names the file written');
  check(
    existsSync(exported) && readFileSync(exported, 'utf8').trimEnd().split('\n').length === 321,
    'the file holds a header and the 320 codes',
  );
  await shot('11-export-result');
  await page.keyboard.press('Escape');

  // A big import shows progress and can be cancelled.
  answers.push(bigFile);
  await id('import-open').click();
  await id('import-browse').click();
  await page.locator('[data-testid=import-preview-table] td', { hasText: 'BIG0000001' }).waitFor();
  check((await id('import-path').inputValue()) === bigFile, 'browsing asks for a path and previews that file');
  await id('import-start').click();
  await id('import-progress').waitFor();
  await page.waitForTimeout(300);
  await shot('12-import-progress');
  await id('import-cancel').click();
  await id('import-result').waitFor();
  check((await id('import-result').innerText()).includes('批次保持原样'), 'cancelled import says the batch is unchanged');
  await shot('13-import-cancelled');
  await id('import-close').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=batch-detail-total]')?.textContent === '320');
  check(true, 'a cancelled import leaves the total at 320');

  // Issue 13, trap 6: 整批激活 shows only while e-Buy is set up (sync on, address, secret);
  // with e-Buy off the page has no activation and the core refuses a whole-batch one.
  const ebuySaved = (await api('sync_settings_get', {})).find((s) => s.platform === 'p004');
  const ebuyInput = (enabled) => {
    const { hasSecret: _kept, ...settings } = ebuySaved;
    return { settings: { ...settings, enabled, secret: null, clearSecret: false } };
  };
  const reopenBatch = async () => {
    await page.goto(`${url}#/`);
    await page.goto(`${url}#/batch/E2E1`);
    await id('code-row').first().waitFor();
  };
  check((await id('activate-all').count()) === 1, 'with e-Buy set up, the batch page offers 整批激活');
  const queuedBefore = (await outbox({ ticketType: 'E2E1' })).total;
  await api('sync_settings_save', ebuyInput(false));
  await reopenBatch();
  check(
    (await id('activate-all').count()) === 0 && (await id('activate-selected').count()) === 0,
    'with e-Buy off, the batch page has no activation',
  );
  const refusal = await api('codes_activate', { request: { ticketType: 'E2E1', codes: null, activate: true } }).then(
    () => '',
    (e) => e.message,
  );
  check(refusal.includes('"code":"ebuy_not_set_up"'), 'and the core refuses a whole-batch activation');
  check((await outbox({ ticketType: 'E2E1' })).total === queuedBefore, 'nothing was queued for E2E1');
  await shot('32a-activation-hidden');
  await api('sync_settings_save', ebuyInput(true));
  await reopenBatch();
  // The whole batch asks once more, naming its 320 codes in digits and words.
  await id('activate-all').click();
  check(
    (await id('activate-all').innerText()).trim() === '再点一次：整批激活本批 320 个券码（三百二十）',
    '整批激活 asks again with the count',
  );
  await id('code-search').click();
  check((await id('activate-all').innerText()).trim() === '整批激活', 'leaving the button cancels the question');

  // Bulk activation on e-Buy: two issued codes and a disabled one are ticked; the report
  // says two were queued and why the third was left; the sync results tab lists them.
  const codeBox = (c) => page.locator(`[data-testid=code-row][data-code=${c}] [data-testid=code-select]`);
  await codeBox('E2E00000').check();
  await codeBox('E2E00001').check();
  await codeBox('E2E00013').check();
  check((await id('activation-selected').innerText()) === '已选 3 个', 'three codes are ticked');
  await id('activate-selected').click();
  await id('activation-report').waitFor();
  check((await id('activation-queued').getAttribute('data-queued')) === '2', 'the report says 2 codes were queued for e-Buy');
  check(
    (await page.locator('[data-testid=activation-skip][data-code=E2E00013][data-reason=final]').count()) === 1,
    'and that the disabled code was left as it was',
  );
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=code-row][data-code=E2E00000]')?.textContent?.includes('已激活'),
  );
  check((await id('activation-selected').innerText()) === '已选 0 个', 'the activated codes show as active and the ticks are cleared');
  await shot('33-activation-report');
  await id('batch-tab-sync').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=sync-result-row]').length === 2);
  check(
    (await page.locator('[data-testid=sync-result-row][data-state=queued]').count()) === 2,
    'the sync results tab lists both codes as queued',
  );
  await shot('34-batch-sync-results');
  await id('batch-tab-codes').click();
  await id('code-row').first().waitFor();

  // e-Buy's optional amounts ride with an activation: a negative one is refused beside its
  // box and nothing is queued; 8.00 yuan goes to the queue as 800 fen.
  const queuedOf = async (subjects) =>
    (await outbox({ platform: 'p004', state: 'queued', ticketType: 'E2E1' })).items
      .filter((i) => subjects.includes(i.subject))
      .map((i) => i.payload);
  check((await id('activation-funds').getAttribute('open')) === null, 'e-Buy amounts start collapsed');
  await id('activation-funds').locator('summary').click();
  await id('funds-merchantRealAmount').fill('-1');
  await codeBox('E2E00002').check();
  await codeBox('E2E00003').check();
  await id('activate-selected').click();
  await id('field-error-funds-merchantRealAmount').waitFor();
  check(
    (await id('field-error-funds-merchantRealAmount').innerText()).includes('负数'),
    'a negative e-Buy amount is refused beside its box',
  );
  check(
    (await id('activation-report').count()) === 0 && (await id('activation-selected').innerText()) === '已选 2 个',
    'and nothing is activated: no report, the ticks stay',
  );
  check((await queuedOf(['E2E00002', 'E2E00003'])).length === 0, 'nor queued for e-Buy');
  await shot('39-activation-funds-error');
  await id('funds-merchantRealAmount').fill('');
  check((await id('field-error-funds-merchantRealAmount').count()) === 0, 'typing clears the message');
  await id('funds-userRealAmount').fill('8.00');
  await id('activate-selected').click();
  await id('activation-report').waitFor();
  check((await id('activation-queued').getAttribute('data-queued')) === '2', 'with 8.00 yuan given, the report says 2 codes were queued');
  const payloads = await queuedOf(['E2E00002', 'E2E00003']);
  check(
    payloads.length === 2 && payloads.every((p) => JSON.stringify(p) === '{"makeFundsChannel":{"userRealAmount":800}}'),
    'each queued activation carries makeFundsChannel {userRealAmount: 800} (fen)',
  );
  await shot('40-activation-funds-queued');

  // Templates: the list with spec 001's filters, a field error first, then a saved cash template.
  await id('nav-templates').click();
  await id('template-row').first().waitFor();
  check((await id('template-row').count()) === 3, 'templates page lists the 3 seeded templates');
  check(/共 3 个/.test(await id('template-meta').innerText()), 'pagination meta shows the total');
  await shot('17-templates');
  await id('template-kind-filter').selectOption('cash');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=template-row]').length === 1);
  check(true, 'kind filter finds the one cash template');
  await id('template-kind-filter').selectOption('');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=template-row]').length === 3);

  await id('template-new').click();
  // Issue 13 (forms): the gift kind is 礼品券, apart from the Vouchers menu's 兑换券.
  check(
    (await page.locator('label:has([data-testid=template-kind-gift])').innerText()).trim() === '礼品券',
    'the gift kind reads 礼品券, not 兑换券 (the Vouchers menu)',
  );
  // The default end is the end of its day in the shop's zone, not that day's 00:00.
  check(/^\d{4}-\d{2}-\d{2}T23:59:59$/.test(await id('template-end').inputValue()), 'the default end time is 23:59:59');
  // Trap 2: the discount is typed as 折 and read back beside the box.
  await id('template-kind-discount').check();
  await id('template-zhe').fill('8.8');
  check((await id('template-zhe-preview').innerText()) === '8.8折（优惠 12%）', '8.8 in the 折扣 box reads 8.8折（优惠 12%） beside it');
  await id('template-zhe').fill('8');
  check((await id('template-zhe-preview').innerText()) === '8折（优惠 20%）', '8 is 8折 (20% off), not 8% off');
  await id('template-zhe').fill('8.85');
  check((await id('template-zhe-preview').count()) === 0, '8.85 has no meaning shown');
  await id('template-kind-cash').check();
  await id('template-reduce').fill('2.555');
  // Saved with Enter while the amount box sits just under the sticky top bar (in the
  // window, so a plain focus() would not scroll it out from under the bar).
  await page.evaluate(() => {
    const box = document.querySelector('[data-testid=template-reduce]');
    if (box !== null) scrollTo(0, box.getBoundingClientRect().top + scrollY - 20);
    document.querySelector('[data-testid=template-title]')?.focus({ preventScroll: true });
  });
  await page.keyboard.press('Enter');
  await id('field-error-offer.reduceFen').waitFor();
  check((await id('field-error-offer.reduceFen').innerText()).includes('两位小数'), '2.555 yuan is refused beside the amount');
  // Every mistake in one save: the core's (empty title, brand, ...) come with the form's own.
  await id('field-error-title').waitFor();
  check(
    (await id('field-error-title').innerText()).includes('必填') && (await id('field-error-notice').innerText()).includes('必填'),
    'the same save shows the empty title and notice too, not one error per save',
  );
  check(
    await page.evaluate(() => {
      const focused = document.activeElement;
      const bar = document.querySelector('.topbar')?.getBoundingClientRect();
      const box = focused?.getBoundingClientRect();
      return focused?.getAttribute('data-testid') === 'template-reduce' && bar !== undefined && box !== undefined && box.top >= bar.bottom && box.bottom <= innerHeight;
    }),
    'the first field in error has focus, in view below the sticky top bar',
  );
  await shot('18-template-all-errors');
  await id('template-reduce').fill('20');
  await id('template-least').fill('100');
  await id('template-brand').fill('测试商户');
  await id('template-logo').fill('https://example.com/logo.png');
  await id('template-notice').fill('请出示此券');
  await id('template-description').fill('浏览器测试用券');
  await id('template-quantity').fill('1000');
  await id('template-get-limit').fill('2');
  await id('template-accept').fill('火锅、饮品');
  await id('template-reject').fill('酒水');
  await id('template-save').click();
  await id('field-error-title').waitFor();
  check((await id('field-error-title').innerText()).includes('必填'), 'empty title shows a field error beside the title');
  check((await id('template-reduce').inputValue()) === '20', 'what was typed is kept');
  await id('template-title').fill('浏览器满100减20');
  await id('template-save').click();
  await id('template-detail-title').waitFor();
  check((await id('template-detail-title').innerText()).includes('浏览器满100减20'), 'saved template opens its detail');
  check((await id('template-detail-value').innerText()) === '满100减20', 'value reads 满100减20');

  // Linking: a picker searched by name or type, of the batches not linked yet.
  const options = () => page.locator('[data-testid=link-batch-option]').evaluateAll((o) => o.map((e) => e.getAttribute('data-ticket-type')));
  await id('link-batch-search').fill('SPRING');
  await id('link-batch-none').waitFor();
  check((await options()).length === 0, 'SPRING2026, linked to another template, is not offered');
  await id('link-batch-search').fill('AVD1KYBW8001');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=link-batch-option]').length === 1);
  check((await options()).join() === 'AVD1KYBW8001', 'searching the ticket type finds that one batch');
  await id('link-batch-option').check();
  await id('link-batch-submit').click();
  await page.locator('[data-testid=linked-batch][data-ticket-type=AVD1KYBW8001]').waitFor();
  check((await id('template-detail-codes').innerText()) === '64', 'linked batch brings its 64 codes');
  await shot('19-template-linked');

  // A discount saved from 折: 7.5 is stored as 25% off and lists as 7.5折. Its stock of
  // 10 cannot take STORE102's 80 codes, and the refusal gives the numbers.
  await id('back-to-templates').click();
  await id('template-new').click();
  await id('template-kind-discount').check();
  await id('template-zhe').fill('7.5');
  for (const [box, value] of [
    ['template-title', '浏览器7.5折'],
    ['template-brand', '测试商户'],
    ['template-notice', '请出示此券'],
    ['template-description', '浏览器测试用折扣券'],
    ['template-quantity', '10'],
  ]) {
    await id(box).fill(value);
  }
  check(
    (await id('preview-title').innerText()) === '浏览器7.5折' &&
      (await id('preview-offer').innerText()) === '7.5折' &&
      (await id('preview-brand').innerText()) === '测试商户',
    'the card preview shows the title, 7.5折 and the brand as typed',
  );
  // Issue 13: the logo picked from a file (no address): a file that is not an image is
  // refused in words; the PNG shows in the preview and on the saved template's page.
  answers.push(fakeLogoFile);
  await id('template-logo-file').click();
  await id('error-banner').waitFor();
  check(
    (await id('error-banner').innerText()).includes('这个文件不是 PNG 或 JPEG 图片'),
    'a file that is not PNG or JPEG is refused as the logo, in words',
  );
  answers.push(logoFile);
  await id('template-logo-file').click();
  await id('preview-logo-image').waitFor();
  check(
    (await id('template-logo-file-chosen').innerText()).trim() === '已选图片：店标.png（1 KB）' &&
      (await id('preview-logo-image').getAttribute('src')).startsWith('data:image/png;base64,iVBORw0KGgo'),
    'the logo picked from a file shows in the card preview',
  );
  await page.locator('label:has([data-testid=template-color-Color090])').click();
  check(
    (await page.locator('[data-testid=template-preview] .head').evaluate((e) => getComputedStyle(e).backgroundColor)) === 'rgb(221, 101, 73)',
    'and follows the chosen colour',
  );
  await shot('19a-template-preview');
  await id('template-save').click();
  await id('template-detail-title').waitFor();
  check((await id('template-detail-value').innerText()) === '7.5折', 'the discount typed as 7.5 reads 7.5折');
  check(
    (await id('template-detail-logo').getAttribute('src')).startsWith('data:image/png;base64,') &&
      (await page.locator('dd:has([data-testid=template-detail-logo])').innerText()).includes('未填网址'),
    'the saved template shows its logo image and that the address is still missing',
  );
  const discountId = Number(new URL(page.url()).hash.split('/').pop());
  check((await api('template_get', { id: discountId })).fields.offer.discount.percentOff === 25, 'and is stored as 25% off');
  await id('link-batch-search').fill('第2期');
  await page.locator('[data-testid=link-batch-option][data-ticket-type=STORE102]').check();
  await id('link-batch-submit').click();
  await id('link-batch-error').waitFor();
  check(
    (await id('link-batch-error').innerText()) ===
      '库存是 10，已有 0 个券码；这个批次有 80 个，关联后共 80 个，超过库存。请先调高库存，或关联较小的批次。',
    'over the stock, the refusal gives the stock, the linked codes and the batch size',
  );

  // The batch page names its template; the codes of an ended template show as expired.
  const base = (await api('template_get', { id: discountId })).fields;
  const ended = await api('template_create', {
    draft: { ...base, title: '已结束的券', beginAt: '2025-01-01T00:00:00Z', endAt: '2025-06-30T15:59:59Z', quantity: 100 },
  });
  await api('template_link_batch', { id: ended.id, ticketType: 'STORE101', platformBatch: null });
  await page.goto(`${url}#/batch/STORE101`);
  await id('code-row').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=batch-detail-template]')?.textContent?.trim() === '已结束的券');
  check(true, 'the batch page names the template it is linked to');
  check(
    (await page.locator('[data-testid=code-row] .badge').allInnerTexts()).every((x) => x === '已过期'),
    'the unused codes of the ended template show as 已过期',
  );
  check(
    (await api('codes_list', { query: { ticketType: 'STORE101', status: 'issued', search: null, page: { page: 1, perPage: 1 } } })).total === 40,
    'while their stored status stays issued',
  );
  await shot('19b-batch-expired-template');

  // The counter: check, Enter again to redeem, the same code again is already used.
  const code = (
    await api('codes_list', { query: { ticketType: 'AVD1KYBW8001', status: 'issued', search: null, page: { page: 1, perPage: 1 } } })
  ).items[0].code;
  await id('nav-redeem').click();
  await id('redeem-code').waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'redeem-code');
  check(true, 'the code box has focus on open');
  check(
    await page.evaluate(() => {
      const bar = document.querySelector('.topbar');
      const tops = [...document.querySelectorAll('.topbar nav a')].map((a) => a.getBoundingClientRect().top);
      return bar !== null && bar.scrollWidth <= bar.clientWidth && new Set(tops).size === 1 && tops.length === 11;
    }),
    'the top bar fits in 1280px',
  );
  await id('redeem-code').fill(code);
  await id('redeem-amount').fill('150');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=ok]').waitFor();
  check((await id('redeem-reduction').innerText()) === '¥20.00', 'the check shows ¥20.00 off');
  check((await id('redeem-to-pay').innerText()) === '¥130.00', 'and ¥130.00 to pay');
  // Issue 13, the counter: the coupon's conditions beside the verdict.
  check((await id('redeem-accept').innerText()) === '火锅、饮品', 'the check shows what the coupon is for');
  check((await id('redeem-reject').innerText()) === '酒水', 'and what it is not for');
  check((await id('redeem-combinable').innerText()) === '不可与其他优惠同时使用', 'and that it cannot be combined');
  // Trap 3: "ready" and "redeemed" must not look alike, and only the redemption chimes.
  const ready = await resultLook();
  check(ready.state === 'ready' && ready.icon === '⏎', 'the check is the amber "ready" state with the Enter icon');
  check((await verdictText()) === '⏎ 可以使用 —— 再按一次回车核销', 'and says to press Enter again');
  check((await tones()).length === 0, 'a passing check makes no sound');
  await shot('20-redeem-check-ok');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=redeemed]').waitFor();
  const done = await resultLook();
  check(done.state === 'redeemed' && done.icon === '✔', 'the redemption is the "redeemed" state with a check mark');
  check(done.background !== ready.background, `in another colour (${done.background}, not ${ready.background})`);
  check(done.size >= ready.size * 1.5, `in larger text (${done.size}px, not ${ready.size}px)`);
  check(JSON.stringify(await tones()) === JSON.stringify(SUCCESS_TONE), 'and the success chime plays');
  check((await id('redeem-code').inputValue()) === '', 'the code box is cleared for the next customer');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'redeem-code');
  check(await id('redeem-undo').isVisible(), 'Undo is offered');
  await page.locator(`[data-testid=redemption-row][data-code="${code}"]`).waitFor();
  check(true, 'the redemption is listed under recent redemptions');
  await shot('21-redeemed');
  await id('redeem-code').fill(code);
  await id('redeem-amount').fill('150');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=already_used]').waitFor();
  check((await id('redeem-verdict').innerText()).includes('核销过'), 'the same code again says already used, with when and who');
  check((await resultLook()).state === 'refused', 'a refusal is the red "refused" state');
  check(JSON.stringify(await tones()) === JSON.stringify(REFUSAL_TONE), 'and the refusal buzz plays');
  await shot('22-already-used');
  // The redemption's detail: its code's history, this redemption's entry marked.
  await page.locator(`[data-testid=redemption-row][data-code="${code}"] [data-testid=redemption-open]`).click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=redemption-detail] [data-testid=history-row]').length === 1,
  );
  check(
    (await page.locator('[data-testid=history-row][data-marked=true] [data-testid=history-action]').innerText()) === '核销',
    "the redemption's detail shows its history: redeemed, marked as this redemption",
  );
  await shot('22b-redemption-history');
  await page.keyboard.press('Escape');
  await id('redemption-detail').waitFor({ state: 'detached' });
  await id('redeem-code').fill('NOSUCHCODE1');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=unknown]').waitFor();
  check(true, 'an unknown code is refused');

  // Trap 4: undo asks first, naming the code, the amount and who; then no verdict is left.
  await id('redeem-code').fill(code);
  await id('redeem-amount').fill('150');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=already_used]').waitFor();
  const usedRow = page.locator(`[data-testid=redemption-row][data-code="${code}"]`);
  await usedRow.getByTestId('redemption-undo').click();
  await id('undo-confirm').waitFor();
  const who = (await usedRow.locator('td').nth(6).innerText()).split(' / ')[0];
  const confirmText = await id('undo-confirm-text').innerText();
  check(
    new RegExp(`^确认撤销这笔核销？券码 ${code}，减免 ¥20\\.00，由 ${who} 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(:\\d{2})? 核销。$`).test(confirmText),
    `the first click only asks: "${confirmText}"`,
  );
  check((await usedRow.getAttribute('class'))?.includes('undone') !== true, 'nothing is undone yet');
  await shot('22c-undo-confirm');
  await id('undo-confirm-yes').click();
  await page.locator(`[data-testid=redemption-row][data-code="${code}"].undone`).waitFor();
  check((await id('redeem-result').count()) === 0, 'after the undo the stale "already used" verdict is gone');
  check((await id('redeem-undone').innerText()) === `已撤销券码 ${code} 的核销。`, 'and the undo is confirmed');

  // The counter box: full-width characters and spaces (a Chinese input method) are the code.
  await id('redeem-code').fill(`\u3000${fullWidth(code)} `);
  await id('redeem-amount').fill('150');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=ok]').waitFor();
  check(
    (await id('redeem-used-code').innerText()) === `实际查询的码：${code}（全角已转半角，空格已去掉）`,
    'a full-width code with spaces is checked as the code, and the page says which',
  );
  // A code in the wrong letter case: refused, with the code meant.
  await id('redeem-code').fill(swapCase(code));
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=wrong_case]').waitFor();
  check((await verdictText()) === `✗ 券码区分大小写，您是不是要输入 ${code}？`, 'the wrong case says "did you mean"');
  await shot('22d-wrong-case');
  // A scanner typing while an input method composes: its Enter ends the composition, and
  // the code is still checked.
  await tones();
  await page.evaluate((scanned) => {
    const box = document.querySelector('[data-testid=redeem-code]');
    box.focus();
    box.value = '';
    box.dispatchEvent(new InputEvent('input', { bubbles: true }));
    box.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    box.value = scanned;
    box.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: true, inputType: 'insertCompositionText', data: scanned }));
    box.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true }));
    box.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: scanned }));
  }, code);
  await page.locator('[data-testid=redeem-verdict][data-reason=ok]').waitFor();
  check((await id('redeem-code').inputValue()) === code, 'a scan during IME composition is checked when the composition ends');

  // Settings: redeem on the first scan, and the success sound off.
  await id('nav-settings').click();
  await id('settings-first-scan').waitFor();
  check(!(await id('settings-first-scan').isChecked()), 'redeeming on the first scan is off by default');
  check(await id('settings-sound-success').isChecked(), 'the success sound is on by default');
  await id('settings-first-scan').check();
  await id('settings-sound-success').uncheck();
  await id('settings-save').click();
  await id('settings-saved').waitFor();
  await id('nav-redeem').click();
  await id('redeem-code').waitFor();
  await tones();
  await id('redeem-code').fill(code);
  await id('redeem-amount').fill('150');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=redeemed]').waitFor();
  check(true, 'with the setting on, one scan redeems a passing code');
  check((await tones()).length === 0, 'with the success sound off, it is silent');
  await id('nav-settings').click();
  await id('settings-first-scan').waitFor();
  await id('settings-first-scan').uncheck();
  await id('settings-sound-success').check();
  await id('settings-save').click();
  await id('settings-saved').waitFor();
  await id('nav-redeem').click();
  await id('redeem-code').waitFor();

  // Red-packet bonuses: a field error first, then 5 made; grant once; disable one.
  await id('nav-bonuses').click();
  await id('bonus-empty').waitFor();
  check((await id('bonus-status-filter').inputValue()) === 'N01', 'bonuses open on N01 (unused), empty at first');
  await id('bonus-create-open').click();
  await id('bonus-amount').fill('2.555');
  await id('bonus-quantity').fill('5');
  await id('bonus-create-submit').click();
  await id('field-error-amountFen').waitFor();
  check((await id('field-error-amountFen').innerText()).includes('两位小数'), '2.555 yuan is refused beside the amount');
  await shot('24-bonus-field-error');
  await id('bonus-amount').fill('2.50');
  await id('bonus-min').fill('30');
  await id('bonus-note').fill('浏览器红包');
  await id('bonus-create-submit').click();
  await id('bonus-created').waitFor();
  check((await id('bonus-created').innerText()).includes('已创建 5 个红包'), 'the dialog says 5 were created');
  check((await id('bonus-created-codes').innerText()).split(' ').length === 5, 'with the first codes');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bonus-row]').length === 5);
  check(true, 'the N01 list shows the 5 new bonuses');
  await shot('25-bonus-created');
  const bonusCodes = await id('bonus-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
  await id('bonus-row-code').nth(0).click();
  await id('bonus-detail-code').waitFor();
  check((await id('bonus-detail-code').innerText()) === bonusCodes[0], 'a row opens its bonus');
  await id('bonus-grant-phone').fill('13800138000');
  await id('bonus-grant-submit').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=bonus-detail-customer]')?.textContent?.includes('13800138000'));
  check(true, 'the bonus is granted to 13800138000');
  await id('bonus-grant-phone').fill('13900001111');
  await id('bonus-grant-submit').click();
  await id('bonus-grant-error').waitFor();
  check((await id('bonus-grant-error').innerText()).includes('只能发放一次'), 'a second grant is refused in staff words');
  await shot('27-bonus-granted');
  await id('back-to-bonuses').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bonus-row]').length === 5);
  await page.locator(`[data-testid=bonus-row][data-code="${bonusCodes[1]}"] [data-testid=bonus-row-code]`).click();
  await id('bonus-disable').waitFor();
  await id('bonus-disable').click();
  check((await id('bonus-disable').innerText()).includes('确认停用'), 'disabling asks to confirm');
  await id('bonus-disable').click();
  await page.locator('[data-testid=bonus-detail-status][data-status=disabled]').waitFor();
  check(true, 'the second click disables the bonus');
  await id('back-to-bonuses').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bonus-row]').length === 4);
  check(
    (await page.locator(`[data-testid=bonus-row][data-code="${bonusCodes[1]}"]`).count()) === 0,
    'the disabled bonus leaves N01',
  );

  // Issue 13, trap 1 for bonuses: 数量 (pre-filled 1) selects on click, so typing 10 gives
  // 10, not 110; more than 100 asks first in words; a mistaken creation is disabled as a
  // whole run from its notice (a second click confirms, naming how many).
  await id('bonus-create-open').click();
  await id('bonus-amount').fill('1');
  await id('bonus-quantity').click();
  await page.keyboard.type('10');
  check((await id('bonus-quantity').inputValue()) === '10', 'typing 10 into 数量 (holding 1) gives 10, not 110');
  await id('bonus-amount').click();
  await id('bonus-quantity').click();
  await page.keyboard.type('110');
  await id('bonus-create-submit').click();
  await id('bonus-confirm').waitFor();
  check(
    (await id('bonus-confirm').innerText()).trim() === '要创建 110 个红包，即「一百一十」个。数量很大，请核对后再确认。',
    '110 bonuses ask first, naming 一百一十 in words',
  );
  check((await id('bonus-create-submit').innerText()).trim() === '确认创建 110 个', 'the button becomes 确认创建 110 个');
  check((await id('bonus-created').count()) === 0, 'nothing is created before the confirmation');
  await shot('25a-bonus-confirm-words');
  await id('bonus-create-submit').click();
  await id('bonus-created').waitFor();
  check((await id('bonus-created').innerText()).includes('已创建 110 个红包'), 'the confirmed 110 bonuses are created');
  const run = await id('bonus-disable-run').getAttribute('data-run');
  await id('bonus-disable-run').click();
  check(
    (await id('bonus-disable-run').innerText()).trim() === '再点一次：停用这次创建的 110 个红包（不可恢复）',
    'disabling the run asks once more, naming the 110',
  );
  await id('bonus-disable-run').click();
  await id('bonus-disable-run-done').waitFor();
  check(
    (await id('bonus-disable-run-done').innerText()).trim() === `第 ${run} 次创建：已停用 110 个红包，0 个已使用或已停用，保持不变。`,
    'the whole run is disabled',
  );
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bonus-row]').length === 4);
  check(true, 'N01 lists the 4 bonuses from before again');
  await shot('25b-bonus-run-disabled');
  // Each row names its create run; a click shows that run alone, whatever the status
  // (the 5 of the first creation, the disabled one too), with its own disable button.
  const firstRun = await id('bonus-row-run').nth(0).innerText();
  check(
    (await id('bonus-row-run').allInnerTexts()).every((r) => r === firstRun && /^第 \d+ 次创建$/.test(r)),
    'the 4 rows name the run that made them (第 N 次创建)',
  );
  await id('bonus-row-run').nth(0).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bonus-row]').length === 5);
  check(
    (await id('bonus-run-filter').innerText()).startsWith(`只看${firstRun}的红包`) &&
      (await id('bonus-status-filter').inputValue()) === 'all',
    'a click on the run lists its 5 bonuses under 全部',
  );
  check((await id('bonus-disable-run').count()) === 1, 'with the run\'s disable button beside the filter');
  await shot('25c-bonus-run-filter');
  await id('bonus-run-filter').locator('button').click();
  await id('bonus-run-filter').waitFor({ state: 'detached' });
  check(true, 'the × shows every run again');

  // A bonus at the counter (typed in lower case): ok, Enter redeems, no undo; again is already used.
  const bonusCode = bonusCodes[4];
  await id('nav-redeem').click();
  await id('redeem-code').waitFor();
  await id('redeem-code').fill(bonusCode.toLowerCase());
  await id('redeem-amount').fill('30.00');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=ok]').waitFor();
  check((await id('redeem-reduction').innerText()) === '¥2.50', 'the bonus takes ¥2.50 off');
  check((await id('redeem-to-pay').innerText()) === '¥27.50', 'and ¥27.50 is left to pay');
  await shot('28-redeem-bonus-ok');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=redeemed]').waitFor();
  // Trap 5: a bonus redemption is in 最近核销 and has its undo.
  await id('redeem-undo').waitFor();
  check(true, 'a redeemed bonus has its undo');
  const bonusRow = page.locator(`[data-testid=redemption-row][data-kind=bonus][data-code="${bonusCode}"]`);
  await bonusRow.waitFor();
  check((await bonusRow.getByTestId('redemption-kind').innerText()) === '红包', 'the bonus is listed under recent redemptions');
  check((await id('redeem-code').inputValue()) === '', 'the code box is cleared');
  await shot('29-redeem-bonus-redeemed');
  await id('redeem-code').fill(bonusCode);
  await id('redeem-amount').fill('30.00');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=already_used]').waitFor();
  check((await id('redeem-verdict').innerText()).includes('使用过'), 'the same bonus again is already used, with when');
  await id('redeem-code').fill(bonusCodes[2]);
  await id('redeem-amount').fill('29.99');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=below_min_amount]').waitFor();
  check((await id('redeem-verdict').innerText()).includes('¥30.00'), 'below the minimum says the minimum');
  // The bonus's undo: confirmed, then the bonus can be used again.
  await bonusRow.getByTestId('redemption-undo').click();
  await id('undo-confirm').waitFor();
  check(
    (await id('undo-confirm-text').innerText()).startsWith(`确认撤销这笔核销？红包 ${bonusCode}，减免 ¥2.50，由 `),
    'the bonus undo names the bonus and its amount',
  );
  await id('undo-confirm-yes').click();
  await page.locator(`[data-testid=redemption-row][data-kind=bonus][data-code="${bonusCode}"].undone`).waitFor();
  await id('redeem-code').fill(bonusCode);
  await id('redeem-amount').fill('30.00');
  await id('redeem-code').press('Enter');
  await page.locator('[data-testid=redeem-verdict][data-reason=ok]').waitFor();
  check(true, 'after its undo the bonus can be used again');

  // Vouchers: a landline is refused beside the phone; "138 0013 8000" is normalised; used once.
  await id('nav-vouchers').click();
  await id('voucher-row').first().waitFor();
  await id('voucher-sell-open').click();
  await id('voucher-customer').fill('010-12345678');
  await id('voucher-name').fill('全屋打扫（浏览器）');
  await id('voucher-price').fill('288');
  await id('voucher-sell-submit').click();
  await id('field-error-customer').waitFor();
  check((await id('field-error-customer').innerText()).includes('手机号'), 'a landline is refused beside the phone');
  await id('voucher-customer').fill('138 0013 8000');
  await id('voucher-pkg').fill('');
  await id('voucher-intro').fill('浏览器测试');
  await id('voucher-sell-submit').click();
  const soldRow = page.locator('[data-testid=voucher-row][data-customer="13800138000"]');
  await soldRow.waitFor();
  check((await soldRow.innerText()).includes('全屋打扫（浏览器）'), 'the sold voucher is listed under 13800138000');
  await shot('30-vouchers');
  await id('voucher-nopkg').check();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=voucher-row]')].every((r) => !r.textContent?.includes('空调清洗')));
  check(true, 'only outside a package hides the packaged voucher');
  await soldRow.locator('[data-testid=voucher-row-name]').click();
  await id('voucher-detail-name').waitFor();
  await id('voucher-use').click();
  check((await id('voucher-use').innerText()).includes('确认'), 'marking used asks to confirm');
  await id('voucher-use').click();
  await page.locator('[data-testid=voucher-detail-status][data-status=used]').waitFor();
  check((await id('voucher-use').count()) === 0, 'a used voucher has no button left');
  check((await id('voucher-detail-used-by').innerText()).includes('王老板 / counter-1'), 'it says who used it (the logged-in staff member) and where');
  await shot('31-voucher-used');

  // Customers: the grant and the sale put 13800138000 in the register.
  await id('nav-customers').click();
  await page.locator('[data-testid=customer-row][data-phone="13800138000"]').waitFor();
  check(true, 'customers page lists 13800138000');
  await id('customer-add-phone').fill('12345');
  await id('customer-add-submit').click();
  await id('field-error-phone').waitFor();
  check(true, 'a bad phone shows a field error');
  await id('customer-add-phone').fill('137-0000-2222');
  await id('customer-add-name').fill('赵六');
  await id('customer-add-submit').click();
  await page.locator('[data-testid=customer-row][data-phone="13700002222"]').waitFor();
  await id('customer-search').fill('赵');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=customer-row]').length === 1);
  check(true, 'search by name finds the new customer');
  await shot('32-customers');

  // A customer's page: exactly their bonuses and vouchers (as the lists filtered by the
  // customer give them), with words for the states.
  await id('customer-search').fill('13800138000');
  await page.locator('[data-testid=customer-row][data-phone="13800138000"] [data-testid=customer-open]').click();
  await id('profile-title').waitFor();
  const mine = { customer: '13800138000', page: { page: 1, perPage: 100 } };
  const theirBonuses = (await api('bonus_list', { query: { status: null, ...mine } })).items.map((b) => b.code);
  const theirVouchers = (await api('voucher_list', { query: { name: null, nopkg: false, valid: null, ...mine } })).items.map((v) => v.name);
  const cells = (row, n) => page.locator(`[data-testid=${row}] td:nth-child(${n})`).allInnerTexts();
  check(
    theirBonuses.length > 0 && (await cells('profile-bonus', 1)).join() === theirBonuses.join(),
    `the profile lists exactly their ${theirBonuses.length} bonuses, newest first`,
  );
  check(
    theirVouchers.includes('全屋打扫（浏览器）') && (await cells('profile-voucher', 1)).join() === theirVouchers.join(),
    `and exactly their ${theirVouchers.length} vouchers`,
  );
  check(
    (await page.locator('[data-testid=profile-voucher]', { hasText: '全屋打扫（浏览器）' }).locator('td:nth-child(3)').innerText()) === '已使用',
    'the voucher used above reads 已使用',
  );
  check(
    (await cells('profile-bonus', 3)).every((x) => !/N0\d/.test(x)) && (await id('profile-redemptions').count()) === 1,
    'bonus states in words; the redemptions section is there',
  );
  await shot('32b-customer-profile');

  // Sync: five platforms; a conflict edited (a local check), then discarded with a reason;
  // "sync now" drains e-Buy's queue (the four codes activated above).
  await id('nav-sync').click();
  await id('sync-platform').first().waitFor();
  check((await id('sync-platform').count()) === 5, 'the Sync page shows five platforms');
  const card = (p) => page.locator(`[data-testid=sync-platform][data-platform=${p}]`);
  check((await card('p000').getAttribute('data-state')) === 'offline', 'Sense is offline');
  check(
    (await card('p000').getByTestId('sync-platform-error-words').innerText()) ===
      'Sense 券码：连不上平台（没有网络，或设置中的地址有误）。恢复后会自动重发。',
    "with its last error in the staff's words, named after the platform",
  );
  check(
    (await card('p000').getByTestId('sync-platform-error').innerText()).endsWith(
      "could not read the platform's lists: the platform refused the connection (is the address in Settings right?)",
    ),
    "and the core's details below, after when it happened",
  );
  check((await card('p000').getByTestId('sync-platform-conflicts').innerText()) === '2', 'and its 2 batch uploads wait in the inbox');
  check((await card('p001').getAttribute('data-state')) === 'off', 'WeChat cards are not set up');
  check((await card('p004').getByTestId('sync-platform-queued').innerText()) === '4', 'e-Buy has the 4 activated codes queued');
  check((await card('p004').getByTestId('sync-platform-conflicts').innerText()) === '1', 'and the code used elsewhere in conflict');
  // The top bar's indicator counts what waits (queued ops of every platform, 3 conflicts).
  const indicator = id('sync-indicator');
  await indicator.waitFor();
  const status = await api('sync_status', {});
  check(
    (await indicator.getAttribute('data-queued')) === String(status.queued) &&
      (await indicator.getAttribute('data-conflicts')) === String(status.conflicts) &&
      (await indicator.getAttribute('aria-label')) === `待同步 ${status.queued} · 冲突 ${status.conflicts}`,
    'the top bar shows how many operations are queued and in conflict',
  );
  // Test connection: e-Buy (set up, the simulator behind it) is "reachable", WeChat cards
  // (off) "not set up", each in words with its name.
  await card('p004').getByTestId('sync-test').click();
  const verdict = card('p004').getByTestId('sync-test-verdict');
  await verdict.waitFor();
  check((await verdict.getAttribute('data-verdict')) === 'reachable', 'a set-up platform tests as reachable');
  check(
    (await verdict.innerText()).startsWith('e-Buy 电子券：可以连接。'),
    'the verdict is worded in Chinese with the platform name',
  );
  await card('p001').getByTestId('sync-test').click();
  await card('p001').getByTestId('sync-test-verdict').waitFor();
  check(
    (await card('p001').getByTestId('sync-test-verdict').getAttribute('data-verdict')) === 'not_configured',
    'a platform that is off tests as not set up, and nothing is sent',
  );
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conflict-row]').length === 3);
  await shot('35-sync');
  const ebuyConflict = page.locator('[data-testid=conflict-row]').filter({ hasText: seededActivations[0] });
  check((await ebuyConflict.getByTestId('conflict-why').innerText()).includes('券码已在其他渠道使用'), "e-Buy's refusal is shown in its words");
  // An activation's data has no plain field to edit: the form says so.
  await ebuyConflict.getByTestId('conflict-edit').click();
  await ebuyConflict.getByTestId('conflict-edit-form').waitFor();
  check(
    (await ebuyConflict.getByTestId('conflict-edit-form').locator('.hint').innerText()) === '这个操作没有可修改的数据；可以直接重试或放弃。',
    'an activation has nothing to edit, and the form says so',
  );
  await ebuyConflict.getByTestId('conflict-edit').click();
  const conflict = page.locator('[data-testid=conflict-row]').filter({ hasText: 'SPRING2026' });
  check(
    (await conflict.getByTestId('conflict-why').innerText()).includes('upload the codes of batch SPRING2026 in the Sense console'),
    'a conflict says why it was refused',
  );
  await conflict.getByTestId('conflict-edit').click();
  await conflict.getByTestId('conflict-field-codeCount').fill('12.5');
  await conflict.getByTestId('conflict-edit-save').click();
  await conflict.getByTestId('field-error-codeCount').waitFor();
  check((await conflict.getByTestId('field-error-codeCount').innerText()).includes('整数'), 'a count must stay a whole number');
  await conflict.getByTestId('conflict-edit').click();
  await conflict.getByTestId('conflict-discard').click();
  await conflict.getByTestId('conflict-discard').click();
  await conflict.getByTestId('field-error-reason').waitFor();
  check(true, 'discarding without a reason asks for one');
  await conflict.getByTestId('conflict-discard-reason').fill('已在 Sense 控制台手工上传');
  await shot('36-sync-discard');
  await conflict.getByTestId('conflict-discard').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conflict-row]').length === 2);
  await page.waitForFunction(
    () => document.querySelector('[data-platform=p000] [data-testid=sync-platform-conflicts]')?.textContent?.trim() === '1',
    null,
    { timeout: 10_000 },
  );
  check(true, "the discarded conflict leaves the inbox and Sense's count");
  check((await outbox({ state: 'discarded' })).items.map((i) => i.subject).join() === 'SPRING2026', 'and the core keeps it as discarded');
  await card('p004').getByTestId('sync-platform-now').click();
  await id('sync-run-result').waitFor();
  await page.waitForFunction(
    () => document.querySelector('[data-platform=p004] [data-testid=sync-platform-queued]')?.textContent?.trim() === '0',
  );
  check(true, 'sync now sends e-Buy its queue');
  const simState = await (await fetch(`${sim.url}/__sim/state`)).text();
  check(
    ['E2E00000', 'E2E00001', 'E2E00002', 'E2E00003'].every((c) => simState.includes(c)),
    'and the simulator holds the 4 activated codes',
  );
  const afterRun = await api('sync_status', {});
  await page.waitForFunction(
    (q) => document.querySelector('[data-testid=sync-indicator]')?.getAttribute('data-queued') === String(q),
    afterRun.queued,
    { timeout: 5000 },
  );
  check(true, "the top bar's count follows the Sync page at once");
  // "Sync now" for all: Sense is unreachable and two platforms are not set up, so the
  // result is not a green "done", and what waits for unconfigured platforms is counted.
  await id('sync-now-all').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-now-all]')?.hasAttribute('disabled') === false);
  const waiting = (await api('sync_status', {})).platforms
    .filter((p) => p.platform === 'p001' || p.platform === 'p003')
    .reduce((sum, p) => sum + p.queued, 0);
  const result = id('sync-run-result');
  check((await result.getAttribute('data-clean')) === 'false', 'a run that leaves work behind is not shown as clean');
  check(
    waiting > 0 && (await id('sync-run-waiting').innerText()).startsWith(`${waiting} 条操作在等待尚未设置好的平台。`),
    'the run says how many operations wait for platforms that are not set up',
  );
  await shot('37-sync-after-run');

  // Settings: a field error, then a save.
  await id('nav-settings').click();
  await id('settings-terminal').waitFor();
  await id('settings-terminal').fill('');
  await id('settings-save').click();
  await id('field-error-terminal').waitFor();
  check(true, 'an empty terminal name shows a field error');
  await id('settings-terminal').fill('前台2');
  await id('settings-autoLockMinutes').fill('30');
  await id('settings-undo-window').fill('15');
  await id('settings-save').click();
  await id('settings-saved').waitFor();
  check(true, 'settings saved');
  await shot('23-settings');
  // The audit trail: the settings just saved are its newest entry; Verify counts exactly.
  await id('nav-audit').click();
  await page.locator('[data-testid=audit-row]').first().waitFor();
  const trail = await api('audit_list', {
    query: { actor: null, action: null, subject: null, since: null, until: null, page: { page: 1, perPage: 1 } },
  });
  check(trail.items[0].action === 'settings.update', 'the newest audit entry is the settings just saved');
  check(
    (await id('audit-row').first().getAttribute('data-id')) === String(trail.items[0].id),
    'the Audit page lists newest first',
  );
  // Internal names (settings.update, N01, p002, ...) never show: actions and details read as words.
  const rawNames = await page.evaluate(() => {
    const cells = (n) => [...document.querySelectorAll(`[data-testid=audit-row] td:nth-child(${n})`)].map((td) => td.textContent ?? '');
    const rawKey = (d) => d.split(' · ').some((part) => /^[a-z][A-Za-z_]*\s/.test(part));
    return [
      ...cells(5).filter((a) => /[a-z_]+\.[a-z_]+/.test(a)),
      ...cells(7).filter((d) => /\b(p00\d|N0\d)\b/.test(d) || rawKey(d)),
    ];
  });
  check(
    rawNames.length === 0,
    `the Audit page shows actions and detail fields in words, and no status or platform codes (N01, p002) ${JSON.stringify(rawNames)}`,
  );
  await id('audit-action').selectOption('settings.update');
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid=audit-row] td:nth-child(5)')].every((td) => td.textContent === '修改设置'),
  );
  check(true, 'the Audit page filters by action');
  await id('audit-verify').click();
  await page.locator('[data-testid=audit-verdict][data-verdict=intact]').waitFor();
  check((await id('audit-verdict').innerText()) === `完好，共 ${trail.total} 条记录。`, 'Verify says intact with the exact count');
  await shot('41-audit-verified');
  // Export what the filter (settings.update) shows: a header and those entries.
  const auditFile = join(files, 'audit.csv');
  const settingsEntries = (
    await api('audit_list', {
      query: { actor: null, action: 'settings.update', subject: null, since: null, until: null, page: { page: 1, perPage: 1 } },
    })
  ).total;
  answers.push(auditFile);
  await id('audit-export').click();
  await id('audit-export-done').waitFor();
  check(prompted.at(-1) === 'audit.csv', 'the audit export proposes audit.csv');
  check(
    existsSync(auditFile) && readFileSync(auditFile, 'utf8').trimEnd().split('\n').length === settingsEntries + 1,
    'the audit CSV holds a header and the filtered entries',
  );
  await id('nav-settings').click();
  await id('settings-terminal').waitFor();
  const wx = page.locator('[data-testid=sync-settings-form][data-platform=p001]');
  await wx.getByTestId('sync-enabled').check();
  await wx.getByTestId('sync-settings-save').click();
  await wx.getByTestId('field-error-baseUrl').waitFor();
  check((await wx.getByTestId('field-error-baseUrl').innerText()).includes('接口地址'), 'turning sync on without an address shows a field error');
  check(
    (await page.locator('[data-testid=sync-settings-form][data-platform=p000]').getByTestId('sync-upload-path').count()) === 1 &&
      (await wx.getByTestId('sync-upload-path').count()) === 0 &&
      (await wx.getByTestId('sync-ca-file').count()) === 1 &&
      (await wx.getByTestId('sync-allow-http').count()) === 1,
    "every platform has a CA file and plain-HTTP choice; only Sense (000) has an upload path",
  );
  // make test-ui runs without a session bus: no keyring, so the 0600 file, named.
  const storeLine = id('credentials-store');
  await storeLine.waitFor();
  check(
    (await storeLine.getAttribute('data-store')) === 'file' && (await storeLine.innerText()).includes('.credentials'),
    'Settings says the secrets are in the credentials file, with its path',
  );
  await storeLine.scrollIntoViewIfNeeded();
  await shot('38a-credentials-store');
  const bonusForm = page.locator('[data-testid=sync-settings-form][data-platform=p002]');
  check(
    (await bonusForm.getByTestId('sync-secret').inputValue()) === '' && (await bonusForm.getByTestId('sync-secret-stored').isVisible()),
    'a stored secret is never shown, only "stored"',
  );
  await wx.scrollIntoViewIfNeeded();
  await shot('38-sync-settings-error');
  await id('nav-batches').click();
  await id('batch-row').first().waitFor();
  await page.locator('[data-testid=batch-row][data-ticket-type=E2E1]').click();
  await id('batch-detail-title').waitFor();

  // English, and the error banner.
  await id('lang-switch').selectOption('en');
  await page.waitForFunction(() => document.querySelector('[data-testid=import-open]')?.textContent?.includes('Import'));
  await shot('14-detail-en');
  await id('back-to-batches').click();
  await id('batch-row').first().waitFor();
  check((await id('batch-create-open').innerText()) === 'New batch', 'English labels after switching');
  const fits = async () =>
    page.evaluate(() => {
      const bar = document.querySelector('.topbar');
      const tops = [...document.querySelectorAll('.topbar nav a')].map((a) => a.getBoundingClientRect().top);
      return bar !== null && bar.scrollWidth <= bar.clientWidth && new Set(tops).size === 1 && tops.length === 11;
    });
  check(await fits(), 'the English top bar fits in 1280px');
  await shot('15-batches-en');
  await page.reload();
  await id('batch-row').first().waitFor();
  check((await id('batch-create-open').innerText()) === 'New batch', 'language remembered after reload');
  await page.goto(`${url}#/batch/NOPE`);
  await id('error-banner').waitFor();
  check((await id('error-banner').innerText()).startsWith('This batch was not found'), 'banner shows the translated error');
  await shot('16-error-banner-en');

  // The manager's dashboard on the seeded shop (issue 15): today's figure is the core's,
  // and the trend chart draws (pixels on its canvas, not only an element).
  await api('staff_login', OWNER);
  await page.goto(`${url}#/dashboard`);
  await id('dash-count').first().waitFor();
  const board = await api('dashboard_get', { query: { days: 7 } });
  const today = board.windows[0].all.count;
  check(
    (await id('dash-count').first().innerText()).replace(/\D/g, '') === String(today),
    `the dashboard shows today's ${today} uses, as the core counts them`,
  );
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=chart-trend] canvas');
    const d = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
    return false;
  });
  check(true, 'the dashboard draws its trend chart');
  await shot('39-dashboard-en');

  // The daily close as it prints (print media emulated, the attribute lib/print.ts sets
  // around window.print()): only the sheet is visible, the top bar and filters are not.
  await page.goto(`${url}#/close`);
  await id('close-templates-row').first().waitFor();
  await page.evaluate(() => (document.documentElement.dataset.print = 'a4'));
  await page.emulateMedia({ media: 'print' });
  const seen = await page.evaluate(() =>
    ['.topbar', '[data-testid=close-day]', '[data-testid=close-sheet]', '[data-testid=close-templates-row]'].map(
      (css) => getComputedStyle(document.querySelector(css)).visibility,
    ),
  );
  check(
    JSON.stringify(seen) === JSON.stringify(['hidden', 'hidden', 'visible', 'visible']),
    `printing the daily close shows only its sheet (${seen.join(', ')})`,
  );
  await shot('40-close-print');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => delete document.documentElement.dataset.print);

  await checkTimeAndScreens({ browser, url, api, check, shotsDir: SHOTS, owner: OWNER });

  // The first start: a database without any staff account shows the owner setup and
  // nothing else; a second PIN that differs is refused beside it; then the owner is in.
  const fresh = await startServe({ seed: false });
  const freshServer = await preview({ preview: { port: 4174, strictPort: false, proxy: apiProxy(fresh) }, logLevel: 'silent' });
  try {
    await page.goto(freshServer.resolvedUrls?.local[0] ?? 'http://localhost:4174/');
    await id('owner-setup').waitFor();
    check(
      (await page.locator('.topbar').count()) === 0 && (await id('login-screen').count()) === 0,
      'a database without staff shows only the owner setup',
    );
    await id('owner-name').fill('店主');
    await id('owner-pin').fill('2468');
    await id('owner-pin-again').fill('2469');
    await id('owner-submit').click();
    await id('field-error-pinAgain').waitFor();
    check(true, 'a second PIN that differs is refused beside it');
    await id('owner-pin-again').fill('2468');
    await shot('42-owner-setup');
    await id('owner-submit').click();
    await id('staff-badge').waitFor();
    check((await id('staff-badge').innerText()) === '店主 · 老板', 'the owner is set up and logged in');
  } finally {
    await new Promise((resolve) => freshServer.httpServer.close(resolve));
    fresh.stop();
  }
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(String(e));
  await shot('failed').catch(() => {});
} finally {
  await browser.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
  core.stop();
  sim.stop();
}
process.exit(failed ? 1 : 0);
