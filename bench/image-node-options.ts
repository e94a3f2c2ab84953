// The consumer runs in the bench with the Node options and the allocator setting its container image
// sets (NODE_OPTIONS and MALLOC_ARENA_MAX in service/Dockerfile), read from there so the two cannot
// drift: its memory is measured as deployed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'service', 'Dockerfile');

/** What the image sets for the consumer's process: Node's options, and glibc's, which it reads at start (so before the fork). */
export interface ImageRuntime {
  nodeOptions: string[];
  env: Record<string, string>;
}

/** From single-assignment `ENV NAME=value` lines, quotes removed; one read of the Dockerfile. */
export function imageRuntime(dockerfile = DOCKERFILE): ImageRuntime {
  const lines = fs.readFileSync(dockerfile, 'utf8').split('\n');
  const value = (name: string): string | undefined => {
    const prefix = `ENV ${name}=`;
    return lines.find((l) => l.startsWith(prefix))?.slice(prefix.length).replace(/^"|"$/g, '');
  };
  const arenas = value('MALLOC_ARENA_MAX');
  return {
    nodeOptions: (value('NODE_OPTIONS') ?? '').split(/\s+/).filter(Boolean),
    env: arenas === undefined ? {} : { MALLOC_ARENA_MAX: arenas },
  };
}

export function imageNodeOptions(dockerfile = DOCKERFILE): string[] {
  return imageRuntime(dockerfile).nodeOptions;
}

export function imageAllocatorEnv(dockerfile = DOCKERFILE): Record<string, string> {
  return imageRuntime(dockerfile).env;
}
