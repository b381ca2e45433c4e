// Builds the Windows addon and cordon-win-exec.exe with node-gyp — on Windows only; elsewhere it says so and exits 0.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

if (process.platform !== "win32") {
  console.log(`@cordon/enforce-windows: native build skipped (needs Windows; this host is ${process.platform})`);
  process.exit(0);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// npm exports the path of its bundled node-gyp to scripts; running it through npm also applies npm's
// nodedir/headers configuration (node-gyp run directly ignores ~/.npmrc).
const gyp = process.env["npm_config_node_gyp"];
if (!gyp) {
  console.error("@cordon/enforce-windows: run this through npm (`npm run build:native -w @cordon/enforce-windows`) so npm's node-gyp is used");
  process.exit(1);
}
const result = spawnSync(process.execPath, [gyp, "rebuild"], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
