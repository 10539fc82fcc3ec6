/** A named tensor as read from or written to a checkpoint. Data is always widened to float32/float64. */
export type DType = 'F32' | 'F16' | 'BF16' | 'I64' | 'F64' | 'U8' | 'I32';
export interface Tensor {
  shape: number[];
  data: Float32Array | Float64Array;
  dtype: DType;
}
export type TensorMap = Map<string, Tensor>;

export function shapeNumel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
