// The shapes a message takes on its way through the pipeline.

/** A message body that passed validation; ip is already in canonical form. */
export interface LoginEvent {
  userId: string;
  deviceType: string;
  ip: string;
  deviceId: string;
  locale: string | null;
  appVersion: number;
  appVersionText: string;
}

/** One row of user_logins, PII already masked. */
export interface LoginRow {
  messageId: string;
  userId: string;
  deviceType: string;
  maskedIp: string;
  maskedDeviceId: string;
  locale: string | null;
  appVersion: number;
  appVersionText: string;
  /** YYYY-MM-DD, UTC date the message was first sent. */
  createDate: string;
}

/** Why a message cannot become a row. `reason` is a stable code; `detail` never contains PII. */
export interface Rejection {
  reason: string;
  detail: string;
}
