import { describe, expect, it } from 'vitest';

import { shownStatus } from './statuses';

describe('shown status', () => {
  const end = '2026-12-01T16:00:00Z';
  const after = Date.parse(end);
  it('shows unused codes of an ended template as expired, from its end on', () => {
    expect(shownStatus('issued', end, after)).toBe('expired');
    expect(shownStatus('active', end, after + 1)).toBe('expired');
    expect(shownStatus('issued', end, after - 1)).toBe('issued');
  });
  it('keeps used, disabled and unlinked codes as stored', () => {
    expect(shownStatus('redeemed', end, after)).toBe('redeemed');
    expect(shownStatus('disabled', end, after)).toBe('disabled');
    expect(shownStatus('issued', null, after)).toBe('issued');
  });
});
