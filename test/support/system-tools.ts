// A few tests need a system program besides Node (Debian's shellcheck and jq for the workflow lint
// and the deploy scripts). A developer with only Node and npm can still run `npm test`: those tests
// are skipped there, with a note saying how to install the program. In CI (CI=true, as .ci/run and
// GitHub Actions set it) they always run, and fail if the program is missing.
import { spawnSync } from 'node:child_process';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function hasProgram(command: string): boolean {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

/** True when tests needing `command` should be skipped: missing, and not in CI. */
export function skipWithout(command: string, install: string): boolean {
  if (hasProgram(command) || IN_CI) return false;
  console.warn(`skipping the tests that need ${command} (not installed): ${install}`);
  return true;
}
