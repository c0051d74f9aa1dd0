import { describe, expect, it } from 'vitest';

import { emptyForm, formFromDraft, formToDraft, probeErrors, zheText, zheToPercentOff } from './templateForm';

describe('template form', () => {
  it('starts at the shop midnight and converts yuan exactly', () => {
    const f = emptyForm(480, new Date('2026-11-23T20:00:00Z'));
    expect(f.begin).toBe('2026-11-24T00:00');
    // The default end is the end of the 90th day after, in the shop's zone, not its midnight.
    expect(f.end).toBe('2027-02-22T23:59:59');
    f.reduce = '20.50';
    f.least = '100';
    const r = formToDraft(f, 480);
    expect('draft' in r && r.draft.offer).toEqual({ cash: { reduceFen: 2050, leastFen: 10000 } });
    expect('draft' in r && r.draft.beginAt).toBe('2026-11-23T16:00:00Z');
    expect('draft' in r && r.draft.endAt).toBe('2027-02-22T15:59:59Z');
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
    Object.assign(f, { kind: 'discount', zhe: '7', title: 't', termOn: true, validDays: '7' });
    f.timeLimits = [{ day: 'HOLIDAY', from: '09:00', to: '21:30' }];
    const r = formToDraft(f, 480);
    if (!('draft' in r)) throw new Error('expected a draft');
    expect(r.draft.offer).toEqual({ discount: { percentOff: 30 } });
    expect(r.draft.timeLimits).toEqual([{ day: 'HOLIDAY', begin: 540, end: 1290 }]);
    expect(r.draft.term).toEqual({ startAfterDays: 0, validDays: 7 });
    expect(formFromDraft(r.draft, 480)).toEqual(f);
  });

  it('takes the discount as 折 with one decimal and stores percent off exactly', () => {
    expect(zheToPercentOff('8.8')).toBe(12);
    expect(zheToPercentOff(' 7 ')).toBe(30);
    expect(zheToPercentOff('0.1')).toBe(99);
    expect(zheToPercentOff('9.9')).toBe(1);
    // Today's trap: 8 was "8% off" (9.2折); as 折 it is 8折, 20% off.
    expect(zheToPercentOff('8')).toBe(20);
    for (const bad of ['0', '10', '8.85', '-1', '8.', '.5', '8,8', '', 'x']) expect(zheToPercentOff(bad)).toBeNull();
    // Every one-decimal 折 goes to percent off and back unchanged.
    for (let tenths = 1; tenths <= 99; tenths++) {
      const text = zheText(tenths);
      expect(zheToPercentOff(text)).toBe(100 - tenths);
    }
    const f = emptyForm(480);
    Object.assign(f, { kind: 'discount', zhe: '8.8', title: 't' });
    const r = formToDraft(f, 480);
    expect('draft' in r && r.draft.offer).toEqual({ discount: { percentOff: 12 } });
    Object.assign(f, { zhe: '8.85' });
    const bad = formToDraft(f, 480);
    expect('errors' in bad && bad.errors).toEqual([{ field: 'offer.percentOff', key: 'form.zheInvalid' }]);
  });

  it('probes the readable fields with stand-ins, keeping only the core errors about what was typed', () => {
    const f = emptyForm(480);
    Object.assign(f, { reduce: 'abc', quantity: 'x', begin: '' });
    const r = formToDraft(f, 480);
    if (!('errors' in r)) throw new Error('expected errors');
    expect(r.probe.offer).toEqual({ cash: { reduceFen: 0, leastFen: 0 } });
    expect(r.probe.beginAt).toBe('2000-01-01T00:00:00Z');
    const core = [
      { field: 'title', code: 'required', message: '' },
      { field: 'offer.reduceFen', code: 'out_of_range', message: '' },
      { field: 'getLimit', code: 'out_of_range', message: '' },
      { field: 'endAt', code: 'order', message: '' },
      { field: 'notice', code: 'required', message: '' },
    ];
    expect(probeErrors(core, r.errors).map((e) => e.field)).toEqual(['title', 'notice']);
  });
});
