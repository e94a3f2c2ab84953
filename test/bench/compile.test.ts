// The bench's children run compiled JavaScript, as the image does, not TypeScript through tsx's loader.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledBench } from '../../bench/compile.js';
import { validateBody } from '../../service/validate.js';

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
    const bodies = ['{}', JSON.stringify({ user_id: 'u', app_version: '2.3.0', device_type: 'ios', ip: '192.0.2.1', locale: 'RU', device_id: 'test-device' })];
    const script = `import(${JSON.stringify(path.join(out, 'service/validate.js'))}).then((m) => console.log(JSON.stringify(${JSON.stringify(bodies)}.map((b) => m.validateBody(b)))))`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(run.status, run.stderr).toBe(0);
    const compiled = JSON.parse(run.stdout) as { ok: boolean }[];
    expect(compiled.map((r) => r.ok)).toEqual([false, true]);
    expect(compiled).toEqual(JSON.parse(JSON.stringify(bodies.map((b) => validateBody(b)))));
  });

  it('is compiled once per process, into a directory of its own', () => {
    expect(compiledBench()).toBe(out);
    expect(path.basename(out)).toBe(String(process.pid));
  });
});
