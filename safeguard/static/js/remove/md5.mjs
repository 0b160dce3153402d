// MD5 of a file's exact bytes, read in 2 MiB slices, with spark-md5 (vendored by scripts/build-assets.mjs as a
// classic script that sets the global SparkMD5). The page may load it itself with a <script> tag; if it has not,
// it is loaded here from our own static files (same origin, so the Content-Security-Policy allows it).

export const CHUNK_BYTES = 2 * 1024 * 1024;
const SPARK_URL = new URL("../../dist/vendor/spark-md5.min.js", import.meta.url);

let loading = null;

export function loadSparkMD5() {
  if (globalThis.SparkMD5) return Promise.resolve(globalThis.SparkMD5);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = SPARK_URL.href;
      script.async = true;
      script.onload = () => (globalThis.SparkMD5 ? resolve(globalThis.SparkMD5) : reject(new Error("no SparkMD5")));
      script.onerror = () => {
        loading = null;
        reject(new Error(`could not load ${SPARK_URL.href}`));
      };
      document.head.append(script);
    });
  }
  return loading;
}

/**
 * MD5 (32 hex characters) of a Blob/File. `onChunk(bytesDone, total, chunk)` is called after each slice
 * (a Uint8Array view the caller may inspect but must not keep).
 */
export async function md5OfBlob(blob, { onChunk } = {}) {
  const SparkMD5 = await loadSparkMD5();
  const spark = new SparkMD5.ArrayBuffer();
  const total = blob.size;
  for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
    const buffer = await blob.slice(offset, Math.min(total, offset + CHUNK_BYTES)).arrayBuffer();
    spark.append(buffer);
    if (onChunk) onChunk(Math.min(total, offset + CHUNK_BYTES), total, new Uint8Array(buffer));
  }
  return spark.end();
}
