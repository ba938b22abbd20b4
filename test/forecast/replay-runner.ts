// A ModelRunner for tests that records every call and answers with the real model outputs recorded in a
// fixture where the fixture has them (the first call). Other calls get zeros of the right shape, so only the
// call sequence (shapes, group ids, inputs that depend on replayed outputs) may be checked after them.

import type { ModelCallInput, ModelCallOutput, ModelInfo, ModelRunner } from '../../src/forecast';
import { flat, type ModelCall } from './fixtures';

export class ReplayRunner implements ModelRunner {
  readonly calls: ModelCallInput[] = [];

  constructor(
    readonly info: ModelInfo,
    private readonly recorded: readonly ModelCall[],
  ) {}

  async run(input: ModelCallInput): Promise<ModelCallOutput> {
    const index = this.calls.length;
    this.calls.push({
      ...input,
      context: input.context.slice(),
      groupIds: input.groupIds.slice(),
      futureCovariates: input.futureCovariates.slice(),
    });
    const call = this.recorded[index];
    if (call?.quantile_preds !== undefined && call.loc !== undefined && call.scale !== undefined) {
      return { quantilePreds: flat(call.quantile_preds), loc: flat(call.loc), scale: flat(call.scale) };
    }
    const width = input.numOutputPatches * this.info.patchSize;
    return {
      quantilePreds: new Float32Array(input.batchSize * this.info.quantiles.length * width),
      loc: new Float32Array(input.batchSize),
      scale: new Float32Array(input.batchSize).fill(1),
    };
  }
}
