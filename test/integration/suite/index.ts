/**
 * The integration suite's entry, as @vscode/test-electron and the code-server runner load it: the
 * extension host calls `run()` and waits for its promise.
 */
import Mocha from 'mocha';

export function run(): Promise<void> {
  // MOCHA_GREP narrows a run while working on one journey (the extension host inherits the environment).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec', ...(process.env.MOCHA_GREP ? { grep: process.env.MOCHA_GREP } : {}) });
  // Define describe/it on the global object before the test modules are evaluated.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // An explicit list (not a glob): the suite is one bundle, and the order is the story it tells.
  // `require`, not `import`: imports are hoisted and would run before describe/it exist.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./activation.test');
  require('./summarize.test');
  require('./local.test');
  require('./send.test');
  require('./jump.test');
  require('./commands.test');
  require('./tempo.test');
  require('./agent.test');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
