// Slow-loris defence for the HTTP side: whenever a connection owes us a request head (just opened,
// or idle between keep-alive requests), it has `ms` to deliver all of it, else it is closed.
import type { Socket } from "node:net";

interface State {
  timer: NodeJS.Timeout | undefined;
  outstanding: number;
  done: boolean;
}

/** Per-socket head deadlines for one HTTP server. */
export class HeadDeadlines {
  readonly #states = new WeakMap<Socket, State>();

  constructor(
    private readonly ms: number,
    private readonly onExpire: (socket: Socket) => void,
  ) {}

  /** The connection is new: a request head is due. */
  start(socket: Socket): void {
    const state: State = { timer: undefined, outstanding: 0, done: false };
    this.#states.set(socket, state);
    socket.once("close", () => this.#clear(state));
    this.#arm(socket, state);
  }

  /** A request head arrived (a response is now owed by us). */
  requestStarted(socket: Socket): void {
    const state = this.#states.get(socket);
    if (!state) return;
    state.outstanding++;
    this.#clear(state);
  }

  /** A response finished or was abandoned: if none is pending, the next head is due. */
  requestEnded(socket: Socket): void {
    const state = this.#states.get(socket);
    if (!state || state.done) return;
    state.outstanding = Math.max(0, state.outstanding - 1);
    if (state.outstanding === 0 && !socket.destroyed) this.#arm(socket, state);
  }

  /** The connection left HTTP (CONNECT tunnel, or closed): no more heads. */
  stop(socket: Socket): void {
    const state = this.#states.get(socket);
    if (!state) return;
    state.done = true;
    this.#clear(state);
  }

  #arm(socket: Socket, state: State): void {
    this.#clear(state);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (!state.done && state.outstanding === 0) this.onExpire(socket);
    }, this.ms);
  }

  #clear(state: State): void {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
  }
}
