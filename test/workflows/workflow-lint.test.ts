import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURES, REPO_WORKFLOWS } from './fixture-workflows.js';
import { skipWithout } from '../support/system-tools.js';
import { actionlint, runBlocks, shellcheck, shellcheckFile, shellcheckRunBlocks, ShellcheckMissingError, SHELLCHECK_INSTALL, workflowFiles } from './workflow-lint.js';

const noShellcheck = skipWithout(process.env.SHELLCHECK ?? 'shellcheck', SHELLCHECK_INSTALL);

const SCRIPTS = path.resolve(REPO_WORKFLOWS, '..', 'scripts');

describe('workflow lint of .github/workflows', () => {
  const files = workflowFiles(REPO_WORKFLOWS);

  it('finds the workflows', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['ci.yml', 'cd.yml', 'deploy.yml', 'preview.yml']));
  });

  it.each(files.map((f) => [path.basename(f), f]))('actionlint reports nothing in %s', async (_name, file) => {
    expect(await actionlint(file)).toEqual([]);
  });

  it.skipIf(noShellcheck).each(files.map((f) => [path.basename(f), f]))('shellcheck reports nothing in the run blocks of %s', (_name, file) => {
    expect(shellcheckRunBlocks(file)).toEqual([]);
  });

  it.skipIf(noShellcheck).each(['push-image.sh', 'run-migration.sh', 'smoke-check.sh'])('shellcheck reports nothing in .github/scripts/%s', (name) => {
    expect(shellcheckFile(path.join(SCRIPTS, name))).toEqual([]);
  });
});

describe('workflow lint catches broken workflows', () => {
  it('actionlint reports an invalid timeout', async () => {
    const findings = await actionlint(path.join(FIXTURES, 'actionlint-finding', 'ci.yml'));
    expect(findings.join('\n')).toMatch(/ci\.yml:11:\d+: expecting a single \$\{\{\.\.\.\}\} expression or float number/);
  });

  it.skipIf(noShellcheck)('shellcheck reports a bad loop in a run block', () => {
    const findings = shellcheckRunBlocks(path.join(FIXTURES, 'shellcheck-finding', 'cd.yml'));
    expect(findings.join('\n')).toMatch(/job build step #2: .*SC2045/);
  });

  it.skipIf(noShellcheck)('expressions are replaced before shellcheck sees a run block', () => {
    const [block] = runBlocks(path.join(FIXTURES, 'untrusted-run', 'ci.yml')).filter((b) => b.script.includes('testing'));
    expect(block!.script).toBe('echo "testing ${GHA_EXPRESSION}" && npm test');
    expect(shellcheck(block!.script)).toEqual([]);
    expect(shellcheck('echo ${GHA_EXPRESSION}').join('\n')).toMatch(/SC2086/);
  });
});

describe('without shellcheck', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('the workflow lint fails, saying how to install it, instead of passing silently', () => {
    vi.stubEnv('SHELLCHECK', '/nonexistent/shellcheck');
    const lint = () => shellcheckRunBlocks(path.join(REPO_WORKFLOWS, 'cd.yml'));
    expect(lint).toThrow(ShellcheckMissingError);
    expect(lint).toThrow(/apt-get install -y shellcheck/);
  });
});
