// Message body → LoginEvent, or a Rejection with a stable reason code. Details name the field and
// the rule, never the value: a rejected body may be nothing but PII.
import { appVersionToInteger } from './app-version.js';
import { canonicalIp } from './ip-address.js';
import type { LoginEvent, Rejection } from './login-event.js';

/** Column widths of the user_logins contract, in characters. */
export const COLUMN_LIMITS = { user_id: 128, device_type: 32, locale: 32 } as const;

export type Validation = { ok: true; event: LoginEvent } | { ok: false; rejection: Rejection };

const reject = (reason: string, detail: string): Validation => ({ ok: false, rejection: { reason, detail } });

/** Characters as PostgreSQL counts them (code points), computed only when UTF-16 length could exceed. */
function tooLong(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let count = 0;
  for (const _ of value) if (++count > max) return true;
  return false;
}

/** NUL is refused by PostgreSQL text, and a lone surrogate would be silently replaced when encoded. */
function hasInvalidCharacter(value: string): boolean {
  return value.includes('\u0000') || !value.isWellFormed();
}

type FieldCheck = { ok: true; value: string } | { ok: false; rejection: Rejection };

function requiredString(body: Record<string, unknown>, field: string, maxLength?: number): FieldCheck {
  const value = body[field];
  if (value === undefined || value === null) {
    return { ok: false, rejection: { reason: `${field}_missing`, detail: `${field} is missing` } };
  }
  if (typeof value !== 'string') {
    return { ok: false, rejection: { reason: `${field}_not_string`, detail: `${field} must be a string, got ${describe(value)}` } };
  }
  if (value.length === 0) return { ok: false, rejection: { reason: `${field}_empty`, detail: `${field} is an empty string` } };
  if (hasInvalidCharacter(value)) {
    return { ok: false, rejection: { reason: `${field}_invalid_character`, detail: `${field} contains NUL or an unpaired surrogate` } };
  }
  if (maxLength !== undefined && tooLong(value, maxLength)) {
    return { ok: false, rejection: { reason: `${field}_too_long`, detail: `${field} is longer than ${maxLength} characters` } };
  }
  return { ok: true, value };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function validateBody(body: string): Validation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reject('not_json', 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('not_object', `body must be a JSON object, got ${parsed === null ? 'null' : describe(parsed)}`);
  }
  const fields = parsed as Record<string, unknown>;

  const userId = requiredString(fields, 'user_id', COLUMN_LIMITS.user_id);
  if (!userId.ok) return userId;
  const deviceType = requiredString(fields, 'device_type', COLUMN_LIMITS.device_type);
  if (!deviceType.ok) return deviceType;
  const ip = requiredString(fields, 'ip');
  if (!ip.ok) return ip;
  const deviceId = requiredString(fields, 'device_id');
  if (!deviceId.ok) return deviceId;
  const appVersionText = requiredString(fields, 'app_version');
  if (!appVersionText.ok) return appVersionText;

  const canonical = canonicalIp(ip.value);
  if (canonical === undefined) return reject('ip_invalid', 'ip is not a valid IPv4 or IPv6 address');
  const appVersion = appVersionToInteger(appVersionText.value);
  if (appVersion === undefined) {
    return reject('app_version_invalid', 'app_version must be N.N or N.N.N with each part below 1000');
  }

  let locale: string | null = null;
  if (fields.locale !== undefined && fields.locale !== null) {
    const checked = requiredString(fields, 'locale', COLUMN_LIMITS.locale);
    if (!checked.ok) return checked;
    locale = checked.value;
  }

  return {
    ok: true,
    event: {
      userId: userId.value,
      deviceType: deviceType.value,
      ip: canonical,
      deviceId: deviceId.value,
      locale,
      appVersion,
      appVersionText: appVersionText.value,
    },
  };
}
