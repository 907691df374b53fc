import { PiiInDeviceIdError } from '../errors.js';

const EMAIL = /[^\s@,]+@[^\s@,]+\.[A-Za-z]{2,}/;
// 10–15 digits, optionally with one leading country-code-ish group and . - separators:
// "555-123-4567", "4915112345678", "1.555.123.4567". Pure serials rarely use separators in
// phone grouping, but a long all-digit id is flagged too; opt out with `piiCheck: false`.
const PHONE = /^\+?\d{1,3}?[-. ]?\(?\d{2,4}\)?[-. ]?\d{3,4}[-. ]?\d{3,4}$/;

/** Throws when a ConnectorDeviceId looks like an e-mail address or a phone number. */
export function assertNoObviousPii(value: string, path = 'ConnectorDeviceId'): void {
  if (EMAIL.test(value)) throw new PiiInDeviceIdError('e-mail address', path);
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 10 && digits.length <= 15 && PHONE.test(value)) {
    throw new PiiInDeviceIdError('phone number', path);
  }
}
