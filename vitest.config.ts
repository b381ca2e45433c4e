import { defineConfig } from "vitest/config";

// IDE / one-shot runs across every workspace; each package also has its own config.
export default defineConfig({ test: { projects: ["packages/*", "apps/*"] } });
