import { describe, expect, it } from 'vitest';

import { applyEdits, editableFields, type PayloadField } from './payloadEdit';

const payload = {
  amountFen: 200000,
  rate: 0.5,
  remark: '店庆',
  enabled: true,
  productSku: null,
  channel: { code: 'A' },
  codes: ['x'],
};

function edit(fields: PayloadField[], key: string, value: string | boolean): PayloadField[] {
  return fields.map((f) => (f.key === key ? { ...f, value } : f));
}

describe('editing a conflict payload', () => {
  it('offers the top-level strings, numbers and booleans, in order', () => {
    expect(editableFields(payload)).toEqual([
      { key: 'amountFen', kind: 'number', value: '200000' },
      { key: 'rate', kind: 'number', value: '0.5' },
      { key: 'remark', kind: 'string', value: '店庆' },
      { key: 'enabled', kind: 'boolean', value: true },
    ]);
    expect(editableFields({})).toEqual([]);
  });

  it('puts the values back with their types, keeping the other fields', () => {
    let fields = editableFields(payload);
    fields = edit(fields, 'amountFen', ' 50000 ');
    fields = edit(fields, 'rate', '.25');
    fields = edit(fields, 'remark', '123');
    fields = edit(fields, 'enabled', false);
    const r = applyEdits(payload, fields);
    expect(r).toEqual({
      ok: true,
      payload: { ...payload, amountFen: 50000, rate: 0.25, remark: '123', enabled: false },
    });
    // The original is untouched.
    expect(payload.amountFen).toBe(200000);
  });

  it('unchanged fields give the same payload back', () => {
    expect(applyEdits(payload, editableFields(payload))).toEqual({ ok: true, payload });
  });

  it('refuses a number field that is not a number, or a fraction where it was whole', () => {
    const fields = editableFields(payload);
    for (const bad of ['', 'abc', '1e3', '12,5', 'Infinity', '0x10']) {
      expect(applyEdits(payload, edit(fields, 'rate', bad))).toEqual({ ok: false, errors: { rate: 'sync.edit.number' } });
    }
    expect(applyEdits(payload, edit(fields, 'amountFen', '12.5'))).toEqual({
      ok: false,
      errors: { amountFen: 'sync.edit.wholeNumber' },
    });
    expect(applyEdits(payload, edit(fields, 'rate', '-3'))).toMatchObject({ ok: true, payload: { rate: -3 } });
  });

  it('ignores fields that are not (or no longer) scalars of that kind', () => {
    const r = applyEdits(payload, [
      { key: 'channel', kind: 'string', value: 'x' },
      { key: 'missing', kind: 'number', value: '1' },
    ]);
    expect(r).toEqual({ ok: true, payload });
  });
});
