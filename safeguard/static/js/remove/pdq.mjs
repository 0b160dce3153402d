// PDQ, Meta's 256-bit perceptual image hash, computed in the browser (issue 22, ADR 0105).
//
// A port of the C++ reference (ThreatExchange pdq/cpp: hashing/pdqhashing.cpp, downscaling/downscaling.cpp,
// hashing/torben.cpp) as the Python `pdqhash` package builds it, so that a hash made here on a young person's
// device equals the one the server makes with Pillow -> convert("RGB") -> pdqhash.compute for the same pixels.
//
// Every step keeps the C++'s arithmetic: the C++ works in 32-bit floats, so each float operation here is
// rounded to float32 (Math.fround, or a store into a Float32Array) in the same order as the C++ does it.
// Addition, subtraction, multiplication and division of two float32 values done in float64 and rounded once
// give exactly the float32 result, so the outputs are bit-for-bit those of the C++ on x86-64 (no FMA).
//
// Steps: RGB -> luma; two X,Y passes of Jarosz box filters (a tent filter) with windows from the image size;
// decimate to 64x64 (centres); quality from the gradient sum; 64x64 -> 16x16 DCT; bit = value > median.

const fr = Math.fround;

// Luma from RGB. The Python package computes it with NumPy in float64 (r*0.299 + g*0.587 + b*0.114) and then
// casts to float32; the C++ (used by vpdq for video frames) works in float32 throughout. Both are offered.
const LUMA_NUMPY_R = new Float64Array(256);
const LUMA_NUMPY_G = new Float64Array(256);
const LUMA_NUMPY_B = new Float64Array(256);
const LUMA_CPP_R = new Float32Array(256);
const LUMA_CPP_G = new Float32Array(256);
const LUMA_CPP_B = new Float32Array(256);
{
  const r32 = fr(0.299);
  const g32 = fr(0.587);
  const b32 = fr(0.114);
  for (let v = 0; v < 256; v++) {
    LUMA_NUMPY_R[v] = v * 0.299;
    LUMA_NUMPY_G[v] = v * 0.587;
    LUMA_NUMPY_B[v] = v * 0.114;
    LUMA_CPP_R[v] = r32 * v;
    LUMA_CPP_G[v] = g32 * v;
    LUMA_CPP_B[v] = b32 * v;
  }
}

// The C++ returns an all-zero hash with quality 0 for images under 5 pixels on a side.
export const MIN_HASHABLE_DIM = 5;
const ZERO_HASH = "0".repeat(64);

// DCT matrix, 16 x 64, row-major: float(float(sqrt(2/64)) * cos((pi/2/64) * (i+1) * (2j+1))) as in the C++.
export const DCT_MATRIX = (() => {
  const matrix = new Float32Array(16 * 64);
  const scale = fr(Math.sqrt(2.0 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2.0 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return matrix;
})();

/** Luma (float32, row-major) from RGBA bytes as canvas getImageData gives them; alpha is ignored. */
export function lumaFromRGBA(data, width, height, { luma = "numpy" } = {}) {
  const n = width * height;
  const out = new Float32Array(n);
  if (luma === "cpp") {
    for (let p = 0, q = 0; p < n; p++, q += 4) {
      out[p] = fr(LUMA_CPP_R[data[q]] + LUMA_CPP_G[data[q + 1]]) + LUMA_CPP_B[data[q + 2]];
    }
  } else {
    for (let p = 0, q = 0; p < n; p++, q += 4) {
      out[p] = LUMA_NUMPY_R[data[q]] + LUMA_NUMPY_G[data[q + 1]] + LUMA_NUMPY_B[data[q + 2]];
    }
  }
  return out;
}

/** computeJaroszFilterWindowSize: ceil(old / (2 * new)). */
export function jaroszWindowSize(oldDimension, newDimension) {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

function phases(windowSize, length) {
  const half = Math.floor((windowSize + 2) / 2); // 7 -> 4, 8 -> 5
  return [half - 1, windowSize - half + 1, length - windowSize, half - 1];
}

// box1DFloat along each row (stride 1), in -> out; only `cols` (sorted column indices) are written when given.
function boxAlongRows(input, output, numRows, numCols, windowSize) {
  const [p1, p2, p3, p4] = phases(windowSize, numCols);
  for (let row = 0; row < numRows; row++) {
    const base = row * numCols;
    let ri = base;
    let li = base;
    let oi = base;
    let sum = 0;
    let size = 0;
    for (let k = 0; k < p1; k++) {
      sum = fr(sum + input[ri++]);
      size++;
    }
    for (let k = 0; k < p2; k++) {
      sum = fr(sum + input[ri++]);
      size++;
      output[oi++] = sum / size;
    }
    for (let k = 0; k < p3; k++) {
      sum = fr(sum + input[ri++]);
      sum = fr(sum - input[li++]);
      output[oi++] = sum / size;
    }
    for (let k = 0; k < p4; k++) {
      sum = fr(sum - input[li++]);
      size--;
      output[oi++] = sum / size;
    }
  }
}

// box1DFloat down each column, all columns in step (row by row, so memory is read in order). Each column's
// running sum is its own float32 slot, updated in exactly the order the C++ updates its scalar sum.
// With `columns` (indices), only those columns are computed (each column is independent of the others).
function boxAlongCols(input, output, numRows, numCols, windowSize, columns = null) {
  const [p1, p2, p3, p4] = phases(windowSize, numRows);
  const width = columns ? columns.length : numCols;
  const sums = new Float32Array(width);
  const index = columns ? Int32Array.from(columns) : null;
  let ri = 0; // row indices
  let li = 0;
  let oi = 0;
  let size = 0;
  const add = (row) => {
    const base = row * numCols;
    if (index) for (let c = 0; c < width; c++) sums[c] += input[base + index[c]];
    else for (let c = 0; c < width; c++) sums[c] += input[base + c];
  };
  const sub = (row) => {
    const base = row * numCols;
    if (index) for (let c = 0; c < width; c++) sums[c] -= input[base + index[c]];
    else for (let c = 0; c < width; c++) sums[c] -= input[base + c];
  };
  const write = (row) => {
    const base = row * numCols;
    if (index) for (let c = 0; c < width; c++) output[base + index[c]] = sums[c] / size;
    else for (let c = 0; c < width; c++) output[base + c] = sums[c] / size;
  };
  for (let k = 0; k < p1; k++) {
    add(ri++);
    size++;
  }
  for (let k = 0; k < p2; k++) {
    add(ri++);
    size++;
    write(oi++);
  }
  for (let k = 0; k < p3; k++) {
    add(ri++);
    sub(li++);
    write(oi++);
  }
  for (let k = 0; k < p4; k++) {
    sub(li++);
    size--;
    write(oi++);
  }
}

function decimateIndex(out, inSize) {
  return Math.floor(((out + 0.5) * inSize) / 64);
}

/** The 64x64 downsample (row-major Float32Array) of a luma buffer; `luma` is used as scratch space. */
export function downsample64(luma, width, height) {
  const out = new Float32Array(64 * 64);
  if (width === 64 && height === 64) {
    out.set(luma); // the C++ takes a 64x64 input as already downsampled (video frames scaled by ffmpeg)
    return out;
  }
  const windowAlongRows = jaroszWindowSize(width, 64);
  const windowAlongCols = jaroszWindowSize(height, 64);
  const scratch = new Float32Array(width * height);
  const columns = [];
  for (let j = 0; j < 64; j++) columns.push(decimateIndex(j, width));
  // jaroszFilterFloat with two X,Y passes; the last Y pass only for the columns the decimation reads.
  boxAlongRows(luma, scratch, height, width, windowAlongRows);
  boxAlongCols(scratch, luma, height, width, windowAlongCols);
  boxAlongRows(luma, scratch, height, width, windowAlongRows);
  boxAlongCols(scratch, luma, height, width, windowAlongCols, [...new Set(columns)]);
  for (let i = 0; i < 64; i++) {
    const ini = decimateIndex(i, height);
    for (let j = 0; j < 64; j++) out[i * 64 + j] = luma[ini * width + columns[j]];
  }
  return out;
}

/** pdqImageDomainQualityMetric: 0..100 from the gradients of the 64x64 downsample. */
export function qualityOf(buffer64) {
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = Math.trunc(fr(fr(fr(buffer64[i * 64 + j] - buffer64[(i + 1) * 64 + j]) * 100) / 255));
      gradientSum += Math.abs(d);
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = Math.trunc(fr(fr(fr(buffer64[i * 64 + j] - buffer64[i * 64 + j + 1]) * 100) / 255));
      gradientSum += Math.abs(d);
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/** dct64To16: B = D A D^T, each sum accumulated in float32 in the C++'s order. */
export function dct64To16(buffer64) {
  const D = DCT_MATRIX;
  const T = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    const di = i * 64;
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(D[di + k] * buffer64[k * 64 + j]));
      T[i * 64 + j] = sum;
    }
  }
  const B = new Float32Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(T[ti + k] * D[dj + k]));
      B[i * 16 + j] = sum;
    }
  }
  return B;
}

/** Torben's median, as in torben.cpp (returns one of the values, or the float midpoint guess). */
export function torbenMedian(m) {
  const n = m.length;
  let min = m[0];
  let max = m[0];
  for (let i = 1; i < n; i++) {
    if (m[i] < min) min = m[i];
    if (m[i] > max) max = m[i];
  }
  const halfN = Math.floor((n + 1) / 2);
  let less;
  let greater;
  let equal;
  let guess;
  let maxltguess;
  let mingtguess;
  for (;;) {
    guess = fr(fr(min + max) / 2);
    less = 0;
    greater = 0;
    equal = 0;
    maxltguess = min;
    mingtguess = max;
    for (let i = 0; i < n; i++) {
      const v = m[i];
      if (v < guess) {
        less++;
        if (v > maxltguess) maxltguess = v;
      } else if (v > guess) {
        greater++;
        if (v < mingtguess) mingtguess = v;
      } else {
        equal++;
      }
    }
    if (less <= halfN && greater <= halfN) break;
    if (less > greater) max = maxltguess;
    else min = mingtguess;
  }
  if (less >= halfN) return maxltguess;
  if (less + equal >= halfN) return guess;
  return mingtguess;
}

/** The hash as 64 hex characters, in the reference's order (Hash256::format: word 15 first). */
export function bitsToHex(dct16) {
  const median = torbenMedian(dct16);
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k++) {
    if (dct16[k] > median) words[k >> 4] |= 1 << (k & 15);
  }
  let hex = "";
  for (let w = 15; w >= 0; w--) hex += words[w].toString(16).padStart(4, "0");
  return hex;
}

/**
 * PDQ of a float32 luma buffer (row-major, width x height). The buffer is overwritten (used as scratch).
 * @returns {{hash: string, quality: number}}
 */
export function pdqFromLuma(luma, width, height) {
  if (height < MIN_HASHABLE_DIM || width < MIN_HASHABLE_DIM) return { hash: ZERO_HASH, quality: 0 };
  if (luma.length !== width * height) throw new RangeError(`luma has ${luma.length} values, not ${width}x${height}`);
  const buffer64 = downsample64(luma, width, height);
  const quality = qualityOf(buffer64);
  return { hash: bitsToHex(dct64To16(buffer64)), quality };
}

/**
 * PDQ of canvas pixels ({data: RGBA bytes, width, height}, e.g. an ImageData).
 * `luma: "numpy"` (default) matches the Python pdqhash package; `"cpp"` matches the C++ (vpdq's frames).
 * @returns {{hash: string, quality: number}}
 */
export function pdqFromImageData(imageData, { luma = "numpy" } = {}) {
  const { data, width, height } = imageData;
  if (height < MIN_HASHABLE_DIM || width < MIN_HASHABLE_DIM) return { hash: ZERO_HASH, quality: 0 };
  return pdqFromLuma(lumaFromRGBA(data, width, height, { luma }), width, height);
}

/** Hamming distance between two 64-hex-character hashes. */
export function hammingDistance(a, b) {
  let distance = 0;
  for (let i = 0; i < 64; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      distance++;
    }
  }
  return distance;
}
