// Hashing a young person's picture or video on their own device (issue 22, ADR 0105). Nothing leaves the
// device here: the caller sends on only what hashFile resolves to.
//
//   import { hashFile, HashError } from "./hash.mjs";
//   const result = await hashFile(file, { onProgress: ({ phase, fraction }) => ... });
//   // {kind: "image", md5, pdq, pdq_quality, width, height}
//   // {kind: "video", md5, vpdq: [{pdq, quality, timestamp}], duration}   (one frame a second, from 0 s)
//   // or throws HashError: error.code is "not_an_image" | "too_big" | "unreadable" | "too_long",
//   //    error.message is plain English to show as it is.
//
// The file's type comes from its bytes, never its name. Images are decoded at full size with no resizing and
// no colour conversion (as Pillow does it on the server), EXIF orientation applied (Pillow's exif_transpose).

import { md5OfBlob } from "./md5.mjs";
import { pdqFromImageData } from "./pdq.mjs";

export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 50_000_000;
export const MAX_VIDEO_SECONDS = 600;
export const MAX_VIDEO_BYTES = 2 * 1024 * 1024 * 1024;
const HEAD_BYTES = 512 * 1024; // enough for a JPEG's EXIF and frame header
const TAIL_BYTES = 64 * 1024;
const SEEK_TIMEOUT_MS = 15_000;

export const MESSAGES = {
  not_an_image:
    "This doesn't look like a picture or video. Choose a photo (like a JPEG, PNG, GIF or WebP) or a video " +
    "(like an MP4 or WebM).",
  too_big: "This file is too big to check here. Pictures can be up to 50 MB and 50 megapixels.",
  too_long: "This video is longer than 10 minutes, so it can't be checked here.",
  unreadable:
    "We couldn't open this file. It may be damaged or not fully downloaded. Try another copy of it if you " +
    "have one.",
  empty: "This file is empty. Try choosing it again.",
  video_unsupported: "This video can't be opened in this browser. Try another copy of it, or another browser.",
};

export class HashError extends Error {
  /** @param {"not_an_image"|"too_big"|"unreadable"|"too_long"} code */
  constructor(code, message = MESSAGES[code]) {
    super(message);
    this.name = "HashError";
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------------
// What the bytes are

const ascii = (bytes, start, length) => String.fromCharCode(...bytes.subarray(start, start + length));
const u16be = (b, i) => (b[i] << 8) | b[i + 1];
const u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u24le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const i32le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);

const IMAGE_BRANDS = new Set(["avif", "avis", "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);

/** {kind: "image"|"video", format} from the first bytes, or null for anything else. */
export function sniff(bytes) {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: "image", format: "jpeg" };
  if (b.length >= 8 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) return { kind: "image", format: "png" };
  if (b.length >= 6 && (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a")) return { kind: "image", format: "gif" };
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return { kind: "image", format: "webp" };
  if (b.length >= 26 && ascii(b, 0, 2) === "BM" && [12, 40, 52, 56, 64, 108, 124].includes(i32le(b, 14))) {
    return { kind: "image", format: "bmp" };
  }
  if (b.length >= 4 && u32be(b, 0) === 0x1a45dfa3) return { kind: "video", format: "webm" }; // EBML: WebM, Matroska
  if (b.length >= 12 && ascii(b, 4, 4) === "ftyp") {
    const brand = ascii(b, 8, 4);
    if (IMAGE_BRANDS.has(brand)) return { kind: "image", format: brand.startsWith("avi") ? "avif" : "heif" };
    return { kind: "video", format: brand === "qt  " ? "mov" : "mp4" };
  }
  return null;
}

/** {width, height} claimed by an image's header, or null when the header does not say (or is cut short). */
export function imageDimensions(bytes, format) {
  const b = bytes;
  try {
    if (format === "png") {
      if (b.length < 24 || ascii(b, 12, 4) !== "IHDR") return null;
      return { width: u32be(b, 16), height: u32be(b, 20) };
    }
    if (format === "gif") return b.length >= 10 ? { width: u16le(b, 6), height: u16le(b, 8) } : null;
    if (format === "bmp") {
      if (i32le(b, 14) === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
      return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
    }
    if (format === "webp") {
      const chunk = ascii(b, 12, 4);
      if (chunk === "VP8 " && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
      if (chunk === "VP8L" && b.length >= 25) {
        const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
        return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      }
      if (chunk === "VP8X" && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
      return null;
    }
    if (format === "jpeg") {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) return null;
        const marker = b[i + 1];
        if (marker === 0xff) {
          i++; // fill byte
          continue;
        }
        if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
          i += 2;
          continue;
        }
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { width: u16be(b, i + 7), height: u16be(b, i + 5) };
        }
        if (marker === 0xda || marker === 0xd9) return null; // scan data before any frame header
        i += 2 + u16be(b, i + 2);
      }
      return null;
    }
    if (format === "avif" || format === "heif") {
      for (let i = 4; i + 16 <= b.length; i++) {
        if (b[i] === 0x69 && ascii(b, i, 4) === "ispe") return { width: u32be(b, i + 8), height: u32be(b, i + 12) };
      }
    }
  } catch {
    return null;
  }
  return null;
}

// Cut-off files: the server (Pillow, truncated images refused) would not hash them, so neither do we, even where
// the browser would draw the part it has.
function looksComplete(format, tail, fileSize, head) {
  const t = tail;
  const n = t.length;
  if (format === "png") {
    // IEND: length 0, type, CRC ae426082
    for (let i = n - 12; i >= Math.max(0, n - 1024); i--) {
      if (u32be(t, i) === 0 && ascii(t, i + 4, 4) === "IEND" && u32be(t, i + 8) === 0xae426082) return true;
    }
    return false;
  }
  if (format === "jpeg") {
    for (let i = n - 2; i >= 0; i--) if (t[i] === 0xff && t[i + 1] === 0xd9) return true;
    return false;
  }
  if (format === "gif") return n > 0 && t.subarray(Math.max(0, n - 16)).includes(0x3b);
  if (format === "webp") return head.length >= 8 && (head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24)) >>> 0 <= fileSize - 8;
  if (format === "bmp") {
    const declared = i32le(head, 2) >>> 0; // the file size the header claims (0 when the writer left it out)
    const dataOffset = i32le(head, 10) >>> 0;
    return dataOffset < fileSize && (declared === 0 || declared <= fileSize);
  }
  return true;
}

async function readBytes(blob, start, end) {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

// ---------------------------------------------------------------------------------------------------------
// Pictures

function canvasFor(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function pixelsOf(source, width, height) {
  const canvas = canvasFor(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true, alpha: true, colorSpace: "srgb" });
  if (!context) throw new HashError("unreadable");
  context.drawImage(source, 0, 0, width, height);
  const imageData = context.getImageData(0, 0, width, height);
  canvas.width = canvas.height = 0; // free the backing store now, not at the next collection
  return imageData;
}

function hasTransparency(data) {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  return false;
}

/**
 * The bitmap's stored RGBA values, read through WebGL2, or null where WebGL2 (or a big enough texture) is not
 * available. A 2D canvas keeps premultiplied colour, so a fully transparent pixel comes back (0, 0, 0, 0) and a
 * faint one loses precision. The server hashes the colour channels as stored (Pillow convert("RGB") drops alpha
 * and keeps them); a texture uploaded from an un-premultiplied ImageBitmap keeps them too (ADR 0105).
 */
function straightPixels(bitmap, width, height) {
  let canvas;
  let gl = null;
  try {
    canvas = canvasFor(1, 1);
    gl = canvas.getContext("webgl2", { alpha: true, premultipliedAlpha: false, antialias: false, depth: false });
    if (!gl) return null;
    const largest = gl.getParameter(gl.MAX_TEXTURE_SIZE);
    if (width > largest || height > largest) return null;
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    const framebuffer = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return null;
    const data = new Uint8ClampedArray(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, data); // row 0 is the image's top row
    if (gl.getError() !== gl.NO_ERROR) return null;
    return new ImageData(data, width, height);
  } catch {
    return null;
  } finally {
    gl?.getExtension("WEBGL_lose_context")?.loseContext();
  }
}

async function decodeImage(file) {
  try {
    // No colour conversion and no premultiplication: the pixel values as stored, like Pillow.
    return await createImageBitmap(file, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
      imageOrientation: "from-image",
    });
  } catch {
    throw new HashError("unreadable");
  }
}

function tooBig(width, height) {
  return new HashError(
    "too_big",
    `This picture is too big to check here (${width} × ${height} pixels). Pictures can be up to 50 megapixels.`,
  );
}

/**
 * The pixels of an image file as RGBA ImageData (what the hash is computed from), after the same checks as
 * hashFile. Exported for the parity tests and the benchmark.
 */
export async function imagePixels(file, { head = null, format = null } = {}) {
  head = head || (await readBytes(file, 0, HEAD_BYTES));
  format = format || sniff(head)?.format;
  const claimed = imageDimensions(head, format);
  if (claimed && claimed.width * claimed.height > MAX_IMAGE_PIXELS) throw tooBig(claimed.width, claimed.height);
  if (!claimed && ["png", "gif", "bmp", "webp"].includes(format)) throw new HashError("unreadable");
  const tail = await readBytes(file, Math.max(0, file.size - TAIL_BYTES), file.size);
  if (!looksComplete(format, tail, file.size, head)) throw new HashError("unreadable");
  const bitmap = await decodeImage(file);
  try {
    const { width, height } = bitmap;
    if (!width || !height) throw new HashError("unreadable");
    if (width * height > MAX_IMAGE_PIXELS) throw tooBig(width, height);
    try {
      const pixels = pixelsOf(bitmap, width, height);
      // Opaque pictures (JPEG, most PNGs) are exact through the 2D canvas; others are read again through WebGL.
      if (!hasTransparency(pixels.data)) return pixels;
      return straightPixels(bitmap, width, height) || pixels;
    } catch (error) {
      if (error instanceof HashError) throw error;
      throw new HashError("unreadable"); // e.g. wider than the browser's largest canvas
    }
  } finally {
    bitmap.close();
  }
}

async function hashImage(file, head, format, progress) {
  if (file.size > MAX_IMAGE_BYTES) {
    const mb = Math.round(file.size / (1024 * 1024));
    throw new HashError("too_big", `This picture is too big to check here (${mb} MB). Pictures can be up to 50 MB.`);
  }
  const claimed = imageDimensions(head, format);
  if (claimed && claimed.width * claimed.height > MAX_IMAGE_PIXELS) throw tooBig(claimed.width, claimed.height);
  const md5 = await md5OfBlob(file, { onChunk: (done, total) => progress("reading", (0.5 * done) / total) });
  progress("picture", 0.5);
  const imageData = await imagePixels(file, { head, format });
  const { hash, quality } = pdqFromImageData(imageData);
  progress("picture", 1);
  return { kind: "image", md5, pdq: hash, pdq_quality: quality, width: imageData.width, height: imageData.height };
}

// ---------------------------------------------------------------------------------------------------------
// Videos: one frame a second (0 s, 1 s, 2 s, ...), each frame's PDQ, as vpdq samples them.

function once(target, events, timeoutMs) {
  return new Promise((resolve, reject) => {
    const handlers = {};
    const timer = setTimeout(() => finish(reject, new HashError("unreadable")), timeoutMs);
    function finish(settle, value) {
      clearTimeout(timer);
      for (const [name, handler] of Object.entries(handlers)) target.removeEventListener(name, handler);
      settle(value);
    }
    for (const name of events) {
      handlers[name] = (event) => finish(name === "error" ? reject : resolve, event);
      target.addEventListener(name, handlers[name]);
    }
  });
}

async function openVideo(url) {
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.preload = "auto";
  const loaded = once(video, ["loadeddata", "error"], SEEK_TIMEOUT_MS);
  video.src = url;
  try {
    await loaded;
  } catch {
    const unsupported = video.error && video.error.code === 4; // MEDIA_ERR_SRC_NOT_SUPPORTED
    throw new HashError("unreadable", unsupported ? MESSAGES.video_unsupported : MESSAGES.unreadable);
  }
  return video;
}

async function seek(video, seconds) {
  const done = once(video, ["seeked", "error"], SEEK_TIMEOUT_MS);
  video.currentTime = seconds;
  try {
    await done;
  } catch {
    throw new HashError("unreadable");
  }
}

// A video cut off part way keeps its full length in the header, and the browser "seeks" past the data it has by
// showing the last frame it could decode (and reports the whole file as buffered). So, as for pictures, the
// container's own sizes say whether the file is all there: WebM's Segment size, MP4's top-level boxes.

/** EBML variable-length integer at i: {length, value}, value -1 for "unknown size" (all ones). */
function vint(b, i) {
  const first = b[i];
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8 || i + length > b.length) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let k = 1; k < length; k++) {
    value = value * 256 + b[i + k];
    if (b[i + k] !== 0xff) allOnes = false;
  }
  return { length, value: allOnes ? -1 : value };
}

function webmLooksComplete(head, fileSize) {
  const headerSize = vint(head, 4); // after the EBML header's 4-byte ID
  if (!headerSize || headerSize.value < 0) return false;
  const segment = 4 + headerSize.length + headerSize.value;
  if (segment + 5 > head.length) return false;
  if (u32be(head, segment) !== 0x18538067) return false; // Segment
  const size = vint(head, segment + 4);
  if (!size) return false;
  if (size.value < 0) return true; // "unknown size" (streamed recordings): the container cannot say
  return segment + 4 + size.length + size.value <= fileSize;
}

async function mp4LooksComplete(file) {
  let offset = 0;
  for (let boxes = 0; offset < file.size && boxes < 10_000; boxes++) {
    if (file.size - offset < 8) return false;
    const header = await readBytes(file, offset, offset + 16);
    let size = u32be(header, 0);
    if (size === 1) {
      if (header.length < 16) return false;
      size = u32be(header, 8) * 2 ** 32 + u32be(header, 12);
    } else if (size === 0) {
      return true; // the last box runs to the end of the file
    }
    if (size < 8) return false;
    offset += size;
  }
  return offset === file.size;
}

async function videoLooksComplete(file, head, format) {
  if (format === "webm") return webmLooksComplete(head, file.size);
  return mp4LooksComplete(file);
}

async function videoDuration(video) {
  let duration = video.duration;
  if (!Number.isFinite(duration)) {
    // Recorded WebM often has no duration in its header: seeking far past the end makes the browser find it.
    await seek(video, 1e9);
    duration = video.duration;
    if (!Number.isFinite(duration)) duration = video.currentTime;
  }
  return duration;
}

async function hashVideo(file, head, format, progress) {
  if (file.size > MAX_VIDEO_BYTES) {
    throw new HashError("too_big", "This video is too big to check here. Videos can be up to 2 GB.");
  }
  if (!(await videoLooksComplete(file, head, format))) throw new HashError("unreadable");
  const url = URL.createObjectURL(file);
  try {
    const video = await openVideo(url);
    const duration = await videoDuration(video);
    if (!(duration > 0)) throw new HashError("unreadable");
    if (duration > MAX_VIDEO_SECONDS) throw new HashError("too_long");
    const md5 = await md5OfBlob(file, { onChunk: (done, total) => progress("reading", (0.3 * done) / total) });
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) throw new HashError("unreadable");
    if (width * height > MAX_IMAGE_PIXELS) throw new HashError("too_big");
    const vpdq = [];
    const count = Math.max(1, Math.ceil(duration)); // timestamps t < duration
    for (let t = 0; t < count; t++) {
      await seek(video, t);
      // The C++ luma (float32 throughout), as vpdq's frame hasher computes it.
      const { hash, quality } = pdqFromImageData(pixelsOf(video, width, height), { luma: "cpp" });
      vpdq.push({ pdq: hash, quality, timestamp: t });
      progress("video", 0.3 + (0.7 * (t + 1)) / count);
    }
    video.removeAttribute("src");
    video.load();
    return { kind: "video", md5, vpdq, duration };
  } finally {
    URL.revokeObjectURL(url);
  }
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Hash one picture or video chosen on this device.
 * @param {File|Blob} file
 * @param {{onProgress?: (progress: {phase: "reading"|"picture"|"video", fraction: number}) => void}} options
 *   fraction goes from 0 to 1 over the whole file.
 */
export async function hashFile(file, { onProgress } = {}) {
  const progress = (phase, fraction) => {
    if (onProgress) onProgress({ phase, fraction: Math.min(1, Math.max(0, fraction)) });
  };
  if (!file || typeof file.slice !== "function") throw new HashError("not_an_image");
  if (file.size === 0) throw new HashError("unreadable", MESSAGES.empty);
  progress("reading", 0);
  const head = await readBytes(file, 0, HEAD_BYTES);
  const type = sniff(head);
  if (!type) throw new HashError("not_an_image");
  if (type.kind === "image") return hashImage(file, head, type.format, progress);
  return hashVideo(file, head, type.format, progress);
}
