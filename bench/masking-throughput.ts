// Masking alone: values per second on one core for each mode, the way the consumer calls mask()
// (an ip and a device_id per message), so the pipeline's figures can be read against it.
import crypto from 'node:crypto';
import { keysetFromHex } from '../service/keys.js';
import type { MaskingMode } from '../service/config.js';
import { createMasker } from '../service/masking.js';

export type MaskingThroughput = Record<MaskingMode, number>;

export function measureMasking(durationMs: number): MaskingThroughput {
  const keyset = keysetFromHex(crypto.randomBytes(64).toString('hex'));
  const ips = Array.from({ length: 1024 }, () => [...crypto.randomBytes(4)].join('.'));
  const devices = Array.from({ length: 1024 }, () => `${crypto.randomInt(100, 999)}-${crypto.randomInt(10, 99)}-${crypto.randomInt(1000, 9999)}`);
  const result = {} as MaskingThroughput;
  for (const mode of ['encrypt', 'hash'] as const) {
    const masker = createMasker(keyset, mode);
    for (let i = 0; i < 10_000; i++) masker.mask('ip', ips[i & 1023]!); // warm up the JIT
    let values = 0;
    const started = performance.now();
    while (performance.now() - started < durationMs) {
      for (let i = 0; i < 1024; i++) {
        masker.mask('ip', ips[i]!);
        masker.mask('device_id', devices[i]!);
      }
      values += 2048;
    }
    result[mode] = Math.round(values / ((performance.now() - started) / 1000));
  }
  return result;
}
