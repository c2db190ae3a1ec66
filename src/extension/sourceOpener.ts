/**
 * Opening a span's source location: inside a workspace folder directly (after path mappings); a file
 * outside the workspace only after the user says yes; a path that exists nowhere gets a search by its
 * trailing segments.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** A path from span data as a glob that matches only itself: a hostile path cannot widen the search. */
function globLiteral(p: string): string {
  return p.replace(/[[\]{}*?!]/g, (c) => `[${c}]`);
}

export interface PathMapping {
  from: string;
  to: string;
}

export class SourceOpener {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** `traceExplorer.pathMappings` with `${workspaceFolder}` (the first folder) and `${workspaceFolder:name}` expanded. */
  mappings(): PathMapping[] {
    const raw = vscode.workspace.getConfiguration('traceExplorer').get<Record<string, string>>('pathMappings', {});
    const folders = vscode.workspace.workspaceFolders ?? [];
    const first = folders[0]?.uri.fsPath ?? '';
    return Object.entries(raw).map(([from, to]) => ({
      from,
      to: to.replace(/\$\{workspaceFolder(?::([^}]+))?\}/g, (_m, name?: string) => (name ? (folders.find((f) => f.name === name)?.uri.fsPath ?? '') : first)),
    }));
  }

  /** Candidate absolute paths for a span's path, best first. */
  candidates(p: string, mappings: readonly PathMapping[] = this.mappings()): string[] {
    const out: string[] = [];
    for (const m of mappings) {
      if (p === m.from || p.startsWith(m.from.endsWith('/') ? m.from : m.from + '/')) out.push(path.join(m.to, p.slice(m.from.length)));
    }
    const native = p.replace(/^file:\/\//, '');
    if (path.isAbsolute(native)) out.push(path.normalize(native));
    else for (const f of vscode.workspace.workspaceFolders ?? []) out.push(path.join(f.uri.fsPath, native));
    return out;
  }

  /**
   * Whether a file is inside a workspace folder, comparing real paths too: a program started from a
   * symlinked folder (a home on /var/home, a checkout linked into place) records the resolved path.
   */
  private async inWorkspace(fsPath: string): Promise<boolean> {
    const real = async (p: string): Promise<string> => fs.realpath(p).catch(() => p);
    const inside = (folder: string, file: string): boolean => {
      const rel = path.relative(folder, file);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    };
    const target = await real(fsPath);
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      if (inside(f.uri.fsPath, fsPath) || inside(await real(f.uri.fsPath), target)) return true;
    }
    return false;
  }

  private async exists(fsPath: string): Promise<boolean> {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(fsPath));
      return true;
    } catch {
      return false;
    }
  }

  async open(p: string, line?: number, column?: number): Promise<boolean> {
    let target: string | undefined;
    for (const c of this.candidates(p)) {
      if (await this.exists(c)) {
        target = c;
        break;
      }
    }
    if (!target) target = await this.searchBySuffix(p);
    if (!target) {
      void vscode.window.showWarningMessage(`Trace Explorer: ${p} is not in the workspace. Add a path mapping (traceExplorer.pathMappings) from the prefix it was built under to your folder.`);
      return false;
    }
    if (!(await this.inWorkspace(target))) {
      const choice = await vscode.window.showWarningMessage(`The span points outside the workspace: ${target}. Open it anyway?`, { modal: true }, 'Open');
      if (choice !== 'Open') return false;
    }
    const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), Math.max(0, (column ?? 1) - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(target), { selection: new vscode.Range(pos, pos), preview: true, viewColumn: vscode.ViewColumn.One });
    this.log.info(`opened ${target}:${line ?? 1}:${column ?? 1} for span path ${p}`);
    return true;
  }

  /**
   * The workspace file a span's path names, relative to its folder, without asking anything: for the
   * agent tools, which say where an error happened. Undefined when it is outside the workspace,
   * nowhere, or one of several files alike (a person would be asked which).
   */
  async locate(p: string): Promise<string | undefined> {
    for (const c of this.candidates(p)) {
      if ((await this.exists(c)) && (await this.inWorkspace(c))) return vscode.workspace.asRelativePath(c, false);
    }
    const parts = p.split(/[\\/]/).filter(Boolean);
    for (let k = Math.min(parts.length, 4); k >= 2; k--) {
      const tail = parts.slice(-k).join('/');
      const found = await vscode.workspace.findFiles(`**/${globLiteral(tail)}`, '**/node_modules/**', 2);
      if (found.length === 1) return vscode.workspace.asRelativePath(found[0], false);
      if (found.length > 1) return undefined;
    }
    return undefined;
  }

  /** Find workspace files ending with the longest trailing part of `p`; ask when several match. */
  private async searchBySuffix(p: string): Promise<string | undefined> {
    const parts = p.split(/[\\/]/).filter(Boolean);
    for (let k = Math.min(parts.length, 4); k >= 1; k--) {
      const tail = parts.slice(-k).join('/');
      const found = await vscode.workspace.findFiles(`**/${globLiteral(tail)}`, '**/node_modules/**', 20);
      if (found.length === 1) return found[0].fsPath;
      if (found.length > 1) {
        const pick = await vscode.window.showQuickPick(
          found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
          { placeHolder: `Several files match ${tail}: which one did the span run?` },
        );
        return pick?.uri.fsPath;
      }
    }
    return undefined;
  }
}
