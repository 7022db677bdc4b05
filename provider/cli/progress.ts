/**
 * The export's progress line: users, pages and rate, rewritten in place on a terminal's stderr,
 * and nothing at all when stderr is not a terminal (a pipe, a file, CI logs). Counts only: no
 * address or login ever reaches it. A few lines of our own: a progress library would bring
 * terminal handling we do not need for one line.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressLine {
  update(users: number, pages: number): void;
  done(): void;
}

const NONE: ProgressLine = { update() {}, done() {} };

export function progressLine(
  stream: ProgressStream,
  now: () => number = () => performance.now(),
): ProgressLine {
  if (!stream.isTTY) return NONE;
  const startedAt = now();
  let shown = false;
  return {
    update(users, pages) {
      const seconds = Math.max((now() - startedAt) / 1000, 0.001);
      const rate = Math.round(users / seconds).toLocaleString("en-US");
      // \r + erase line: the line is rewritten in place.
      stream.write(
        `\r\x1b[2Kexport: ${users.toLocaleString("en-US")} users, ${pages} page${pages === 1 ? "" : "s"}, ${rate} users/s`,
      );
      shown = true;
    },
    done() {
      if (shown) stream.write("\n");
    },
  };
}
