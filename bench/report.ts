// The benchmark's results as a table for people, or as one JSON object for tools and the smoke test.
import type { BenchResult } from './bench.js';
import { CONTENDERS } from './contenders/contender.js';

const number = (value: number): string => value.toLocaleString('en-US');
const micros = (value: number | null): string => (value === null ? 'n/a' : `${number(value)} µs`);

export interface TableOptions {
  /** Also print each contender's messages received per second of its drain. */
  timeline?: boolean;
}

export function formatTable(result: BenchResult, options: TableOptions = {}): string {
  const header = ['contender', 'messages', 'msg/s', 'elapsed', 'start-up', 'CPU/msg', 'emulator CPU/msg', 'PostgreSQL CPU/msg', 'peak RSS', 'SQS calls/1k msgs', 'verified'];
  // With --sizes, a row per contender per size, the sizes in turn; otherwise the one size.
  const sizes = result.sizes ?? [{ count: result.count, contenders: result.contenders, ratios: result.ratios, ...(result.ratiosByRound ? { ratiosByRound: result.ratiosByRound } : {}) }];
  const several = sizes.length > 1;
  const rows = sizes.flatMap((size) =>
    CONTENDERS.flatMap((name) => {
      const r = size.contenders[name];
      if (!r) return [];
      return [[name, number(r.messages), number(Math.round(r.msgsPerSec)), `${(r.elapsedMs / 1000).toFixed(2)} s`, `${(r.startupMs / 1000).toFixed(2)} s`, micros(r.cpuUsPerMessage), micros(r.emulatorCpuUsPerMessage), micros(r.postgresCpuUsPerMessage), `${r.peakRssMb} MB`, number(r.sqsCallsPer1000), r.verified ? 'yes' : 'NO']];
    }),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [
    `${sizes.map((size) => number(size.count)).join(', ')} messages per contender${several ? ' (each size in turn, in this one run)' : ''}, SQS latency added: ${result.sqsLatencyMs} ms; PostgreSQL ${result.postgres}; ${result.machine.cpus} cores (${result.machine.cpuModel}), Node ${result.machine.node}, ${result.date}`,
    ...(result.coreSplit
      ? [`contenders on core(s) ${result.coreSplit.contender} alone; PostgreSQL, the emulator and the bench on core(s) ${result.coreSplit.rest}`]
      : []),
    `consumer settings: ${Object.entries(result.consumerSettings).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    result.emulatorWarmUp
      ? `the emulator warmed up first: ${number(result.emulatorWarmUp.messages)} messages sent, received and deleted (${number(result.emulatorWarmUp.quarantined)} through the DLQ) in ${(result.emulatorWarmUp.elapsedMs / 1000).toFixed(1)} s`
      : 'the emulator was not warmed up: the first contender drained against its cold code',
    result.warmUp > 0
      ? `msg/s, elapsed and CPU/msg: from the moment only as many messages as measured were left to finish (visible, in flight or delayed) to an empty queue; the same running process first drained the ${number(result.warmUp)} messages seeded ahead of them on its queue (warm-up); start-up (not counted): from the process starting to its first receive`
      : 'msg/s and elapsed: from the first ReceiveMessage to an empty queue; start-up (not counted): from the process starting to that receive',
    `CPU/msg: the contender process's CPU time, all its threads, from ${result.warmUp > 0 ? 'the end of its warm-up' : 'the end of its start-up'} to its stop, per message; emulator and PostgreSQL CPU/msg: their processes' over the same span (the emulator's with the bench's watching of the queue; n/a off Linux, and PostgreSQL's with --database-url)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ];
  for (const size of sizes) {
    const at = several ? `at ${number(size.count)}, ` : '';
    for (const [ratio, value] of Object.entries(size.ratios)) out.push(`${at}${ratio}: ${value.toFixed(2)}${size.ratiosByRound ? ' (of the median runs)' : ''}`);
    for (const [ratio, { rounds, median }] of Object.entries(size.ratiosByRound ?? {})) {
      out.push(`${at}${ratio} round by round: ${rounds.map((r) => r.toFixed(2)).join(', ')}; median ${median.toFixed(2)}`);
    }
    for (const name of CONTENDERS) {
      const runs = size.contenders[name]?.runs;
      if (runs) out.push(`${at}${name} runs (msg/s, median shown): ${runs.map((r) => number(Math.round(r))).join(', ')}`);
    }
    if (options.timeline) {
      for (const name of CONTENDERS) {
        const rates = size.contenders[name]?.receivedPerSecond;
        if (rates) out.push(`${at}${name} received per second of its drain${size.contenders[name]?.runs ? ' (median run)' : ''}: ${rates.map(number).join(', ') || 'under a second'}`);
      }
    }
  }
  for (const name of CONTENDERS) {
    const flat = result.flatness?.[name];
    if (!flat) continue;
    const byRound = flat.throughputByRound ? `; round by round ${flat.throughputByRound.rounds.map((r) => r.toFixed(2)).join(', ')}, median ${flat.throughputByRound.median.toFixed(2)}` : '';
    out.push(`${name} flatness across ${flat.sizes.map(number).join(', ')}: slowest size's msg/s over fastest's ${flat.throughput.toFixed(2)}${byRound}; lowest peak RSS over highest ${flat.peakRss.toFixed(2)}`);
  }
  out.push(`masking alone, one core, ten messages per call: encrypt ${number(result.masking.encrypt)} values/s, hash ${number(result.masking.hash)} values/s`);
  for (const size of sizes) {
    for (const name of CONTENDERS) {
      for (const c of size.contenders[name]?.checks ?? []) {
        if (!c.ok) out.push(`${name}${several ? ` at ${number(size.count)}` : ''}: ${c.what}: expected ${c.expected}, got ${c.actual}`);
      }
    }
  }
  out.push(result.verified ? 'every contender verified correct' : 'SOME CONTENDER WROTE THE WRONG RESULT');
  return `${out.join('\n')}\n`;
}

/** The machine-readable form: per contender msgsPerSec, elapsedMs, cpuUsPerMessage, peakRssMb, and the ratios. */
export function formatJson(result: BenchResult): string {
  return `${JSON.stringify(result)}\n`;
}
