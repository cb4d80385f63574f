/**
 * Pub/Sub resource names for an app. Everything is prefixed with the app name: one project
 * can hold several apps, and every name is then at least 3 characters, as Pub/Sub requires.
 */
export interface GcpNames {
  /** The topic a queue or topic is published to. */
  topic(source: string): string;
  /** The dead-letter topic of a queue, a topic or an event function. */
  deadLetterTopic(source: string): string;
  /** The subscription that feeds `functionName` from `source`. */
  subscription(source: string, functionName: string): string;
  /** The pull subscription that keeps a dead-letter topic's messages readable. */
  deadLetterSubscription(source: string): string;
  /** The topic Cloud Scheduler publishes a schedule's ticks to. */
  scheduleTopic(functionName: string): string;
  /** The dead-letter source of an event function (it has no queue of its own). */
  eventSource(functionName: string): string;
}

export function gcpNames(appName: string): GcpNames {
  return {
    topic: (source) => `${appName}-${source}`,
    deadLetterTopic: (source) => `${appName}-${source}-dead-letter`,
    subscription: (source, functionName) => `${appName}-${source}-${functionName}`,
    deadLetterSubscription: (source) => `${appName}-${source}-dead-letter`,
    scheduleTopic: (functionName) => `${appName}-schedule-${functionName}`,
    eventSource: (functionName) => `event-${functionName}`,
  };
}

/** The last path segment of `projects/P/topics/T` or `projects/P/subscriptions/S`. */
export function shortName(resource: string): string {
  const slash = resource.lastIndexOf('/');
  return slash < 0 ? resource : resource.slice(slash + 1);
}
