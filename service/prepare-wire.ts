// What crosses between the main thread and a prepare worker, both ways, as flat values.
import type { PrepareOutcome } from './preparer.js';
import { utcDate } from './prepare-row.js';
import type { ReceivedMessage } from './received-message.js';

/**
 * A worker's input: MESSAGE_FIELDS values per message, in order (messageId, body, md5OfBody, sentTimestamp),
 * in one flat array. The receipt handle stays behind, and so do field names: a structured clone
 * writes each object's keys out in full and reads them back in, so objects cost more to send than
 * their values.
 */
export interface PrepareRequest {
  id: number;
  messages: (string | number)[];
}

/** An outcome that is not a row, without its message: the main thread holds the messages already. */
export type DetachedNonRow = DistributiveOmit<Exclude<PrepareOutcome, { kind: 'row' }>, 'message'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A worker's answer. `rows` holds ROW_FIELDS values for each message that became a row, in message
 * order; `others` the rest by position. Each row's messageId and createDate are left out: the main
 * thread derives them from the message it holds, as prepare-row.ts does. Sent as objects, outcomes
 * cost the SQS thread about 3.5 µs per message to read back, and flat about 0.7
 * (docs/performance.md).
 */
export interface PrepareResponse {
  id: number;
  rows: (string | number | null)[];
  others: { index: number; outcome: DetachedNonRow }[];
}

/** Values per message going out, and per row coming back. */
const MESSAGE_FIELDS = 4;
const ROW_FIELDS = 7;

export function toRequestFields(messages: readonly ReceivedMessage[]): (string | number)[] {
  const fields = new Array<string | number>(messages.length * MESSAGE_FIELDS);
  messages.forEach((m, i) => {
    const at = i * MESSAGE_FIELDS;
    fields[at] = m.messageId;
    fields[at + 1] = m.body;
    fields[at + 2] = m.md5OfBody;
    fields[at + 3] = m.sentTimestamp;
  });
  return fields;
}

/** On the worker: the messages as prepareMessages needs them (it never reads the receipt handle). */
export function fromRequestFields(fields: readonly (string | number)[]): ReceivedMessage[] {
  const messages = new Array<ReceivedMessage>(fields.length / MESSAGE_FIELDS);
  for (let i = 0; i < messages.length; i++) {
    const at = i * MESSAGE_FIELDS;
    messages[i] = {
      messageId: fields[at] as string,
      receiptHandle: '',
      body: fields[at + 1] as string,
      md5OfBody: fields[at + 2] as string,
      sentTimestamp: fields[at + 3] as number,
    };
  }
  return messages;
}

export function toResponse(id: number, outcomes: readonly PrepareOutcome[]): PrepareResponse {
  const rows: (string | number | null)[] = [];
  const others: PrepareResponse['others'] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.kind === 'row') {
      const r = outcome.row;
      rows.push(r.userId, r.deviceType, r.maskedIp, r.maskedDeviceId, r.locale, r.appVersion, r.appVersionText);
    } else {
      const { message: _message, ...rest } = outcome;
      others.push({ index, outcome: rest });
    }
  });
  return { id, rows, others };
}

/** On the main thread: the outcomes again, each with its own message. */
export function fromResponse(response: PrepareResponse, messages: readonly ReceivedMessage[]): PrepareOutcome[] {
  const { rows: f, others } = response;
  const outcomes = new Array<PrepareOutcome>(messages.length);
  let at = 0;
  let other = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (other < others.length && others[other]!.index === i) {
      outcomes[i] = { ...others[other++]!.outcome, message } as PrepareOutcome;
      continue;
    }
    outcomes[i] = {
      kind: 'row',
      message,
      row: {
        messageId: message.messageId,
        userId: f[at] as string,
        deviceType: f[at + 1] as string,
        maskedIp: f[at + 2] as string,
        maskedDeviceId: f[at + 3] as string,
        locale: f[at + 4] as string | null,
        appVersion: f[at + 5] as number,
        appVersionText: f[at + 6] as string,
        createDate: utcDate(message.sentTimestamp),
      },
    };
    at += ROW_FIELDS;
  }
  return outcomes;
}
