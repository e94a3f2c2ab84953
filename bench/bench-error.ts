// What the benchmark foresaw going wrong (a contender that fails, a queue that does not drain, an
// emulator that refuses its warm-up): `npm run bench` prints its message without a stack.
export class BenchError extends Error {
  override readonly name = 'BenchError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
