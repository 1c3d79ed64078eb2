/**
 * CPU time per request, three ways: inside the Lambda handler (process.cpuUsage around each call,
 * as on AWS; the local server's router is wrapped), of a whole process (our Node process, which
 * holds the bench client too, and DynamoDB Local's JVM), and of a process tree (sabre/dav's PHP
 * server and its workers), from /proc.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Router } from '../lambda/handlers/routing';

/** Linux's USER_HZ: /proc times are in hundredths of a second. */
const TICK_MS = 10;

/** User + system CPU of one process, in ms; 0 when it is gone or /proc is not there. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** A process and its direct children (the PHP built-in server's workers). */
export function treeCpuMs(pid: number): number {
  let total = processCpuMs(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === pid) total += processCpuMs(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** This Node process's CPU so far, in ms (µs precision). */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Each handler call's CPU, measured around the call as a Lambda's own process.cpuUsage would. */
export class HandlerCpu {
  samples: number[] = [];
  /** The user-mode part of each sample: without the kernel's share, which on loopback includes
   * the receiving side's TCP work (DynamoDB Local's and the bench client's sockets). */
  userSamples: number[] = [];

  instrument = (route: Router): Router => (method, path) => {
    const handler = route(method, path);
    return (async (event, context) => {
      const start = process.cpuUsage();
      try {
        return await handler(event, context);
      } finally {
        const used = process.cpuUsage(start);
        this.samples.push((used.user + used.system) / 1000);
        this.userSamples.push(used.user / 1000);
      }
    }) as typeof handler;
  };
}

/** What a bench target can say about its servers' CPU (all cumulative, in ms). */
export interface CpuProbe {
  /** The server's own processes: our Node process (client included), or sabre/dav's PHP processes. */
  server(): number;
  /** The database engine's process, where it is apart (DynamoDB Local's JVM). */
  engine?(): number;
  /** Per-call CPU inside the Lambda handler (our server only). */
  handler?: HandlerCpu;
}

export interface CpuPerRequest {
  /** Median CPU inside the handler per request, in ms. */
  handlerMs?: number;
  /** Median of its user-mode part. */
  handlerUserMs?: number;
  /** The server processes' CPU per request, in ms. */
  serverMs: number;
  engineMs?: number;
}

/** Runs `loop` and divides the CPU its requests took by how many there were. */
export async function cpuPerRequest(probe: CpuProbe, loop: () => Promise<number>): Promise<CpuPerRequest> {
  const server = probe.server();
  const engine = probe.engine?.();
  if (probe.handler) {
    probe.handler.samples = [];
    probe.handler.userSamples = [];
  }
  const requests = await loop();
  const per = (n: number) => n / Math.max(1, requests);
  const median = (all: number[] = []) => (all.length ? [...all].sort((a, b) => a - b)[all.length >> 1] : undefined);
  return {
    handlerMs: median(probe.handler?.samples),
    handlerUserMs: median(probe.handler?.userSamples),
    serverMs: per(probe.server() - server),
    engineMs: engine === undefined ? undefined : per(probe.engine!() - engine),
  };
}
