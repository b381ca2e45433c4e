// The -D parameter table: every path in a profile is a `(param "PATH_n")` reference whose value is
// passed on the sandbox-exec command line. One name per distinct value, numbered in first-use order.
import { paramRef } from "./sbpl-text.js";

/** Longest path Seatbelt compares (macOS PATH_MAX is 1024 bytes including the NUL). */
export const MAX_PATH_BYTES = 1023;

export class ParamTable {
  private readonly byValue = new Map<string, string>();
  private readonly entries: [string, string][] = [];

  /** `(param "PATH_n")` for `value`, creating the parameter on first use. */
  ref(value: string): string {
    let name = this.byValue.get(value);
    if (name === undefined) {
      name = `PATH_${this.entries.length}`;
      this.byValue.set(value, name);
      this.entries.push([name, value]);
    }
    return paramRef(name);
  }

  /** `[NAME, value]` pairs in creation order. */
  list(): readonly (readonly [string, string])[] {
    return this.entries;
  }
}
