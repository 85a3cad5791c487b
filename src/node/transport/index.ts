/**
 * ZeroMQ transports of a raftlab node (peer, client, control, telemetry) and their lab-side
 * counterparts (ControlServer, TelemetryCollector, KvClientConnection).
 */
export { ClientServer, type ClientRoute, type ClientServerOptions, type ClientServerStats } from './clientServer';
export { ControlChannel, controlRoutingId, type ControlChannelOptions, type ControlChannelStats, type ControlHandler, type ControlResult } from './controlChannel';
export { ControlRequestError, ControlServer, type ControlFailure, type ControlServerOptions, type ControlServerStats } from './controlServer';
export { RejectCounters, TrafficTable, type ErrorReporter, type RejectCounterKey } from './counters';
export { checkEndpoint, EndpointError, MAX_IPC_PATH_BYTES, type EndpointPolicy } from './endpoint';
export { KvClientConnection, type KvClientOptions, type KvClientStats } from './kvClientConnection';
export { PeerTransport, type PeerDropCounters, type PeerTransportOptions, type PeerTransportStats } from './peerTransport';
export { TelemetryCollector, type TelemetryCollectorOptions, type TelemetryCollectorStats } from './telemetryCollector';
export { TelemetryPublisher, type TelemetryPublisherOptions, type TelemetryPublisherStats } from './telemetryPublisher';
