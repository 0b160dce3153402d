// "Copy" buttons (progressive enhancement): a button with data-sg-copy-target="<element id>" inside a
// [data-sg-copy] block copies that element's text. Without JavaScript, or without the clipboard API, the
// button stays hidden and the text is plain, selectable text. The result is announced in the block's
// [data-sg-copy-status] live region.

function enhance(block) {
  const button = block.querySelector("[data-sg-copy-target]");
  const status = block.querySelector("[data-sg-copy-status]");
  const target = button && document.getElementById(button.dataset.sgCopyTarget);
  if (!button || !target || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      if (status) status.textContent = "Copied";
    } catch {
      if (status) status.textContent = "Could not copy. Select the code and copy it yourself.";
    }
  });
}

document.querySelectorAll("[data-sg-copy]").forEach(enhance);
