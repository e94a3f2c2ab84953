import { describe, expect, it } from 'vitest';
import { validateBody } from '../../service/validate.js';

const good = {
  user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae',
  app_version: '2.3.0',
  device_type: 'android',
  ip: '199.172.111.135',
  locale: 'RU',
  device_id: '593-47-5928',
};
const body = (overrides: Record<string, unknown>, drop: string[] = []): string => {
  const value: Record<string, unknown> = { ...good, ...overrides };
  for (const key of drop) delete value[key];
  return JSON.stringify(value);
};
const reasonOf = (text: string): string | undefined => {
  const result = validateBody(text);
  return result.ok ? undefined : result.rejection.reason;
};

describe('validating a login message', () => {
  it('accepts the example message and normalises it', () => {
    const result = validateBody(JSON.stringify(good));
    expect(result).toEqual({
      ok: true,
      event: {
        userId: good.user_id,
        deviceType: 'android',
        ip: '199.172.111.135',
        deviceId: '593-47-5928',
        locale: 'RU',
        appVersion: 2_003_000,
        appVersionText: '2.3.0',
      },
    });
  });

  it('stores a null or missing locale as NULL', () => {
    for (const text of [body({ locale: null }), body({}, ['locale'])]) {
      const result = validateBody(text);
      expect(result.ok && result.event.locale).toBeNull();
    }
  });

  it('ignores unknown extra fields', () => {
    expect(validateBody(body({ extra: { nested: true } })).ok).toBe(true);
  });

  it('canonicalises IPv6 so spellings of one address are one value', () => {
    const a = validateBody(body({ ip: '2001:DB8::1' }));
    const b = validateBody(body({ ip: '2001:db8:0:0:0:0:0:1' }));
    expect(a.ok && a.event.ip).toBe('2001:db8::1');
    expect(b.ok && b.event.ip).toBe('2001:db8::1');
  });

  it.each([
    ['not json', 'not_json'],
    ['{"user_id": "a",', 'not_json'],
    ['', 'not_json'],
    ['[1,2]', 'not_object'],
    ['"a string"', 'not_object'],
    ['null', 'not_object'],
    ['42', 'not_object'],
    ['{"foo": "oops_wrong_msg_type", "bar": "123"}', 'user_id_missing'],
  ])('names why %j is refused: %s', (text, reason) => {
    expect(reasonOf(text)).toBe(reason);
  });

  it.each(['user_id', 'device_type', 'ip', 'device_id', 'app_version'])('refuses a message whose %s is missing, null, not a string or empty', (field) => {
    expect(reasonOf(body({}, [field]))).toBe(`${field}_missing`);
    expect(reasonOf(body({ [field]: null }))).toBe(`${field}_missing`);
    expect(reasonOf(body({ [field]: 12345 }))).toBe(`${field}_not_string`);
    expect(reasonOf(body({ [field]: ['x'] }))).toBe(`${field}_not_string`);
    expect(reasonOf(body({ [field]: '' }))).toBe(`${field}_empty`);
  });

  it('refuses values longer than their column, counting characters as PostgreSQL does', () => {
    expect(reasonOf(body({ user_id: 'u'.repeat(128) }))).toBeUndefined();
    expect(reasonOf(body({ user_id: 'u'.repeat(129) }))).toBe('user_id_too_long');
    expect(reasonOf(body({ device_type: 'd'.repeat(33) }))).toBe('device_type_too_long');
    expect(reasonOf(body({ locale: 'l'.repeat(33) }))).toBe('locale_too_long');
    // 32 astral characters are 64 UTF-16 units but 32 characters: they fit varchar(32).
    expect(reasonOf(body({ device_type: '📱'.repeat(32) }))).toBeUndefined();
    expect(reasonOf(body({ device_type: '📱'.repeat(33) }))).toBe('device_type_too_long');
  });

  it('refuses a locale that is present but not a string', () => {
    expect(reasonOf(body({ locale: 7 }))).toBe('locale_not_string');
  });

  it('refuses NUL and unpaired surrogates, which PostgreSQL would refuse or silently alter', () => {
    expect(reasonOf(body({ user_id: 'a\u0000b' }))).toBe('user_id_invalid_character');
    expect(reasonOf('{"user_id":"\\ud800","app_version":"1.0","device_type":"ios","ip":"1.1.1.1","device_id":"x"}')).toBe(
      'user_id_invalid_character',
    );
  });

  it('refuses invalid IP addresses and versions', () => {
    expect(reasonOf(body({ ip: '300.1.1.1' }))).toBe('ip_invalid');
    expect(reasonOf(body({ ip: 'not an ip' }))).toBe('ip_invalid');
    expect(reasonOf(body({ app_version: '2' }))).toBe('app_version_invalid');
    expect(reasonOf(body({ app_version: '1.1000.0' }))).toBe('app_version_invalid');
  });

  it('never puts the offending value in the detail', () => {
    const secretIp = '10.20.30.40x';
    const secretDevice = 'D'.repeat(5000);
    for (const text of [body({ ip: secretIp }), body({ device_id: 12345678 }), body({ user_id: secretDevice })]) {
      const result = validateBody(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.rejection.detail).not.toContain(secretIp);
        expect(result.rejection.detail).not.toContain('12345678');
        expect(result.rejection.detail).not.toContain('DDDD');
      }
    }
  });
});
