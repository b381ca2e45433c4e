// FdWriter: direct writes, the EAGAIN hand-over to the stream (order kept), EPIPE, and other errors.
import { spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FdWriter, type TextStream } from "../src/write.js";

const hasFifos = process.platform !== "win32" && spawnSync("mkfifo", ["--version"]).status === 0;
if (!hasFifos) console.warn("write.test: SKIPPING the descriptor tests: they need POSIX named pipes (mkfifo)");

/** A stream double that records what it was given. */
class RecordingStream extends EventEmitter implements TextStream {
  readonly chunks: Buffer[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
}

describe.runIf(hasFifos)("FdWriter on a pipe", () => {
  let dir: string;
  const fds: number[] = [];
  afterEach(() => {
    for (const fd of fds.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A named pipe: the read end (non-blocking) and a write end, non-blocking or not. */
  function pipe(nonBlockingWriter: boolean): { reader: number; writer: number } {
    dir = mkdtempSync(join(tmpdir(), "cordon-write-"));
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | (nonBlockingWriter ? constants.O_NONBLOCK : 0));
    fds.push(reader, writer);
    return { reader, writer };
  }

  /** Everything that can be read now. */
  function drain(fd: number): Buffer {
    const parts: Buffer[] = [];
    const buffer = Buffer.alloc(65536);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
        throw error;
      }
      if (n === 0) break;
      parts.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(parts);
  }

  it("writes straight to a descriptor with room, never creating the stream", () => {
    const { reader, writer } = pipe(false);
    let opened = 0;
    const out = new FdWriter(writer, () => (opened++, new RecordingStream()), true);
    out.write("héllo\n");
    out.write("world\n");
    expect(drain(reader).toString("utf8")).toBe("héllo\nworld\n");
    expect(opened).toBe(0);
  });

  it("hands the rest to the stream when a non-blocking pipe is full, keeping the order", () => {
    const { reader, writer } = pipe(true);
    const stream = new RecordingStream();
    const out = new FdWriter(writer, () => stream, true);
    const big = "0123456789abcdef".repeat(64 * 1024); // 1 MiB: more than any pipe buffer
    out.write(big);
    out.write("after\n");
    const direct = drain(reader);
    expect(direct.length, "some bytes went straight into the pipe").toBeGreaterThan(0);
    expect(direct.length, "the pipe filled up before the end").toBeLessThan(big.length);
    expect(Buffer.concat([direct, ...stream.chunks]).toString("utf8")).toBe(`${big}after\n`);
    expect(stream.chunks.at(-1)?.toString()).toBe("after\n");
  });

  it("drops the output quietly once the reader has gone (EPIPE), and later writes too", () => {
    const { reader, writer } = pipe(true);
    closeSync(reader);
    fds.splice(fds.indexOf(reader), 1);
    let opened = 0;
    const out = new FdWriter(writer, () => (opened++, new RecordingStream()), true);
    expect(() => out.write("lost\n")).not.toThrow();
    expect(() => out.write("lost too\n")).not.toThrow();
    expect(opened).toBe(0);
  });
});

describe("FdWriter errors and stream mode", () => {
  it("throws an error other than EAGAIN or EPIPE (a descriptor that is not open)", () => {
    const out = new FdWriter(2 ** 20, () => new RecordingStream(), true);
    expect(() => out.write("x")).toThrow(/EBADF/);
  });

  it("writes through the stream only when not direct (Windows consoles)", () => {
    const stream = new RecordingStream();
    const out = new FdWriter(2 ** 20, () => stream, false);
    out.write("a");
    out.write("b");
    expect(Buffer.concat(stream.chunks).toString()).toBe("ab");
  });

  it("stops writing after the stream reports EPIPE, and rethrows any other stream error", () => {
    const stream = new RecordingStream();
    const out = new FdWriter(2 ** 20, () => stream, false);
    out.write("a");
    stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    out.write("b");
    expect(Buffer.concat(stream.chunks).toString()).toBe("a");

    const other = new RecordingStream();
    const out2 = new FdWriter(2 ** 20, () => other, false);
    out2.write("a");
    expect(() => other.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" }))).toThrow(/EIO/);
  });
});
