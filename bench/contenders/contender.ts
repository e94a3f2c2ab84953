// What every contender is given and what it reports. A contender runs in its own process
// (bench/contender-process.ts) and drains one fresh queue into one fresh database.

export type ContenderName = 'ceiling' | 'naive' | 'consumer';
export const CONTENDERS: readonly ContenderName[] = ['ceiling', 'naive', 'consumer'];

export interface ContenderContext {
  region: string;
  /** Where SQS calls go: the emulator, or the latency proxy in front of it. */
  endpoint: string;
  queueUrl: string;
  dlqUrl: string;
  databaseUrl: string;
  /** The consumer's environment (keys, tuning variables); others read their concurrency from it. */
  consumerEnv: Record<string, string>;
  /** Receives in flight, the consumer's configured RECEIVE_CONCURRENCY (the ceiling uses the same). */
  receiveConcurrency: number;
  /** Where the consumer's log lines go, as stdout would in production. */
  logFile: string;
}

/** What a contender counted itself; the benchmark verifies the outcome independently. */
export interface ContenderCounts {
  received: number;
  deleted: number;
  written: number;
}

export interface RunningContender {
  /** Stop receiving, finish what is in hand, and say what was done. */
  stop(): Promise<ContenderCounts>;
}

export type StartContender = (context: ContenderContext) => Promise<RunningContender>;
