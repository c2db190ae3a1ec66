/**
 * The benchmark page's loader: fetch the trace text as a browser would fetch it from a backend, then
 * start the test host (which decodes and links it in this page, as the extension host would) and the
 * waterfall bundle. The CSP allows only same-origin scripts, so both are added as script elements.
 */
declare global {
  interface Window {
    __TRACE_TEXT__: string;
  }
}

function load(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.body.append(s);
  });
}

void fetch('/trace.json')
  .then((r) => r.text())
  .then(async (text) => {
    window.__TRACE_TEXT__ = text;
    await load('/host.js');
    await load('/webview.js');
  });

export {};
