/** Durable storage for a node process: see diskStorage.ts. */
export { DiskStorage, DEFAULT_SEGMENT_BYTES } from './diskStorage';
export type { DiskStorageOptions, FsyncPolicy, Recovery, SaveBatch, StorageLogLevel } from './diskStorage';
export { StorageCorruptionError, StorageFailedError } from './errors';
export type { FsyncStats } from './latencyStats';
