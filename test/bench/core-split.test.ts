// `--contender-cores`: how the bench splits this machine's cores between the contender and the rest.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { affinityOf, CoreSplitError, parseCpuList, setAffinity, splitCores } from '../../bench/core-split.js';

describe('splitting the cores', () => {
  it('reads taskset CPU lists, ranges and single CPUs alike', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0,1')).toEqual([0, 1]);
    expect(parseCpuList('0-3,6, 8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(() => parseCpuList('0-')).toThrow(CoreSplitError);
    expect(() => parseCpuList('all')).toThrow('not a CPU list: "all"');
  });

  it('gives the contender the first N usable cores and everything else the rest', () => {
    expect(splitCores(1, [0, 1])).toEqual({ contender: '0', rest: '1' });
    expect(splitCores(2, [2, 3, 5, 7])).toEqual({ contender: '2,3', rest: '5,7' });
  });

  it('refuses a split that leaves either side without a core, and says how many there are', () => {
    expect(() => splitCores(2, [0, 1])).toThrow('--contender-cores 2: this process may run on 2 core(s) (0,1)');
    expect(() => splitCores(0, [0, 1])).toThrow(CoreSplitError);
    expect(() => splitCores(1, [0])).toThrow(CoreSplitError);
  });

  it.skipIf(os.platform() !== 'linux' || os.availableParallelism() < 2)('moves every thread of a running process onto the cores it is given, and back', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const before = affinityOf(child.pid!);
      const last = before.at(-1)!;
      setAffinity(child.pid!, String(last));
      expect(affinityOf(child.pid!)).toEqual([last]);
      setAffinity(child.pid!, before.join(','));
      expect(affinityOf(child.pid!)).toEqual(before);
    } finally {
      child.kill();
    }
  });
});
