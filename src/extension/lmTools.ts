/**
 * The agent tools in VS Code: each tool contributed in package.json (`languageModelTools`) is
 * registered here with `vscode.lm.registerTool`, so Copilot's agent mode (or any extension, through
 * `vscode.lm.invokeTool`) can search traces, read one, and go from a span to code. The work is done by
 * the same TraceTools the MCP server uses, over the endpoints of the Traces view, with source paths
 * made workspace-relative. `send_spans` changes something: VS Code asks the user first, with the
 * spans it would send and where, and nothing is sent unless they agree.
 */
import * as vscode from 'vscode';
import { TraceTools, ToolError } from '../node/agent/traceTools';
import type { TraceSource } from '../node/sources/traceSource';
import { TOOLS } from '../shared/agent/toolSchemas';
import { cleanData } from '../shared/agent/dataText';
import type { SourceOpener } from './sourceOpener';
import { signalOf } from './endpoints';

/** The VS Code name of a tool: prefixed, as tool names are global across extensions. */
export const vscodeToolName = (name: string): string => `traceExplorer_${name}`;

export interface LmToolsDeps {
  sources(): readonly TraceSource[];
  opener: SourceOpener;
  log: vscode.LogOutputChannel;
}

/** Endpoints by the names the tools take: "local" and each configured endpoint's name. */
function endpointMap(sources: readonly TraceSource[]): Map<string, TraceSource> {
  return new Map(sources.map((s) => [s.kind === 'local' ? 'local' : s.label, s]));
}

export function registerLmTools(context: vscode.ExtensionContext, deps: LmToolsDeps): void {
  // vscode.lm is missing in editors without language-model support (some forks): nothing to offer there.
  if (typeof vscode.lm?.registerTool !== 'function') {
    deps.log.info('language-model tools: this editor has no vscode.lm.registerTool; the agent tools are offered over MCP only (trace-explorer mcp)');
    return;
  }
  const tools = new TraceTools({
    endpoints: () => endpointMap(deps.sources()),
    locate: (ref) => deps.opener.locate(ref.path),
    allowSend: true,
  });
  for (const def of TOOLS) {
    const tool: vscode.LanguageModelTool<Record<string, unknown>> = {
      prepareInvocation(options) {
        if (def.name !== 'send_spans') return { invocationMessage: invocationMessage(def.name, options.input) };
        // The user sees what would be sent, and where, before anything is.
        const message = new vscode.MarkdownString();
        message.appendText(TraceTools.describeSend(options.input));
        return { invocationMessage: 'Sending spans…', confirmationMessages: { title: 'Send spans to an endpoint?', message } };
      },
      async invoke(options, token) {
        try {
          const answer = await tools.call(def.name, options.input, signalOf(token));
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
        } catch (e) {
          if (token.isCancellationRequested) throw new vscode.CancellationError();
          // VS Code gives a thrown error's message to the model: make it one the model can act on.
          if (!(e instanceof ToolError)) deps.log.error(`tool ${def.name}: ${(e as Error).stack ?? String(e)}`);
          throw new Error(e instanceof ToolError ? e.message : `Trace Explorer failed: ${(e as Error).message}`);
        }
      },
    };
    context.subscriptions.push(vscode.lm.registerTool(vscodeToolName(def.name), tool));
  }
}

/** What the chat shows while a tool runs (ids only: span text is not put into the UI unquoted). */
function invocationMessage(name: string, input: Record<string, unknown>): string {
  const id = typeof input.trace_id === 'string' ? cleanData(input.trace_id, 40) : '';
  switch (name) {
    case 'search_traces':
      return 'Searching traces…';
    case 'get_trace':
      return `Reading trace ${id}…`;
    case 'get_span':
      return `Reading a span of trace ${id}…`;
    case 'spans_at_code':
      return `Finding spans at ${cleanData(String(input.file ?? ''), 100)}…`;
    case 'compare_traces':
      return 'Comparing traces…';
    default:
      return 'Working…';
  }
}
