/** The webview side of the host API, narrowed to protocol messages so nothing off-protocol is sent. */
import type { FromWebview } from '../shared/protocol';

export interface PersistedState {
  traceId?: string;
  selectedSpanId?: string;
}

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
