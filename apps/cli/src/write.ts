// Writes cordon's own output to stdout or stderr. Straight to the file descriptor where that is safe:
// creating process.stdout/stderr loads Node's whole stream stack, ~5 ms of a start-up budget of 15.
import { writeSync } from "node:fs";

/** Where the output goes from now on: the descriptor, the stream, or nowhere (the reader went away). */
type Route = "direct" | "stream" | "closed";

/** The part of a writable stream a writer needs (process.stdout or process.stderr). */
export interface TextStream {
  write(chunk: string | Uint8Array): unknown;
  on(event: "error", listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Writes text to one descriptor completely and in order. Direct writes first; when the descriptor is
 * non-blocking (set so by whoever shares it) and full (EAGAIN), the rest and everything after goes
 * through `stream()`, which waits for it to drain and keeps the process alive until then. When the
 * reader has gone (EPIPE), the output has nowhere to go and is dropped, without a stack trace.
 */
export class FdWriter {
  private route: Route;
  private stream: TextStream | undefined;

  constructor(
    private readonly fd: number,
    private readonly openStream: () => TextStream,
    direct: boolean,
  ) {
    this.route = direct ? "direct" : "stream";
  }

  write(text: string): void {
    if (this.route === "closed") return;
    if (this.route === "stream") {
      this.streamOnce().write(text);
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EPIPE") {
        this.route = "closed";
        return;
      }
      if (code !== "EAGAIN") throw error;
      this.route = "stream";
      this.streamOnce().write(bytes.subarray(offset));
    }
  }

  private streamOnce(): TextStream {
    if (!this.stream) {
      this.stream = this.openStream();
      this.stream.on("error", (error) => {
        if (error.code !== "EPIPE") throw error;
        this.route = "closed";
      });
    }
    return this.stream;
  }
}

// Windows consoles need the stream, which writes text as UTF-16 (WriteConsoleW): raw bytes would not
// show non-ASCII text correctly there.
const direct = process.platform !== "win32";
const stdout = new FdWriter(1, () => process.stdout, direct);
const stderr = new FdWriter(2, () => process.stderr, direct);

/** Writes `text` to stdout (1) or stderr (2), in order with everything written before through here. */
export function writeText(fd: 1 | 2, text: string): void {
  (fd === 1 ? stdout : stderr).write(text);
}
