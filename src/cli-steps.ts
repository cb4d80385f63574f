import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { FaasportError } from './errors.js';

/**
 * One command of a deploy, as data: printed as shell, run without a shell. `${NAME}` in an
 * argument is a variable: given up front (PROJECT, REGION, ...) or set by an earlier step's
 * `output` (its trimmed stdout). `unless` is a check: when it succeeds the step is skipped
 * (create-if-missing).
 */
export interface CliStep {
  /** What the step does, for progress lines and script comments. */
  readonly title: string;
  readonly argv: readonly string[];
  readonly output?: string;
  readonly unless?: readonly string[];
}

/** Replaces `${NAME}` in one argument. Unknown names stay as they are (printed as shell variables). */
export function substitute(arg: string, vars: Readonly<Record<string, string>>): string {
  return arg.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** One argument quoted for bash; `${NAME}` references stay expandable. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./:=@,+-]+$/.test(arg)) return arg;
  if (/^[A-Za-z0-9_./:=@,+${}-]+$/.test(arg) && /\$\{[A-Z][A-Z0-9_]*\}/.test(arg)) return `"${arg}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One step as a line of bash. */
export function renderStep(step: CliStep, vars: Readonly<Record<string, string>> = {}): string {
  const line = (argv: readonly string[]): string => argv.map((a) => shellQuote(substitute(a, vars))).join(' ');
  const main = step.output ? `${step.output}="$(${line(step.argv)})"` : line(step.argv);
  return step.unless ? `${line(step.unless)} >/dev/null 2>&1 || ${main}` : main;
}

/**
 * A bash script running `steps` in order (`set -euo pipefail`), with `defaults` as
 * overridable variables at the top.
 */
export function renderScript(header: readonly string[], defaults: Readonly<Record<string, string>>, steps: readonly CliStep[]): string {
  const lines = ['#!/usr/bin/env bash', ...header.map((h) => `# ${h}`), 'set -euo pipefail'];
  for (const [name, value] of Object.entries(defaults)) lines.push(`${name}="\${${name}:-${value}}"`);
  lines.push('');
  for (const step of steps) lines.push(`# ${step.title}`, renderStep(step));
  return lines.join('\n') + '\n';
}

/** True when `command` is an executable on PATH. */
export async function commandExists(command: string, path = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      /* not in this folder */
    }
  }
  return false;
}

export interface RunStepsOptions {
  readonly vars: Record<string, string>;
  readonly log: (line: string) => void;
  /** Runs one command; resolves with stdout, rejects with the command's stderr in the message. Default: execFile. */
  readonly exec?: (argv: readonly string[]) => Promise<string>;
  /** Label in progress lines and errors, e.g. "gcp deploy". */
  readonly label: string;
}

/**
 * Runs steps in order, printing each command before it runs. A failing step stops the run
 * with DEPLOY_FAILED naming it; the commands already run are listed so the user knows
 * what exists.
 */
export async function runSteps(steps: readonly CliStep[], options: RunStepsOptions): Promise<void> {
  const exec = options.exec ?? execCommand;
  const done: string[] = [];
  for (const [i, step] of steps.entries()) {
    const prefix = `[${i + 1}/${steps.length}] ${step.title}`;
    options.log(`${prefix}\n  $ ${renderStep(step, options.vars)}`);
    try {
      if (step.unless) {
        const exists = await exec(step.unless.map((a) => substitute(a, options.vars))).then(
          () => true,
          () => false,
        );
        if (exists) {
          options.log('  (exists, skipped)');
          continue;
        }
      }
      const out = await exec(step.argv.map((a) => substitute(a, options.vars)));
      if (step.output) options.vars[step.output] = out.trim();
      done.push(step.title);
    } catch (err) {
      throw new FaasportError(
        'DEPLOY_FAILED',
        `${options.label}: step ${i + 1} "${step.title}" failed: ${(err as Error).message}${done.length > 0 ? `. Already done: ${done.join('; ')}` : ''}. Fix the cause and run deploy again (every step is safe to repeat)`,
        { cause: err, details: { step: step.title, done } },
      );
    }
  }
}

function execCommand(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().split('\n').slice(-3).join(' ')));
      else resolve(stdout);
    });
  });
}

/** Variables a step list still needs that `vars` does not give. */
export function missingVariables(steps: readonly CliStep[], vars: Readonly<Record<string, string>>): string[] {
  const produced = new Set(steps.flatMap((s) => (s.output ? [s.output] : [])));
  const missing = new Set<string>();
  for (const step of steps) {
    for (const arg of [...step.argv, ...(step.unless ?? [])]) {
      for (const m of arg.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)) if (!(m[1]! in vars) && !produced.has(m[1]!)) missing.add(m[1]!);
    }
  }
  return [...missing];
}

export interface CliDeployOptions {
  /** `az` or `gcloud`. */
  readonly cli: string;
  readonly label: string;
  readonly steps: readonly CliStep[];
  readonly vars: Record<string, string>;
  /** `--yes` was given: run the commands when the CLI exists. */
  readonly yes: boolean;
  readonly log: (line: string) => void;
  readonly exec?: (argv: readonly string[]) => Promise<string>;
  /** PATH to look for the CLI in (default process.env.PATH). */
  readonly path?: string;
}

/**
 * Prints the exact commands, and runs them only when the CLI is installed and `--yes` was
 * given; otherwise it is a dry run that says why. Resolves to true when the commands ran.
 */
export async function printOrRun(options: CliDeployOptions): Promise<boolean> {
  const installed = await commandExists(options.cli, options.path);
  if (!installed || !options.yes) {
    options.log(
      `${options.label}: dry run (${installed ? 'pass --yes to run these commands' : `${options.cli} is not installed; install it, then run with --yes`}). The commands:`,
    );
    for (const step of options.steps) options.log(`  # ${step.title}\n  ${renderStep(step, options.vars)}`);
    return false;
  }
  const missing = missingVariables(options.steps, options.vars);
  if (missing.length > 0) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `${options.label}: set ${missing.map((m) => `--var ${m}=...`).join(' ')} before running (the commands need them)`,
      {
        details: { missing },
      },
    );
  }
  await runSteps(options.steps, { vars: options.vars, log: options.log, label: options.label, ...(options.exec ? { exec: options.exec } : {}) });
  return true;
}
