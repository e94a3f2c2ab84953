// `npm run unmask -- --reason "<why>" <masked>...` (or masked values on stdin, one a line).
// Prints `<masked>\t<field>\t<original>` for each value it can recover. Every use is written to
// pii_access_log first; if that write fails, nothing is printed.
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { CallerIdentityError, identifyCaller, usesAwsIdentity, type Caller } from './caller-identity.js';
import { readMaskingConfig } from './config.js';
import { ConfigError } from './errors.js';
import { openMaskingTool } from './tool-database.js';
import { UnmaskError, type Masker, type Unmasked } from './masking.js';
import { recordPiiAccess, type PiiAccessRecord } from './pii-access-log.js';
import { runIfEntryPoint } from './run-cli.js';

const USAGE = 'usage: npm run unmask -- --reason "<why>" <masked>...   (or masked values on stdin, one a line)';

export const EXIT = { ok: 0, someFailed: 1, usage: 2, auditFailed: 3 } as const;

export interface UnmaskRun {
  masker: Masker;
  pool: pg.Pool;
  caller: Caller;
  reason: string;
  values: readonly string[];
  out: (line: string) => void;
  err: (line: string) => void;
}

type Outcome = { masked: string; result: Unmasked } | { masked: string; error: UnmaskError };

/** Masked values are pseudonyms, not PII, but can be long: errors quote a bounded part. */
function shorten(masked: string): string {
  return masked.length > 24 ? `${masked.slice(0, 24)}…` : masked;
}

/** Recovers the values in memory, records the access, and only then writes anything out. */
export async function unmaskWithAudit(run: UnmaskRun): Promise<{ exitCode: number; audit?: PiiAccessRecord }> {
  const outcomes: Outcome[] = run.values.map((masked) => {
    try {
      return { masked, result: run.masker.unmask(masked) };
    } catch (error) {
      if (error instanceof UnmaskError) return { masked, error };
      throw error;
    }
  });
  const recovered = outcomes.filter((o) => 'result' in o).length;
  let audit: PiiAccessRecord;
  try {
    audit = await recordPiiAccess(run.pool, {
      actor: run.caller.actor,
      actorKind: run.caller.actorKind,
      osUser: run.caller.osUser,
      host: run.caller.host,
      reason: run.reason,
      maskedValues: run.values,
      recoveredCount: recovered,
    });
  } catch (error) {
    run.err(`unmask: the audit record could not be written to pii_access_log, so nothing is shown: ${(error as Error).message}`);
    return { exitCode: EXIT.auditFailed };
  }
  outcomes.forEach((outcome, index) => {
    if ('result' in outcome) run.out(`${outcome.masked}\t${outcome.result.field}\t${outcome.result.value}`);
    else run.err(`unmask: value ${index + 1} (${shorten(outcome.masked)}): ${outcome.error.reason}: ${outcome.error.message}`);
  });
  run.err(`unmask: recovered ${recovered} of ${outcomes.length} value(s); recorded as pii_access_log id ${audit.id}`);
  return { exitCode: recovered === outcomes.length ? EXIT.ok : EXIT.someFailed, audit };
}

async function readLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

export async function main(argv: string[], env = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { reason: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (error) {
    console.error(`unmask: ${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const reason = parsed.values.reason?.trim();
  if (!reason) {
    console.error(`unmask: --reason is required: say why the original values are needed; it is kept in the audit trail\n${USAGE}`);
    return EXIT.usage;
  }
  let masking;
  try {
    masking = readMaskingConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`unmask: configuration error: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (masking.mode === 'hash') {
    console.error(
      'unmask: MASKING_MODE is hash: values were masked with HMAC-SHA256, which is one-way by design, so no key can recover them. ' +
        'Only values masked in encrypt mode (AES-SIV) can be unmasked.',
    );
    return EXIT.usage;
  }
  const values = parsed.positionals.length > 0 ? parsed.positionals : process.stdin.isTTY ? [] : await readLines(process.stdin);
  if (values.length === 0) {
    console.error(`unmask: no masked values given\n${USAGE}`);
    return EXIT.usage;
  }
  const opened = await openMaskingTool('unmask', env, masking);
  if (opened === undefined) return EXIT.usage;
  const { masker, database } = opened;
  try {
    let caller: Caller;
    try {
      caller = await identifyCaller(usesAwsIdentity(env, masking.keys.kind === 'secret'));
    } catch (error) {
      if (!(error instanceof CallerIdentityError)) throw error;
      console.error(`unmask: ${error.message}; without knowing who asks, nothing is shown`);
      return EXIT.auditFailed;
    }
    const { exitCode } = await unmaskWithAudit({
      masker,
      pool: database.pool,
      caller,
      reason,
      values,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => console.error(line),
    });
    return exitCode;
  } finally {
    await database.close();
  }
}

runIfEntryPoint(import.meta.url, 'unmask', main);
