// TextField's markup is what tests and screen readers rely on: the ids, the aria wiring
// and the error's test id. Rendered on the server (no DOM needed), then read as HTML.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';

import TextField from './TextField.svelte';

type Props = Parameters<typeof TextField>[1];

function html(props: Partial<Props>): string {
  return render(TextField, { props: { ids: 'f1', field: 'amountFen', label: 'Amount', value: '', ...props } as Props }).body;
}

describe('TextField', () => {
  it('ties the label, the box and its hint together', () => {
    const out = html({ name: 'amount', hint: 'in yuan', inputmode: 'decimal', 'data-testid': 'bonus-amount' });
    expect(out).toContain('<label for="f1-amount">Amount</label>');
    expect(out).toMatch(/<input[^>]*id="f1-amount"/);
    expect(out).toMatch(/<input[^>]*aria-describedby="f1-amountFen-msg"/);
    expect(out).toMatch(/<input[^>]*aria-invalid="false"/);
    expect(out).toMatch(/<input[^>]*inputmode="decimal"/);
    expect(out).toMatch(/<input[^>]*data-testid="bonus-amount"/);
    expect(out).toMatch(/<p class="hint[^"]*" id="f1-amountFen-msg">in yuan<\/p>/);
    expect(out).not.toContain('field-error');
  });

  it('shows an error instead of the hint, with its test id, and marks the box invalid', () => {
    const out = html({ error: 'Too much', hint: 'in yuan' });
    expect(out).toMatch(/<input[^>]*aria-invalid="true"/);
    expect(out).toMatch(/<p class="field-error[^"]*" id="f1-amountFen-msg" data-testid="field-error-amountFen">Too much<\/p>/);
    expect(out).not.toContain('in yuan');
    expect(html({ error: 'Taken', errorTestid: 'field-error' })).toContain('data-testid="field-error"');
  });

  it('is a textarea when given rows, and takes the whole row when wide', () => {
    const out = html({ rows: 3, wide: true, value: 'hello' });
    expect(out).toMatch(/<textarea[^>]*id="f1-amountFen"[^>]*rows="3"/);
    expect(out).toContain('hello</textarea>');
    expect(out).toMatch(/<div class="field[^"]*wide/);
  });
});
