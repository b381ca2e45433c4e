// Writes cordon's own output to stdout or stderr. Straight to the file descriptor where that is safe:
// creating process.stdout/stderr loads Node's whole stream stack, ~5 ms of a start-up budget of 15.
import { writeSync } from "node:fs";

type Fd = 1 | 2;

/**
 * Per descriptor: "direct" (fs.writeSync), "stream" (process.stdout/stderr), or "closed" (the reader
 * went away: EPIPE; the rest of the output has nowhere to go and is dropped, without a stack trace).
 * Windows consoles need the stream, which writes text as UTF-16 (WriteConsoleW) where bytes would not
 * show non-ASCII text correctly.
 */
const mode: Record<Fd, "direct" | "stream" | "closed"> = process.platform === "win32" ? { 1: "stream", 2: "stream" } : { 1: "direct", 2: "direct" };

/** Writes `text` completely, in order with everything written before through this function. */
export function writeText(fd: Fd, text: string): void {
  if (mode[fd] === "closed") return;
  if (mode[fd] === "stream") {
    streamOf(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EPIPE") {
      mode[fd] = "closed";
      return;
    }
    if (code !== "EAGAIN") throw error;
    // A non-blocking descriptor (set so by whoever shares it) that is full: the stream waits for it to
    // drain, and keeps the process alive until then. Everything after this goes the same way, in order.
    mode[fd] = "stream";
    streamOf(fd).write(bytes.subarray(offset));
  }
}

const watched = new Set<Fd>();

/** process.stdout or stderr, with EPIPE handled like above instead of as an uncaught 'error' event. */
function streamOf(fd: Fd): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!watched.has(fd)) {
    watched.add(fd);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      mode[fd] = "closed";
    });
  }
  return stream;
}
