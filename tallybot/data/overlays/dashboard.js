/* Copy buttons: each copies its overlay URL, or selects it for Ctrl+C where the clipboard is closed. */
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(button.dataset.copy);
    copied = true;
  } catch (error) {
    const field = button.parentElement.querySelector("input");
    field.select();
    copied = document.execCommand("copy");
  }
  button.textContent = copied ? "Copied!" : "Press Ctrl+C";
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1500);
});
