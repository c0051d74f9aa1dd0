// Settings' "Back up now" (lib/backup.ts, BackupSection) against the real core: the save
// dialog's path gets a private copy of the database; a closed dialog makes none; a
// cashier is refused; the list of automatic backups starts empty.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { backupFileName, backupToChosenFile } from '../backup';
import { freshCore, loginAs, rejection, tempDir, withStaff } from '../../test/core';
import type { Backend } from './backend';

const TEXT = { title: 'Save the database backup as', filterName: 'Database backups' };

/** `b` whose save dialog answers `path` (null: staff closed it). */
function dialogAnswering(b: Backend, path: string | null): Backend {
  return { ...b, chooseBackupPath: () => Promise.resolve(path) };
}

describe('back up now', () => {
  it('proposes a dated name', () => {
    expect(backupFileName(new Date(2026, 11, 7, 3, 5))).toBe('coupondesk-backup-2026-12-07-0305.sqlite3');
  });

  it('writes the chosen file, private, and nothing when the dialog is closed', async () => {
    const b = await freshCore();
    const owner = await withStaff(b, [['收银员', 'cashier']]);
    await loginAs(b, owner, '9876');
    await b.batchCreate('T1', '春季');
    expect(await b.backupList()).toEqual([]);

    const dir = tempDir();
    const closed = await backupToChosenFile(dialogAnswering(b, null), new Date(), TEXT);
    expect(closed).toBeNull();

    const path = join(dir, 'mine.sqlite3');
    const report = await backupToChosenFile(dialogAnswering(b, path), new Date(), TEXT);
    expect(report?.path).toBe(path);
    expect(report?.bytes).toBeGreaterThan(0);
    expect(existsSync(path)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    // The native dialog asked before replacing: a second backup to the same file works.
    expect((await backupToChosenFile(dialogAnswering(b, path), new Date(), TEXT))?.path).toBe(path);

    await loginAs(b, '收银员', '4320');
    const refused = await rejection(backupToChosenFile(dialogAnswering(b, join(dir, 'c.sqlite3')), new Date(), TEXT));
    expect(refused.code).toBe('forbidden');
    expect(existsSync(join(dir, 'c.sqlite3'))).toBe(false);
  });
});
