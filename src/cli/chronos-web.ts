#!/usr/bin/env node
// The `chronos-web` command of the package: one binary that dispatches to the CLIs (`chronos-web forecast ...`,
// `chronos-web serve ...`), each loaded only when it is used, so starting one command never parses the others.
// Each subcommand keeps its own argument parsing and `--help`; this file only picks the module and hands it
// the remaining arguments.

/** Subcommands: the module that implements each and a one-line summary. */
const COMMANDS: Readonly<Record<string, { load: () => Promise<unknown>; summary: string }>> = {
  forecast: { load: () => import('./forecast'), summary: 'forecast the series of a CSV file (CSV or JSON out)' },
  serve: { load: () => import('./serve'), summary: 'HTTP forecasting service with the Chronos-2 endpoint API' },
  convert: { load: () => import('./convert'), summary: 'convert a Hugging Face checkpoint folder to model.onnx + manifest.json' },
  model: { load: () => import('./model'), summary: 'download (or read), convert and install a model for the app' },
  embed: { load: () => import('./embed'), summary: 'embeddings of the series of a CSV file and the most similar series (JSON)' },
  parity: { load: () => import('./parity'), summary: 'check golden cases of a fixtures folder against this implementation' },
  'make-random': { load: () => import('./make-random-checkpoint'), summary: 'write a seeded random checkpoint at a real model size' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: chronos-web <command> [options]      chronos-web <command> --help for its options\n\ncommands:\n${lines.join('\n')}`;
}

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  const topic = command === 'help' ? rest[0] : undefined;
  if (topic !== undefined && topic in COMMANDS) {
    process.argv = [process.argv[0], process.argv[1], '--help'];
    await COMMANDS[topic].load();
  } else {
    console.log(usage());
    if (command === undefined) process.exitCode = 1;
  }
} else if (command === '--version' || command === '-v') {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  console.log(pkg.version);
} else if (command in COMMANDS) {
  // The subcommand modules read process.argv.slice(2) (see run-cli.ts): drop the command name.
  process.argv = [process.argv[0], process.argv[1], ...rest];
  await COMMANDS[command].load();
} else {
  console.error(`error: unknown command ${JSON.stringify(command)}\n${usage()}`);
  process.exitCode = 1;
}
