// The page layout: a skip link, the header, then data, the chart with its metrics and preview, the forecast
// settings with the column roles, and the model, and a status bar. The DOM order is the phone's reading order
// (and the tab order: the chart's controls come before the model panel); from 900 px a grid puts data, settings
// and model in a left column beside the chart. Files dropped anywhere on the page are loaded: a model
// (checkpoint folder, ONNX) as the model, else as data.
import { useEffect, type ReactElement } from 'react';
import { loadFile, setDragActive } from './state/actions';
import { openModelFiles } from './state/model-actions';
import { useAppStore } from './state/store';
import { ChartPanel } from './ui/components/ChartPanel';
import { ColumnRoles } from './ui/components/ColumnRoles';
import { DataPanel } from './ui/components/DataPanel';
import { ErrorAlert } from './ui/components/ErrorAlert';
import { ForecastControls } from './ui/components/ForecastControls';
import { Header } from './ui/components/Header';
import { MetricsPanel } from './ui/components/MetricsPanel';
import { ModelOffer } from './ui/components/ModelOffer';
import { ModelPanel } from './ui/components/ModelPanel';
import { SimilarSeries } from './ui/components/SimilarSeries';
import { StatusBar } from './ui/components/StatusBar';
import { TablePreview } from './ui/components/TablePreview';
import { Warnings } from './ui/components/Warnings';
import { droppedFiles, looksLikeModel } from './ui/drop-files';

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/** Loads files dropped anywhere on the window (a model, or a CSV); shows a drop hint while they are dragged over it. */
function useFileDrop(): void {
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragActive(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragActive(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragActive(false);
      if (!e.dataTransfer) return;
      void droppedFiles(e.dataTransfer).then((files) => {
        if (looksLikeModel(files)) void openModelFiles(files);
        else if (files[0]) void loadFile(files[0], files[0].name);
      });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
}

/** The whole app. */
export function App(): ReactElement {
  const dragActive = useAppStore((s) => s.dragActive);
  useFileDrop();
  return (
    <div className={`app${dragActive ? ' app--dragging' : ''}`}>
      <a className="skip-link" href="#chart-area">
        Skip to the forecast
      </a>
      <Header />
      <main className="app-body">
        <div className="area-data">
          <DataPanel />
        </div>
        <div className="area-main" id="chart-area" tabIndex={-1}>
          <ErrorAlert />
          <Warnings />
          <ChartPanel />
          <MetricsPanel />
          <SimilarSeries />
          <ModelOffer />
          <TablePreview />
        </div>
        <div className="area-controls">
          <ForecastControls />
          <ColumnRoles />
        </div>
        <div className="area-model">
          <ModelPanel />
        </div>
      </main>
      <StatusBar />
    </div>
  );
}
