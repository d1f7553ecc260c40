const FRAMES = ['|', '/', '-', '\\'];
const FRAME_MS = 100;

export interface SpinnerStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A one-line `| / - \` spinner shown while a check retries. It draws only on a TTY, on stderr, so
 * stdout stays identical whether or not anyone watches.
 */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private message = '';

  constructor(
    private readonly stream: SpinnerStream,
    private readonly bold: boolean,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  show(message: string): void {
    if (!this.enabled) return;
    this.message = message;
    if (this.timer === undefined) {
      this.draw();
      this.timer = setInterval(() => this.draw(), FRAME_MS);
    }
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[K');
  }

  private draw(): void {
    const f = FRAMES[this.frame++ % FRAMES.length] ?? '|';
    this.stream.write(`\r\x1b[K${this.bold ? `\x1b[1m${f}\x1b[22m` : f} ${this.message}`);
  }
}
