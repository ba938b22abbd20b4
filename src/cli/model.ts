// `npm run model -- <repo-id | checkpoint-dir | adapter-dir> [--base DIR|REPO] [--fp16] [--revision REV] [--name NAME]
// [--default] [--models-dir DIR] [--hub-url URL]`: downloads a Chronos-2 model from the Hugging Face hub (or a mirror:
// --hub-url, or $HF_ENDPOINT) with the app's own download code, or reads a checkpoint folder, converts it and installs it into
// public/models/<name>/ with an entry in public/models/index.json, so the app lists it and `npm start` serves it
// offline. A token for gated repositories is read from $HF_TOKEN. A LoRA adapter (a folder or a repository holding
// adapter_config.json) is merged into its base: --base, else its base_model_name_or_path beside it or on the hub.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrepareProgress } from '../hub/hub-model';
import { megabytes } from '../hub/download';
import { installModel } from '../node/install-model';
import { runCli } from './run-cli';

const USAGE =
  'usage: npm run model -- <repo-id | checkpoint-dir | adapter-dir> [--base DIR|REPO] [--fp16] [--revision REV] [--name NAME] [--default] [--models-dir DIR] [--hub-url URL]\n' +
  '  e.g. npm run model -- amazon/chronos-2 --fp16     (token for gated repos: $HF_TOKEN; mirror: $HF_ENDPOINT)\n' +
  '       npm run model -- ./my-lora --base amazon/chronos-2   (a LoRA adapter merged into its base)';

const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

/** Prints download progress on one updating line (a TTY) or every 10% (a log). */
function progressPrinter(): (p: PrepareProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (p) => {
    if (p.phase !== 'download') {
      if (tty) process.stderr.write('\n');
      console.error(p.message);
      return;
    }
    const share = p.total ? p.loaded / p.total : 0;
    const speed = p.bytesPerSecond ? `, ${megabytes(p.bytesPerSecond)}/s` : '';
    const line = `${p.file}: ${megabytes(p.loaded)}${p.total ? ` of ${megabytes(p.total)} (${Math.floor(share * 100)}%)` : ''}${speed}${p.resumedFrom ? ` (resumed at ${megabytes(p.resumedFrom)})` : ''}`;
    if (tty) {
      process.stderr.write(`\r${line}\x1b[K`);
    } else if (Math.floor(share * 10) > lastTenth || p.loaded === p.total) {
      lastTenth = Math.floor(share * 10);
      console.error(line);
    }
  };
}

runCli(async (args) => {
  const positional: string[] = [];
  let fp16 = false;
  let makeDefault = false;
  let revision: string | undefined;
  let name: string | undefined;
  let modelsDir = DEFAULT_MODELS_DIR;
  let hubUrl = process.env.HF_ENDPOINT;
  let base: string | undefined;
  const value = (i: number): string => {
    const v = args[i];
    if (v === undefined || v.startsWith('--')) throw new Error(`${args[i - 1]} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--fp16') fp16 = true;
    else if (a === '--default') makeDefault = true;
    else if (a === '--revision') revision = value(++i);
    else if (a === '--name') name = value(++i);
    else if (a === '--models-dir') modelsDir = path.resolve(value(++i));
    else if (a === '--hub-url') hubUrl = value(++i);
    else if (a === '--base') base = value(++i);
    else if (a === '--help' || a === '-h') return void console.log(USAGE);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new Error(USAGE);
  const started = performance.now();
  const installed = await installModel(positional[0], {
    modelsDir,
    weights: fp16 ? 'float16' : 'float32',
    makeDefault,
    ...(name !== undefined ? { name } : {}),
    ...(revision !== undefined ? { revision } : {}),
    ...(hubUrl !== undefined ? { hubUrl } : {}),
    ...(base !== undefined ? { base } : {}),
    ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
    onProgress: progressPrinter(),
  });
  const { entry, manifest } = installed;
  console.log(
    `installed ${manifest.name} as "${entry.name}" in ${installed.dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
      `  ${manifest.parameterCount.toLocaleString('en-US')} parameters, ${megabytes(manifest.onnxBytes)} of ONNX (${entry.weights ?? 'float32'} weights), sha256 ${manifest.sha256}\n` +
      `  registered in ${path.join(modelsDir, 'index.json')}${entry.default ? ' as the default model' : ''}` +
      `${installed.resumes > 0 ? `\n  the download was resumed ${installed.resumes} time(s) after dropped connections` : ''}\n` +
      `  open it with ?model=${entry.name}, or pick it under Model in the app`,
  );
});
