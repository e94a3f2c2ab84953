// Tells the consumer when the queue has run dry for now, so that rows it holds are written at once
// rather than after the flush interval: nothing more is coming to fill their batch. Two signs:
// - a receive came back short (fewer messages than asked for);
// - no receive has brought a message for `quietMs`. This one matters at the end of a burst whose last
//   receives all came back full: the long polls after them wait for messages that do not come, no
//   receive is ever short, and the last few hundred rows used to wait out the interval (in one
//   10,000-message drain, the last 188 rows' write began 304 ms after the last receive).
// The queue counts as dry until a full receive says otherwise, so that rows of full receives still
// being prepared when a short one came back are not held either.

/**
 * With 48 long polls out, receives come back a few milliseconds apart while there is a backlog, even
 * with 20 ms SQS round trips; a quiet spell longer than this means there is none.
 */
export const QUIET_MS = 25;

export class DryQueueWatch {
  private dry = false;
  private lastMessageAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batchSize: number,
    /** Writes what is held now; called each time rows are buffered while the queue is dry. */
    private readonly onDry: () => void,
    private readonly quietMs = QUIET_MS,
  ) {}

  /** After every receive, with what it brought. */
  received(count: number, now = Date.now()): void {
    this.dry = count < this.batchSize;
    if (count > 0) this.lastMessageAt = now;
  }

  /** After rows of a receive were buffered: written now if the queue is dry, or once it falls quiet. */
  buffered(): void {
    if (this.dry) this.onDry();
    else this.checkIn(this.quietMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private checkIn(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const quiet = Date.now() - this.lastMessageAt;
      if (quiet >= this.quietMs) {
        this.dry = true;
        this.onDry();
      } else {
        this.checkIn(this.quietMs - quiet);
      }
    }, ms);
    // A pending check must not keep a stopping process alive; the batcher's drain writes what is left.
    this.timer.unref();
  }
}
