import { describe, expect, it } from 'vitest';

import { isApiError, toApiError } from './apiError';

describe('toApiError', () => {
  it('keeps an ApiError as it is (and drops extra fields)', () => {
    const e = { code: 'batch_not_found', message: 'no batch has the ticket type X', extra: 1 };
    expect(isApiError(e)).toBe(true);
    expect(toApiError(e)).toEqual({ code: 'batch_not_found', message: 'no batch has the ticket type X' });
  });

  it('turns anything else into an internal error with its text', () => {
    expect(toApiError('command codes_list not found')).toEqual({
      code: 'internal',
      message: 'command codes_list not found',
    });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'Error: boom' });
    expect(toApiError(null)).toEqual({ code: 'internal', message: 'null' });
    expect(toApiError({ code: 42, message: 'x' }).code).toBe('internal');
  });
});
