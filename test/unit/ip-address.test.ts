import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../service/ip-address.js';

describe('canonical IP addresses', () => {
  it('keep IPv4 as written', () => {
    expect(canonicalIp('199.172.111.135')).toBe('199.172.111.135');
  });

  it('write IPv6 the RFC 5952 way, so spellings of one address are equal', () => {
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:db8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('FE80:0:0:0:0:0:0:AB')).toBe('fe80::ab');
  });

  it('treat an IPv4-mapped IPv6 address as the IPv4 host it is', () => {
    expect(canonicalIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(canonicalIp('::FFFF:0102:0304')).toBe('1.2.3.4');
  });

  it.each(['', '1.2.3', '256.1.1.1', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ', 'fe80::1%eth0', '2001:db8::g', 'localhost', '1:2:3:4:5:6:7:8:9'])(
    'reject %j',
    (text) => {
      expect(canonicalIp(text)).toBeUndefined();
    },
  );
});
