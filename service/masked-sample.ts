// `npx tsx service/masked-sample.ts [N]`: prints the masked ip and device_id of the N newest rows
// (default 3), one a line, for trying `npm run unmask` on a local stack that has no psql.
// Masked values only; nothing here can show an original.
import { openToolDatabase } from './tool-database.js';
import { runIfEntryPoint } from './run-cli.js';

export async function main(argv: string[], env = process.env): Promise<number> {
  const count = Number(argv[0] ?? 3);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    console.error('usage: npx tsx service/masked-sample.ts [N from 1 to 1000]');
    return 2;
  }
  const database = await openToolDatabase(env, (line) => console.error(`masked-sample: ${line}`));
  try {
    const { rows } = await database.pool.query<{ masked_ip: string | null; masked_device_id: string | null }>(
      'SELECT masked_ip, masked_device_id FROM user_logins ORDER BY id DESC LIMIT $1',
      [count],
    );
    for (const row of rows) {
      for (const value of [row.masked_ip, row.masked_device_id]) if (value !== null) console.log(value);
    }
    return 0;
  } finally {
    await database.close();
  }
}

runIfEntryPoint(import.meta.url, 'masked-sample', main);
