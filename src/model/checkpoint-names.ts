// The tensor names and shapes of a Chronos-2 checkpoint, derived from its config: the contract between
// `model.safetensors` and the graph builder. Names are those of upstream `Chronos2Model.state_dict()`, so a
// checkpoint that does not belong to its config.json is refused with one message listing every difference.

import type { Chronos2Config } from './config';
import type { TensorInfo } from './safetensors';

/** Checkpoint tensors do not match what the config describes. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  /** Expected tensors the checkpoint lacks. */
  readonly missing: string[];
  /** Checkpoint tensors the model has no parameter for (known non-persistent buffers excluded). */
  readonly unexpected: string[];
  /** Tensors present under the expected name but with another shape (details in the message). */
  readonly mismatched: string[];

  constructor(message: string, missing: string[], unexpected: string[], mismatched: string[]) {
    super(message);
    this.missing = missing;
    this.unexpected = unexpected;
    this.mismatched = mismatched;
  }
}

function residualBlock(
  shapes: Map<string, number[]>,
  prefix: string,
  inDim: number,
  hDim: number,
  outDim: number,
): void {
  shapes.set(`${prefix}.hidden_layer.weight`, [hDim, inDim]);
  shapes.set(`${prefix}.hidden_layer.bias`, [hDim]);
  shapes.set(`${prefix}.output_layer.weight`, [outDim, hDim]);
  shapes.set(`${prefix}.output_layer.bias`, [outDim]);
  shapes.set(`${prefix}.residual_layer.weight`, [outDim, inDim]);
  shapes.set(`${prefix}.residual_layer.bias`, [outDim]);
}

/**
 * Every parameter of `Chronos2Model` for `config`, name → shape (PyTorch layout: Linear weights are
 * [out_features, in_features]), in state_dict order.
 */
export function expectedTensorShapes(config: Chronos2Config): Map<string, number[]> {
  const { dModel, dFf, patchSize } = config;
  const inner = config.numHeads * config.dKv;
  const shapes = new Map<string, number[]>();

  shapes.set('shared.weight', [config.useRegToken ? 2 : 1, dModel]);
  // Input features per patch: [time encoding, values, mask], each patchSize long.
  residualBlock(shapes, 'input_patch_embedding', 3 * patchSize, dFf, dModel);
  for (let i = 0; i < config.numLayers; i++) {
    const block = `encoder.block.${i}.layer`;
    for (const layer of [0, 1]) {
      // layer.0: time self-attention (with RoPE), layer.1: group self-attention.
      const attn = `${block}.${layer}.self_attention`;
      shapes.set(`${attn}.q.weight`, [inner, dModel]);
      shapes.set(`${attn}.k.weight`, [inner, dModel]);
      shapes.set(`${attn}.v.weight`, [inner, dModel]);
      shapes.set(`${attn}.o.weight`, [dModel, inner]);
      shapes.set(`${block}.${layer}.layer_norm.weight`, [dModel]);
    }
    shapes.set(`${block}.2.mlp.wi.weight`, [dFf, dModel]);
    shapes.set(`${block}.2.mlp.wo.weight`, [dModel, dFf]);
    shapes.set(`${block}.2.layer_norm.weight`, [dModel]);
  }
  shapes.set('encoder.final_layer_norm.weight', [dModel]);
  residualBlock(shapes, 'output_patch_embedding', dModel, dFf, config.quantiles.length * patchSize);
  return shapes;
}

/** Non-persistent buffers that some exports still write; they carry nothing the config does not. */
function isKnownBuffer(name: string): boolean {
  return /(^|\.)rope_embed\.(inv_freq|original_inv_freq)$/.test(name) || /(^|\.)quantiles$/.test(name);
}

function listed(names: string[], limit = 8): string {
  const head = names.slice(0, limit).join(', ');
  return names.length > limit ? `${head}, ... (${names.length - limit} more)` : head;
}

const shapeText = (shape: number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that `tensors` are exactly the parameters of a Chronos-2 model with `config`: nothing missing, nothing
 * unexpected, every shape as expected. Known non-persistent buffers (`rope_embed.inv_freq`,
 * `rope_embed.original_inv_freq`, `quantiles`) are ignored.
 *
 * @throws CheckpointError listing all missing and unexpected names and all shape mismatches
 */
export function validateCheckpointTensors(
  config: Chronos2Config,
  tensors: Map<string, TensorInfo>,
  fileName = 'model.safetensors',
): void {
  const expected = expectedTensorShapes(config);
  const missing: string[] = [];
  const mismatched: string[] = [];
  const mismatchText: string[] = [];
  for (const [name, shape] of expected) {
    const found = tensors.get(name);
    if (!found) {
      missing.push(name);
    } else if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      mismatched.push(name);
      mismatchText.push(`${name} expected ${shapeText(shape)}, found ${shapeText(found.shape)}`);
    }
  }
  const unexpected = [...tensors.keys()].filter((name) => !expected.has(name) && !isKnownBuffer(name));
  if (missing.length === 0 && unexpected.length === 0 && mismatched.length === 0) return;

  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${missing.length} missing: ${listed(missing)}`);
  if (unexpected.length > 0) problems.push(`${unexpected.length} unexpected: ${listed(unexpected)}`);
  if (mismatched.length > 0) problems.push(`${mismatched.length} with another shape: ${listed(mismatchText, 4)}`);
  const described =
    `d_model ${config.dModel}, d_kv ${config.dKv}, num_heads ${config.numHeads}, d_ff ${config.dFf}, ` +
    `num_layers ${config.numLayers}, patch ${config.patchSize}, ${config.quantiles.length} quantiles, ` +
    `use_reg_token ${config.useRegToken}`;
  throw new CheckpointError(
    `${fileName}: tensors do not match the config (${described}): ${problems.join('; ')}. ` +
      'Check that config.json and model.safetensors come from the same Chronos-2 model.',
    missing,
    unexpected,
    mismatched,
  );
}
