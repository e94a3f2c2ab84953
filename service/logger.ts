// Structured JSON logs. Code never logs a message body or a raw ip/device_id; the redaction below
// is a second line of defence should a future change try.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACTED_PATHS = ['ip', 'device_id', 'deviceId', 'body', 'Body', '*.ip', '*.device_id', '*.deviceId', '*.body', '*.Body'];

export function createLogger(options: { level: string; name: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      name: options.name,
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
