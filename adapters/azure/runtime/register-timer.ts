import type { InvocationContext as AzureInvocationContext } from '@azure/functions';
import { invokeSchedule, redactedError, type ScheduleFunctionDefinition } from 'faasport';
import { decodeTimer, type AzureTimerInput } from './decode-timer.js';
import { everyToSchedule, toNcrontab } from './encode-ncrontab.js';
import { createContext, type RegistrationDeps } from './registration-deps.js';

/** `app.timer` for a schedule: its cron as NCRONTAB (or `every` as NCRONTAB or a TimeSpan); a failure is thrown to the host. */
export function registerTimer(def: ScheduleFunctionDefinition, deps: RegistrationDeps): void {
  const schedule = def.cron !== undefined ? toNcrontab(def.cron, `schedule "${def.name}"`) : everyToSchedule(def.everyMs!).schedule;
  deps.host.timer(def.name, {
    schedule,
    useMonitor: true,
    handler: async (timer: unknown, azure: AzureInvocationContext): Promise<void> => {
      const outcome = await invokeSchedule(def, decodeTimer(timer as AzureTimerInput), createContext(def, azure, timer, {}, deps));
      if (!outcome.ok) throw redactedError(outcome.error);
    },
  });
}
