/** The webview side of the host API, narrowed to protocol messages so nothing off-protocol is sent. */
import type { FromWebview } from '../shared/protocol';
import type { SavedScreen } from '../shared/trace/savedScreen';

/** Kept by VS Code while the panel is hidden and across restarts, when the host's serializer reads it. */
export interface PersistedState {
  traceId?: string;
  /** The endpoint the trace came from: with `traceId`, what the host needs to revive the panel. */
  sourceId?: string;
  selectedSpanId?: string;
  /** Width of the span name column, percent of the waterfall. */
  nameWidth?: number;
  /** The first screen of rows, drawn at once after a window reload while the host reads the trace. */
  screen?: SavedScreen;
}

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

/** Change some of the persisted state, keeping the rest (VS Code's setState replaces all of it). */
export function saveState(patch: PersistedState): void {
  vscode.setState({ ...vscode.getState(), ...patch });
}
