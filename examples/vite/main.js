// Forecast with chronos-web in a page built by Vite: the model runs in the browser (WebGPU or WASM).
import { Chronos2 } from 'chronos-web';

// Served with the page from public/ (see the README): onnxruntime-web's runtime files in public/ort/ and a
// converted model folder, here the bundled one, in public/models/.
const model = await Chronos2.load(new URL('models/chronos2-mini/', location.href), {
  backend: 'wasm', // 'auto': WebGPU where the browser has a working adapter, else WASM
});

const sales = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140];
const [forecast] = await model.predictQuantiles([sales], { predictionLength: 6, quantileLevels: [0.1, 0.5, 0.9] });

document.querySelector('#forecast').textContent = Array.from(forecast.mean, (m, t) => `t+${t + 1}: ${m.toFixed(2)}`).join('\n');
