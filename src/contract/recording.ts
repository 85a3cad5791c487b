/**
 * The flight recorder's levels (docs/formats.md, "journal"): 'full' journals every core step
 * for exact replay, 'messages' only message headers, 'off' nothing. Its own small module so
 * that the cluster options (which the renderer imports) need not pull in the journal codec.
 */
export type RecordingLevel = 'off' | 'messages' | 'full';
export const RECORDING_LEVELS: readonly RecordingLevel[] = ['off', 'messages', 'full'];
