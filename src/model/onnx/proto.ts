// The ONNX protobuf schema, from the onnx-proto package (protobufjs static code generated from onnx.proto).
// Everything else in the converter imports ONNX types from here, so the choice of protobuf library is local.
import onnxProto from 'onnx-proto';

/** The `onnx` protobuf namespace (ModelProto, GraphProto, NodeProto, TensorProto, ...). */
export const onnx = onnxProto.onnx;
import type { onnx as OnnxNamespace } from 'onnx-proto';

export type ITensorProto = OnnxNamespace.ITensorProto;
export type INodeProto = OnnxNamespace.INodeProto;
export type IAttributeProto = OnnxNamespace.IAttributeProto;
export type IValueInfoProto = OnnxNamespace.IValueInfoProto;
export type IOperatorSetIdProto = OnnxNamespace.IOperatorSetIdProto;
export type IModelProto = OnnxNamespace.IModelProto;

/** ONNX tensor element types used by the converter. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  BOOL: 9,
  INT64: 7,
  FLOAT16: 10,
} as const;
/** An ONNX tensor element type code. */
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];
