import type { Architecture } from '../cost-models/architecture-schema.js';

/**
 * Placement: populations in model order, each on consecutive cores starting at the next free core (no core holds
 * two layers); cores fill a tile, tiles follow a snake over the chip's mesh (row 0 west to east, row 1 east to west,
 * ...), chips fill in order and sit side by side in a near-square grid (ceil(sqrt(chips)) chips per row), forming one
 * large mesh with XY routing. The processor sits at the origin tile (chip 0, row 0, column 0).
 * Tile coordinates of global core g: chip = g / coresPerChip, tile = (g mod coresPerChip) / coresPerTile.
 */
export interface Mesh {
  cores: number;
  chips: number;
  coresPerChip: number;
  /** Tiles in use (cores are packed from 0, so ceil(cores / coresPerTile)); null without a known mesh. */
  tiles: number | null;
  /** Global mesh size in tiles; 0 without a known mesh. */
  widthTiles: number;
  heightTiles: number;
  chipsPerRow: number;
  /** Per global core: tile x, tile y, chip x, chip y (Int32Array); empty without a known mesh. */
  x: Int32Array;
  y: Int32Array;
  chipX: Int32Array;
  chipY: Int32Array;
}

export function placeCores(arch: Architecture, cores: number): Mesh {
  const c = arch.chip;
  const coresPerChip = c.coresPerChip.value;
  const chips = Math.max(1, Math.ceil(cores / coresPerChip));
  const chipsPerRow = Math.ceil(Math.sqrt(chips));
  const known = c.coresPerTile !== undefined && c.meshWidthTiles !== undefined && c.meshHeightTiles !== undefined;
  if (!known)
    return {
      cores,
      chips,
      coresPerChip,
      tiles: null,
      widthTiles: 0,
      heightTiles: 0,
      chipsPerRow,
      x: new Int32Array(0),
      y: new Int32Array(0),
      chipX: new Int32Array(0),
      chipY: new Int32Array(0),
    };
  const perTile = c.coresPerTile!.value,
    W = c.meshWidthTiles!.value,
    H = c.meshHeightTiles!.value;
  const x = new Int32Array(cores),
    y = new Int32Array(cores),
    chipX = new Int32Array(cores),
    chipY = new Int32Array(cores);
  for (let g = 0; g < cores; g++) {
    const chip = Math.floor(g / coresPerChip);
    const tile = Math.floor((g % coresPerChip) / perTile);
    const row = Math.floor(tile / W);
    const col = row % 2 === 0 ? tile % W : W - 1 - (tile % W);
    chipX[g] = chip % chipsPerRow;
    chipY[g] = Math.floor(chip / chipsPerRow);
    x[g] = chipX[g]! * W + col;
    y[g] = chipY[g]! * H + row;
  }
  return {
    cores,
    chips,
    coresPerChip,
    tiles: Math.ceil(cores / perTile),
    widthTiles: chipsPerRow * W,
    heightTiles: Math.ceil(chips / chipsPerRow) * H,
    chipsPerRow,
    x,
    y,
    chipX,
    chipY,
  };
}

/**
 * Barrier latency per step (SANA-FE sync_model table): the entry with the largest `tiles` <= mapped tiles (the first
 * entry below it); over several chips the multi-chip barrier when given. Null when the profile gives none.
 */
export function syncLatencyNs(arch: Architecture, mesh: Mesh): number | null {
  const s = arch.sync;
  if (mesh.chips > 1 && s.multiChipLatencyNs) return s.multiChipLatencyNs.value;
  const table = s.byMappedTiles;
  if (!table) return null;
  const tiles = mesh.tiles ?? mesh.cores;
  let v = table[0]!.latencyNs;
  for (const p of table) if (p.tiles <= tiles) v = p.latencyNs;
  return v;
}
