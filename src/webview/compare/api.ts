/** The comparison webview's side of the host API, narrowed to its protocol. */
import type { CompareReplyMap, CompareRequest, FromCompareWebview } from '../../shared/compareProtocol';
import { createRpc } from '../rpc';

export interface CompareState {
  /** Hide nodes whose subtree changed less than `minChangePercent`. */
  hideUnchanged?: boolean;
  minChangePercent?: number;
}

interface VsCodeApi {
  postMessage(message: FromCompareWebview): void;
  getState(): CompareState | undefined;
  setState(state: CompareState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
export const rpc = createRpc<CompareRequest, CompareReplyMap>((m) => vscode.postMessage(m));
