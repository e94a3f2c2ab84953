// IP addresses in canonical form, so that equal addresses mask equal however they were written.
import net from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * Returns the canonical text of an IPv4 or IPv6 address (RFC 5952 for IPv6: lower case, no leading
 * zeros, the longest run of zero groups compressed), or undefined when it is not an address.
 * IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) are the same host as the IPv4 address and become it.
 * Zone ids (fe80::1%eth0) are rejected: they only mean something on the machine that wrote them.
 */
export function canonicalIp(text: string): string | undefined {
  const version = net.isIP(text);
  if (version === 4) return text;
  if (version !== 6 || text.includes('%')) return undefined;
  // WHATWG URL serialises IPv6 hosts exactly as RFC 5952 section 4 recommends.
  const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mappedDotted = MAPPED_IPV4.exec(text);
  if (mappedDotted?.[1] !== undefined && net.isIPv4(mappedDotted[1])) return mappedDotted[1];
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mappedHex?.[1] !== undefined && mappedHex[2] !== undefined) {
    const hi = parseInt(mappedHex[1], 16);
    const lo = parseInt(mappedHex[2], 16);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return host;
}
