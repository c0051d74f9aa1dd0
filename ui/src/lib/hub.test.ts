import { describe, expect, it } from 'vitest';

import { conflictReasonKey, notJoined, offlineDraft, offlinePolicyOf, parseDeadline, safeUrl } from './hub';

describe('offline policy form', () => {
  it('round-trips each mode, the value in yuan and back to fen', () => {
    expect(offlineDraft({ mode: 'not_allowed' })).toEqual({ mode: 'not_allowed', perDay: '', maxYuan: '' });
    const d = offlineDraft({ mode: 'limited', perTerminalPerDay: 5, maxValueFen: 20050 });
    expect(d).toEqual({ mode: 'limited', perDay: '5', maxYuan: '200.50' });
    expect(offlinePolicyOf(d)).toEqual({ ok: true, policy: { mode: 'limited', perTerminalPerDay: 5, maxValueFen: 20050 } });
    expect(offlinePolicyOf({ mode: 'allowed', perDay: 'x', maxYuan: 'y' })).toEqual({ ok: true, policy: { mode: 'allowed' } });
  });

  it('refuses a limit without a count of at least 1 or a readable amount', () => {
    for (const perDay of ['', '0', '1.5', '-2', 'ten']) {
      expect(offlinePolicyOf({ mode: 'limited', perDay, maxYuan: '10' })).toEqual({
        ok: false,
        error: { field: 'perDay', error: 'invalid' },
      });
    }
    expect(offlinePolicyOf({ mode: 'limited', perDay: '3', maxYuan: '2.555' })).toEqual({
      ok: false,
      error: { field: 'maxYuan', error: 'too_many_decimals' },
    });
    expect(offlinePolicyOf({ mode: 'limited', perDay: '3', maxYuan: '' })).toEqual({
      ok: false,
      error: { field: 'maxYuan', error: 'empty' },
    });
  });
});

describe('hub settings', () => {
  it('takes a deadline only as whole ms from 200 to 10000', () => {
    expect(parseDeadline('200')).toBe(200);
    expect(parseDeadline(' 10000 ')).toBe(10000);
    expect(parseDeadline('199')).toBeNull();
    expect(parseDeadline('10001')).toBeNull();
    expect(parseDeadline('1e3')).toBeNull();
    expect(parseDeadline('')).toBeNull();
  });

  it('never shows a password in the URL', () => {
    expect(safeUrl('postgres://t_1:s3cret@db:5432/hub')).toBe('postgres://t_1@db:5432/hub');
    expect(safeUrl('postgres://t_1@db:5432/hub')).toBe('postgres://t_1@db:5432/hub');
  });

  it('knows the not-joined answer', () => {
    expect(notJoined('hub_not_joined')).toBe(true);
    expect(notJoined('hub_unreachable')).toBe(false);
  });
});

describe('hub conflicts', () => {
  it('names each reason, an unknown one as used elsewhere', () => {
    expect(conflictReasonKey('leased')).toBe('hub.reason.leased');
    expect(conflictReasonKey('disabled')).toBe('hub.reason.disabled');
    expect(conflictReasonKey('redeemed')).toBe('hub.reason.redeemed');
    expect(conflictReasonKey('something new')).toBe('hub.reason.redeemed');
  });
});
