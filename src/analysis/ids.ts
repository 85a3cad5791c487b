/**
 * The core's identifiers as the views name them. The renderer imports these from here
 * (it may import only src/contract and src/analysis); they are the core's own types, so a
 * node id or role means the same thing in every layer.
 */
export type { NodeId, Role } from '../raft/types';
