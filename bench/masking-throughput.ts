// Masking alone: values per second on one core for each mode, the way the consumer masks: an ip and a
// device_id per message, a receive of ten messages per `maskEach` call (service/prepare-row.ts), so
// the pipeline's figures can be read against it.
import crypto from 'node:crypto';
import { keysetFromHex } from '../service/keys.js';
import type { MaskingMode } from '../service/config.js';
import { createMasker, type MaskRequest } from '../service/masking.js';

export type MaskingThroughput = Record<MaskingMode, number>;

/** Messages per `maskEach` call: one receive's worth. */
const RECEIVE = 10;

export function measureMasking(durationMs: number): MaskingThroughput {
  const keyset = keysetFromHex(crypto.randomBytes(64).toString('hex'));
  const receives: MaskRequest[][] = Array.from({ length: 100 }, () =>
    Array.from({ length: RECEIVE }, (): MaskRequest[] => [
      { field: 'ip', value: [...crypto.randomBytes(4)].join('.') },
      { field: 'device_id', value: `${crypto.randomInt(100, 999)}-${crypto.randomInt(10, 99)}-${crypto.randomInt(1000, 9999)}` },
    ]).flat(),
  );
  const result = {} as MaskingThroughput;
  for (const mode of ['encrypt', 'hash'] as const) {
    const masker = createMasker(keyset, mode);
    for (let i = 0; i < 1_000; i++) masker.maskEach(receives[i % receives.length]!); // warm up the JIT
    let values = 0;
    const started = performance.now();
    while (performance.now() - started < durationMs) {
      for (const receive of receives) masker.maskEach(receive);
      values += receives.length * RECEIVE * 2;
    }
    result[mode] = Math.round(values / ((performance.now() - started) / 1000));
  }
  return result;
}
