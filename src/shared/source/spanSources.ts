/**
 * Source locations a span points at: the `code.*` attributes (both semantic-convention generations:
 * `code.file.path`/`code.line.number`/`code.column.number` since 1.30, `code.filepath`/`code.lineno`/
 * `code.column` before) and the frames of exception stack traces (Python, Java, Node.js, Go, .NET).
 */
import { attr, attrText, type Attribute, type Span } from '../model';

export interface SourceRef {
  label: string;
  path: string;
  line?: number;
  column?: number;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function codeAttributeRef(attrs: readonly Attribute[]): SourceRef | undefined {
  const path = attr(attrs, 'code.file.path') ?? attr(attrs, 'code.filepath');
  if (typeof path !== 'string' || !path) return undefined;
  const line = num(attr(attrs, 'code.line.number') ?? attr(attrs, 'code.lineno'));
  const column = num(attr(attrs, 'code.column.number') ?? attr(attrs, 'code.column'));
  const fn = attr(attrs, 'code.function.name') ?? attr(attrs, 'code.function');
  const ns = attr(attrs, 'code.namespace');
  const func = typeof fn === 'string' ? (typeof ns === 'string' && ns && !fn.includes('.') ? `${ns}.${fn}` : fn) : undefined;
  return { label: `${func ? func + ' — ' : ''}${shortPath(path)}${line ? `:${line}` : ''}${column ? `:${column}` : ''}`, path, line, column };
}

const FRAME_PATTERNS: Array<{ re: RegExp; pick: (m: RegExpExecArray) => SourceRef | undefined }> = [
  // Python: File "/app/svc.py", line 3, in handler
  { re: /^\s*File "(.+?)", line (\d+), in (.+)$/, pick: (m) => ({ label: `${m[3]} — ${shortPath(m[1])}:${m[2]}`, path: m[1], line: Number(m[2]) }) },
  // Node.js: at fn (/abs/file.js:8:21) | at /abs/file.js:8:21 | file:///x.mjs:3:5
  {
    re: /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/,
    pick: (m) => {
      const path = m[2].replace(/^file:\/\//, '');
      if (path.startsWith('node:') || path.includes('(index') || !/[/\\]/.test(path)) return undefined;
      return { label: `${m[1] ? m[1] + ' — ' : ''}${shortPath(path)}:${m[3]}:${m[4]}`, path, line: Number(m[3]), column: Number(m[4]) };
    },
  },
  // Go: \t/app/main.go:42 +0x1d
  { re: /^\t(.+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/, pick: (m) => ({ label: `${shortPath(m[1])}:${m[2]}`, path: m[1], line: Number(m[2]) }) },
  // .NET: at MyApp.Service.Do(Int32 x) in /src/MyApp/Service.cs:line 42
  { re: /^\s*at (.+?) in (.+):line (\d+)$/, pick: (m) => ({ label: `${m[1]} — ${shortPath(m[2])}:${m[3]}`, path: m[2], line: Number(m[3]) }) },
  // Java: at com.example.Demo.b(Demo.java:3) — a file name only; resolved later by class/package
  {
    re: /^\s*at (?:[^/\s(]+\/+)?([\w.$<>]+)\.([\w$<>-]+)\(([^:()]*\.(?:java|kt|scala|groovy)):(\d+)\)$/,
    pick: (m) => {
      const pkg = m[1].split('.').slice(0, -1).join('/');
      return { label: `${m[1]}.${m[2]} — ${m[3]}:${m[4]}`, path: pkg ? `${pkg}/${m[3]}` : m[3], line: Number(m[4]) };
    },
  },
  // .NET without symbols: at MyApp.Service.Do(Int32 x) — no file: look for the class's file (Service.cs).
  {
    re: /^\s*at ((?:[\w`]+\.)+)([\w`<>]+)\(([^():]*)\)$/,
    pick: (m) => {
      const cls = m[1].slice(0, -1).split('.').pop()!.replace(/`\d+$/, '');
      // Java's frames without a file look alike: (Native Method), (Unknown Source).
      if (/^(System|Microsoft)\./.test(m[1]) || !/^[A-Z]/.test(cls) || /^(Native Method|Unknown Source)$/.test(m[3])) return undefined;
      return { label: `${m[1]}${m[2]} — ${cls}.cs`, path: `${cls}.cs` };
    },
  },
];

/** The frames of a stack trace that name a file, in the order printed. */
export function parseStackFrames(stack: string): SourceRef[] {
  const out: SourceRef[] = [];
  for (const line of stack.split(/\r?\n/)) {
    for (const { re, pick } of FRAME_PATTERNS) {
      const m = re.exec(line);
      if (m) {
        const ref = pick(m);
        if (ref) out.push(ref);
        break;
      }
    }
  }
  return out;
}

/** The last two segments of a path: enough to recognise a file without the machine-specific prefix. */
export function shortPath(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : p;
}

export function sourceRefsOfSpan(s: Span): SourceRef[] {
  const out: SourceRef[] = [];
  const own = codeAttributeRef(s.attributes);
  if (own) out.push(own);
  const stacks: string[] = [];
  const st = attr(s.attributes, 'code.stacktrace');
  if (st !== undefined) stacks.push(attrText(st));
  for (const e of s.events) {
    const es = attr(e.attributes, 'exception.stacktrace');
    if (es !== undefined) stacks.push(attrText(es));
  }
  for (const stack of stacks) out.push(...parseStackFrames(stack));
  // The same frame often appears more than once (recursion, async wrappers): list it once.
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.path}:${r.line ?? ''}:${r.column ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
