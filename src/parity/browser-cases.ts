// The golden cases run in a browser (e2e parity tests on WASM and the software WebGPU adapter, and the WebGPU
// suite on a real GPU), with their tolerances: one list, so a GPU report and the CI tests check the same things.

/** Golden cases covering each feature of the pipeline once (names of fixtures/chronos2/cases/*.json). */
export const BROWSER_PARITY_CASES = [
  'a_forward_random_small_nan_batch3', // NaNs, raw forward
  'a_forward_random_small_groups_future_covariates', // group attention + future covariates
  'c_predict_edge_series', // constant, all-NaN, short series
  'g_predict_multivariate_3var', // multivariate
  'h_predict_covariates_dict', // numeric + categorical covariates
  'f_predict_long_pl200', // long horizon unrolling
  'i_predict_quantiles_offgrid_levels', // predict_quantiles interpolation
] as const;

/** Largest error relative to max |expected| per task: WASM (float32 CPU kernels) and WebGPU (GPU reductions). */
export const BROWSER_PARITY_TOLERANCE = { wasm: 1e-4, webgpu: 1e-3 } as const;
