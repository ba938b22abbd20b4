// Browser entry: mounts the app and starts loading the default model.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initApp } from './state/actions';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
initApp();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
