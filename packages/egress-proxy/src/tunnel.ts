// Joins a client socket and an upstream socket: bytes both ways with back-pressure (pipe pauses the
// reader while the writer is full), half-close passed through (FIN one way keeps the other open),
// errors and idle timeouts tear both down.
import type { Socket } from "node:net";

/** Splices `client` and `upstream` until both directions end, one side fails, or both idle too long. */
export function spliceSockets(client: Socket, upstream: Socket, idleTimeoutMs: number): void {
  const destroyBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const [self, other] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    self.on("error", destroyBoth);
    self.setTimeout(idleTimeoutMs, destroyBoth);
    self.once("close", (hadError: boolean) => {
      // A peer that closed abruptly (or was destroyed) takes the tunnel with it. A clean close only
      // ends the other side after what it still has to write has been flushed.
      if (hadError || !self.readableEnded) other.destroy();
      else if (other.writableFinished) other.destroy();
      else other.once("finish", () => other.destroy());
    });
    // end: true propagates a FIN; both sockets are allowHalfOpen, so the other direction stays open.
    self.pipe(other, { end: true });
  }
}
