/**
 * A tolerant JSON scanner that keeps positions. `JSON.parse` is the fast path for decoding; this is
 * for everything that needs to know *where*: error positions, splitting streams of concatenated
 * values (OTel Python console output, NDJSON), and finding the span under the editor's cursor.
 *
 * It never throws and never recurses (a hostile 100,000-deep nesting must not overflow the stack):
 * problems are collected in `errors` and the scan goes on, closing what is left open at the end.
 * Comments (`//`, `/* *\/`) and trailing commas are accepted when `jsonc` is set.
 */

export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonLiteral | JsonInvalid;

interface NodeBase {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}
export interface JsonProperty {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}
export interface JsonObject extends NodeBase {
  kind: 'object';
  properties: JsonProperty[];
}
export interface JsonArray extends NodeBase {
  kind: 'array';
  items: JsonNode[];
}
export interface JsonString extends NodeBase {
  kind: 'string';
  value: string;
}
export interface JsonNumber extends NodeBase {
  kind: 'number';
  raw: string;
}
export interface JsonLiteral extends NodeBase {
  kind: 'literal';
  value: boolean | null;
}
/** Something that is not JSON where a value should be (kept so positions still add up). */
export interface JsonInvalid extends NodeBase {
  kind: 'invalid';
}

export interface ScanError {
  offset: number;
  message: string;
}

export interface ScanResult {
  /** Top-level values in order (more than one for concatenated streams). */
  values: JsonNode[];
  errors: ScanError[];
}

export interface ScanOptions {
  jsonc?: boolean;
  /** Stop after this many top-level values (default: all). */
  maxValues?: number;
}

type Container = { node: JsonObject; pendingKey?: { key: string; keyStart: number; keyEnd: number } } | { node: JsonArray };

export function scanJson(text: string, options: ScanOptions = {}): ScanResult {
  const errors: ScanError[] = [];
  const values: JsonNode[] = [];
  const stack: Container[] = [];
  const maxValues = options.maxValues ?? Infinity;
  const n = text.length;
  let i = 0;
  let expectValue = true; // inside a container: are we waiting for a value (vs a comma/close)?

  const err = (offset: number, message: string): void => {
    if (errors.length < 100) errors.push({ offset, message });
  };

  const skipTrivia = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) {
        i++;
      } else if (c === 47 /* / */ && i + 1 < n && (text[i + 1] === '/' || text[i + 1] === '*')) {
        if (!options.jsonc) err(i, 'comments are not allowed in JSON');
        if (text[i + 1] === '/') {
          const nl = text.indexOf('\n', i);
          i = nl < 0 ? n : nl + 1;
        } else {
          const close = text.indexOf('*/', i + 2);
          if (close < 0) {
            err(i, 'unterminated comment');
            i = n;
          } else i = close + 2;
        }
      } else break;
    }
  };

  /** Attach a finished value to the current container or the top level. */
  const emit = (node: JsonNode): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      values.push(node);
    } else if (top.node.kind === 'array') {
      top.node.items.push(node);
    } else {
      const c = top as { node: JsonObject; pendingKey?: { key: string; keyStart: number; keyEnd: number } };
      if (c.pendingKey) {
        c.node.properties.push({ ...c.pendingKey, value: node });
        c.pendingKey = undefined;
      }
    }
    expectValue = false;
  };

  const readString = (): JsonString => {
    const start = i;
    i++; // opening quote
    let value = '';
    let chunkStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        value += text.slice(chunkStart, i);
        i++;
        return { kind: 'string', start, end: i, value };
      }
      if (c === 92 /* \ */) {
        value += text.slice(chunkStart, i);
        const e = text[i + 1];
        switch (e) {
          case '"': value += '"'; break;
          case '\\': value += '\\'; break;
          case '/': value += '/'; break;
          case 'b': value += '\b'; break;
          case 'f': value += '\f'; break;
          case 'n': value += '\n'; break;
          case 'r': value += '\r'; break;
          case 't': value += '\t'; break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (/^[0-9a-fA-F]{4}$/.test(hex)) {
              value += String.fromCharCode(parseInt(hex, 16));
              i += 4;
            } else err(i, 'bad \\u escape in string');
            break;
          }
          default:
            err(i, `bad escape \\${e ?? ''} in string`);
            if (e !== undefined) value += e;
        }
        i += 2;
        chunkStart = i;
        continue;
      }
      if (c === 10) {
        // A raw newline: the string was almost certainly not closed; stop here so the rest still scans.
        value += text.slice(chunkStart, i);
        err(start, 'unterminated string');
        return { kind: 'string', start, end: i, value };
      }
      i++;
    }
    value += text.slice(chunkStart, i);
    err(start, 'unterminated string');
    return { kind: 'string', start, end: i, value };
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const WORD = /[A-Za-z_$][\w$.]*/y;

  while (true) {
    skipTrivia();
    if (i >= n) break;
    const top = stack[stack.length - 1];
    const ch = text[i];

    if (top && !expectValue) {
      // After a value inside a container: a comma or the closing bracket.
      if (ch === ',') {
        i++;
        expectValue = true;
        if (top.node.kind === 'object') {
          skipTrivia();
          if (text[i] === '}' && !options.jsonc) err(i - 1, 'trailing comma');
        } else {
          skipTrivia();
          if (text[i] === ']' && !options.jsonc) err(i - 1, 'trailing comma');
        }
        continue;
      }
      if ((ch === '}' && top.node.kind === 'object') || (ch === ']' && top.node.kind === 'array')) {
        i++;
        top.node.end = i;
        stack.pop();
        emit(top.node);
        if (stack.length === 0 && values.length >= maxValues) break;
        continue;
      }
      err(i, `expected ',' or '${top.node.kind === 'object' ? '}' : ']'}' but found '${ch}'`);
      expectValue = true; // recover: treat as if a comma were missing
      if (ch === '}' || ch === ']') {
        // A mismatched closer: close the current container instead.
        top.node.end = i;
        stack.pop();
        emit(top.node);
        i++;
        continue;
      }
    }

    if (top && top.node.kind === 'object' && expectValue && !('pendingKey' in top && top.pendingKey)) {
      // Waiting for a key.
      if (ch === '}') {
        i++;
        top.node.end = i;
        stack.pop();
        emit(top.node);
        if (stack.length === 0 && values.length >= maxValues) break;
        continue;
      }
      let keyStart = i;
      let key: string;
      if (ch === '"') {
        key = readString().value;
      } else {
        WORD.lastIndex = i;
        const m = WORD.exec(text);
        if (!m) {
          err(i, `expected a property name but found '${ch}'`);
          i++;
          continue;
        }
        err(i, `property names must be double-quoted: ${m[0]}`);
        key = m[0];
        keyStart = i;
        i += m[0].length;
      }
      const keyEnd = i;
      skipTrivia();
      if (text[i] === ':') i++;
      else err(i, `expected ':' after property name "${key}"`);
      (top as { pendingKey?: { key: string; keyStart: number; keyEnd: number } }).pendingKey = { key, keyStart, keyEnd };
      expectValue = true;
      continue;
    }

    // A value.
    if (!top && values.length > 0 && values.length >= maxValues) break;
    if (ch === '{') {
      stack.push({ node: { kind: 'object', start: i, end: i, properties: [] } });
      i++;
      expectValue = true;
      continue;
    }
    if (ch === '[') {
      stack.push({ node: { kind: 'array', start: i, end: i, items: [] } });
      i++;
      expectValue = true;
      skipTrivia();
      if (text[i] === ']') {
        const arr = stack.pop()!.node;
        i++;
        arr.end = i;
        emit(arr);
        if (stack.length === 0 && values.length >= maxValues) break;
      }
      continue;
    }
    if (ch === '"') {
      emit(readString());
      if (stack.length === 0 && values.length >= maxValues) break;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m && m[0].length > 0) {
        emit({ kind: 'number', start: i, end: i + m[0].length, raw: m[0] });
        i += m[0].length;
      } else {
        err(i, 'bad number');
        emit({ kind: 'invalid', start: i, end: i + 1 });
        i++;
      }
      if (stack.length === 0 && values.length >= maxValues) break;
      continue;
    }
    WORD.lastIndex = i;
    const w = WORD.exec(text);
    if (w) {
      const word = w[0];
      const start = i;
      i += word.length;
      if (word === 'true' || word === 'false' || word === 'null') {
        emit({ kind: 'literal', start, end: i, value: word === 'null' ? null : word === 'true' });
      } else {
        err(start, `unexpected word '${word.length > 40 ? word.slice(0, 40) + '…' : word}'`);
        emit({ kind: 'invalid', start, end: i });
      }
      if (stack.length === 0 && values.length >= maxValues) break;
      continue;
    }
    if ((ch === ']' || ch === '}') && top) {
      // e.g. `[1,]` or `{"a":}`: a closer where a value was due.
      if (top.node.kind === 'object' && 'pendingKey' in top && top.pendingKey) {
        err(i, `missing value for "${top.pendingKey.key}"`);
        emit({ kind: 'invalid', start: i, end: i });
      }
      expectValue = false;
      continue;
    }
    err(i, `unexpected character '${ch}'`);
    i++;
  }

  if (stack.length > 0) {
    err(n, `unexpected end of input: ${stack.length} unclosed ${stack[stack.length - 1].node.kind === 'object' ? "'{'" : "'['"}`);
    while (stack.length > 0) {
      const c = stack.pop()!;
      c.node.end = n;
      if (stack.length === 0) values.push(c.node);
      else {
        const parent = stack[stack.length - 1];
        if (parent.node.kind === 'array') parent.node.items.push(c.node);
        else if ('pendingKey' in parent && parent.pendingKey) {
          parent.node.properties.push({ ...parent.pendingKey, value: c.node });
          parent.pendingKey = undefined;
        }
      }
    }
  }
  return { values, errors };
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** The 0-based offset of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  let l = 1;
  let i = 0;
  while (l < line) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
    l++;
  }
  return Math.min(text.length, i + Math.max(0, column - 1));
}

export type JsonPath = ReadonlyArray<string | number>;

/** The node at `path` below `root`, or the deepest node on the way when the path does not exist. */
export function nodeAtPath(root: JsonNode, path: JsonPath): JsonNode {
  let node = root;
  for (const step of path) {
    if (node.kind === 'array' && typeof step === 'number' && node.items[step]) node = node.items[step];
    else if (node.kind === 'object' && typeof step === 'string') {
      const p = node.properties.find((q) => q.key === step);
      if (!p) return node;
      node = p.value;
    } else return node;
  }
  return node;
}

/** `[0].traceId` style text for a path. */
export function formatPath(path: JsonPath): string {
  let s = '';
  for (const step of path) s += typeof step === 'number' ? `[${step}]` : /^[A-Za-z_$][\w$]*$/.test(step) ? (s ? '.' : '') + step : `[${JSON.stringify(step)}]`;
  return s || '(top level)';
}

/** Turn a scanned node back into a plain value (for tolerant decoding of slices). */
export function nodeValue(node: JsonNode): unknown {
  // Iterative to stay safe on deep input.
  const rootHolder: { v?: unknown } = {};
  const work: Array<{ node: JsonNode; set: (v: unknown) => void }> = [{ node, set: (v) => (rootHolder.v = v) }];
  while (work.length) {
    const { node: n, set } = work.pop()!;
    switch (n.kind) {
      case 'string': set(n.value); break;
      case 'number': set(Number(n.raw)); break;
      case 'literal': set(n.value); break;
      case 'invalid': set(undefined); break;
      case 'array': {
        const arr: unknown[] = new Array(n.items.length);
        set(arr);
        n.items.forEach((it, k) => work.push({ node: it, set: (v) => (arr[k] = v) }));
        break;
      }
      case 'object': {
        const obj: Record<string, unknown> = {};
        set(obj);
        for (const p of n.properties) work.push({ node: p.value, set: (v) => (obj[p.key] = v) });
        break;
      }
    }
  }
  return rootHolder.v;
}
