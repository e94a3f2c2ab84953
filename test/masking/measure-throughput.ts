// Not a test: `npx tsx test/masking/measure-throughput.ts` prints masked values per second for each
// mode, the way the consumer masks (bench/masking-throughput.ts, which `npm run bench` reports too).
import { measureMasking } from '../../bench/masking-throughput.js';

for (const [mode, perSecond] of Object.entries(measureMasking(2_000))) {
  console.log(`${mode}: ${perSecond.toLocaleString('en-US')} values/s (${Math.round(perSecond / 2).toLocaleString('en-US')} messages/s, one core)`);
}
