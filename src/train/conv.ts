import * as tf from '@tensorflow/tfjs';

/**
 * 2-D convolution as im2col + matMul, so that its gradients need only Slice, PadV2, Concat, Reshape and
 * BatchMatMul (the wasm backend has no Conv2DBackpropFilter).
 *   y[n,oy,ox,o] = sum_{dy,dx,i} x[n, oy*s + dy - p, ox*s + dx - p, i] * W[o,i,dy,dx]
 * `x` is NHWC; `weight` is in the official PyTorch layout [out, in, k, k] (or [out, in] / [out, in, 1]).
 */
export function conv2dNhwc(x: tf.Tensor4D, weight: tf.Tensor, k: number, stride: number, pad: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const outC = weight.shape[0]!;
  if (k === 1 && pad === 0 && stride === 1) {
    return tf.reshape(tf.matMul(tf.reshape(x, [n * h * w, c]), tf.reshape(weight, [outC, c]), false, true), [n, h, w, outC]);
  }
  if (stride === 1) return conv2dStride1(x, tf.transpose(tf.reshape(weight, [outC, c, k, k]), [2, 3, 1, 0]) as tf.Tensor4D, pad);
  return convIm2col(x, weight, k, stride, pad);
}

/**
 * Stride-1 convolution: forward with the backend's Conv2D, input gradient with Conv2DBackpropInput (both exist
 * in wasm), filter gradient dW[dy,dx,i,o] = sum_{n,y,x} xpad[n, y+dy, x+dx, i] * g[n, y, x, o] as a Conv2D over
 * transposed tensors.
 * `filter` is [k, k, in, out].
 */
const makeConv2dStride1 = (pad: number) =>
  tf.customGrad((x, f, save) => {
    const xt = x as tf.Tensor4D,
      ft = f as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xt, ft]);
    return {
      value: tf.conv2d(xt, ft, 1, pad),
      gradFunc: (dy, saved) => {
        const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = (Array.isArray(dy) ? dy[0]! : dy) as tf.Tensor4D;
        const [n, h, w, c] = sx.shape;
        const dx = tf.conv2dTranspose(g, sf, [n, h, w, c], 1, pad);
        // Filter gradient as one convolution with batch and channels swapped: the input channels i act as the
        // batch, the samples n as the channels, and the output gradient as a [oh, ow, n, o] filter.
        const xs = tf.transpose(sx, [3, 1, 2, 0]);
        const gs = tf.transpose(g, [1, 2, 0, 3]);
        const dw = tf.transpose(tf.conv2d(xs, gs as tf.Tensor4D, 1, pad), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });

/** customGrad passes only tensors, so there is one gradient function per padding. */
const stride1ByPad = new Map<number, ReturnType<typeof makeConv2dStride1>>();
function conv2dStride1(x: tf.Tensor4D, filter: tf.Tensor4D, pad: number): tf.Tensor4D {
  let f = stride1ByPad.get(pad);
  if (!f) {
    f = makeConv2dStride1(pad);
    stride1ByPad.set(pad, f);
  }
  return f(x, filter) as tf.Tensor4D;
}

export function convIm2col(x: tf.Tensor4D, weight: tf.Tensor, k: number, stride: number, pad: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const outC = weight.shape[0]!;
  const outH = Math.floor((h + 2 * pad - k) / stride) + 1;
  const outW = Math.floor((w + 2 * pad - k) / stride) + 1;
  // W as [k*k*in, out], rows ordered (dy, dx, in) to match the column order built below.
  const wMat =
    k === 1
      ? tf.transpose(tf.reshape(weight, [outC, c]))
      : tf.reshape(tf.transpose(tf.reshape(weight, [outC, c, k, k]), [2, 3, 1, 0]), [k * k * c, outC]);
  const xp =
    pad > 0
      ? tf.pad(x, [
          [0, 0],
          [pad, pad],
          [pad, pad],
          [0, 0],
        ])
      : x;
  const cols: tf.Tensor4D[] = [];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) cols.push(stridedWindow(xp, dy, dx, outH, outW, stride));
  }
  const patches = cols.length === 1 ? cols[0]! : tf.concat(cols, 3);
  const y = tf.matMul(tf.reshape(patches, [n * outH * outW, k * k * c]), wMat);
  return tf.reshape(y, [n, outH, outW, outC]);
}

/** x[:, dy + s*oy, dx + s*ox, :] for oy < outH, ox < outW, using only Slice/Reshape (and PadV2 for odd sizes). */
function stridedWindow(x: tf.Tensor4D, dy: number, dx: number, outH: number, outW: number, s: number): tf.Tensor4D {
  const [n, , , c] = x.shape;
  if (s === 1) return tf.slice(x, [0, dy, dx, 0], [n, outH, outW, c]);
  // Take a window of s*out rows/cols starting at (dy, dx), padding the far edge if it runs past, then keep
  // every s-th element through a reshape to [n, outH, s, outW, s, c].
  const needH = dy + s * outH,
    needW = dx + s * outW;
  const [, h, w] = x.shape;
  const xe =
    needH > h || needW > w
      ? tf.pad(x, [
          [0, 0],
          [0, Math.max(0, needH - h)],
          [0, Math.max(0, needW - w)],
          [0, 0],
        ])
      : x;
  const win = tf.slice(xe, [0, dy, dx, 0], [n, s * outH, s * outW, c]);
  const r = tf.reshape(win, [n, outH, s, outW, s, c]);
  return tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [n, outH, 1, outW, 1, c]), [n, outH, outW, c]);
}
