// "Remove it": make the codes (hashes) of the chosen pictures and videos on this device and send only them.
// Progressive enhancement: without JavaScript (or if this file cannot load) the page keeps saying that this part
// needs JavaScript, and the form stays hidden. The file input has no name, so the browser can never send a file:
// the form posts only the hidden "hashes" field (JSON), the CSRF token and the one-time form token.
import { hashFile, HashError } from "./hash.mjs";

const form = document.querySelector("[data-remove-it-form]");

function listItem(item) {
  // Only the list's fields: never the file's name, size or anything else about it.
  if (item.kind === "video") {
    return { kind: "video", md5: item.md5, pdq: null, pdq_quality: null, vpdq: item.vpdq };
  }
  return { kind: "image", md5: item.md5, pdq: item.pdq, pdq_quality: item.pdq_quality, vpdq: null };
}

function percent(progress) {
  if (typeof progress === "number") return progress <= 1 ? progress * 100 : progress;
  if (progress && typeof progress.fraction === "number") return progress.fraction * 100;
  if (progress && progress.total) return (100 * progress.done) / progress.total;
  return null;
}

function enhance(form) {
  const input = form.querySelector("#remove-it-files");
  const hidden = form.querySelector("[data-remove-it-hashes]");
  const list = form.querySelector("[data-remove-it-list]");
  const title = form.querySelector("[data-remove-it-list-title]");
  const summary = form.querySelector("[data-remove-it-summary]");
  const send = form.querySelector("[data-remove-it-send]");
  const ready = []; // {key, item}
  let working = 0;
  let counter = 0;

  function refresh() {
    hidden.value = ready.length ? JSON.stringify(ready.map((r) => r.item)) : "";
    title.hidden = list.children.length === 0;
    const n = ready.length;
    if (working) {
      summary.textContent = `Making codes… ${n} ready so far. Keep this page open.`;
    } else if (n) {
      summary.textContent = `${n} ${n === 1 ? "picture or video is" : "pictures or videos are"} ready to send.`;
    } else {
      summary.textContent = "";
    }
    send.disabled = working > 0;
    send.setAttribute("aria-disabled", working > 0 ? "true" : "false");
  }

  function row(label) {
    const li = document.createElement("li");
    li.className = "sg-remove-it-item";
    const name = document.createElement("span");
    name.className = "govuk-!-font-weight-bold";
    name.textContent = label;
    const state = document.createElement("span");
    state.className = "sg-remove-it-state";
    li.append(name, document.createTextNode(": "), state);
    list.append(li);
    return state;
  }

  // Codes kept from a page the server sent back with a problem (only the ones that were fine are kept).
  if (hidden.value) {
    try {
      const kept = JSON.parse(hidden.value);
      if (Array.isArray(kept)) {
        kept.forEach((item, i) => {
          ready.push({ key: `kept-${i}`, item });
          row(`Picture or video ${++counter}`).textContent = "ready (from before)";
        });
      }
    } catch {
      hidden.value = "";
    }
  }

  async function add(file) {
    const number = ++counter;
    const state = row(`Picture or video ${number}`);
    state.textContent = "making the code…";
    working += 1;
    refresh();
    try {
      const result = await hashFile(file, {
        onProgress: (progress) => {
          const p = percent(progress);
          state.textContent = p === null ? "making the code…" : `making the code… ${Math.round(p)}%`;
        },
      });
      if (ready.some((r) => r.item.md5 === result.md5)) {
        state.textContent = "you already chose this one";
      } else {
        ready.push({ key: `file-${number}`, item: listItem(result) });
        state.textContent = "ready";
        state.parentElement.dataset.state = "ready";
      }
    } catch (error) {
      state.parentElement.dataset.state = "error";
      state.textContent =
        error instanceof HashError ? error.message : "we could not read this file. Try choosing it again.";
    } finally {
      working -= 1;
      refresh();
    }
  }

  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = ""; // the same picture can be chosen again; nothing stays attached to the form
    files.reduce((previous, file) => previous.then(() => add(file)), Promise.resolve());
  });

  form.addEventListener("submit", (event) => {
    if (working) {
      event.preventDefault();
      summary.textContent = "Please wait until every picture says it is ready.";
    }
  });

  document.querySelectorAll("[data-remove-it-nojs]").forEach((el) => {
    el.hidden = true;
  });
  form.hidden = false;
  refresh();
}

if (form) enhance(form);
