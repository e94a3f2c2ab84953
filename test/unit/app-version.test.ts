import { describe, expect, it } from 'vitest';
import { appVersionToInteger } from '../../service/app-version.js';

describe('app_version as an integer', () => {
  it('is major×1,000,000 + minor×1,000 + patch', () => {
    expect(appVersionToInteger('2.3.0')).toBe(2_003_000);
    expect(appVersionToInteger('10.20.30')).toBe(10_020_030);
    expect(appVersionToInteger('999.999.999')).toBe(999_999_999);
  });

  it('gives a two-part version patch 0', () => {
    expect(appVersionToInteger('0.96')).toBe(96_000);
    expect(appVersionToInteger('2.3')).toBe(appVersionToInteger('2.3.0'));
  });

  it('keeps version order as integer order', () => {
    const ordered = ['0.9', '0.10', '0.96', '1.0.0', '1.0.1', '1.2', '1.10.0', '2.3.0', '10.0'];
    const values = ordered.map((v) => appVersionToInteger(v)!);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(new Set(values).size).toBe(values.length);
  });

  it.each(['', '2', '2.', '1.2.3.4', '1000.0', '1.1000', '1.2.1000', 'v1.2', '1.2.3-beta', '1.-2', '１.２', ' 1.2'])('rejects %j', (text) => {
    expect(appVersionToInteger(text)).toBeUndefined();
  });

  it('fits PostgreSQL integer at its largest', () => {
    expect(appVersionToInteger('999.999.999')!).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});
