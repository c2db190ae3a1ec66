import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './util';

describe('activation', () => {
  it('the extension is installed from the development path and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('contributes its commands to the command palette', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('traceExplorer.summarizeActiveEditor'));
  });
});
