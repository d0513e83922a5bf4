// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent?.trim() || "";
  navigator.clipboard?.writeText(text).then(() => {
    button.dataset.copied = "1";
    button.textContent = button.dataset.copiedLabel || button.textContent;
  });
});

// The follow-up link carries the code after "#", which never reaches the server; put it
// into the code field so that the person only has to press the button.
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("#query-form input[name=code]");
  const code = window.location.hash.slice(1);
  if (field && code && !field.value) field.value = decodeURIComponent(code);
});
