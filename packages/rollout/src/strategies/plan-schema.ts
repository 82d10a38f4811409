// A canary plan as data (rollout-lab.dev/v1 CanaryPlan): parsed and checked field by field, so that an
// error names the bad field ("steps[2].pause.duration: expected a duration like 30s").
import { parseDocument } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { checkImageReference } from '../resources/image-ref.js';
import { deploymentName } from '../resources/names.js';

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

/** "30s", "2m", "1h30m", "500ms" → ms; undefined if it is not one. */
export function parseDuration(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^(\d{1,9}(ms|s|m|h))+$/.test(raw)) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const [, n, unit] of raw.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * (units[unit as string] ?? 0);
  return ms > 0 && ms <= 2 ** 31 - 1 ? ms : undefined;
}

/** Collects every problem with its field path; the plan is used only when there is none. */
class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): undefined {
    this.list.push(`${path}: ${message}`);
    return undefined;
  }
  /** Keys the schema does not know are errors too: a typo must not be ignored. */
  only(path: string, value: Obj, keys: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!keys.includes(key))
        this.add(path ? `${path}.${key}` : key, `unknown field (known: ${keys.join(', ')})`);
    }
  }
  number(path: string, value: unknown, min: number, max: number, whole = false): number | undefined {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (whole && !Number.isInteger(value))
    ) {
      const what = whole ? 'a whole number' : 'a number';
      return this.add(path, `expected ${what} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  duration(path: string, value: unknown): number | undefined {
    const ms = parseDuration(value);
    return ms === undefined
      ? this.add(path, `expected a duration like 30s, got ${JSON.stringify(value)}`)
      : ms;
  }
  guard<T>(path: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      return this.add(path, (error as Error).message);
    }
  }
}

function analysisOf(p: Problems, raw: unknown): PlanAnalysis | undefined {
  if (!isObj(raw)) return p.add('analysis', 'expected a mapping with url, rate, maxErrorRate');
  p.only('analysis', raw, ['url', 'rate', 'maxErrorRate', 'maxP99Ms', 'checks']);
  let url: string | undefined;
  try {
    const parsed = new URL(String(raw.url));
    url =
      parsed.protocol === 'http:'
        ? parsed.href
        : p.add('analysis.url', `expected an http:// URL, got ${JSON.stringify(raw.url)}`);
  } catch {
    p.add('analysis.url', `expected an http:// URL, got ${JSON.stringify(raw.url)}`);
  }
  const rate = p.number('analysis.rate', raw.rate ?? 20, 1, 500);
  const maxErrorRate = p.number('analysis.maxErrorRate', raw.maxErrorRate ?? 0, 0, 1);
  const maxP99Ms =
    raw.maxP99Ms === undefined ? undefined : p.number('analysis.maxP99Ms', raw.maxP99Ms, 1, 600_000);
  const checks: PlanAnalysis['checks'] = [];
  if (raw.checks !== undefined && !Array.isArray(raw.checks)) p.add('analysis.checks', 'expected a list');
  for (const [i, c] of (Array.isArray(raw.checks) ? raw.checks : []).entries()) {
    const at = `analysis.checks[${i}]`;
    if (!isObj(c)) {
      p.add(at, 'expected a mapping with path and status');
      continue;
    }
    p.only(at, c, ['path', 'status']);
    if (typeof c.path !== 'string' || !c.path.startsWith('/'))
      p.add(`${at}.path`, `expected a path like /preview, got ${JSON.stringify(c.path)}`);
    const status = p.number(`${at}.status`, c.status, 100, 599);
    if (typeof c.path === 'string' && status !== undefined) checks.push({ path: c.path, status });
  }
  return url && rate !== undefined && maxErrorRate !== undefined
    ? { url, rate, maxErrorRate, maxP99Ms, checks }
    : undefined;
}

function stepOf(p: Problems, raw: unknown, i: number, hasAnalysis: boolean): PlanStep | undefined {
  const at = `steps[${i}]`;
  if (!isObj(raw) || Object.keys(raw).length !== 1)
    return p.add(at, 'expected one of setWeight, pause, analysis');
  const [kind, value] = Object.entries(raw)[0] as [string, unknown];
  if (kind === 'setWeight') {
    // Whole percents, as `rollout canary --weight` takes them.
    const weight = p.number(`${at}.setWeight`, value, 0, 100, true);
    return weight === undefined ? undefined : { setWeight: weight };
  }
  if (kind === 'pause') {
    if (!isObj(value)) return p.add(`${at}.pause`, 'expected {} (until resumed) or {duration: 30s}');
    p.only(`${at}.pause`, value, ['duration']);
    if (value.duration === undefined) return { pause: {} };
    const durationMs = p.duration(`${at}.pause.duration`, value.duration);
    return durationMs === undefined ? undefined : { pause: { durationMs } };
  }
  if (kind === 'analysis') {
    if (!hasAnalysis)
      p.add(`${at}.analysis`, "an analysis step needs the plan's analysis (url, rate, maxErrorRate)");
    if (!isObj(value)) return p.add(`${at}.analysis`, 'expected {duration: 20s}');
    p.only(`${at}.analysis`, value, ['duration']);
    const durationMs = p.duration(`${at}.analysis.duration`, value.duration);
    return durationMs === undefined ? undefined : { analysis: { durationMs } };
  }
  return p.add(at, `unknown step ${JSON.stringify(kind)} (known: setWeight, pause, analysis)`);
}

/** The plan, or an InvalidInputError naming every bad field. */
export function validatePlan(raw: unknown): CanaryPlan {
  const p = new Problems();
  if (!isObj(raw)) throw new InvalidInputError('a CanaryPlan must be a YAML mapping');
  p.only('', raw, ['apiVersion', 'kind', 'stable', 'canary', 'image', 'analysis', 'steps']);
  if (raw.apiVersion !== 'rollout-lab.dev/v1')
    p.add('apiVersion', `expected rollout-lab.dev/v1, got ${JSON.stringify(raw.apiVersion)}`);
  if (raw.kind !== 'CanaryPlan') p.add('kind', `expected CanaryPlan, got ${JSON.stringify(raw.kind)}`);
  const stable = p.guard('stable', () => deploymentName(String(raw.stable ?? '')));
  const canary = p.guard('canary', () => deploymentName(String(raw.canary ?? '')));
  if (stable && stable === canary) p.add('canary', 'must be another Deployment than stable');
  const image: Record<string, string> = {};
  if (!isObj(raw.image) || Object.keys(raw.image).length === 0) p.add('image', 'expected {container: image}');
  else {
    for (const [container, ref] of Object.entries(raw.image)) {
      if (typeof ref !== 'string') {
        p.add(`image.${container}`, `expected an image reference, got ${JSON.stringify(ref)}`);
        continue;
      }
      const ok = p.guard(`image.${container}`, () => {
        checkImageReference(ref);
        return true;
      });
      if (ok) image[container] = ref;
    }
  }
  const analysis = raw.analysis === undefined ? undefined : analysisOf(p, raw.analysis);
  const steps: PlanStep[] = [];
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) p.add('steps', 'expected a list of steps');
  for (const [i, s] of (Array.isArray(raw.steps) ? raw.steps : []).entries()) {
    const step = stepOf(p, s, i, raw.analysis !== undefined);
    if (step) steps.push(step);
  }
  if (p.list.length) throw new InvalidInputError(`invalid CanaryPlan: ${p.list.join('; ')}`);
  return {
    stable: stable as string,
    canary: canary as string,
    image,
    ...(analysis ? { analysis } : {}),
    steps,
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
