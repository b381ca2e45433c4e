// Library entry of the `cordon` package: run the CLI in-process (used by tests and wrappers).
export { runCli } from "./cli.js";
