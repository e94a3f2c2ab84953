// `npm run bench -- --count 500`: the whole benchmark, small, as a fresh clone runs it. Not a
// measurement: it proves each contender drained its queue and was verified to have written exactly
// what it should, so a broken contender (or a broken check) fails CI rather than a published table.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import type { BenchResult } from '../../bench/bench.js';
import { CONTENDERS } from '../../bench/contenders/contender.js';
import { affinityOf, parseCpuList } from '../../bench/core-split.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runBenchCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', 'bench', '--silent', '--', ...args], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench', () => {
  it('drains 500 messages with every contender, each verified correct, and reports rates, memory and ratios', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await runBenchCli(['--count', '500', '--json', '--database-url', inject('postgresUrl')]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim()) as BenchResult;

    expect(result.verified).toBe(true);
    expect(result.postgres).toBe('external');
    for (const name of CONTENDERS) {
      const contender = result.contenders[name]!;
      expect(contender, name).toBeDefined();
      const failed = contender.checks.filter((c) => !c.ok);
      expect(failed, name).toEqual([]);
      expect(contender.verified, name).toBe(true);
      expect(contender.messages, name).toBe(500);
      expect(contender.msgsPerSec, name).toBeGreaterThan(0);
      expect(contender.elapsedMs, name).toBeGreaterThan(0);
      // The drain is timed from the first receive the emulator saw, after the contender's own set-up.
      expect(contender.startupMs, name).toBeGreaterThanOrEqual(0);
      // The rate is rounded to a whole message a second: a rate of 312.5 is reported as 313.
      expect(Math.abs(contender.msgsPerSec - 500 / (contender.elapsedMs / 1000)), name).toBeLessThanOrEqual(0.5);
      expect(contender.peakRssMb, name).toBeGreaterThan(0);
      expect(contender.cpuUsPerMessage, name).toBeGreaterThan(0);
      // Every contender's drain makes the emulator work; the database is external here, so its CPU is unknown.
      if (process.platform === 'linux') expect(contender.emulatorCpuUsPerMessage, name).toBeGreaterThan(0);
      expect(contender.postgresCpuUsPerMessage, name).toBeNull();
      expect(contender.warmUpMs, name).toBeUndefined();
    }
    expect(result.coreSplit).toBeNull();
    expect(result.ratiosByRound).toBeUndefined();
    // By default the emulator served a queue of its own, DLQ moves included, before the first contender.
    expect(result.emulatorWarmUp).toMatchObject({ messages: 20_000 });
    expect(result.emulatorWarmUp!.quarantined).toBeGreaterThan(0);
    expect(result.emulatorWarmUp!.elapsedMs).toBeGreaterThan(0);

    // The sample really holds malformed messages, and the consumer's verification counted them in the DLQ.
    const dlq = result.contenders.consumer!.checks.find((c) => c.what.includes('DLQ'))!;
    expect(dlq.expected).toBeGreaterThan(0);
    expect(dlq.actual).toBe(dlq.expected);
    const rows = result.contenders.consumer!.checks.find((c) => c.what.startsWith('rows written'))!;
    expect(rows.actual + dlq.actual).toBe(500);

    const { ceiling, naive, consumer } = result.contenders;
    expect(result.ratios['consumer/ceiling']).toBeCloseTo(consumer!.msgsPerSec / ceiling!.msgsPerSec, 2);
    expect(result.ratios['consumer/naive']).toBeCloseTo(consumer!.msgsPerSec / naive!.msgsPerSec, 2);
    expect(result.masking.encrypt).toBeGreaterThan(0);
    expect(result.masking.hash).toBeGreaterThan(0);
  });

  it.skipIf(os.platform() !== 'linux' || os.availableParallelism() < 2)(
    'with --contender-cores 1, each contender runs on one core of its own and is still verified',
    { timeout: 240_000 },
    async () => {
      const { code, stdout, stderr } = await runBenchCli(['--count', '300', '--contender-cores', '1', '--contenders', 'ceiling,consumer', '--emulator-warm-up', '0', '--json']);
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout.trim()) as BenchResult;
      expect(result.verified).toBe(true);
      const usable = affinityOf(process.pid);
      expect(result.coreSplit).toEqual({ contender: String(usable[0]), rest: usable.slice(1).join(',') });
      for (const name of ['ceiling', 'consumer'] as const) {
        const contender = result.contenders[name]!;
        expect(contender.checks.filter((c) => !c.ok), name).toEqual([]);
        // Read inside the contender's process, not just asked for; the bench itself moved to the other core.
        expect(parseCpuList(contender.cpus!), name).toEqual(parseCpuList(result.coreSplit!.contender));
      }
    },
  );

  it('with --repeat, runs each contender once a round, verifies every run, and gives each round its own ratio', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await runBenchCli(['--count', '200', '--repeat', '2', '--contenders', 'ceiling,consumer', '--emulator-warm-up', '300', '--json', '--database-url', inject('postgresUrl')]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim()) as BenchResult;
    expect(result.verified).toBe(true);
    expect(result.emulatorWarmUp).toMatchObject({ messages: 300 });
    const { ceiling, consumer } = result.contenders;
    expect(ceiling!.runs).toHaveLength(2);
    expect(consumer!.runs).toHaveLength(2);
    const byRound = result.ratiosByRound!['consumer/ceiling']!;
    expect(byRound.rounds).toEqual([0, 1].map((i) => Math.round((consumer!.runs![i]! / ceiling!.runs![i]!) * 100) / 100));
    // The median of two rounds is their mean, rounded to two places like every ratio.
    expect(byRound.median).toBe(Math.round(((byRound.rounds[0]! + byRound.rounds[1]!) / 2) * 100) / 100);
    expect(result.ratios['consumer/ceiling']).toBeCloseTo(consumer!.msgsPerSec / ceiling!.msgsPerSec, 2);
  });

  it('with --warm-up, drains the warm-up and the measured messages in one process, times the measured alone, and verifies them all', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await runBenchCli(['--count', '300', '--warm-up', '400', '--contenders', 'ceiling,consumer', '--emulator-warm-up', '0', '--json', '--database-url', inject('postgresUrl')]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim()) as BenchResult;
    expect(result.warmUp).toBe(400);
    expect(result.emulatorWarmUp).toBeNull();
    expect(result.verified).toBe(true);
    for (const name of ['ceiling', 'consumer'] as const) {
      const contender = result.contenders[name]!;
      expect(contender.checks.filter((c) => !c.ok), name).toEqual([]);
      // One process, one queue: it received the warm-up's 400 and the measured 300.
      expect(contender.counts.received, name).toBe(700);
      expect(contender.messages, name).toBe(300);
      expect(contender.warmUpMs, name).toBeGreaterThan(0);
      // The rate is the measured messages' over the measured time alone.
      expect(Math.abs(contender.msgsPerSec - 300 / (contender.elapsedMs / 1000)), name).toBeLessThanOrEqual(0.5);
    }
    // Every message seeded is verified, the warm-up's too.
    const rows = result.contenders.consumer!.checks.find((c) => c.what.startsWith('rows written'))!;
    const dlq = result.contenders.consumer!.checks.find((c) => c.what.includes('DLQ'))!;
    expect(rows.actual + dlq.actual).toBe(700);
  });

  it('with --sizes, runs each size in this one run, each round alike, and reports how flat the contender stayed across them', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await runBenchCli(['--sizes', '150,300', '--repeat', '2', '--contenders', 'consumer', '--emulator-warm-up', '0', '--json', '--database-url', inject('postgresUrl')]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim()) as BenchResult;
    expect(result.verified).toBe(true);
    expect(result.sizes!.map((s) => s.count)).toEqual([150, 300]);
    for (const size of result.sizes!) {
      const consumer = size.contenders.consumer!;
      expect(consumer.messages).toBe(size.count);
      expect(consumer.runs).toHaveLength(2);
      expect(consumer.checks.filter((c) => !c.ok), String(size.count)).toEqual([]);
      const rows = consumer.checks.find((c) => c.what.startsWith('rows written'))!;
      const dlq = consumer.checks.find((c) => c.what.includes('DLQ'))!;
      expect(rows.actual + dlq.actual).toBe(size.count);
    }
    // The top-level results are the largest size's, as with --count.
    expect(result.count).toBe(300);
    expect(result.contenders.consumer).toEqual(result.sizes![1]!.contenders.consumer);
    const flat = result.flatness!.consumer!;
    const [small, large] = result.sizes!.map((s) => s.contenders.consumer!);
    const medians = [small!, large!].map((c) => (c.runs![0]! + c.runs![1]!) / 2);
    expect(flat.throughput).toBeCloseTo(Math.min(...medians) / Math.max(...medians), 2);
    expect(flat.throughputByRound!.rounds).toHaveLength(2);
    expect(flat.peakRss).toBeGreaterThan(0);
    expect(flat.peakRss).toBeLessThanOrEqual(1);
  });

  it('refuses --sizes with --count, and a size given twice', async () => {
    const both = await runBenchCli(['--sizes', '100,200', '--count', '100']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--sizes gives the counts; leave out --count');
    const twice = await runBenchCli(['--sizes', '100,200,100']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--sizes names a count twice');
  });

  it('refuses an unknown contender with a usage error', async () => {
    const { code, stderr } = await runBenchCli(['--contenders', 'ceiling,fastest']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown contender "fastest"');
  });

  it('refuses --fsync-off with a server of your own, whose settings it cannot change', async () => {
    const { code, stderr } = await runBenchCli(['--fsync-off', '--database-url', 'postgres://127.0.0.1:1/postgres']);
    expect(code).toBe(2);
    expect(stderr).toContain('--fsync-off sets up the embedded server');
  });
});
