// app_version text → the contract's integer column, losslessly and in order.

const VERSION = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/;

/**
 * "2.3.0" → 2_003_000 (major×1,000,000 + minor×1,000 + patch; "0.96" has patch 0). Each part is below
 * 1000, so the largest value, 999_999_999, fits PostgreSQL's integer, and integer order is version order.
 */
export function appVersionToInteger(text: string): number | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const [, major, minor, patch = '0'] = match;
  return Number(major) * 1_000_000 + Number(minor) * 1_000 + Number(patch);
}
