// A stand-in `aws` CLI for the deploy scripts: records every call and answers from canned files,
// so the scripts' decisions (which revision, which subnets, when to stop the deploy) can be tested
// without an AWS account. Answers are given already shaped as `--query` would shape them.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FAKE = `#!/usr/bin/env bash
set -euo pipefail
op="$1-$2"
printf '%s\\n' "$*" >> "$FAKE_AWS_DIR/calls.log"
n=$(grep -c "^$1 $2 " "$FAKE_AWS_DIR/calls.log" || true)
for arg in "$@"; do
  if [[ "$arg" == file://* ]]; then cp "\${arg#file://}" "$FAKE_AWS_DIR/$op.input.json"; fi
done
if [[ -f "$FAKE_AWS_DIR/$op.out.$n" ]]; then cat "$FAKE_AWS_DIR/$op.out.$n"
elif [[ -f "$FAKE_AWS_DIR/$op.out" ]]; then cat "$FAKE_AWS_DIR/$op.out"; fi
code=0
if [[ -f "$FAKE_AWS_DIR/$op.exit.$n" ]]; then code=$(cat "$FAKE_AWS_DIR/$op.exit.$n")
elif [[ -f "$FAKE_AWS_DIR/$op.exit" ]]; then code=$(cat "$FAKE_AWS_DIR/$op.exit"); fi
exit "$code"
`;

export interface FakeAws {
  dir: string;
  /** Answer `aws <service> <operation>` with this output (the nth call only, if given). */
  answer(service: string, operation: string, output: unknown, options?: { call?: number; exit?: number }): void;
  calls(): string[];
  /** The JSON given as file:// to an operation. */
  input(service: string, operation: string): unknown;
  run(script: string, env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }>;
  remove(): void;
}

export function createFakeAws(): FakeAws {
  // The deploy scripts shape JSON with jq, as GitHub's runners provide it; without it every
  // scenario would fail for a reason that has nothing to do with the script.
  if (spawnSync('jq', ['--version']).status !== 0) {
    throw new Error('jq is not installed; the deploy script tests need it: sudo apt-get install -y jq');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-aws-'));
  writeFileSync(path.join(dir, 'aws'), FAKE);
  chmodSync(path.join(dir, 'aws'), 0o755);
  writeFileSync(path.join(dir, 'calls.log'), '');
  return {
    dir,
    answer(service, operation, output, options = {}) {
      const suffix = options.call === undefined ? '' : `.${options.call}`;
      const text = typeof output === 'string' ? output : JSON.stringify(output);
      writeFileSync(path.join(dir, `${service}-${operation}.out${suffix}`), `${text}\n`);
      if (options.exit !== undefined) writeFileSync(path.join(dir, `${service}-${operation}.exit${suffix}`), String(options.exit));
    },
    calls: () => readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
    input(service, operation) {
      const file = path.join(dir, `${service}-${operation}.input.json`);
      return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    },
    run(script, env) {
      return new Promise((resolve) => {
        execFile(
          'bash',
          [script],
          { env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, FAKE_AWS_DIR: dir, ...env } },
          (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
