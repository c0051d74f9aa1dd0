// A customer's phone, mirrored from crates/core/src/domain/customer.rs (Phone::parse):
// a mainland China mobile number, 11 digits 1[3-9]xxxxxxxxx. Spaces, dashes (and the
// ideographic space) are removed, and a +86, 0086 or (13 digits long) 86 prefix too.
// Landlines and foreign numbers are refused.
import type { FieldError } from '../bindings/FieldError';

export type PhoneParse = { ok: true; phone: string } | { ok: false; error: 'empty' | 'invalid' };

const MOBILE = /^1[3-9][0-9]{9}$/;

export function parsePhone(text: string): PhoneParse {
  const compact = text.trim().replace(/[ \-\u3000]/g, '');
  if (compact === '') return { ok: false, error: 'empty' };
  let digits = compact;
  if (compact.startsWith('+86')) digits = compact.slice(3);
  else if (compact.startsWith('0086')) digits = compact.slice(4);
  else if (compact.length === 13 && compact.startsWith('86')) digits = compact.slice(2);
  return MOBILE.test(digits) ? { ok: true, phone: digits } : { ok: false, error: 'invalid' };
}

/** Phone::field_error: the form error of a refused phone on `field`. */
export function phoneFieldError(field: string, error: 'empty' | 'invalid'): FieldError {
  return error === 'empty'
    ? { field, code: 'required', message: 'a mobile number is required' }
    : {
        field,
        code: 'invalid',
        message:
          'not a mainland mobile number: type the 11 digits starting with 13-19, e.g. 138 1234 5678 (landlines are not accepted)',
      };
}

/** At most this many characters in a customer's name (domain::customer::NAME_MAX). */
export const CUSTOMER_NAME_MAX = 32;

/** clean_name: the trimmed name, or a too_long error on `field`. */
export function cleanName(name: string, field: string): { ok: true; name: string } | { ok: false; error: FieldError } {
  const n = name.trim();
  if ([...n].length > CUSTOMER_NAME_MAX) {
    return { ok: false, error: { field, code: 'too_long', message: `at most ${CUSTOMER_NAME_MAX} characters` } };
  }
  return { ok: true, name: n };
}
