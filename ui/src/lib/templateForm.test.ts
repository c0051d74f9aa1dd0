import { describe, expect, it } from 'vitest';

import { emptyForm, formFromDraft, formToDraft } from './templateForm';

describe('template form', () => {
  it('starts at the shop midnight and converts yuan exactly', () => {
    const f = emptyForm(480, new Date('2026-11-23T20:00:00Z'));
    expect(f.begin).toBe('2026-11-24T00:00');
    f.reduce = '20.50';
    f.least = '100';
    const r = formToDraft(f, 480);
    expect('draft' in r && r.draft.offer).toEqual({ cash: { reduceFen: 2050, leastFen: 10000 } });
    expect('draft' in r && r.draft.beginAt).toBe('2026-11-23T16:00:00Z');
  });

  it('refuses bad amounts, numbers, times and half-filled time rows beside their fields', () => {
    const f = emptyForm(480);
    f.reduce = '2.555';
    f.least = '-1';
    f.quantity = 'x';
    f.end = '';
    f.timeLimits = [{ day: 'MONDAY', from: '10:00', to: '' }];
    const r = formToDraft(f, 480);
    expect('errors' in r && r.errors).toEqual([
      { field: 'offer.reduceFen', key: 'money.too_many_decimals' },
      { field: 'offer.leastFen', key: 'money.negative' },
      { field: 'quantity', key: 'form.number' },
      { field: 'endAt', key: 'form.timeRequired' },
      { field: 'timeLimits.0', key: 'fieldError.timeLimit' },
    ]);
  });

  it('round-trips a draft', () => {
    const f = emptyForm(480);
    Object.assign(f, { kind: 'discount', percentOff: '30', title: 't', termOn: true, validDays: '7' });
    f.timeLimits = [{ day: 'HOLIDAY', from: '09:00', to: '21:30' }];
    const r = formToDraft(f, 480);
    if (!('draft' in r)) throw new Error('expected a draft');
    expect(r.draft.offer).toEqual({ discount: { percentOff: 30 } });
    expect(r.draft.timeLimits).toEqual([{ day: 'HOLIDAY', begin: 540, end: 1290 }]);
    expect(r.draft.term).toEqual({ startAfterDays: 0, validDays: 7 });
    expect(formFromDraft(r.draft, 480)).toEqual(f);
  });
});
