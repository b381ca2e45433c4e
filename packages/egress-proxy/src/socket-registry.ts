// Tracks every socket the proxy owns so that close() can destroy them all and tests can count them.
import type { Socket as DgramSocket } from "node:dgram";
import type { Socket } from "node:net";

type Closable = Socket | DgramSocket;

/** A set of live sockets; each leaves the set when it closes. */
export class SocketRegistry {
  readonly #sockets = new Set<Closable>();
  #closed = false;

  /** Adds a socket; if the proxy is already closing, destroys it at once. Returns false then. */
  add(socket: Closable): boolean {
    if (this.#closed) {
      destroy(socket);
      return false;
    }
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    return true;
  }

  get size(): number {
    return this.#sockets.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Destroys every socket and refuses new ones. */
  destroyAll(): void {
    this.#closed = true;
    for (const socket of this.#sockets) destroy(socket);
    this.#sockets.clear();
  }
}

function destroy(socket: Closable): void {
  if ("destroy" in socket) socket.destroy();
  else {
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}
