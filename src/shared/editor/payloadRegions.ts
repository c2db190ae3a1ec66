/**
 * Where JSON lives in a document: the whole of a JSON file (or console output); each fenced code
 * block of a Markdown file; each `curl … -d '…'` / `--data-raw "…"` / `--data @- <<EOF` payload of a
 * shell script. A region maps its text back to document offsets, so positions survive unescaping.
 */

export type DocumentKind = 'json' | 'markdown' | 'shell' | 'text';

export interface PayloadRegion {
  /** The JSON text, unescaped as the shell would hand it to curl. */
  text: string;
  /** Document offset of each character of `text`, plus one past the end. */
  offsets: number[] | { base: number };
  /** Document range the region covers (the quoted payload or the fence's body). */
  start: number;
  end: number;
  what: string;
}

/** The document offset of an offset in the region's text. */
export function toDocumentOffset(r: PayloadRegion, i: number): number {
  if ('base' in r.offsets) return r.offsets.base + i;
  return r.offsets[Math.max(0, Math.min(i, r.offsets.length - 1))];
}

/** The region's text offset of a document offset, or -1 when outside. */
export function toRegionOffset(r: PayloadRegion, docOffset: number): number {
  if (docOffset < r.start || docOffset > r.end) return -1;
  if ('base' in r.offsets) return docOffset - r.offsets.base;
  const o = r.offsets;
  let lo = 0;
  let hi = o.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (o[mid] < docOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function kindOf(languageId: string, fileName = ''): DocumentKind {
  if (['json', 'jsonc', 'jsonl', 'ndjson'].includes(languageId) || /\.(json|jsonc|ndjson|jsonl)$/i.test(fileName)) return 'json';
  if (languageId === 'markdown' || /\.(md|markdown)$/i.test(fileName)) return 'markdown';
  if (['shellscript', 'bash', 'sh', 'zsh'].includes(languageId) || /\.(sh|bash|zsh)$/i.test(fileName)) return 'shell';
  return 'text';
}

export function payloadRegions(text: string, kind: DocumentKind): PayloadRegion[] {
  if (kind === 'markdown') return markdownFences(text);
  if (kind === 'shell') return shellPayloads(text);
  return [{ text, offsets: { base: 0 }, start: 0, end: text.length, what: 'the document' }];
}

function markdownFences(text: string): PayloadRegion[] {
  const out: PayloadRegion[] = [];
  const fence = /^([ \t]*)(`{3,}|~{3,})([^\n]*)\n/gm;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(text))) {
    const bodyStart = m.index + m[0].length;
    const closeRe = new RegExp(`^[ \\t]*${m[2][0] === '`' ? '`' : '~'}{${m[2].length},}[ \\t]*$`, 'gm');
    closeRe.lastIndex = bodyStart;
    const close = closeRe.exec(text);
    const bodyEnd = close ? close.index : text.length;
    const lang = m[3].trim().split(/\s+/)[0] || 'text';
    out.push({ text: text.slice(bodyStart, bodyEnd), offsets: { base: bodyStart }, start: bodyStart, end: bodyEnd, what: `the ${lang} code block` });
    fence.lastIndex = close ? close.index + close[0].length : text.length;
  }
  return out;
}

const DATA_FLAG = /(?:^|\s)(?:-d|--data|--data-raw|--data-binary|--data-ascii|--json)(?:=|\s+)(?=['"@$])/g;

/** curl payloads: '…' (with the '\'' idiom), "…" (with \" \\ \$ \` escapes), $'…', and @- heredocs. */
function shellPayloads(text: string): PayloadRegion[] {
  const out: PayloadRegion[] = [];
  DATA_FLAG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DATA_FLAG.exec(text))) {
    const at = m.index + m[0].length;
    const c = text[at];
    if (c === "'") {
      const r = singleQuoted(text, at);
      if (r) out.push(r);
    } else if (c === '"') {
      const r = doubleQuoted(text, at);
      if (r) out.push(r);
    } else if (c === '$' && text[at + 1] === "'") {
      const r = singleQuoted(text, at + 1);
      if (r) out.push(r);
    } else if (c === '@' && text[at + 1] === '-') {
      const r = heredoc(text, at);
      if (r) out.push(r);
    }
  }
  return out;
}

function singleQuoted(text: string, open: number): PayloadRegion | undefined {
  // 'abc'\''def' is one word: close, escaped quote, reopen.
  const chars: string[] = [];
  const offsets: number[] = [];
  let i = open + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0) return undefined;
    for (let k = i; k < close; k++) {
      chars.push(text[k]);
      offsets.push(k);
    }
    if (text.startsWith("\\''", close + 1)) {
      chars.push("'");
      offsets.push(close + 1);
      i = close + 4;
      continue;
    }
    offsets.push(close);
    return { text: chars.join(''), offsets, start: open + 1, end: close, what: 'the curl payload' };
  }
}

function doubleQuoted(text: string, open: number): PayloadRegion | undefined {
  const chars: string[] = [];
  const offsets: number[] = [];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      offsets.push(i);
      return { text: chars.join(''), offsets, start: open + 1, end: i, what: 'the curl payload' };
    }
    if (c === '\\' && '"\\$`\n'.includes(text[i + 1])) {
      if (text[i + 1] !== '\n') {
        chars.push(text[i + 1]);
        offsets.push(i + 1);
      }
      i++;
      continue;
    }
    chars.push(c);
    offsets.push(i);
  }
  return undefined;
}

function heredoc(text: string, at: number): PayloadRegion | undefined {
  const lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) return undefined;
  const m = /<<-?\s*(['"]?)([A-Za-z_]\w*)\1/.exec(text.slice(at, lineEnd));
  if (!m) return undefined;
  const bodyStart = lineEnd + 1;
  const endRe = new RegExp(`^\\t*${m[2]}\\s*$`, 'm');
  const rest = text.slice(bodyStart);
  const end = endRe.exec(rest);
  const bodyEnd = bodyStart + (end ? end.index : rest.length);
  return { text: text.slice(bodyStart, bodyEnd), offsets: { base: bodyStart }, start: bodyStart, end: bodyEnd, what: 'the heredoc payload' };
}
