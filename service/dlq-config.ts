// Configuration of `npm run redrive`: the queues from the environment (named as the consumer names
// them) and the flags from the command line. A small reader of its own, because the consumer's
// loadConfig also demands database and masking settings this tool never uses.
import { ConfigError } from './errors.js';

export interface RedriveConfig {
  region: string;
  /** AWS_ENDPOINT_URL: set only for emulators. */
  endpoint: string | undefined;
  /** Where redriven messages go: the login queue. */
  queueUrl: string;
  dlqUrl: string;
  /** Count by reason and leave every message where it was. */
  dryRun: boolean;
  /** Stop after this many messages. Default: all. */
  max: number | undefined;
}

export const REDRIVE_USAGE = 'usage: npm run redrive -- [--dry-run] [--max N]   (QUEUE_URL, DLQ_URL, AWS_REGION; AWS_ENDPOINT_URL for an emulator)';

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

function url(name: string, value: string): string {
  try {
    new URL(value);
  } catch (cause) {
    throw new ConfigError(name, 'is not a valid URL', { cause });
  }
  return value;
}

function parseMax(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ConfigError('--max', `must be a positive whole number, got "${raw ?? ''}"`);
  }
  return Number(raw);
}

export function readRedriveConfig(env: Env, argv: readonly string[]): RedriveConfig {
  let dryRun = false;
  let max: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--max') max = parseMax(argv[++i]);
    else if (arg.startsWith('--max=')) max = parseMax(arg.slice('--max='.length));
    else throw new ConfigError(arg, 'is not an option of redrive');
  }
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  const queueUrl = url('QUEUE_URL', required(env, 'QUEUE_URL'));
  const dlqUrl = url('DLQ_URL', required(env, 'DLQ_URL'));
  if (queueUrl === dlqUrl) throw new ConfigError('DLQ_URL', 'must differ from QUEUE_URL');
  return {
    region: required(env, 'AWS_REGION'),
    endpoint: endpoint ? url('AWS_ENDPOINT_URL', endpoint) : undefined,
    queueUrl,
    dlqUrl,
    dryRun,
    max,
  };
}
