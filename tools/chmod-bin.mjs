// Marks a built CLI entry point executable (tsc does not preserve modes).
import { chmodSync } from "node:fs";
for (const file of process.argv.slice(2)) chmodSync(file, 0o755);
