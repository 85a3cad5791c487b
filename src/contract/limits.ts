/**
 * The one table of bounds on everything raftlab accepts from outside a process: the lab API,
 * cluster options, scenario files, the node's config line, and the control, telemetry,
 * client and raft frames. The validators (src/contract/schema*.ts and the hand-written hot
 * path in validateRaft.ts), the node (src/node) and the lab (src/lab) all read these values;
 * nothing else writes a bound down. The core's own numeric bounds (terms, indexes:
 * MAX_TERM, MAX_INDEX, MAX_SEQ) stay in src/raft/limits.ts, because src/raft imports nothing
 * from the contract (eslint.config.js); no value here restates one of them.
 *
 * Where the lab and the wire used to disagree (link delay 600,000 ms in the lab API but
 * 3,600,000 on the control socket; clock rate 100 in the lab API but 1,000 on the wire),
 * the wire now takes the lab's bound: the lab never sends more, and a node refusing what
 * the lab cannot ask for is a tighter contract, not a lost feature.
 */
export const LIMITS = {
  // ---- frames and wire envelopes ---------------------------------------------------------
  /** Raft messages in one frame; the batcher keeps far below (src/node/transport/peerTransport.ts). */
  raftMessagesPerFrame: 10_000,
  /**
   * Entries in one AppendEntries. 8,192 entries of at most 6 msgpack values fit the raft
   * frame's pre-decode budget (FRAME_LIMITS.raft.maxItems in codec.ts); the node refuses a
   * config whose maxEntriesPerMsg exceeds this (src/node/config.ts).
   */
  entriesPerMessage: 8_192,
  /** Node ids in one configuration (voters, outgoing voters). */
  idsPerConfig: 1_024,
  clientRequestsPerBatch: 10_000,
  /** Events in one telemetry batch; the publisher flushes at 500 (telemetryPublisher.ts). */
  telemetryEventsPerBatch: 10_000,
  /** Link rules one node may hold: two per peer and direction is already 4 × idsPerConfig. */
  linkRules: 4_096,
  /** Aimed rules (src/contract/aimedRules.ts) one node may hold: each is checked against every message, so few. */
  aimedRules: 64,
  /** Keys in a record-like map (per-peer progress, traffic, counters). */
  recordKeys: 1_024,
  recordKeyLength: 128,
  clientIdLength: 256,
  keyLength: 1_024,
  /** Characters of a value in the key-value store. */
  valueLength: 1_048_576,
  /** tcp://host:port or ipc:// paths; ipc paths are bounded far lower by the OS. */
  addressLength: 1_024,
  /** Error messages, reasons, log lines. */
  textLength: 8_192,
  /** Vote reasons, digests, short labels. */
  shortTextLength: 256,

  // ---- faults: one bound for the lab API, scenario files and the control socket ----------
  /** Delay or jitter a link fault may add (ms): ten minutes is already a dead link. */
  linkDelayMs: { min: 0, max: 600_000 },
  /** Extra delay a disk fault adds to each durable write (ms): a minute per fsync is a dead disk. */
  fsyncDelayMs: { min: 0, max: 60_000 },
  /** Clock-rate factor a clock fault may set: 100x either way is far past any real drift. */
  timerRate: { min: 0.01, max: 100 },
  /**
   * A bandwidth fault (`tc tbf` on a remote host, docs/multi-host.md): 8 kbit/s is a dial-up
   * trickle, 10 Gbit/s more than a veth or NIC here carries. The burst must hold one full
   * packet (1,500-byte MTU plus headers) or tbf drops every packet; 64 MiB is far past any
   * bucket worth studying. The latency bounds how long a packet may wait in the queue.
   */
  bandwidthKbit: { min: 8, max: 10_000_000 },
  bandwidthBurstBytes: { min: 1_600, max: 67_108_864 },
  bandwidthLatencyMs: { min: 1, max: 10_000 },
  /** Slow motion (docs/aimed-faults.md): the whole cluster at 1x down to 0.01x; ticks and injected delays scale by 1/speed. */
  speed: { min: 0.01, max: 1 },

  // ---- cluster options (src/contract/clusterOptions.ts) -----------------------------------
  /** Nodes a lab starts: each is a process; 25 already saturate two cores. */
  nodes: { min: 1, max: 25 },
  /** Election timeouts (ms): below 10 ms the event loop's own jitter decides elections. */
  electionTimeoutMs: { min: 10, max: 60_000 },
  heartbeatMs: { min: 1 },
  /** Workload clients, operations per second, distinct keys, per-request timeout (ms). */
  clients: { min: 0, max: 256 },
  rate: { min: 0, max: 100_000 },
  keys: { min: 1, max: 100_000 },
  timeoutMs: { min: 10, max: 600_000 },
  /** The seed is a 32-bit unsigned integer (the seeded RNG's state). */
  seed: { min: 0, max: 2 ** 32 - 1 },
  /** Timer resolution (ms): 1 ms is the finest a Node timer keeps; 0 means automatic (clusterOptions.ts, effectiveTickMs). */
  tickMs: { min: 0, max: 10 },
  /** Emulated one-way network delay and jitter (ms): 10 s is far past any broadcast time worth studying (§9.3). */
  networkDelayMs: { min: 0, max: 10_000 },

  // ---- the lab API -------------------------------------------------------------------------
  /** The largest node id accepted: ids are small counters, this only stops absurd values. */
  nodeId: { min: 1, max: 10_000 },
  /** Longest path accepted (run directories, events.jsonl files). */
  pathLength: 4_096,
  /** Longest file name accepted by run:file (most file systems' own limit). */
  fileNameLength: 255,
  /** Most groups a custom partition may have, and most nodes in all of them together. */
  partitionGroups: 32,
  partitionNodes: 256,

  // ---- scenario files ----------------------------------------------------------------------
  /** Steps one scenario's timeline may expand to (repeats included). */
  scenarioSteps: 10_000,
  /** Characters of one step's `note:` (a sentence or a short paragraph). */
  scenarioNoteChars: 2_000,
} as const;
