// A one-line progress bar on stderr (a terminal) or a line per 10 % (a log), so stdout stays the report.
export class ProgressBar {
  private lastDecile = -1;
  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, note = ''): void {
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${note}   `);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`progress: ${decile * 10}% (${done}/${this.total}) ${note}\n`);
    }
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
