import { EventEmitter } from "node:events";
import type { BusEvents } from "./events";

// In-process domain events. Services emit here; the socket server (and later other instances'
// fan-out) listens. Services never import socket.io. The event map is lib/realtime/events.ts.
export type { BusEvents } from "./events";

export class Bus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(100);
  }
  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.ee.emit(event, ...args);
  }
  on<K extends keyof BusEvents>(event: K, fn: (...args: BusEvents[K]) => void): () => void {
    this.ee.on(event, fn as (...a: unknown[]) => void);
    return () => this.ee.off(event, fn as (...a: unknown[]) => void);
  }
}
