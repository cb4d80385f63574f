import type { Capabilities, createApp } from '../../src/index.js';
import type { ConformanceDriver } from '../harness.js';

export type Group = 'http' | 'queue' | 'topic' | 'schedule' | 'event' | 'context' | 'errors';

export interface CaseEnv {
  /** The shared driver (development mode). */
  readonly driver: ConformanceDriver;
  /** The adapter's name: what `ctx.provider` must say. */
  readonly adapterName: string;
  /** Starts a separate driver in production mode; stopped by the suite. */
  production(): Promise<ConformanceDriver>;
  readonly capabilities: Capabilities;
}

export interface ConformanceCase {
  readonly group: Group;
  readonly name: string;
  /** When the adapter lacks what the case needs: the reason, and an app that needs it (to prove it is refused). */
  readonly requires?: (caps: Capabilities) => Requirement | undefined;
  /** Trigger kinds the case drives beyond its group's own (see GROUP_TRIGGERS). */
  readonly alsoUses?: readonly TriggerCapability[];
  /** The case needs the platform's storage notifications (a harness that declares `storageNotifications`). */
  readonly needsStorageNotifications?: boolean;
  /** The case needs the platform's own producers (a harness that declares `nativeMessages`). */
  readonly needsNativeMessages?: boolean;
  run(env: CaseEnv): Promise<void>;
}

export interface Requirement {
  readonly reason: string;
  /** Defines what needs the capability, to prove the adapter refuses it. */
  readonly define: (app: ReturnType<typeof createApp>) => void;
}

export type TriggerCapability = 'http' | 'queues' | 'topics' | 'schedules' | 'events';
