// The bench's children run compiled JavaScript, as the image does, not TypeScript through tsx's loader.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledBench } from '../../bench/compile.js';

describe('compiledBench', () => {
  const out = compiledBench();
  // Test workers can end without an 'exit' event, which is when the bench removes its build.
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('holds plain JavaScript for every entry point the bench forks, and the prepare worker beside the preparer', () => {
    for (const file of ['bench/contender-process.js', 'bench/emulator-process.js', 'service/preparer.js', 'service/prepare-worker.js']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
    const preparer = fs.readFileSync(path.join(out, 'service/preparer.js'), 'utf8');
    expect(preparer).not.toMatch(/^import type /m);
    expect(preparer).not.toMatch(/: Promise<PrepareOutcome\[\]>/);
  });

  it('runs under plain node, with no loader: validation compiled gives what the source gives', () => {
    const script = `import(${JSON.stringify(path.join(out, 'service/validate.js'))}).then((m) => console.log(JSON.stringify(m.validateBody('{}'))))`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; rejection?: { reason: string } };
    expect(result.ok).toBe(false);
    expect(result.rejection?.reason).toBeTruthy();
  });

  it('is compiled once per process, into a directory of its own', () => {
    expect(compiledBench()).toBe(out);
    expect(path.basename(out)).toBe(String(process.pid));
  });
});
