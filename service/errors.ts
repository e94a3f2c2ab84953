// Named errors for the failures a caller must tell apart. None of them ever carries a raw ip or
// device_id: messages name the field and the rule, never the value.

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}

/** The database could not be reached or dropped the connection; the write is worth retrying. */
export class DatabaseUnavailableError extends Error {
  override readonly name: string = 'DatabaseUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An SQS call failed; carries the queue and the message ids involved. */
export class QueueError extends Error {
  override readonly name: string = 'QueueError';
  constructor(
    message: string,
    readonly queueUrl: string,
    readonly messageIds: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class MaskingError extends Error {
  override readonly name: string = 'MaskingError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
