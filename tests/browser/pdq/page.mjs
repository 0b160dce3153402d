// Test page helpers: hash files the harness serves, the way the "Remove it" journey does (hashFile).
import { hashFile, imagePixels } from "/static/js/remove/hash.mjs";
import { md5OfBlob } from "/static/js/remove/md5.mjs";
import { DCT_MATRIX, pdqFromImageData } from "/static/js/remove/pdq.mjs";

async function fileAt(url, name) {
  const response = await fetch(url);
  return new File([await response.blob()], name);
}

function outcome(error) {
  return { ok: false, name: error.name, code: error.code ?? null, message: String(error.message) };
}

window.pdqTest = {
  async hash(url, name) {
    try {
      return { ok: true, result: await hashFile(await fileAt(url, name)) };
    } catch (error) {
      return outcome(error);
    }
  },
  dctMatrix: () => Array.from(DCT_MATRIX),
  // Decode + pixels + PDQ (what hashFile does after the MD5), timed `runs` times: milliseconds each.
  async timePdq(url, name, runs) {
    const file = await fileAt(url, name);
    const times = [];
    let hash = null;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      hash = pdqFromImageData(await imagePixels(file));
      times.push(performance.now() - started);
    }
    return { times, hash };
  },
  async timeMd5(url, name, runs) {
    const file = await fileAt(url, name);
    const times = [];
    let md5 = null;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      md5 = await md5OfBlob(file);
      times.push(performance.now() - started);
    }
    return { times, md5, bytes: file.size };
  },
};
window.pdqReady = true;
