// What the Sync page and the batch page say about sync, as message keys: a platform's
// state in one word, its name, an operation, an outbox state, why a code was skipped.
import type { ConnectionVerdict } from './backend/bindings/ConnectionVerdict';
import type { CredentialStoreKind } from './backend/bindings/CredentialStoreKind';
import type { OutboxState } from './backend/bindings/OutboxState';
import type { Platform } from './backend/bindings/Platform';
import type { PlatformSettings } from './backend/bindings/PlatformSettings';
import type { PlatformSettingsInput } from './backend/bindings/PlatformSettingsInput';
import type { PlatformStatus } from './backend/bindings/PlatformStatus';
import { isMessageKey } from './i18n/translate';
import type { MessageKey } from './i18n/zh-CN';

export const PLATFORMS: readonly Platform[] = ['p000', 'p001', 'p002', 'p003', 'p004'];

/** The e-Buy platform: the one with appId, brandId, signType, shop number and org. */
export const EBUY: Platform = 'p004';

/**
 * Whether e-Buy is set up for bulk activation: sync with it is on, it has an address and
 * its secret is stored. The same rule as the core's `sync::activation::set_up`, which
 * refuses activation otherwise (`ebuy_not_set_up`); the batch page shows 整批激活 only then.
 */
export function ebuySetUp(settings: readonly PlatformSettings[]): boolean {
  const e = settings.find((s) => s.platform === EBUY);
  return e !== undefined && e.enabled && e.baseUrl.trim() !== '' && e.hasSecret;
}

/** The Sense ticket platform: the only one with a (non-standard) code upload path. */
export const SENSE: Platform = 'p000';

/** The only signing algorithm e-Buy offers. */
export const SIGN_TYPES = ['HMAC-SHA256'] as const;

/** How often the Sync page asks for the platforms' state. */
export const STATUS_REFRESH_MS = 5000;

/**
 * A platform in one word: `off` (sync turned off), `incomplete` (on, but an address or a
 * secret is missing), `untried` (nothing sent yet), `online`, `offline` (the last call did
 * not reach the server).
 */
export type PlatformState = 'off' | 'incomplete' | 'untried' | 'online' | 'offline';

export function platformState(s: PlatformStatus): PlatformState {
  if (!s.enabled) return 'off';
  if (!s.configured) return 'incomplete';
  if (s.online === null) return 'untried';
  return s.online ? 'online' : 'offline';
}

/** The state words of the page: `sync.state.<state>`. */
export function stateKey(state: PlatformState): MessageKey {
  return `sync.state.${state}`;
}

export function platformKey(p: Platform): MessageKey {
  return `platform.${p}`;
}

/** `sync.op.ebuy.activate` and so on; an op this UI does not know is shown as it is. */
export function opKey(op: string): MessageKey | null {
  const key = `sync.op.${op}`;
  return isMessageKey(key) ? key : null;
}

/**
 * A platform's refusal in the staff's language (`sync.result.CODE_USED_ELSEWHERE` ...);
 * null for a code this UI does not know: the core's sentence is shown instead.
 */
export function resultKey(code: string | null): MessageKey | null {
  if (code === null) return null;
  const key = `sync.result.${code}`;
  return isMessageKey(key) ? key : null;
}

/**
 * Where the secrets are kept, as Settings says it: `syncSettings.store.keyring` (the OS
 * keyring, named by the core's label) or `syncSettings.store.file` (the file's path).
 */
export function credentialStoreKey(kind: CredentialStoreKind): MessageKey {
  return `syncSettings.store.${kind}`;
}

export function outboxStateKey(s: OutboxState): MessageKey {
  return `sync.outboxState.${s}`;
}

/**
 * The kind of a platform's last error in the staff's language (`sync.errorKind.tls` ...);
 * null for a kind this UI does not know: the core's sentence is shown alone.
 */
export function errorKindKey(kind: string | null): MessageKey | null {
  if (kind === null) return null;
  const key = `sync.errorKind.${kind}`;
  return isMessageKey(key) ? key : null;
}

/** "Test connection"'s verdict in the staff's language: `sync.verdict.<verdict>`. */
export function verdictKey(v: ConnectionVerdict): MessageKey {
  return `sync.verdict.${v}`;
}

/** ActivationSkip.reason: unknown, not_in_batch, already_active, not_active, final. */
export function skipReasonKey(reason: string): MessageKey | null {
  const key = `activation.skip.${reason}`;
  return isMessageKey(key) ? key : null;
}

/** The settings form's values; the secret box is empty unless staff type a new one. */
export interface SettingsForm {
  enabled: boolean;
  baseUrl: string;
  appId: string;
  brandId: string;
  signType: string;
  shopNo: string;
  org: string;
  caFile: string;
  allowHttp: boolean;
  uploadPath: string;
  secret: string;
  clearSecret: boolean;
}

export function formOf(s: PlatformSettings): SettingsForm {
  return {
    enabled: s.enabled,
    baseUrl: s.baseUrl,
    appId: s.appId,
    brandId: s.brandId,
    signType: s.signType === '' ? SIGN_TYPES[0] : s.signType,
    shopNo: s.shopNo,
    org: s.org,
    caFile: s.caFile,
    allowHttp: s.allowHttp,
    uploadPath: s.uploadPath,
    secret: '',
    clearSecret: false,
  };
}

/**
 * What the form sends: an empty secret box keeps the stored secret (`null`); a typed one
 * replaces it (and wins over "clear"). e-Buy's own fields are sent for e-Buy only.
 */
export function settingsInput(platform: Platform, f: SettingsForm): PlatformSettingsInput {
  const ebuy = platform === EBUY;
  const secret = f.secret === '' ? null : f.secret;
  return {
    platform,
    enabled: f.enabled,
    baseUrl: f.baseUrl.trim(),
    appId: ebuy ? f.appId.trim() : '',
    brandId: ebuy ? f.brandId.trim() : '',
    signType: ebuy ? f.signType : '',
    shopNo: ebuy ? f.shopNo.trim() : '',
    org: ebuy ? f.org.trim() : '',
    caFile: f.caFile.trim(),
    allowHttp: f.allowHttp,
    uploadPath: platform === SENSE ? f.uploadPath.trim() : '',
    secret,
    clearSecret: secret === null && f.clearSecret,
  };
}
