// The shop's settings as the pages need them (time zone above all), fetched once and
// refreshed when the settings page saves.
import { backend } from './backend';
import type { Settings } from './backend/bindings/Settings';
import { t } from './i18n/locale.svelte';
import { formatShopTime } from './zone';

export const shop = $state<{ settings: Settings | null }>({ settings: null });

let pending: Promise<Settings> | null = null;

/** The settings, from the backend the first time. */
export function loadShop(): Promise<Settings> {
  if (shop.settings !== null) return Promise.resolve(shop.settings);
  pending ??= backend.settingsGet().then(
    (s) => {
      shop.settings = s;
      return s;
    },
    (e: unknown) => {
      pending = null;
      throw e;
    },
  );
  return pending;
}

export function setShop(s: Settings): void {
  shop.settings = s;
}

/** The shop's UTC offset in minutes (UTC+08:00 until the settings arrive). */
export function shopOffset(): number {
  return shop.settings?.shopUtcOffsetMinutes ?? 480;
}

/** An instant in the shop's zone, or the dash for "none" (an unused voucher's use time). */
export function shopTime(iso: string | null): string {
  return iso === null ? t('common.dash') : formatShopTime(iso, shopOffset());
}
