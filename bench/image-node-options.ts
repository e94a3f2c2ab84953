// The consumer runs in the bench with the Node options its container image sets (NODE_OPTIONS in
// service/Dockerfile), read from there so the two cannot drift: its memory is measured as deployed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'service', 'Dockerfile');

export function imageNodeOptions(dockerfile = DOCKERFILE): string[] {
  const line = fs
    .readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((l) => /^ENV NODE_OPTIONS=/.test(l));
  if (!line) return [];
  return line.replace(/^ENV NODE_OPTIONS=/, '').replace(/^"|"$/g, '').split(/\s+/).filter(Boolean);
}
