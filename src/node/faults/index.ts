/** Fault injection for a node's peer links: pure decisions (FaultPlan) and timers (FaultInjector). */
export { FaultInjector, type FaultCounters } from './faultInjector';
export { FaultPlan, type Direction, type FaultDecision } from './faultPlan';
export { deriveSeed, SeededRng } from '../../raft/rng';
