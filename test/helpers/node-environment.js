// The tests' environment: Node's, plus one thing. A test file that fails half-way can leave a
// child process running (a Crieur started by startNode and never stopped); its open pipes keep
// Jest from ever exiting, and CI then waits for its own timeout instead of reporting the failure.
// The processes startNode spawns are kept in a set on the test file's global, and any still alive
// when the file is done (after every afterAll hook) are killed here and named.
const { TestEnvironment } = require('jest-environment-node');

class CrieurTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.global.__crieurChildren = new Set();
  }

  async teardown() {
    const left = [...this.global.__crieurChildren].filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of left) child.kill('SIGKILL');
    if (left.length > 0) {
      process.stderr.write(`${this.testPath}: ${left.length} child process(es) left running by the test; killed\n`);
    }
    await super.teardown();
  }
}

module.exports = CrieurTestEnvironment;
