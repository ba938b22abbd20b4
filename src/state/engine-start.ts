// Starts the forecasting worker as the first thing the page's bundle does. Why: main.tsx's other imports (React,
// recharts, the app) took about 100–200 ms to evaluate on a 2-core machine; ES modules evaluate in import order, so a
// module imported first runs before them and the worker's own script (the runtime, the model download) starts
// loading that much sooner, in parallel with the rest of the page's start-up.
import { getEngine } from './engine';

getEngine();
