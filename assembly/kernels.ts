// spikewatt's WebAssembly SIMD kernels (AssemblyScript; built by `npm run build:wasm` into build/kernels.wasm).
//
// Conv as a gather over the receptive field, float64 throughout. For one output cell (oy, ox) and a block of
// output channels, the accumulator starts at the bias and adds m * W[c][ky][kx][o] for every active input
// (iy, ix, c) in the cell's receptive field, in the order ky, kx, c ascending. That order is the input address
// order (n_in = iy * inW + ix ascending, then c), which is exactly the order the reference core's scatter adds
// the same terms into the same cell; float64 mul and add are correctly rounded and WebAssembly has no fused
// multiply-add, so every current is bit-identical to the reference core's.
//
// Memory is managed by the host: every pointer below is a byte offset into this module's memory.

// Positions of active inputs: posStart[n_in] .. posStart[n_in + 1] index into the event arrays.
// Events arrive sorted by address (the host checks), so the events of one input position are contiguous.

/** posStart[0..nIn] from `count` sorted event addresses (i32) with `inC` channels per position. */
export function buildPositions(addrPtr: usize, count: i32, inC: i32, nIn: i32, posPtr: usize): void {
  let e: i32 = 0;
  for (let n: i32 = 0; n <= nIn; n++) {
    const limit = n * inC;
    while (e < count && load<i32>(addrPtr + ((<usize>e) << 2)) < limit) e++;
    store<i32>(posPtr + ((<usize>n) << 2), e);
  }
}

/**
 * For every output cell, the list of its active receptive field in accumulation order: the absolute byte address
 * of each weight row (`evBase[e]` is the weight table of event e: the layer's weights, or a table premultiplied
 * by the event's integer multiplicity) and, when `withMult`, the real multiplier. cellStart[cell] ..
 * cellStart[cell + 1] index into rows / rel / mults; `rel` is the row's index in the table (tap * inC + c).
 */
export function buildCellLists(
  addrPtr: usize,
  evBasePtr: usize,
  multPtr: usize,
  withMult: i32,
  posPtr: usize,
  inC: i32,
  inH: i32,
  inW: i32,
  outH: i32,
  outW: i32,
  k: i32,
  stride: i32,
  pad: i32,
  cellStartPtr: usize,
  rowsPtr: usize,
  relPtr: usize,
  multsOutPtr: usize,
): i32 {
  let len: i32 = 0;
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      store<i32>(cellStartPtr + ((<usize>(oy * outW + ox)) << 2), len);
      for (let ky: i32 = 0; ky < k; ky++) {
        const iy = oy * stride - pad + ky;
        if (iy < 0 || iy >= inH) continue;
        for (let kx: i32 = 0; kx < k; kx++) {
          const ix = ox * stride - pad + kx;
          if (ix < 0 || ix >= inW) continue;
          const nIn = iy * inW + ix;
          const e0 = load<i32>(posPtr + ((<usize>nIn) << 2));
          const e1 = load<i32>(posPtr + ((<usize>(nIn + 1)) << 2));
          const base = nIn * inC;
          for (let e = e0; e < e1; e++) {
            const c = load<i32>(addrPtr + ((<usize>e) << 2)) - base;
            // row index tap * inC + c: rows ascend along the list, so a row range is a run of each list;
            // weights are block-major [o / 16][row][16], so the row's first block starts at 128 * row
            const rel = (ky * k + kx) * inC + c;
            store<i32>(relPtr + ((<usize>len) << 2), rel);
            store<i32>(rowsPtr + ((<usize>len) << 2), load<i32>(evBasePtr + ((<usize>e) << 2)) + (rel << 7));
            if (withMult) store<f64>(multsOutPtr + ((<usize>len) << 3), load<f64>(multPtr + ((<usize>e) << 3)));
            len++;
          }
        }
      }
    }
  }
  store<i32>(cellStartPtr + ((<usize>(outH * outW)) << 2), len);
  return len;
}

/**
 * acc[cell][o] += sum over the cell's list of W[row][o] (times the multiplier when `withMult`), for `outC` a
 * multiple of 16 (the host pads). Weights are block-major `[o / 16][row][16]`: one block's rows are contiguous.
 * Output channels go in register blocks of 16 (8 x f64x2). Within a block the rows are visited in chunks of
 * `chunkRows` so that the chunk stays in L1 while every cell adds its entries from it; a cell's partial sum is
 * stored between chunks (an exact round trip), so the additions happen in list order and only the cache hits
 * change. `cursor` is scratch, one i32 per cell.
 */
export function gatherAccumulate(
  cells: i32,
  outC: i32,
  rowsTotal: i32,
  chunkRows: i32,
  cellStartPtr: usize,
  rowsPtr: usize,
  relPtr: usize,
  multsPtr: usize,
  accPtr: usize,
  withMult: i32,
  cursorPtr: usize,
): void {
  const blocks = outC >> 4;
  for (let b: i32 = 0; b < blocks; b++) {
    const wb = <usize>b * ((<usize>rowsTotal) << 7); // this block's rows
    const ob = <usize>(b << 7); // its 16 doubles in an accumulator row
    memory.copy(cursorPtr, cellStartPtr, (<usize>cells) << 2);
    for (let r0: i32 = 0; r0 < rowsTotal; r0 += chunkRows) {
      const r1 = r0 + chunkRows;
      for (let cell: i32 = 0; cell < cells; cell++) {
        let l = load<i32>(cursorPtr + ((<usize>cell) << 2));
        const lEnd = load<i32>(cellStartPtr + ((<usize>(cell + 1)) << 2));
        if (l >= lEnd || load<i32>(relPtr + ((<usize>l) << 2)) >= r1) continue;
        const ap = accPtr + ((<usize>(cell * outC)) << 3) + ob;
        let a0 = v128.load(ap, 0),
          a1 = v128.load(ap, 16),
          a2 = v128.load(ap, 32),
          a3 = v128.load(ap, 48);
        let a4 = v128.load(ap, 64),
          a5 = v128.load(ap, 80),
          a6 = v128.load(ap, 96),
          a7 = v128.load(ap, 112);
        if (!withMult) {
          while (l < lEnd && load<i32>(relPtr + ((<usize>l) << 2)) < r1) {
            const wp = <usize>load<i32>(rowsPtr + ((<usize>l) << 2)) + wb;
            a0 = f64x2.add(a0, v128.load(wp, 0));
            a1 = f64x2.add(a1, v128.load(wp, 16));
            a2 = f64x2.add(a2, v128.load(wp, 32));
            a3 = f64x2.add(a3, v128.load(wp, 48));
            a4 = f64x2.add(a4, v128.load(wp, 64));
            a5 = f64x2.add(a5, v128.load(wp, 80));
            a6 = f64x2.add(a6, v128.load(wp, 96));
            a7 = f64x2.add(a7, v128.load(wp, 112));
            l++;
          }
        } else {
          while (l < lEnd && load<i32>(relPtr + ((<usize>l) << 2)) < r1) {
            const wp = <usize>load<i32>(rowsPtr + ((<usize>l) << 2)) + wb;
            const m = f64x2.splat(load<f64>(multsPtr + ((<usize>l) << 3)));
            a0 = f64x2.add(a0, f64x2.mul(m, v128.load(wp, 0)));
            a1 = f64x2.add(a1, f64x2.mul(m, v128.load(wp, 16)));
            a2 = f64x2.add(a2, f64x2.mul(m, v128.load(wp, 32)));
            a3 = f64x2.add(a3, f64x2.mul(m, v128.load(wp, 48)));
            a4 = f64x2.add(a4, f64x2.mul(m, v128.load(wp, 64)));
            a5 = f64x2.add(a5, f64x2.mul(m, v128.load(wp, 80)));
            a6 = f64x2.add(a6, f64x2.mul(m, v128.load(wp, 96)));
            a7 = f64x2.add(a7, f64x2.mul(m, v128.load(wp, 112)));
            l++;
          }
        }
        v128.store(ap, a0, 0);
        v128.store(ap, a1, 16);
        v128.store(ap, a2, 32);
        v128.store(ap, a3, 48);
        v128.store(ap, a4, 64);
        v128.store(ap, a5, 80);
        v128.store(ap, a6, 96);
        v128.store(ap, a7, 112);
        store<i32>(cursorPtr + ((<usize>cell) << 2), l);
      }
    }
  }
}

/** Total length of the cell lists buildCellLists would write (to size its buffers first). */
export function countCellLists(posPtr: usize, inH: i32, inW: i32, outH: i32, outW: i32, k: i32, stride: i32, pad: i32): i32 {
  let len: i32 = 0;
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      for (let ky: i32 = 0; ky < k; ky++) {
        const iy = oy * stride - pad + ky;
        if (iy < 0 || iy >= inH) continue;
        for (let kx: i32 = 0; kx < k; kx++) {
          const ix = ox * stride - pad + kx;
          if (ix < 0 || ix >= inW) continue;
          const nIn = iy * inW + ix;
          len += load<i32>(posPtr + ((<usize>(nIn + 1)) << 2)) - load<i32>(posPtr + ((<usize>nIn) << 2));
        }
      }
    }
  }
  return len;
}

/**
 * The float32 variant of gatherAccumulate (the `wasm-f32` core): blocks of 32 channels (8 x f32x4), weights
 * block-major `[o / 32][row][32]` float32, accumulators float32. Twice the lanes, half the bytes; the sums round
 * like any float32 conv (the official PyTorch code's arithmetic), in the reference's order.
 */
export function gatherAccumulateF32(
  cells: i32,
  outC: i32,
  rowsTotal: i32,
  chunkRows: i32,
  cellStartPtr: usize,
  rowsPtr: usize,
  relPtr: usize,
  multsPtr: usize,
  accPtr: usize,
  withMult: i32,
  cursorPtr: usize,
): void {
  const blocks = outC >> 5;
  for (let b: i32 = 0; b < blocks; b++) {
    const wb = <usize>b * ((<usize>rowsTotal) << 7);
    const ob = <usize>(b << 7); // 32 floats = 128 bytes
    memory.copy(cursorPtr, cellStartPtr, (<usize>cells) << 2);
    for (let r0: i32 = 0; r0 < rowsTotal; r0 += chunkRows) {
      const r1 = r0 + chunkRows;
      for (let cell: i32 = 0; cell < cells; cell++) {
        let l = load<i32>(cursorPtr + ((<usize>cell) << 2));
        const lEnd = load<i32>(cellStartPtr + ((<usize>(cell + 1)) << 2));
        if (l >= lEnd || load<i32>(relPtr + ((<usize>l) << 2)) >= r1) continue;
        const ap = accPtr + ((<usize>(cell * outC)) << 2) + ob;
        let a0 = v128.load(ap, 0),
          a1 = v128.load(ap, 16),
          a2 = v128.load(ap, 32),
          a3 = v128.load(ap, 48);
        let a4 = v128.load(ap, 64),
          a5 = v128.load(ap, 80),
          a6 = v128.load(ap, 96),
          a7 = v128.load(ap, 112);
        if (!withMult) {
          while (l < lEnd && load<i32>(relPtr + ((<usize>l) << 2)) < r1) {
            const wp = <usize>load<i32>(rowsPtr + ((<usize>l) << 2)) + wb;
            a0 = f32x4.add(a0, v128.load(wp, 0));
            a1 = f32x4.add(a1, v128.load(wp, 16));
            a2 = f32x4.add(a2, v128.load(wp, 32));
            a3 = f32x4.add(a3, v128.load(wp, 48));
            a4 = f32x4.add(a4, v128.load(wp, 64));
            a5 = f32x4.add(a5, v128.load(wp, 80));
            a6 = f32x4.add(a6, v128.load(wp, 96));
            a7 = f32x4.add(a7, v128.load(wp, 112));
            l++;
          }
        } else {
          while (l < lEnd && load<i32>(relPtr + ((<usize>l) << 2)) < r1) {
            const wp = <usize>load<i32>(rowsPtr + ((<usize>l) << 2)) + wb;
            const m = f32x4.splat(<f32>load<f64>(multsPtr + ((<usize>l) << 3)));
            a0 = f32x4.add(a0, f32x4.mul(m, v128.load(wp, 0)));
            a1 = f32x4.add(a1, f32x4.mul(m, v128.load(wp, 16)));
            a2 = f32x4.add(a2, f32x4.mul(m, v128.load(wp, 32)));
            a3 = f32x4.add(a3, f32x4.mul(m, v128.load(wp, 48)));
            a4 = f32x4.add(a4, f32x4.mul(m, v128.load(wp, 64)));
            a5 = f32x4.add(a5, f32x4.mul(m, v128.load(wp, 80)));
            a6 = f32x4.add(a6, f32x4.mul(m, v128.load(wp, 96)));
            a7 = f32x4.add(a7, f32x4.mul(m, v128.load(wp, 112)));
            l++;
          }
        }
        v128.store(ap, a0, 0);
        v128.store(ap, a1, 16);
        v128.store(ap, a2, 32);
        v128.store(ap, a3, 48);
        v128.store(ap, a4, 64);
        v128.store(ap, a5, 80);
        v128.store(ap, a6, 96);
        v128.store(ap, a7, 112);
        store<i32>(cursorPtr + ((<usize>cell) << 2), l);
      }
    }
  }
}

/** The largest of n multiplicities (i32), or -1 when the addresses are not strictly ascending. */
export function scanEvents(addrPtr: usize, multPtr: usize, n: i32): i32 {
  let prev: i32 = -1,
    maxM: i32 = 0;
  for (let e: i32 = 0; e < n; e++) {
    const a = load<i32>(addrPtr + ((<usize>e) << 2));
    if (a <= prev) return -1;
    prev = a;
    const m = load<i32>(multPtr + ((<usize>e) << 2));
    if (m > maxM) maxM = m;
  }
  return maxM;
}

/** In place: each event's multiplicity m becomes the byte address of its weight table, bases[m]. */
export function mapBases(multPtr: usize, basesPtr: usize, n: i32): void {
  for (let e: i32 = 0; e < n; e++) {
    const p = multPtr + ((<usize>e) << 2);
    store<i32>(p, load<i32>(basesPtr + ((<usize>load<i32>(p)) << 2)));
  }
}
