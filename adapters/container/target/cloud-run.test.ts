import { describe, expect, it } from 'vitest';
import { createApp } from 'faasport';
import { cloudRunDocuments } from './cloud-run.js';

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any> };
const docs = (app: ReturnType<typeof createApp>): Doc[] => cloudRunDocuments(app) as unknown as Doc[];
const invokers = (all: Doc[]): string[][] =>
  all
    .filter((d) => d.kind === 'IAMPolicyMember' && d.spec.role === 'roles/run.invoker')
    .map((d) => [d.spec.resourceRef.external.split('/').pop(), d.spec.member]);

describe('cloudRunDocuments: who may call the services', () => {
  it('keeps a service private when no HTTP function is public, and writes no control service, secret or token without schedules or events', () => {
    const app = createApp('inner');
    app.http('report', { route: '/report' }, () => new Response('ok'));
    const all = docs(app);
    expect(invokers(all)).toEqual([]);
    expect(all.filter((d) => d.kind === 'Service').map((d) => d.metadata.name)).toEqual(['inner']);
    expect(all.some((d) => d.kind === 'SecretManagerSecret')).toBe(false);
    expect(JSON.stringify(all)).not.toContain('FAASPORT_CONTROL');
  });

  it('gives an event function of one exact type its own type filter, and a wildcard type a placeholder to fill in', () => {
    const app = createApp('files');
    app.event('onUpload', { type: 'google.cloud.storage.object.v1.finalized' }, () => {});
    app.event('onAny', { type: 'google.cloud.storage.object.v1.*' }, () => {});
    const triggers = docs(app).filter((d) => d.kind === 'EventarcTrigger');
    expect(triggers.map((t) => [t.metadata.name, t.spec.matchingCriteria[0].value])).toEqual([
      ['files-onupload', 'google.cloud.storage.object.v1.finalized'],
      ['files-onany', '${EVENT_TYPE_ONANY}'],
    ]);
    expect(invokers(docs(app))).toEqual([['files-control', 'serviceAccount:files-events@${PROJECT_ID}.iam.gserviceaccount.com']]);
  });
});
