/**
 * The deterministic cluster simulator: N RaftNodes of the real core on a virtual clock,
 * through a faulty network, crashes, pauses, membership changes and transfers, with Raft's
 * safety properties (Figure 3) checked after every step and liveness checked once the
 * faults stop. One seed drives everything; `npm run sim -- --seeds N` runs many.
 */
export { runSeed, runSeedOnce, formatFailure, reproduceCommand, type RunOptions, type SeedResult } from './runSeed';
export { drawScenario, describeScenario, DEFAULT_CHAOS_TICKS, type Scenario } from './scenario';
export { SafetyChecker } from './safetyChecker';
export { SimCluster, SimHost, type ClusterHooks, type ClusterOptions, type CrashPlan } from './cluster';
export { SimDisk } from './disk';
export { SimStateMachine } from './stateMachine';
export { SimNetwork, type NetworkFaults } from './network';
export { TraceRecorder } from './trace';
export type { PropertyName, Violation } from './violations';
export { ViolationError } from './violations';
