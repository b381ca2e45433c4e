// A bounded ring of recent decisions, and the fan-out to the caller's onDecision callback.
import type { ProxyDecision } from "./types.js";

/** Keeps the last `capacity` decisions; memory stays bounded however long the run is. */
export class DecisionLog {
  readonly #ring: ProxyDecision[] = [];
  #next = 0;

  constructor(
    private readonly capacity: number,
    private readonly listener: ((d: ProxyDecision) => void) | undefined,
  ) {}

  /** Records a decision and reports it; a throwing listener never breaks the proxy. */
  record(decision: ProxyDecision): void {
    const frozen = Object.freeze(decision);
    if (this.#ring.length < this.capacity) this.#ring.push(frozen);
    else this.#ring[this.#next] = frozen;
    this.#next = (this.#next + 1) % this.capacity;
    if (!this.listener) return;
    try {
      this.listener(frozen);
    } catch {
      // The callback is the caller's logging; its failure must not affect enforcement.
    }
  }

  /** Oldest first. */
  snapshot(): readonly ProxyDecision[] {
    if (this.#ring.length < this.capacity) return Object.freeze([...this.#ring]);
    return Object.freeze([...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)]);
  }
}
