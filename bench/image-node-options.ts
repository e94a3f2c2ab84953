// The consumer runs in the bench with the Node options and the allocator setting its container image
// sets (NODE_OPTIONS and MALLOC_ARENA_MAX in service/Dockerfile), read from there so the two cannot
// drift: its memory is measured as deployed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'service', 'Dockerfile');

/** The value of a single-assignment `ENV NAME=value` line, quotes removed. */
function imageEnvValue(dockerfile: string, name: string): string | undefined {
  const prefix = `ENV ${name}=`;
  const line = fs
    .readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length).replace(/^"|"$/g, '');
}

export function imageNodeOptions(dockerfile = DOCKERFILE): string[] {
  return (imageEnvValue(dockerfile, 'NODE_OPTIONS') ?? '').split(/\s+/).filter(Boolean);
}

/** Environment the image sets for the process's C library: read by glibc at start, so it must be set before the fork. */
export function imageAllocatorEnv(dockerfile = DOCKERFILE): Record<string, string> {
  const arenas = imageEnvValue(dockerfile, 'MALLOC_ARENA_MAX');
  return arenas === undefined ? {} : { MALLOC_ARENA_MAX: arenas };
}
