// Settings' "Back up now": the save dialog (a path prompt in a browser) proposing a dated
// name, then the core's online backup into that file. The native save dialog has asked
// before replacing an existing file, so the backup may replace it; a closed dialog is no
// backup and no error.
import type { Backend } from '$lib/backend/backend';
import type { BackupReport } from '$lib/backend/bindings/BackupReport';

/** `coupondesk-backup-2026-12-07-0315.sqlite3`, in local time. */
export function backupFileName(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  return `coupondesk-backup-${day}-${two(now.getHours())}${two(now.getMinutes())}.sqlite3`;
}

/** The backup's report, or null when staff closed the dialog. Errors are thrown. */
export async function backupToChosenFile(
  b: Backend,
  now: Date,
  text: { title: string; filterName: string },
): Promise<BackupReport | null> {
  const path = await b.chooseBackupPath(backupFileName(now), text);
  if (path === null) return null;
  return b.backupNow(path, true);
}
