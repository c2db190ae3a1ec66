/** Requests to the host that always settle: a reply, an error, or a timeout. Shared by every webview. */
import type { ReplyEnvelope } from '../shared/protocol';

export interface Rpc<Req extends { action: string }, Replies extends Record<Req['action'], unknown>> {
  request<R extends Req>(req: R, timeoutMs?: number): Promise<Replies[R['action']]>;
  /** Route a reply to its request; returns false for other messages. */
  handleReply(msg: { type: string }): boolean;
}

export function createRpc<Req extends { action: string }, Replies extends Record<Req['action'], unknown>>(post: (m: { type: 'request'; requestId: number; request: Req }) => void): Rpc<Req, Replies> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: number }>();
  let nextId = 1;
  return {
    request<R extends Req>(req: R, timeoutMs = 15000): Promise<Replies[R['action']]> {
      const requestId = nextId++;
      return new Promise((resolve, reject) => {
        const timer = window.setTimeout(() => {
          pending.delete(requestId);
          reject(new Error(`no answer from the extension to "${req.action}" within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
        post({ type: 'request', requestId, request: req });
      });
    },
    handleReply(msg: { type: string }): boolean {
      if (msg.type !== 'reply') return false;
      const reply = msg as ReplyEnvelope;
      const p = pending.get(reply.requestId);
      if (!p) return true;
      pending.delete(reply.requestId);
      window.clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.error));
      return true;
    },
  };
}
