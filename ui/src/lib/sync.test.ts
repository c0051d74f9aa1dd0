import { describe, expect, it } from 'vitest';

import type { PlatformStatus } from './backend/bindings/PlatformStatus';
import { TABLES, translate } from './i18n/translate';
import type { PlatformSettings } from './backend/bindings/PlatformSettings';
import {
  credentialStoreKey,
  ebuySetUp,
  formOf,
  opKey,
  outboxStateKey,
  platformKey,
  platformState,
  resultKey,
  PLATFORMS,
  settingsInput,
  skipReasonKey,
  stateKey,
} from './sync';

function status(over: Partial<PlatformStatus> = {}): PlatformStatus {
  return {
    platform: 'p002',
    enabled: true,
    configured: true,
    online: null,
    queued: 0,
    conflicts: 0,
    lastSuccessAt: null,
    lastError: null,
    lastErrorKind: null,
    lastErrorAt: null,
    pausedUntil: null,
    lastPullAt: null,
    allowHttp: false,
    lastTest: null,
    lastTestAt: null,
    remote: null,
    ...over,
  };
}

describe('a platform in one word', () => {
  it('off, incomplete, untried, online, offline', () => {
    expect(platformState(status({ enabled: false, configured: false, online: true }))).toBe('off');
    expect(platformState(status({ configured: false, online: true }))).toBe('incomplete');
    expect(platformState(status())).toBe('untried');
    expect(platformState(status({ online: true }))).toBe('online');
    expect(platformState(status({ online: false }))).toBe('offline');
  });

  it('every word, name and state has a translation in both languages', () => {
    for (const table of Object.values(TABLES)) {
      for (const s of ['off', 'incomplete', 'untried', 'online', 'offline'] as const) expect(table[stateKey(s)]).toBeTruthy();
      for (const p of PLATFORMS) expect(table[platformKey(p)]).toBeTruthy();
      for (const s of ['queued', 'done', 'conflict', 'discarded'] as const) expect(table[outboxStateKey(s)]).toBeTruthy();
    }
  });

  it('says which store keeps the secrets, naming it, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const keyring = translate(lang, credentialStoreKey('keyring'), { label: 'Secret Service' });
      const file = translate(lang, credentialStoreKey('file'), { label: '/data/desk.sqlite3.credentials' });
      expect(keyring).toContain('Secret Service');
      expect(file).toContain('/data/desk.sqlite3.credentials');
      expect(keyring).not.toBe(file);
    }
    expect(translate('zh-CN', credentialStoreKey('keyring'), { label: 'x' })).toContain('密钥环');
    expect(translate('en', credentialStoreKey('file'), { label: 'x' })).toContain('file');
  });

  it('knows the ops and skip reasons it can translate, and leaves others as they are', () => {
    expect(opKey('ebuy.activate')).toBe('sync.op.ebuy.activate');
    expect(opKey('voucher.someday')).toBeNull();
    for (const r of ['unknown', 'not_in_batch', 'already_active', 'not_active', 'final', 'pending']) {
      expect(skipReasonKey(r)).toBe(`activation.skip.${r}`);
    }
    expect(skipReasonKey('new_reason')).toBeNull();
  });
});

describe('the settings form', () => {
  const stored = {
    platform: 'p004' as const,
    enabled: true,
    baseUrl: 'http://127.0.0.1:8765/p004',
    appId: 'app',
    brandId: 'B1',
    signType: '',
    shopNo: 'S1',
    org: 'HQ',
    caFile: '',
    allowHttp: false,
    uploadPath: '',
    hasSecret: true,
  };

  it('starts with an empty secret box and HMAC-SHA256', () => {
    const f = formOf(stored);
    expect(f.secret).toBe('');
    expect(f.clearSecret).toBe(false);
    expect(f.signType).toBe('HMAC-SHA256');
  });

  it('an empty secret box keeps the stored secret; a typed one replaces it and wins over clear', () => {
    const f = formOf(stored);
    expect(settingsInput('p004', f)).toMatchObject({ secret: null, clearSecret: false, appId: 'app', signType: 'HMAC-SHA256' });
    expect(settingsInput('p004', { ...f, clearSecret: true })).toMatchObject({ secret: null, clearSecret: true });
    expect(settingsInput('p004', { ...f, secret: 'k', clearSecret: true })).toMatchObject({ secret: 'k', clearSecret: false });
  });

  it("sends e-Buy's own fields for e-Buy only, trimmed", () => {
    const f = { ...formOf(stored), baseUrl: ' http://x ', appId: ' a ' };
    expect(settingsInput('p004', f)).toMatchObject({ baseUrl: 'http://x', appId: 'a', shopNo: 'S1' });
    expect(settingsInput('p002', f)).toMatchObject({ platform: 'p002', appId: '', brandId: '', signType: '', shopNo: '', org: '' });
  });

  it("sends the CA file and plain-HTTP choice for every platform, and the upload path for Sense (000) only", () => {
    const f = { ...formOf(stored), caFile: ' /etc/ca.pem ', allowHttp: true, uploadPath: ' /ext/batches ' };
    expect(settingsInput('p000', f)).toMatchObject({ caFile: '/etc/ca.pem', allowHttp: true, uploadPath: '/ext/batches' });
    expect(settingsInput('p003', f)).toMatchObject({ caFile: '/etc/ca.pem', allowHttp: true, uploadPath: '' });
  });
});

describe('resultKey', () => {
  it('names the refusals staff see, and leaves unknown codes to the core\'s words', () => {
    expect(resultKey('CODE_USED_ELSEWHERE')).toBe('sync.result.CODE_USED_ELSEWHERE');
    expect(resultKey('HTTP_422')).toBeNull();
    expect(resultKey(null)).toBeNull();
  });
});

describe('ebuySetUp', () => {
  function ebuy(over: Partial<PlatformSettings> = {}): PlatformSettings {
    return {
      platform: 'p004',
      enabled: true,
      baseUrl: 'https://ebuy.example.com',
      appId: 'app',
      brandId: 'B1',
      signType: 'HMAC-SHA256',
      shopNo: '',
      org: '',
      caFile: '',
      allowHttp: false,
      uploadPath: '',
      hasSecret: true,
      ...over,
    };
  }

  it('needs sync on, an address and a stored secret', () => {
    expect(ebuySetUp([ebuy()])).toBe(true);
    expect(ebuySetUp([ebuy({ enabled: false })])).toBe(false);
    expect(ebuySetUp([ebuy({ baseUrl: '  ' })])).toBe(false);
    expect(ebuySetUp([ebuy({ hasSecret: false })])).toBe(false);
  });

  it('reads e-Buy only', () => {
    expect(ebuySetUp([ebuy({ platform: 'p002' })])).toBe(false);
    expect(ebuySetUp([])).toBe(false);
  });
});
