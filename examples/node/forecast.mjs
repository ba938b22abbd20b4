// Forecast with chronos-web in Node: `node forecast.mjs` in a project that installed the package.
import { loadChronos2 } from 'chronos-web';

// No argument: the model bundled with the package. Or a model folder, a URL, or a Hugging Face id such as
// 'amazon/chronos-2' (downloaded once, converted and cached in ~/.cache/chronos-web).
const model = await loadChronos2();

const sales = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140];
const [forecast] = await model.predictQuantiles([sales], { predictionLength: 6, quantileLevels: [0.1, 0.5, 0.9] });

// forecast.quantiles is [step][level] (flat), forecast.mean the median of each step.
for (let t = 0; t < forecast.horizon; t++) {
  const [low, median, high] = forecast.quantiles.subarray(t * 3, t * 3 + 3);
  console.log(`t+${t + 1}: ${median.toFixed(2)} (80% interval ${low.toFixed(2)} to ${high.toFixed(2)})`);
}
await model.dispose();
