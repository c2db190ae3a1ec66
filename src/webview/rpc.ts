/** Requests to the host that always settle: a reply, an error, or a timeout. */
import type { ReplyMap, Request, ToWebview } from '../shared/protocol';
import { vscode } from './vscodeApi';

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: number }>();
let nextId = 1;

export function request<R extends Request>(req: R, timeoutMs = 15000): Promise<ReplyMap[R['action']]> {
  const requestId = nextId++;
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => {
      pending.delete(requestId);
      reject(new Error(`no answer from the extension to "${req.action}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
    vscode.postMessage({ type: 'request', requestId, request: req });
  });
}

/** Route a reply to its request; returns false for other messages. */
export function handleReply(msg: ToWebview): boolean {
  if (msg.type !== 'reply') return false;
  const p = pending.get(msg.requestId);
  if (!p) return true;
  pending.delete(msg.requestId);
  window.clearTimeout(p.timer);
  if (msg.ok) p.resolve(msg.value);
  else p.reject(new Error(msg.error));
  return true;
}
