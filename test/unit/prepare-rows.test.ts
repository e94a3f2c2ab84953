import { describe, expect, it } from 'vitest';
import { keysetFromHex } from '../../service/keys.js';
import { generateSample } from '../../service/local/sample-messages.js';
import { createMasker, type Masker } from '../../service/masking.js';
import { prepareRow, prepareRows, utcDate } from '../../service/prepare-row.js';
import type { ReceivedMessage } from '../../service/received-message.js';

const keyset = keysetFromHex('3c'.repeat(64));
const message = (body: string, i: number): ReceivedMessage => ({
  messageId: `m-${i}`,
  receiptHandle: `r-${i}`,
  body,
  md5OfBody: '',
  sentTimestamp: Date.UTC(2026, 10, 22, 8),
});
const login = (deviceId: string): string =>
  JSON.stringify({ user_id: 'u-1', app_version: '2.3.0', device_type: 'ios', ip: '198.51.100.7', locale: 'RU', device_id: deviceId });

describe.each(['encrypt', 'hash'] as const)('preparing a receive together (%s)', (mode) => {
  const masker = createMasker(keyset, mode);

  it('gives each message what preparing it alone gives, in order', () => {
    const messages = generateSample({ count: 200, seed: 11, malformedShare: 0.2 }).map(message);
    const together = prepareRows(messages, masker);
    expect(together).toEqual(messages.map((m) => prepareRow(m, masker)));
    expect(together.filter((p) => !(p instanceof Error) && p.kind === 'row').length).toBeGreaterThan(120);
    expect(together.filter((p) => !(p instanceof Error) && p.kind === 'rejected').length).toBeGreaterThan(20);
  });
});

describe('preparing a receive together', () => {
  it('refuses a device_id too long to mask with its reason, not its value, and the messages around it still become rows', () => {
    const long = 'd'.repeat(300);
    const prepared = prepareRows([login('dev-1'), login(long), login('dev-3')].map(message), createMasker(keyset, 'encrypt'));
    expect(prepared.map((p) => (p instanceof Error ? 'error' : p.kind))).toEqual(['row', 'rejected', 'row']);
    expect(prepared[1]).toMatchObject({ rejection: { reason: 'device_id_too_long' } });
    expect(JSON.stringify((prepared[1] as { rejection: unknown }).rejection)).not.toContain(long);
  });

  it('returns a masking failure that is not about the input in place of each valid message, and still rejects the malformed ones', () => {
    const broken: Masker = {
      ...createMasker(keyset, 'encrypt'),
      maskEach: () => {
        throw new Error('OpenSSL went away');
      },
    };
    const prepared = prepareRows([login('dev-1'), 'not json', login('dev-3')].map(message), broken);
    expect(prepared[0]).toBeInstanceOf(Error);
    expect((prepared[0] as Error).message).toBe('OpenSSL went away');
    expect(prepared[1]).toMatchObject({ kind: 'rejected' });
    expect(prepared[2]).toBeInstanceOf(Error);
    expect(() => prepareRow(message(login('dev-1'), 0), broken)).toThrow('OpenSSL went away');
  });
});

describe('the create_date of a row', () => {
  it('is the UTC day of the timestamp, right at the boundaries and when days alternate', () => {
    const midnight = Date.UTC(2026, 10, 22);
    expect([midnight - 1, midnight, midnight - 1, midnight + 86_399_999, midnight + 86_400_000].map(utcDate)).toEqual([
      '2026-11-21',
      '2026-11-22',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
    ]);
    expect(utcDate(-1)).toBe('1969-12-31');
    expect(utcDate(0)).toBe('1970-01-01');
  });
});
