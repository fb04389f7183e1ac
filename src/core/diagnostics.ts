// Diagnostics: the one shape every stage reports problems in, and the collector that stages
// share. Stages report and continue so one run shows every problem; only broken invariants throw.

/** Stable rule ids, printed as `[rule-id]` and documented in the README. */
export type DiagnosticCode =
  | 'YAML_SYNTAX'
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_ALIAS'
  | 'YAML_LIMIT'
  | 'CONFIG'
  | 'SCHEMA'
  | 'RESOURCE_GLOB'
  | 'INVALID_OBJECT'
  | 'UNKNOWN_CLUSTER'
  | 'UNKNOWN_TYPE'
  | 'DUPLICATE_OBJECT'
  | 'DUPLICATE_OVERRIDE'
  | 'FORBIDDEN_PATH'
  | 'INVALID_PATCH'
  | 'PATCH_FAILED'
  | 'UNKNOWN_VARIABLE'
  | 'UNUSED_RULE'
  | 'NO_PLACEMENT'
  | 'NAMESPACE_NOT_RENDERED'
  | 'NAMESPACE_MISMATCH'
  | 'DROPPED_FIELD'
  | 'SECRET_REFUSED'
  | 'SOPS_MAC'
  | 'CEL_RULE'
  | 'RSP_NO_TARGET'
  | 'RSP_INVALID'
  | 'RSP_UNPLACED'
  | 'RSP_NOT_APPLIED'
  | 'INVALID_SELECTOR'
  | 'SERVER_FIELDS'
  | 'MISSING_SCHEMA'
  | 'INVALID_NAME'
  | 'INVALID_VALUE'
  | 'DANGLING_REFERENCE'
  | 'OUTPUT_CONFLICT'
  | 'UNOWNED_FILE'
  | 'IO';

export type Severity = 'error' | 'warning';

/** A point in an input file: file relative to federation.yaml's folder, `/`-separated, 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface Diagnostic extends SourcePos {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  hint?: string;
}

/**
 * Collects diagnostics for one run. `strict` turns the warnings that SPEC marks as
 * "an error with --strict" into errors at the point they are reported.
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly strict = false) {}

  error(code: DiagnosticCode, pos: SourcePos, message: string, hint?: string): void {
    this.push({ code, severity: 'error', message, ...pick(pos), ...(hint ? { hint } : {}) });
  }

  warning(code: DiagnosticCode, pos: SourcePos, message: string, hint?: string): void {
    this.push({ code, severity: 'warning', message, ...pick(pos), ...(hint ? { hint } : {}) });
  }

  /** A warning that `--strict` promotes to an error. */
  strictWarning(code: DiagnosticCode, pos: SourcePos, message: string, hint?: string): void {
    if (this.strict) this.error(code, pos, message, hint);
    else this.warning(code, pos, message, hint);
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  get warningCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'warning').length;
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  private readonly seen = new Set<string>();

  /**
   * Sees every diagnostic reported, before duplicates are dropped: the render cache records
   * what each object reported, whatever other objects reported the same before it.
   */
  tap?: (d: Diagnostic) => void;

  /** A diagnostic recorded by an earlier run (the render cache), reported again as it was. */
  replay(d: Diagnostic): void {
    this.add({ ...d });
  }

  private push(d: Diagnostic): void {
    // A message quotes the user's values; a 300 kB string is cut, not printed whole.
    d.message = clip(d.message);
    if (d.hint !== undefined) d.hint = clip(d.hint);
    this.add(d);
  }

  private add(d: Diagnostic): void {
    this.tap?.({ ...d });
    // One problem reached by two paths (e.g. a shared override applied to many objects) is
    // reported once.
    const key = [d.code, d.file, d.line, d.column, d.message].join('\u0000');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }
}

const MAX_MESSAGE = 1000;

function clip(text: string): string {
  return text.length > MAX_MESSAGE
    ? `${text.slice(0, MAX_MESSAGE)}… (${text.length - MAX_MESSAGE} more characters)`
    : text;
}

function pick(pos: SourcePos): SourcePos {
  return { file: pos.file, line: pos.line, column: pos.column };
}

/** Sorted by file, line, column, then severity and message: the order every format prints. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.severity, b.severity) ||
      cmp(a.message, b.message),
  );
}

/** Code-unit comparison: the one string order used everywhere (never localeCompare). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Closest known name within an edit distance that makes a typo plausible, for did-you-mean. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 4));
  for (const k of [...known].sort(cmp)) {
    // The distance is at least the difference in length: skip the quadratic work (a huge name).
    if (Math.abs(k.length - name.length) > limit) continue;
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= limit ? best : undefined;
}

/** Optimal-string-alignment distance: a swap of two neighbours counts as one typo. */
function editDistance(a: string, b: string): number {
  // One flat row-major table; every index read is inside it by construction.
  const w = b.length + 1;
  const d = new Array<number>((a.length + 1) * w).fill(0);
  const at = (i: number, j: number): number => d[i * w + j]!;
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}
