// A canary plan as data (rollout-lab.dev/v1 CanaryPlan): its shape is canary-plan.schema.json (the JSON
// Schema editors read, checked here with ajv), and an error names the bad field
// ("steps[2].pause.duration: expected a duration like 30s, got \"soon\"").
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvErrors from 'ajv-errors';
import { parseDocument } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { checkImageReference } from '../resources/image-ref.js';
import { deploymentName } from '../resources/names.js';
import schema from './canary-plan.schema.json' with { type: 'json' };

export type PlanStep =
  | { setWeight: number }
  | { pause: { durationMs?: number } }
  | { analysis: { durationMs: number } };

export interface PlanAnalysis {
  url: string;
  rate: number;
  maxErrorRate: number;
  maxP99Ms?: number;
  checks: Array<{ path: string; status: number }>;
}

export interface CanaryPlan {
  stable: string;
  canary: string;
  image: Record<string, string>;
  analysis?: PlanAnalysis;
  steps: PlanStep[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A duration as plans write it: 30s, 2m, 1h30m, 500ms (the schema's `duration` pattern too). */
const DURATION = /^(\d{1,9}(ms|s|m|h))+$/;

/** "30s", "2m", "1h30m", "500ms" → ms; undefined if it is not one. */
export function parseDuration(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !DURATION.test(raw)) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const [, n, unit] of raw.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * (units[unit as string] ?? 0);
  return ms > 0 && ms <= 2 ** 31 - 1 ? ms : undefined;
}

/** A JSON Schema (draft-07) object. */
export interface JsonSchema {
  $schema: string;
  title: string;
  definitions: Record<string, unknown>;
  [keyword: string]: unknown;
}

/**
 * The JSON Schema of a plan file, as editors read it (also the package's `./canary-plan.schema.json`).
 * Typed by hand so that the declarations do not import the JSON file (a d.ts drops the import attribute).
 */
export const canaryPlanSchema: JsonSchema = schema;

// The shape of a plan is the JSON Schema's; its messages (ajv-errors' errorMessage) name what was
// expected and what was given. allErrors: every problem is listed at once.
// Compiled on first use: importing the library must not pay for it.
let validateShape: ValidateFunction | undefined;
function shapeValidator(): ValidateFunction {
  if (!validateShape) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    (ajvErrors as unknown as (a: Ajv) => Ajv)(ajv);
    validateShape = ajv.compile(schema);
  }
  return validateShape;
}

/** "/steps/2/pause" → "steps[2].pause", as the messages name fields. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');
}

/** One line per schema error: the field, then what was wrong. */
function describe(error: ErrorObject): string {
  const at = fieldPath(error.instancePath);
  const field = (name: string) => (at ? `${at}.${name}` : name);
  if (error.keyword === 'additionalProperties') {
    const known = Object.keys((error.parentSchema as { properties?: Obj } | undefined)?.properties ?? {});
    return `${field(String(error.params.additionalProperty))}: unknown field (known: ${known.join(', ')})`;
  }
  if (error.keyword === 'required') return `${field(String(error.params.missingProperty))}: required`;
  return `${at || '(plan)'}: ${error.message ?? error.keyword}`;
}

/** Checks a schema cannot say: names and image references as Kubernetes has them, and relations. */
function semanticProblems(raw: Obj): string[] {
  const problems: string[] = [];
  const guard = (path: string, check: () => unknown) => {
    try {
      check();
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
    }
  };
  const names: Record<string, string | undefined> = {};
  for (const side of ['stable', 'canary'] as const) {
    const value = raw[side];
    if (typeof value === 'string' && value) guard(side, () => (names[side] = deploymentName(value)));
  }
  if (names.stable && names.stable === names.canary)
    problems.push('canary: must be another Deployment than stable');
  if (isObj(raw.image)) {
    for (const [container, ref] of Object.entries(raw.image))
      if (typeof ref === 'string') guard(`image.${container}`, () => checkImageReference(ref));
  }
  const analysis = isObj(raw.analysis) ? raw.analysis : undefined;
  if (typeof analysis?.url === 'string' && analysis.url.startsWith('http://')) {
    guard('analysis.url', () => {
      try {
        new URL(analysis.url as string);
      } catch {
        throw new Error(`expected an http:// URL, got ${JSON.stringify(analysis.url)}`);
      }
    });
  }
  for (const [i, step] of (Array.isArray(raw.steps) ? raw.steps : []).entries()) {
    if (!isObj(step)) continue;
    if ('analysis' in step && raw.analysis === undefined)
      problems.push(
        `steps[${i}].analysis: an analysis step needs the plan's analysis (url, rate, maxErrorRate)`,
      );
    for (const kind of ['pause', 'analysis'] as const) {
      const duration = isObj(step[kind]) ? (step[kind] as Obj).duration : undefined;
      if (typeof duration === 'string' && DURATION.test(duration) && !parseDuration(duration))
        problems.push(
          `steps[${i}].${kind}.duration: expected a duration from 1ms to 24d, got ${JSON.stringify(duration)}`,
        );
    }
  }
  return problems;
}

/** The plan, or an InvalidInputError naming every bad field. */
export function validatePlan(raw: unknown): CanaryPlan {
  if (!isObj(raw)) throw new InvalidInputError('a CanaryPlan must be a YAML mapping');
  const problems = [
    ...(shapeValidator()(raw) ? [] : (shapeValidator().errors ?? []).map(describe)),
    ...semanticProblems(raw),
  ];
  if (problems.length) throw new InvalidInputError(`invalid CanaryPlan: ${problems.join('; ')}`);
  const plan = raw as {
    stable: string;
    canary: string;
    image: Record<string, string>;
    analysis?: {
      url: string;
      rate?: number;
      maxErrorRate?: number;
      maxP99Ms?: number;
      checks?: PlanAnalysis['checks'];
    };
    steps: Array<{ setWeight?: number; pause?: { duration?: string }; analysis?: { duration: string } }>;
  };
  const a = plan.analysis;
  return {
    stable: deploymentName(plan.stable),
    canary: deploymentName(plan.canary),
    image: { ...plan.image },
    ...(a
      ? {
          analysis: {
            url: new URL(a.url).href,
            rate: a.rate ?? 20,
            maxErrorRate: a.maxErrorRate ?? 0,
            maxP99Ms: a.maxP99Ms,
            checks: (a.checks ?? []).map((c) => ({ path: c.path, status: c.status })),
          },
        }
      : {}),
    steps: plan.steps.map((step): PlanStep => {
      if (step.setWeight !== undefined) return { setWeight: step.setWeight };
      if (step.pause) {
        const durationMs = parseDuration(step.pause.duration);
        return { pause: durationMs === undefined ? {} : { durationMs } };
      }
      return { analysis: { durationMs: parseDuration(step.analysis?.duration) as number } };
    }),
  };
}

/** A plan is a page of YAML; anything far larger is not one (and is refused before it is parsed). */
export const MAX_PLAN_BYTES = 64 * 1024;
/** Aliases a plan may use: a handful at most; many are an expansion bomb ("billion laughs"). */
const MAX_ALIASES = 50;

/** The plan in `text`, or an InvalidInputError: too large, not one YAML document, or a bad field. */
export function parsePlan(text: string): CanaryPlan {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PLAN_BYTES) {
    throw new InvalidInputError(`a CanaryPlan is at most ${MAX_PLAN_BYTES} bytes, this one has ${bytes}`);
  }
  let raw: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    const [first] = doc.errors;
    if (first) throw first;
    // toJS counts every alias it expands, so a nested bomb stops at the limit, not at the heap's.
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new InvalidInputError(`not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return validatePlan(raw);
}
