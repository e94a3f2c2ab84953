// Loads a fixture: the valid pipeline with a broken folder's files laid over it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkflowDir, type Workflow } from './load-workflows.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const REPO_WORKFLOWS = path.resolve(FIXTURES, '..', '..', '..', '.github', 'workflows');

export function loadFixture(name: string): Map<string, Workflow> {
  const dir = path.join(FIXTURES, name);
  if (!existsSync(dir)) throw new Error(`no workflow fixture ${name}`);
  const workflows = loadWorkflowDir(path.join(FIXTURES, 'valid'));
  if (name !== 'valid') for (const [file, workflow] of loadWorkflowDir(dir)) workflows.set(file, workflow);
  return workflows;
}
