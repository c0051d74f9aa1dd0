// Issue 13, "time and screens", in the Chromium click-through (called by browser-check.mjs
// with its browser, URL, core API and check function):
//  - a browser in New York against a shop at UTC+09:30 shows every time on Batches, the
//    batch page and Sync in the shop's zone (exact texts, computed here from the core's UTC);
//  - at 1366×768 (a window of 1366×728 above the taskbar, less its title bar) the batch
//    page shows at least 10 code rows without scrolling;
//  - the long template form puts its cards in two columns at 1366 wide;
//  - the Redeem page's English labels neither wrap nor clip at 1366 wide.
// The shop's zone is put back as it was at the end.

import { join } from 'node:path';

const NEW_YORK = 'America/New_York';
// UTC+09:30 (Darwin): neither the browser's zone nor the default UTC+08:00 the UI falls
// back to before the settings arrive, so a page that skips them shows the wrong time.
const SHOP_OFFSET = 570;
// 768 screen - 40 taskbar = 728 window; less ~30 of title bar = the web view's height.
const VIEW = { width: 1366, height: 698 };

/** "YYYY-MM-DD HH:MM" of a UTC instant at a fixed offset: the test's own arithmetic. */
export function wallClock(iso, offsetMinutes) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${iso}`);
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

export async function checkTimeAndScreens({ browser, url, api, check, shotsDir, owner }) {
  await api('staff_login', owner);
  const before = await api('settings_get', {});
  await api('settings_save', { settings: { ...before, shopUtcOffsetMinutes: SHOP_OFFSET } });
  const page = await browser.newPage({ viewport: VIEW, locale: 'zh-CN', timezoneId: NEW_YORK });
  const id = (testid) => page.getByTestId(testid);
  const shot = (name) => page.screenshot({ path: join(shotsDir, `${name}.png`) });
  try {
    check(
      (await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)) === NEW_YORK,
      'the second browser runs in New York',
    );
    const batches = (await api('batch_list', { query: { page: { page: 1, perPage: 100 } } })).items;
    const batch = batches.reduce((a, b) => (b.totalCodes > a.totalCodes ? b : a));
    await page.goto(url);
    await id('batch-row').first().waitFor();
    const row = page.locator(`[data-testid=batch-row][data-ticket-type="${batch.ticketType}"]`);
    check(
      (await row.locator('td.time').innerText()) === wallClock(batch.updatedAt, SHOP_OFFSET),
      `Batches shows ${batch.ticketType}'s last change in the shop's zone (${wallClock(batch.updatedAt, SHOP_OFFSET)})`,
    );

    await row.getByRole('link').click();
    await id('code-row').first().waitFor();
    check(
      (await id('batch-detail-updated').innerText()) === wallClock(batch.updatedAt, SHOP_OFFSET),
      "the batch page's last change is in the shop's zone",
    );
    const codes = (await api('codes_list', { query: { ticketType: batch.ticketType, page: { page: 1, perPage: 50 } } })).items;
    const shown = await id('code-row').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-code'), r.querySelector('td.time')?.textContent?.trim()]),
    );
    const expected = new Map(codes.map((c) => [c.code, wallClock(c.createdAt, SHOP_OFFSET)]));
    check(
      shown.length > 0 && shown.every(([code, time]) => expected.get(code) === time),
      `the batch page's ${shown.length} code rows show their creation in the shop's zone`,
    );

    // The batch page at 1366×728: at least 10 code rows fully on screen, no scrolling.
    // Visible = inside both the window and the table's own scroll box (rows below its
    // bottom edge are there but hidden), header rows excluded.
    const visible = await id('code-row').evaluateAll((rows) => {
      const card = rows[0]?.closest('.table-card')?.getBoundingClientRect();
      const head = rows[0]?.closest('table')?.querySelector('thead')?.getBoundingClientRect();
      if (card === undefined || head === undefined) return 0;
      const bottom = Math.min(window.innerHeight, card.bottom);
      return rows.filter((r) => r.getBoundingClientRect().top >= head.bottom - 1 && r.getBoundingClientRect().bottom <= bottom + 1).length;
    });
    check(visible >= 10, `the batch page shows ${visible} code rows at 1366×728 (at least 10)`);
    await shot('50-batch-1366x728-new-york');

    await page.goto(`${url}#/sync`);
    await id('sync-platform').first().waitFor();
    const status = await api('sync_status', {});
    const synced = status.platforms.filter((p) => p.lastSuccessAt !== null);
    check(synced.length > 0, 'a platform has synced (the setup ran e-Buy)');
    for (const p of synced) {
      const card = page.locator(`[data-testid=sync-platform][data-platform=${p.platform}]`);
      check(
        (await card.getByTestId('sync-platform-last-success').innerText()) === wallClock(p.lastSuccessAt, SHOP_OFFSET),
        `Sync shows ${p.platform}'s last success in the shop's zone`,
      );
    }
    await shot('51-sync-new-york');

    // The long template form: its cards in two columns on a 1366-wide screen.
    await page.goto(`${url}#/template/new`);
    await id('template-save').waitFor();
    const lefts = await page.locator('.form-page form > .card').evaluateAll((cards) =>
      cards.map((c) => Math.round(c.getBoundingClientRect().left)),
    );
    check(lefts.length >= 4 && new Set(lefts).size === 2, `the template form's ${lefts.length} cards sit in two columns at 1366 wide`);
    await shot('53-template-form-two-columns');

    // English labels on the Redeem page: each on one line and nothing cut off.
    await page.goto(`${url}#/redeem`);
    await id('redeem-code').waitFor();
    await id('lang-switch').selectOption('en');
    await page.waitForFunction(() => document.querySelector('[data-testid=redeem-submit]')?.textContent?.trim() === 'Check');
    // Per element: how many lines its text takes, and whether its content is cut off.
    const labels = await page.locator('main label, main th, main dt, main button').evaluateAll((els) =>
      els
        .filter((e) => e.getClientRects().length > 0)
        .map((e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          // Inline pieces of one line differ in top by a few pixels at most; a wrap by a line.
          const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
          const wraps = tops.length > 0 && Math.max(...tops) - Math.min(...tops) > 8;
          return { text: e.textContent?.trim() ?? '', wraps, clipped: e.scrollWidth > e.clientWidth + 1 };
        }),
    );
    const bad = labels.filter((l) => l.wraps || l.clipped);
    check(labels.length >= 8 && bad.length === 0, `the Redeem page's ${labels.length} English labels fit on one line (${JSON.stringify(bad)})`);
    await shot('52-redeem-en-1366');
  } catch (e) {
    await shot('failed-time-and-screens').catch(() => {});
    throw e;
  } finally {
    await page.close();
    await api('settings_save', { settings: before });
  }
}
