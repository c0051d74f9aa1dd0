import { describe, expect, it } from 'vitest';

import { isApiError, toApiError } from './apiError';

describe('toApiError', () => {
  it('keeps an ApiError as it is (and drops extra fields)', () => {
    const e = { code: 'batch_not_found', message: 'no batch has the ticket type X', extra: 1 };
    expect(isApiError(e)).toBe(true);
    expect(toApiError(e)).toEqual({ code: 'batch_not_found', message: 'no batch has the ticket type X', fields: [] });
  });

  it('keeps well-formed field errors', () => {
    const f = { field: 'title', code: 'required', message: 'this field is required' };
    const e = { code: 'invalid_fields', message: 'x', fields: [f, { field: 1 }] };
    expect(toApiError(e)).toEqual({ code: 'invalid_fields', message: 'x', fields: [f] });
  });

  it('turns anything else into an internal error with its text', () => {
    expect(toApiError('command codes_list not found')).toEqual({
      code: 'internal',
      message: 'command codes_list not found',
      fields: [],
    });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'Error: boom', fields: [] });
    expect(toApiError(null)).toEqual({ code: 'internal', message: 'null', fields: [] });
    expect(toApiError({ code: 42, message: 'x' }).code).toBe('internal');
  });
});
