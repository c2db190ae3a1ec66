/**
 * The webviews' HTML, built in one place with its Content-Security-Policy: nothing loads unless
 * listed; the one script carries a fresh nonce; styles and images only from the extension.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function waterfallHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, 'webview.js', 'waterfall.css', 'Trace');
}

export function compareHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, 'compare.js', 'compare.css', 'Compare traces');
}

function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, scriptFile: string, styleFile: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', scriptFile));
  const base = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'base.css'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', styleFile));
  const csp = [
    "default-src 'none'", // everything not named below is refused
    `style-src ${webview.cspSource}`, // our stylesheet only: no inline styles from data
    `img-src ${webview.cspSource} data:`, // the minimap canvas is drawn, not loaded
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`, // our bundle only; span data can never become a script
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${base}">
<link rel="stylesheet" href="${style}">
<title>${title}</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
