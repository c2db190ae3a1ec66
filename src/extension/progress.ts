/**
 * Progress for work that is usually quick but may not be (loading a trace from an endpoint). A
 * notification for every 50 ms load is noise, and VS Code keeps a progress notification up for a
 * while even after the work is done; so the work shows in the status bar at once and becomes a
 * cancellable notification only when it is still running after `NOTIFY_AFTER_MS`.
 */
import * as vscode from 'vscode';

export const NOTIFY_AFTER_MS = 700;

export async function withDelayedProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const work = task(ac.signal);
  // The notification only reports on the work; its outcome (or error) is the caller's.
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  const timer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
      const sub = token.onCancellationRequested(() => ac.abort());
      return settled.finally(() => sub.dispose());
    });
  }, NOTIFY_AFTER_MS);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => work);
  } finally {
    clearTimeout(timer);
  }
}
