/**
 * A CPU profile of chosen stretches of this process (the bench's sequential loops), written as a
 * `.cpuprofile` that bench/profile-top.ts reads: unlike `node --cpu-prof`, it leaves out the
 * seeding and DynamoDB Local's start.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

export interface StretchProfiler {
  start(): Promise<void>;
  pause(): Promise<void>;
  /** Writes the stretches sampled so far into one profile. */
  save(): Promise<void>;
}

interface Profile {
  nodes: unknown[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function stretchProfiler(file: string, intervalUs = 200): StretchProfiler {
  const session = new Session();
  session.connect();
  const parts: Profile[] = [];
  let ready: Promise<unknown> | undefined;
  return {
    async start() {
      ready ??= session.post('Profiler.enable').then(() => session.post('Profiler.setSamplingInterval', { interval: intervalUs }));
      await ready;
      await session.post('Profiler.start');
    },
    async pause() {
      const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
      parts.push(profile);
    },
    async save() {
      // Node ids are per profile: keep the biggest stretch whole, the others as their own files.
      parts.forEach((profile, i) => writeFileSync(parts.length === 1 ? file : file.replace(/(\.cpuprofile)?$/, `-${i + 1}.cpuprofile`), JSON.stringify(profile)));
      session.disconnect();
    },
  };
}
