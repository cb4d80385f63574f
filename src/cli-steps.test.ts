import { describe, expect, test } from 'vitest';
import { renderStep, runSteps, shellQuote, substitute } from './cli-steps.js';

describe('cli steps', () => {
  test.each([
    ['plain', 'plain'],
    ['--project=${PROJECT}', '"--project=${PROJECT}"'],
    ['--schedule=0 3 * * *', "'--schedule=0 3 * * *'"],
    ["it's", "'it'\\''s'"],
  ])('shellQuote(%s) → %s', (arg, quoted) => expect(shellQuote(arg)).toBe(quoted));

  test('substitute fills known variables and leaves others for the shell', () => {
    expect(substitute('--region=${REGION} ${OTHER}', { REGION: 'europe-west1' })).toBe('--region=europe-west1 ${OTHER}');
    expect(renderStep({ title: 't', argv: ['a', '${X}'], unless: ['b'] }, { X: 'x y' })).toBe("b >/dev/null 2>&1 || a 'x y'");
  });

  test('runSteps runs in order, captures outputs, skips what exists and names the failing step', async () => {
    const ran: string[] = [];
    const exec = async (argv: readonly string[]): Promise<string> => {
      ran.push(argv.join(' '));
      if (argv[0] === 'exists') return '';
      if (argv[0] === 'missing') throw new Error('NOT_FOUND');
      if (argv[0] === 'boom') throw new Error('PERMISSION_DENIED: caller lacks iam.serviceAccounts.create');
      return ' value-1\n';
    };
    const log: string[] = [];
    const vars: Record<string, string> = { P: 'proj' };
    await runSteps(
      [
        { title: 'read', argv: ['read', '${P}'], output: 'V' },
        { title: 'create once', argv: ['create'], unless: ['exists'] },
        { title: 'use', argv: ['use', '${V}'], unless: ['missing'] },
      ],
      { vars, log: (l) => log.push(l), exec, label: 'test deploy' },
    );
    expect(ran).toEqual(['read proj', 'exists', 'missing', 'use value-1']);
    expect(log.join('\n')).toContain('(exists, skipped)');
    const err = await runSteps(
      [
        { title: 'first', argv: ['ok'] },
        { title: 'make account', argv: ['boom'] },
      ],
      { vars, log: () => {}, exec, label: 'test deploy' },
    ).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      'test deploy: step 2 "make account" failed: PERMISSION_DENIED: caller lacks iam.serviceAccounts.create. Already done: first. Fix the cause and run deploy again (every step is safe to repeat)',
    );
  });
});
