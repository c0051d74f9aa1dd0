// The errors of one form, field by field: the core's (ApiError.fields, camelCase field
// names) and the form's own (a local check such as an amount typed in yuan). Kept
// untranslated, so switching language re-translates what is shown.
import { toApiError } from './backend/apiError';
import type { ApiError } from './backend/bindings/ApiError';
import type { FieldError } from './backend/bindings/FieldError';
import { fieldErrorText } from './coupon';
import { clearError, reportError } from './errors.svelte';
import { locale, t } from './i18n/locale.svelte';
import type { MessageKey } from './i18n/zh-CN';

export class FormErrors {
  server = $state<Record<string, FieldError>>({});
  local = $state<Record<string, MessageKey>>({});

  private readonly scope: string | undefined;
  private readonly fieldCodes: readonly string[];

  /**
   * `scope` picks the form's own words for field names shared by several forms;
   * `fieldCodes` are the error codes whose `fields` go beside the fields (the staff
   * forms' `invalid_staff` and `staff_name_taken` besides `invalid_fields`).
   */
  constructor(scope?: string, fieldCodes: readonly string[] = ['invalid_fields']) {
    this.scope = scope;
    this.fieldCodes = fieldCodes;
  }

  get count(): number {
    const local = Object.keys(this.local);
    return local.length + Object.keys(this.server).filter((f) => !local.includes(f)).length;
  }

  /** The message beside `field`, or null. */
  text(field: string): string | null {
    const local = this.local[field];
    if (local !== undefined) return t(local);
    const server = this.server[field];
    return server === undefined ? null : fieldErrorText(server, locale.lang, this.scope);
  }

  has(field: string): boolean {
    return this.text(field) !== null;
  }

  setLocal(field: string, key: MessageKey): void {
    this.local = { ...this.local, [field]: key };
  }

  /** Takes the field errors of an `invalid_fields` (or `fieldCodes`) ApiError; false when it has none. */
  takeServer(error: ApiError): boolean {
    if (!this.fieldCodes.includes(error.code) || error.fields.length === 0) return false;
    this.server = Object.fromEntries(error.fields.map((f) => [f.field, f]));
    return true;
  }

  /**
   * Sends the form: the answer (the error banner cleared), or null when it failed. A
   * failure's field errors go beside their fields; any other failure to the banner.
   */
  async send<T>(request: () => Promise<T>): Promise<T | null> {
    try {
      const answer = await request();
      clearError();
      return answer;
    } catch (e) {
      const error = toApiError(e);
      if (!this.takeServer(error)) reportError(error);
      return null;
    }
  }

  /** Typing in a field clears its message. */
  clear(...fields: string[]): void {
    const s = { ...this.server };
    const l = { ...this.local };
    for (const f of fields) {
      delete s[f];
      delete l[f];
    }
    this.server = s;
    this.local = l;
  }

  reset(): void {
    this.server = {};
    this.local = {};
  }
}
