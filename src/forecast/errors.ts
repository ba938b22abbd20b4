// Named errors of the forecasting pipeline. They mirror the ValueErrors / TypeErrors the upstream
// Chronos2Pipeline raises for bad inputs and options, so callers (and the worker boundary, which sends
// `{name, message}`) can tell what went wrong without parsing messages.

/** Base class of every error caused by the inputs or options handed to `predict` / `predictQuantiles`. */
export class ForecastInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForecastInputError';
  }
}

/** No time series were given (upstream: "`inputs` is empty"). */
export class EmptyInputError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'EmptyInputError';
  }
}

/** A series or tensor has the wrong rank or inconsistent lengths. */
export class InputShapeError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'InputShapeError';
  }
}

/** The input structure is wrong: unknown keys, wrong value types, or tasks that do not share one schema. */
export class InputSchemaError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'InputSchemaError';
  }
}

/** A past or future covariate is malformed (length, name, or value kind). */
export class CovariateError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'CovariateError';
  }
}

/** `predictionLength` is invalid, or exceeds the model's horizon while `limitPredictionLength` is set. */
export class PredictionLengthError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'PredictionLengthError';
  }
}

/** Requested or unrolled quantile levels are invalid for the model. */
export class QuantileLevelError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'QuantileLevelError';
  }
}

/** Another option (`batchSize`, `contextLength`, `maxOutputPatches`) is out of range. */
export class ForecastOptionError extends ForecastInputError {
  constructor(message: string) {
    super(message);
    this.name = 'ForecastOptionError';
  }
}

/** A task has values the model cannot take (beyond float32), or the model gave no finite forecast for it. */
export class SeriesValueError extends ForecastInputError {
  constructor(
    message: string,
    /** Index of the task at fault, in input order. */
    readonly taskIndex: number,
  ) {
    super(message);
    this.name = 'SeriesValueError';
  }
}

/** The model runner returned outputs whose sizes do not match the call. Not an input problem. */
export class ModelOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelOutputError';
  }
}
