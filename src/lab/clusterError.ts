/** A request the cluster cannot carry out (no such node, no leader, ...): the message says why. */
export class ClusterError extends Error {}
