// Not a test: `npx tsx test/masking/measure-throughput.ts` prints masked values per second for each
// mode, the way the consumer calls mask() (two fields per message).
import crypto from 'node:crypto';
import { keysetFromHex } from '../../service/keys.js';
import { createMasker } from '../../service/masking.js';

const keyset = keysetFromHex(crypto.randomBytes(64).toString('hex'));
const ips = Array.from({ length: 1024 }, () => [...crypto.randomBytes(4)].join('.'));
const devices = Array.from({ length: 1024 }, () => `${crypto.randomInt(100, 999)}-${crypto.randomInt(10, 99)}-${crypto.randomInt(1000, 9999)}`);

for (const mode of ['encrypt', 'hash'] as const) {
  const masker = createMasker(keyset, mode);
  for (let i = 0; i < 20_000; i++) masker.mask('ip', ips[i & 1023]!); // warm up the JIT
  let values = 0;
  const started = performance.now();
  while (performance.now() - started < 2_000) {
    for (let i = 0; i < 1024; i++) {
      masker.mask('ip', ips[i]!);
      masker.mask('device_id', devices[i]!);
    }
    values += 2048;
  }
  const perSecond = Math.round(values / ((performance.now() - started) / 1000));
  console.log(`${mode}: ${perSecond.toLocaleString('en-US')} values/s (${Math.round(perSecond / 2).toLocaleString('en-US')} messages/s, one core)`);
}
