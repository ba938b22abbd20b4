// Shared entry wrapper of the Node CLIs: argument passing, and errors printed as one clear line
// (the error's class and message) with a non-zero exit, never a stack trace for a user mistake.

/** Runs `main` with the process arguments; prints `Name: message` and exits 1 on failure. */
export function runCli(main: (args: string[]) => Promise<void | number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      console.error(`${e.name === 'Error' ? 'error' : e.name}: ${e.message}`);
      if (process.env.DEBUG) console.error(e.stack);
      process.exitCode = 1;
    },
  );
}
