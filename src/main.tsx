// Browser entry: mounts the app, starts loading the model, and registers the offline service worker.
// NOTE: engine-start first: it starts the worker before the modules below are evaluated.
import './state/engine-start';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerServiceWorker } from './pwa';
import { initApp } from './state/actions';
import { warmUpChart } from './ui/chart/warm-up';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const firstModel = initApp();
// The offline copy is made after the first model is ready (and a moment for a first forecast), not during it.
registerServiceWorker(firstModel.then(() => new Promise((resolve) => setTimeout(resolve, 3000))));
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// The first chart should not pay for recharts' cold code: draw one off screen while the model loads.
void warmUpChart().catch(() => undefined);
