// Realistic login events for local runs, tests and the benchmark: UUID users, ios/android, IPv4 and
// some IPv6 written in several spellings, two-letter and null locales, versions like "2.3.0" and "0.96",
// devices and addresses shared across users (so duplicates show), and a share of malformed messages.
// Seeded, so a run can be repeated exactly.

export interface SampleOptions {
  count: number;
  seed?: number;
  /** Share of malformed messages, 0..1. Default 0.03. */
  malformedShare?: number;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOCALES = ['RU', 'US', 'DE', 'FR', 'BR', 'IN', 'JP', 'GB', 'ES', 'PL'];
const VERSIONS = ['2.3.0', '2.3.1', '2.4.0', '0.96', '1.0', '3.0.2', '0.4.12', '2.10.0'];

export function generateSample(options: SampleOptions): string[] {
  const rnd = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  const ipv4 = (): string => `${1 + Math.floor(rnd() * 223)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  const ipv6 = (): string => {
    const groups = ['2001', 'db8', hex(1), '0', '0', '0', hex(2), hex(4)];
    // The same address in the spellings clients really send.
    return pick([groups.join(':'), groups.join(':').toUpperCase(), `2001:db8:${groups[2]}::${groups[6]}:${groups[7]}`]);
  };

  const count = options.count;
  // Fewer devices and addresses than events, so some are shared by several users.
  const devices = Array.from({ length: Math.max(1, Math.ceil(count / 4)) }, () => `${digits(3)}-${digits(2)}-${digits(4)}`);
  const addresses = Array.from({ length: Math.max(1, Math.ceil(count / 3)) }, () => (rnd() < 0.1 ? ipv6() : ipv4()));
  const users = Array.from({ length: Math.max(1, Math.ceil(count / 2)) }, uuid);
  const malformedShare = options.malformedShare ?? 0.03;

  const malformed = (): string => {
    const base = { user_id: pick(users), app_version: pick(VERSIONS), device_type: 'ios', ip: pick(addresses), locale: 'RU', device_id: pick(devices) };
    switch (Math.floor(rnd() * 8)) {
      case 0:
        return 'this is not json';
      case 1:
        return '{"foo": "oops_wrong_msg_type", "bar": "123"}';
      case 2: {
        const { ip: _ip, ...rest } = base;
        return JSON.stringify(rest);
      }
      case 3:
        return JSON.stringify({ ...base, device_id: `${digits(3)}-`.repeat(80) });
      case 4:
        return JSON.stringify({ ...base, ip: `${ipv4()}.7` });
      case 5:
        return JSON.stringify({ ...base, app_version: 'two point three' });
      case 6:
        return JSON.stringify({ ...base, user_id: 'u'.repeat(200) });
      default:
        return JSON.stringify({ ...base, device_type: 42 });
    }
  };

  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    if (rnd() < malformedShare) {
      bodies.push(malformed());
      continue;
    }
    bodies.push(
      JSON.stringify({
        user_id: pick(users),
        app_version: pick(VERSIONS),
        device_type: rnd() < 0.5 ? 'ios' : 'android',
        ip: pick(addresses),
        locale: rnd() < 0.1 ? null : pick(LOCALES),
        device_id: pick(devices),
      }),
    );
  }
  return bodies;
}
