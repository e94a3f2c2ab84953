// Runs a command-line tool's main when its file is the program node started (not when a test imports
// it), and turns the result into the exit code. Messages of unexpected errors name the tool and the
// error, never data: every tool's errors are written to carry no PII.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function runIfEntryPoint(
  moduleUrl: string,
  name: string,
  main: (argv: string[]) => Promise<number>,
  /** Exit as soon as main resolves, for tools whose SDK clients keep sockets open. */
  options: { forceExit?: boolean } = {},
): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== path.resolve(process.argv[1])) return;
  const finish = (code: number): void => {
    if (options.forceExit) process.exit(code);
    // Let piped stdout drain rather than cutting it off with process.exit.
    process.exitCode = code;
  };
  main(process.argv.slice(2)).then(finish, (error: unknown) => {
    console.error(`${name} failed:`, error instanceof Error ? error.message : error);
    finish(1);
  });
}
