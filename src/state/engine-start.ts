// Starts the forecasting worker as the first thing the page's bundle does. Why: main.tsx's other imports (React,
// recharts, the app) take 100–150 ms to evaluate on a 2-core laptop; ES modules evaluate in import order, so a
// module imported first runs before them and the worker's own script (the runtime, the model download) starts
// loading that much sooner, in parallel with the rest of the page's start-up.
import { getEngine } from './engine';

getEngine();
