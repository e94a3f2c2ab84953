// Validate, then mask: a received message becomes either a row for user_logins or a rejection.
import type { LoginRow, Rejection } from './login-event.js';
import { MaskedValueTooLongError, type Masker } from './masking.js';
import type { ReceivedMessage } from './received-message.js';
import { validateBody } from './validate.js';

export type Prepared =
  | { kind: 'row'; message: ReceivedMessage; row: LoginRow }
  | { kind: 'rejected'; message: ReceivedMessage; rejection: Rejection };

/** The UTC calendar date of the message's first sending, not of processing. */
export function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function prepareRow(message: ReceivedMessage, masker: Masker): Prepared {
  const validation = validateBody(message.body);
  if (!validation.ok) return { kind: 'rejected', message, rejection: validation.rejection };
  const { event } = validation;
  let maskedIp: string;
  let maskedDeviceId: string;
  try {
    maskedIp = masker.mask('ip', event.ip);
    maskedDeviceId = masker.mask('device_id', event.deviceId);
  } catch (error) {
    if (error instanceof MaskedValueTooLongError) {
      return {
        kind: 'rejected',
        message,
        rejection: { reason: `${error.field}_too_long`, detail: `${error.field} is too long: its masked form would not fit varchar(256)` },
      };
    }
    throw error;
  }
  return {
    kind: 'row',
    message,
    row: {
      messageId: message.messageId,
      userId: event.userId,
      deviceType: event.deviceType,
      maskedIp,
      maskedDeviceId,
      locale: event.locale,
      appVersion: event.appVersion,
      appVersionText: event.appVersionText,
      createDate: utcDate(message.sentTimestamp),
    },
  };
}
