// The app slices forecasts with the library's forecast view (src/export/forecast-view.ts); re-exported here.
export * from '../export/forecast-view';
