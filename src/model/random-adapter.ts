// Builds LoRA adapters with seeded random factors for any Chronos-2 config, in the layout upstream's LoRA
// fine-tuning saves (peft adapter_config.json + adapter_model.safetensors), so tests and benchmarks can exercise
// adapters at any model size — up to amazon/chronos-2's — without a fine-tuning run.
import type { Chronos2Config } from './config';
import { linearModules } from './lora';
import { fillNormal, hashName, writeSafetensors, type NamedTensor } from './random-checkpoint';

/** Options of {@link randomLoraAdapter}. */
export interface RandomAdapterOptions {
  /** Rank (default 8). */
  r?: number;
  /** lora_alpha (default 2·r). */
  loraAlpha?: number;
  /** peft target_modules (default: upstream fine-tuning's attention projections and output layer). */
  targetModules?: string[];
  /** base_model_name_or_path (default amazon/chronos-2). */
  baseModel?: string;
  seed?: number;
  /** Standard deviation of the product B·A relative to the base layer's initialisation (default 0.2). */
  strength?: number;
}

/** The target modules of upstream's `finetune_mode="lora"` (the attention projections and the output layer). */
export const DEFAULT_LORA_TARGETS = ['self_attention.q', 'self_attention.k', 'self_attention.v', 'self_attention.o', 'output_patch_embedding.output_layer'];

/** adapter_config.json (as an object) and adapter_model.safetensors bytes of a random adapter for `config`. */
export function randomLoraAdapter(config: Chronos2Config, options: RandomAdapterOptions = {}): { adapterConfig: Record<string, unknown>; safetensors: Uint8Array } {
  const r = options.r ?? 8;
  const loraAlpha = options.loraAlpha ?? 2 * r;
  const targets = options.targetModules ?? DEFAULT_LORA_TARGETS;
  const strength = options.strength ?? 0.2;
  const modules = [...linearModules(config)].filter(([name]) => targets.some((t) => name === t || name.endsWith(`.${t}`)));
  const seed = options.seed ?? 1;
  const normal = (name: string, n: number, std: number): Float32Array => {
    const out = new Float32Array(n);
    fillNormal(out, Math.imul(hashName(name), 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca6b), 0, std);
    return out;
  };
  const tensors: NamedTensor[] = [];
  for (const [module, [out, inF]] of modules) {
    // B·A has std ≈ |a|·|b|·√r; scaled so (alpha / r)·B·A ≈ strength · in^-½ (the base's Linear scale).
    const std = Math.sqrt((strength * inF ** -0.5 * r) / loraAlpha / Math.sqrt(r));
    const a = `base_model.model.${module}.lora_A.weight`;
    const b = `base_model.model.${module}.lora_B.weight`;
    tensors.push({ name: a, shape: [r, inF], data: normal(a, r * inF, std) });
    tensors.push({ name: b, shape: [out, r], data: normal(b, out * r, std) });
  }
  const adapterConfig = {
    alpha_pattern: {},
    auto_mapping: { base_model_class: 'Chronos2Model', parent_library: 'chronos.chronos2.model' },
    base_model_name_or_path: options.baseModel ?? 'amazon/chronos-2',
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: loraAlpha,
    lora_dropout: 0,
    modules_to_save: null,
    peft_type: 'LORA',
    r,
    rank_pattern: {},
    revision: null,
    target_modules: targets,
    task_type: null,
    use_dora: false,
    use_rslora: false,
  };
  return { adapterConfig, safetensors: writeSafetensors(tensors, { format: 'pt' }) };
}
