/**
 * Preload script (sandboxed, context-isolated): exposes exactly one object, `window.lab`,
 * implementing `LabApi` over IPC. Bundled to CommonJS with every import inlined, because
 * a sandboxed preload can require nothing but 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createLabBridge } from './labBridge';

contextBridge.exposeInMainWorld('lab', createLabBridge(ipcRenderer));
