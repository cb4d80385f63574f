import { FaasportError } from 'faasport';

/** A CloudFormation resource as the SAM template holds it. */
export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

/** One entry of a template's `Outputs`. */
export interface SamOutput {
  Description: string;
  Value: unknown;
}

export type Json = Record<string, unknown>;
export const ref = (id: string): Json => ({ Ref: id });
export const arn = (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] });
export const sub = (text: string): Json => ({ 'Fn::Sub': text });

/** Longest retention SQS allows: dead letters are kept 14 days. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/**
 * What a function's trigger adds to its Lambda: IAM statements on its role, environment
 * variables, SAM events and other function properties (in the order the template lists them).
 */
export interface Trigger {
  readonly statements: readonly Json[];
  readonly env: Readonly<Record<string, unknown>>;
  readonly events: Readonly<Record<string, Json>>;
  readonly properties: Readonly<Json>;
}

/** The logical ids of a queue that a function consumes and of its dead-letter queue. */
export interface QueueIds {
  readonly queue: string;
  readonly deadLetter: string | undefined;
}

/**
 * The resources and outputs of a template as it is built, in the order they are added (the
 * container target copies them in that order), and the logical ids handed out: two names
 * that map to the same id are refused.
 */
export class SamResources {
  readonly resources: Record<string, CfnResource> = {};
  readonly outputs: Record<string, SamOutput> = {};
  readonly #owners = new Map<string, string>();

  /** Reserves the logical id `id` for `owner` (named in the error when another already has it). */
  id(id: string, owner: string): string {
    const existing = this.#owners.get(id);
    if (existing !== undefined) {
      throw new FaasportError('CONFIG_INVALID', `aws template: ${owner} and ${existing} both map to the CloudFormation id "${id}"; rename one of them`, {
        details: { id },
      });
    }
    this.#owners.set(id, owner);
    return id;
  }

  add(id: string, resource: CfnResource): void {
    this.resources[id] = resource;
  }

  output(name: string, output: SamOutput): void {
    this.outputs[name] = output;
  }
}

/** `place-order` / `placeOrder` → `PlaceOrder`: CloudFormation logical ids are alphanumeric. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** An IAM role `service` may assume, with one inline policy. */
export function serviceRole(service: string, policyName: string, statements: readonly Json[]): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}
