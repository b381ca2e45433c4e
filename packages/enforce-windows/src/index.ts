// Public API of @cordon/enforce-windows.
export { windowsBackend } from "./backend.js";
export { planFor, JOB, LOGON_SID } from "./planner.js";
export { assumedFacts, ASSUMED_SETUP } from "./facts.js";
export type { WindowsHostFacts, SetupState, Principal, InheritanceScan, GlobExpansionFacts } from "./facts.js";
export type { WindowsPlan, AcePlan, FirewallFilter, TokenPlan, JobPlan } from "./plan-types.js";
export { MESSAGES } from "./messages.js";
export type { WindowsMode } from "./messages.js";
export { normalizeWindowsPath, isWithinWindows, toGlobForm, foldWindowsCase, toVerbatim } from "./paths.js";
export type { WindowsPath, NormalizeResult, NormalizeContext } from "./paths.js";
export { RIGHTS_MASK, READ_EXECUTE, MODIFY, WRITE_RIGHTS, ALL_ACCESS } from "./rights.js";
export type { RightsName, Inheritance } from "./rights.js";
export { planWindowsSetup, setupWindows, readSetupState, parseSetupState, DEFAULT_PROXY_PORT_RANGE } from "./setup.js";
export type { SetupOptions, SetupStep } from "./setup.js";
export { journalFor, parseJournal, serializeJournal, undoSteps, decideRecovery, runUndo, acquireRun, finishRun } from "./journal.js";
export type { Journal, UndoStep, Recovery, UndoOps } from "./journal.js";
export { quoteWindowsArg, buildCommandLine } from "./argv.js";
export { LaunchError } from "./launch.js";
export { probeWindows } from "./probe.js";
